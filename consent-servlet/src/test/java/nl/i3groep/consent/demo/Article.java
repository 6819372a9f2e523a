package nl.i3groep.consent.demo;

import java.nio.charset.StandardCharsets;

/**
 * The body of the demo's long article ({@code /artikel}): what a news or blog page of a company
 * site holds between its header and footer. Headings, paragraphs with links and accented
 * letters, figures with {@code srcset}, quotes, comments, small inline scripts of the site's own and
 * a list of related articles, repeated in sections until the size is reached. The trackers are not
 * here: they come with the layout, installed as on every other page.
 */
final class Article {

    static final String TITLE = "Software die zichzelf uitlegt";

    private Article() {
    }

    /** About {@code size} bytes of UTF-8 (a little more, never a section less). */
    static String content(int size) {
        StringBuilder sb = new StringBuilder(size + 2048);
        sb.append("<article class=\"artikel\" itemscope itemtype=\"https://schema.org/Article\">\n")
                .append("<h1 itemprop=\"headline\">").append(TITLE).append("</h1>\n")
                .append("<p class=\"byline\">Door <span itemprop=\"author\">Anne de Vries</span> · ")
                .append("<time datetime=\"2026-11-24\">24 november 2026</time> · 9 minuten lezen</p>\n")
                .append("<p class=\"lead\">Goede software heeft geen handleiding nodig. Dat klinkt als een belofte ")
                .append("van de marketingafdeling, maar het is een ontwerpkeuze die je elke dag opnieuw maakt.</p>\n");
        int end = "</ol></aside>\n</article>\n".length() + 600;
        for (int i = 1; utf8(sb) < size - end; i++) {
            section(sb, i);
        }
        sb.append("<aside class=\"gerelateerd\"><h2>Lees ook</h2><ol>");
        for (int i = 1; i <= 5; i++) {
            sb.append("<li><a href=\"/artikel/").append(i).append("\">Deel ").append(i)
                    .append(" van de serie over begrijpelijke software</a></li>");
        }
        return sb.append("</ol></aside>\n</article>\n").toString();
    }

    private static void section(StringBuilder sb, int i) {
        sb.append("<section id=\"deel-").append(i).append("\">\n<h2>").append(i).append(". ")
                .append(HEADINGS[i % HEADINGS.length]).append("</h2>\n")
                .append("<p>Een scherm dat uitlegt wat het doet, scheelt een telefoontje naar de servicedesk. ")
                .append("Wij beginnen daarom niet met de techniek maar met de vraag wie het scherm gebruikt, ")
                .append("wanneer, en met welke haast. Caf\u00e9-eigenaren, co\u00f6rdinatoren en re\u00efntegratie")
                .append("specialisten hebben elk hun eigen woorden; <a href=\"/diensten\">ons advies</a> ")
                .append("begint bij die woorden.</p>\n")
                .append("<figure><img src=\"/img/artikel/").append(i).append(".jpg\" srcset=\"/img/artikel/").append(i)
                .append("@2x.jpg 2x\" alt=\"Illustratie bij deel ").append(i)
                .append("\" width=\"720\" height=\"405\" loading=\"lazy\"><figcaption>Afbeelding ").append(i)
                .append(": een formulier v\u00f3\u00f3r en na de herziening.</figcaption></figure>\n")
                .append("<p>Daarna testen we met echte gebruikers: <em>vijf</em> gesprekken vinden de meeste ")
                .append("problemen, <strong>tien</strong> vinden ze bijna allemaal. Wat we leren gaat terug in het ")
                .append("ontwerp, en pas dan in de code.</p>\n");
        if (i % 2 == 0) {
            sb.append("<blockquote><p>\u201cSinds de nieuwe versie belt niemand meer met de vraag waar de knop ")
                    .append("zit.\u201d</p><footer>\u2014 een klant uit de zorg</footer></blockquote>\n");
        }
        if (i % 3 == 0) {
            sb.append("<script>document.getElementById('deel-").append(i)
                    .append("').addEventListener('toggle', function () { this.classList.toggle('open'); });</script>\n");
        }
        sb.append("<!-- einde deel ").append(i).append(" -->\n</section>\n");
    }

    private static final String[] HEADINGS = {"Woorden van de gebruiker", "Minder keuzes, betere keuzes",
        "Foutmeldingen die helpen", "Testen met vijf mensen", "Toegankelijk vanaf het begin", "Meten zonder te volgen"};

    private static int utf8(StringBuilder sb) {
        return sb.toString().getBytes(StandardCharsets.UTF_8).length;
    }
}
