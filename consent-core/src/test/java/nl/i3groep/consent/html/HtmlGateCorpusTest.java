package nl.i3groep.consent.html;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import nl.i3groep.consent.Decisions;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/** A 500 KB page with every tracker's install code among ordinary content, in several chunkings. */
class HtmlGateCorpusTest {

    static String page(int size) {
        StringBuilder sb = new StringBuilder(size + 8192);
        sb.append("<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n<title>Corpus</title>\n")
                .append("<link rel=\"stylesheet\" href=\"/css/site.css\">\n")
                .append(HtmlGateTest.GA4).append('\n').append(HtmlGateTest.GTM).append('\n')
                .append("<style>body{font:14px/1.4 sans-serif} a[href*=\"snap.licdn.com\"]{color:red}</style>\n")
                .append("</head>\n<body class=\"home\">\n").append(HtmlGateTest.GTM_NOSCRIPT).append('\n');
        int i = 0;
        while (sb.length() < size - 4000) {
            sb.append("<article id=\"a").append(i).append("\" class=\"card\">\n<h2>Kop ").append(i).append("</h2>\n")
                    .append("<p>Lorem ipsum dolor sit amet, caf\u00e9 &amp; cr\u00e8me, <a href=\"/p/").append(i)
                    .append("\">lees meer</a> &mdash; 1 &lt; 2.</p>\n")
                    .append("<img src=\"/img/").append(i).append(".jpg\" alt=\"foto ").append(i)
                    .append("\" srcset=\"/img/").append(i).append("@2x.jpg 2x\" loading=lazy>\n")
                    .append("<script>window.cards=(window.cards||0)+1; if (cards < 3) { console.log('</scr'+'ipt>'); }</script>\n")
                    .append("<!-- card ").append(i).append(" <script src=\"//snap.licdn.com/x.js\"></script> -->\n");
            switch (i % 6) {
                case 0 -> sb.append(HtmlGateTest.LINKEDIN);
                case 1 -> sb.append(HtmlGateTest.ADS_LEGACY);
                case 2 -> sb.append(HtmlGateTest.LEADBOXER);
                case 3 -> sb.append(HtmlGateTest.OKTOPOST);
                case 4 -> sb.append(HtmlGateTest.UA);
                default -> sb.append("<textarea name=t").append(i).append("><img src=//px.ads.linkedin.com/t></textarea>");
            }
            sb.append("\n</article>\n");
            i++;
        }
        return sb.append("<footer><p>&copy; i3</p></footer>\n</body>\n</html>\n").toString();
    }

    @Test
    void halfAMegabytePage() {
        String html = page(500_000);
        assertTrue(html.length() >= 495_000, "page is " + html.length());
        byte[] in = html.getBytes(StandardCharsets.UTF_8);
        Page page = HtmlGateProperties.PAGE;
        for (Decisions d : List.of(Fixture.NONE, Fixture.ANALYTICS, Fixture.MARKETING, Fixture.ALL)) {
            byte[] whole = Fixture.gate(Fixture.GATE, in, StandardCharsets.UTF_8, d, page, new int[] {Integer.MAX_VALUE});
            assertArrayEquals(whole, Fixture.gate(Fixture.GATE, in, StandardCharsets.UTF_8, d, page, new int[] {8192}));
            assertArrayEquals(whole, Fixture.gate(Fixture.GATE, in, StandardCharsets.UTF_8, d, page, new int[] {1, 2, 997}));
            assertArrayEquals(whole, Fixture.gate(Fixture.GATE, in, StandardCharsets.UTF_8, d, page, new int[] {1}));
            String out = new String(whole, StandardCharsets.UTF_8);
            Document doc = Jsoup.parse(out);
            HtmlGateProperties.checkWithJsoup(List.of(), doc, out, d, html);
            long live = doc.select("script").stream().filter(e -> !e.attr("type").equals("text/plain")).count();
            long articles = doc.select("article").size();
            // every card's own inline script stays live; so does everything the visitor allowed
            assertTrue(live >= articles, live + " live scripts for " + articles + " cards");
            for (Element e : doc.select("textarea")) {
                assertTrue(e.text().contains("<img src=//px.ads.linkedin.com/t>"), e.toString());
            }
            if (d == Fixture.ALL) {
                long inert = doc.select("script[type=text/plain]").size();
                assertEquals(1, inert, "only the unconfigured Tag Manager stays inert");
            }
        }
    }
}
