package nl.i3groep.consent.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import nl.i3groep.consent.Decisions;
import nl.i3groep.consent.Tracker;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * Generated pages (documents and fragments; tracker and ordinary elements in random spellings) in
 * random chunkings, checked against jsoup as an independent parser: no denied tracker stays
 * executable or fetching, allowed ones stay live, every byte outside the touched tags is unchanged,
 * and the chunking makes no difference.
 */
class HtmlGateProperties {

    static final String BANNER = "<div data-consent-banner>B</div>";
    static final Page PAGE = new Page(BANNER, Optional.empty());
    static final Decisions[] DECISIONS = {Fixture.NONE, Fixture.ALL, Fixture.ANALYTICS, Fixture.MARKETING};

    /** What the test knows about each tracker, written independently of the catalogue. */
    record T(String id, List<String> urls, List<String> scriptUrls, List<String> inline, List<String> hostParts,
            List<String> markers) {
    }

    static final List<T> TRACKERS = List.of(
            new T("google-analytics", List.of("https://region1.google-analytics.com/g/collect?v=2",
                    "//www.google-analytics.com/collect?v=1"),
                    List.of("https://www.googletagmanager.com/gtag/js?id=G-ABC123", "//www.google-analytics.com/analytics.js"),
                    List.of("gtag('config', 'G-ABC123');", "i['GoogleAnalyticsObject']=r;"),
                    List.of("googletagmanager.com/gtag/js?id=g-", "google-analytics.com"),
                    List.of("G-ABC123", "GoogleAnalyticsObject")),
            new T("google-ads", List.of("//googleads.g.doubleclick.net/pagead/viewthroughconversion/123456789/?guid=ON&script=0",
                    "https://www.googleadservices.com/pagead/conversion/123456789/?label=x&guid=ON&script=0"),
                    List.of("https://www.googletagmanager.com/gtag/js?id=AW-123456789",
                            "//www.googleadservices.com/pagead/conversion.js"),
                    List.of("var google_conversion_id = 123456789;", "gtag('config','AW-123456789');"),
                    List.of("googletagmanager.com/gtag/js?id=aw-", "googleadservices.com", "doubleclick.net"),
                    List.of("AW-123456789", "google_conversion_id")),
            new T("linkedin-insight", List.of("https://px.ads.linkedin.com/collect/?pid=123456&fmt=gif",
                    "https://dc.ads.linkedin.com/x"),
                    List.of("https://snap.licdn.com/li.lms-analytics/insight.min.js"),
                    List.of("_linkedin_partner_id = \"123456\";", "window.lintrk('track', {conversion_id: 1});"),
                    List.of("licdn.com", "ads.linkedin.com"),
                    List.of("_linkedin_partner_id", "lintrk(")),
            new T("leadboxer", List.of("https://pixel.leadboxer.com/p.gif", "//log.leadboxer.com/?x=1"),
                    List.of("//script.leadboxer.com/?dataset=abc123", "https://script.leadboxer.com/?account=x&form"),
                    List.of("OTLogService.sendEvent('lead', OTMap);"),
                    List.of("leadboxer.com"),
                    List.of("OTLogService", "OTMap")),
            new T("oktopost", List.of("https://okt.to/ping?x=1"),
                    List.of("https://static.oktopost.com/oktrk.js"),
                    List.of("_oktrk('create','001abc');"),
                    List.of("oktopost.com", "okt.to"),
                    List.of("_oktrk(", "OktopostTrackerObject")),
            new T("google-tag-manager", List.of("https://www.googletagmanager.com/ns.html?id=GTM-XXXX"),
                    List.of("https://www.googletagmanager.com/gtm.js?id=GTM-XXXX"),
                    List.of("j.src='https://www.googletagmanager.com/gtm.js?id='+i;"),
                    List.of("googletagmanager.com/gtm.js", "googletagmanager.com/ns.html"),
                    List.of("googletagmanager.com/gtm.js")));

    /** A piece of the generated page. */
    record Part(String text, boolean mayChange, boolean expectChange) {
    }

    /** An element to check by id in the parsed output. */
    record Check(String id, String kind, String tracker, String attr, String value) {
    }

    static final class Gen {
        final Random r;
        final Decisions d;
        final List<Part> parts = new ArrayList<>();
        final List<Check> checks = new ArrayList<>();
        int ids;
        /** jsoup reads noscript in head as text (scripting on), so pixels go there only in the body. */
        boolean inHead;

        Gen(long seed, Decisions d) {
            this.r = new Random(seed);
            this.d = d;
        }

        <X> X pick(List<X> xs) {
            return xs.get(r.nextInt(xs.size()));
        }

        String kase(String s) {
            return switch (r.nextInt(4)) {
                case 0 -> s.toUpperCase(Locale.ROOT);
                case 1 -> s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
                default -> s;
            };
        }

        String sp() {
            return pick(List.of(" ", " ", " ", "\n", "  ", "\t", "\r\n  "));
        }

        /** A URL as a page might spell it: scheme, case, entities, white space. */
        String spellUrl(String url) {
            String u = url;
            int hostStart = u.startsWith("//") ? 2 : u.indexOf("//") + 2;
            if (u.startsWith("//") && r.nextInt(3) == 0) {
                u = pick(List.of("https:", "http:", "HTTPS:")) + u;
                hostStart = u.indexOf("//") + 2;
            } else if (u.startsWith("https://") && r.nextInt(3) == 0) {
                u = u.substring(6);
                hostStart = 2;
            }
            int hostEnd = u.indexOf('/', hostStart);
            if (hostEnd < 0) {
                hostEnd = u.length();
            }
            String host = u.substring(hostStart, hostEnd);
            if (r.nextInt(4) == 0) {
                host = host.toUpperCase(Locale.ROOT);
            }
            StringBuilder h = new StringBuilder();
            for (char c : host.toCharArray()) {
                if (c == '.' && r.nextInt(6) == 0) {
                    h.append(pick(List.of("&#46;", "&period;", "&#x2E;", "&#x2e;", "&#046;")));
                } else {
                    h.append(c);
                }
            }
            String rest = u.substring(hostEnd);
            if (r.nextBoolean()) {
                rest = rest.replace("&", "&amp;");
            }
            String s = u.substring(0, hostStart) + h + rest;
            if (r.nextInt(5) == 0) {
                s = " \n" + s + " ";
            }
            return s;
        }

        String attr(String name, String value) {
            String n = kase(name);
            if (value == null) {
                return n;
            }
            boolean unquotedOk = !value.isEmpty() && value.chars().noneMatch(c -> c <= ' ' || c == '"' || c == '\''
                    || c == '=' || c == '<' || c == '>' || c == '`');
            int q = r.nextInt(unquotedOk ? 3 : 2);
            String eq = r.nextInt(6) == 0 ? sp() + "=" + sp() : "=";
            return switch (q) {
                case 0 -> n + eq + "\"" + value.replace("\"", "&quot;") + "\"";
                case 1 -> n + eq + "'" + value.replace("'", "&#39;") + "'";
                default -> n + eq + value;
            };
        }

        /** A start tag with the given attributes plus an id and some noise, in random order. */
        String startTag(String name, List<String> attrs, String id) {
            List<String> all = new ArrayList<>(attrs);
            all.add(attr("id", id));
            if (r.nextInt(3) == 0) {
                all.add(attr("data-x", pick(List.of("a>b", "x y", "'q'", "<script>", "//cdn.example.org/x.js", "note: a/b"))));
            }
            if (r.nextInt(3) == 0) {
                all.add(attr("class", "c" + r.nextInt(9)));
            }
            java.util.Collections.shuffle(all, r);
            StringBuilder sb = new StringBuilder("<").append(kase(name));
            boolean first = true;
            for (String a : all) {
                // "/" separates only after the name: after an unquoted value it would belong to the value
                sb.append(first && r.nextInt(8) == 0 ? "/" : sp()).append(a);
                first = false;
            }
            if (name.equals("img") && r.nextBoolean()) {
                sb.append(r.nextBoolean() ? " /" : "\n/");
            }
            return sb.append(r.nextInt(8) == 0 ? sp() + ">" : ">").toString();
        }

        String endTag(String name) {
            return "</" + kase(name) + pick(List.of(">", ">", " >", "\n>")) + "";
        }

        boolean allows(String tracker) {
            return d.allows(tracker);
        }

        void text(String s) {
            parts.add(new Part(s, false, false));
        }

        void tag(String s, boolean expectChange) {
            parts.add(new Part(s, true, expectChange));
        }

        String id() {
            return "e" + (ids++);
        }

        void element() {
            T t = pick(TRACKERS);
            String id = id();
            switch (r.nextInt(17)) {
                case 0, 1 -> { // tracker script by URL
                    List<String> attrs = new ArrayList<>();
                    attrs.add(attr("src", spellUrl(pick(t.scriptUrls))));
                    if (r.nextBoolean()) {
                        attrs.add(attr(pick(List.of("async", "defer")), null));
                    }
                    if (r.nextInt(3) == 0) {
                        attrs.add(attr("type", pick(List.of("text/javascript", "module", "application/javascript"))));
                    }
                    tag(startTag("script", attrs, id), !allows(t.id));
                    text(endTag("script"));
                    checks.add(new Check(id, "script", t.id, null, null));
                }
                case 2, 3 -> { // tracker inline script
                    List<String> attrs = new ArrayList<>();
                    if (r.nextInt(3) == 0) {
                        attrs.add(attr("type", "text/javascript"));
                    }
                    tag(startTag("script", attrs, id), !allows(t.id));
                    text(pick(List.of("", "\n", "var a = 1 < 2;\n")) + pick(t.inline)
                            + pick(List.of("", "\nvar s = '</scr' + 'ipt>';", "\n// <!-- x -->", "\nif (a<b) {}")));
                    text(endTag("script"));
                    checks.add(new Check(id, "script", t.id, null, null));
                }
                case 4 -> { // marked, live or parked
                    boolean parked = r.nextBoolean();
                    List<String> attrs = new ArrayList<>();
                    attrs.add(attr("data-consent", t.id));
                    if (parked) {
                        attrs.add(attr("type", "text/plain"));
                    }
                    tag(startTag("script", attrs, id), parked == allows(t.id));
                    text("run" + r.nextInt(99) + "();");
                    text(endTag("script"));
                    checks.add(new Check(id, "script", t.id, null, null));
                }
                case 5, 6 -> { // pixel or frame
                    String el = pick(List.of("img", "img", "iframe", "embed", "video", "source", "link", "object"));
                    String a = switch (el) {
                        case "link" -> "href";
                        case "object" -> "data";
                        case "video" -> "poster";
                        case "source" -> pick(List.of("src", "srcset"));
                        case "img" -> pick(List.of("src", "src", "srcset"));
                        default -> "src";
                    };
                    String url = pick(t.urls);
                    String v = a.equals("srcset") ? "/local.png 1x, " + spellUrl(url).strip() + " 2x" : spellUrl(url);
                    List<String> attrs = new ArrayList<>();
                    attrs.add(attr(a, v));
                    if (el.equals("link")) {
                        attrs.add(attr("rel", "preload"));
                    }
                    boolean noscript = !inHead && r.nextInt(3) == 0;
                    if (noscript) {
                        text("<noscript>");
                    }
                    tag(startTag(el, attrs, id), !allows(t.id));
                    if (el.equals("iframe") || el.equals("video") || el.equals("object")) {
                        text(endTag(el));
                    }
                    if (noscript) {
                        text("</noscript>");
                    }
                    checks.add(new Check(id, "url", t.id, a, CharRefsForTest.decode(v)));
                }
                case 13, 14 -> { // a tracker URL in any attribute of any element: lazy loaders, handlers, CSS
                    String el = pick(List.of("div", "img", "section", "amp-img", "span", "a", "td", "body"));
                    String url = spellUrl(pick(t.urls)).strip();
                    String a = pick(List.of("data-src", "data-lazy-src", "data-bg", "data-srcset", "background",
                            "style", "onload", "onerror", "ping", "data-background-image"));
                    String v = switch (a) {
                        case "style" -> pick(List.of("background-image:url(", "background: #fff url('", "b:image-set(\""))
                                + url + pick(List.of(")", "')", "\" 1x)"));
                        case "onload", "onerror" -> pick(List.of("new Image().src='", "this.src=\"")) + url + "'";
                        case "data-srcset" -> "/local.png 1x, " + url + " 2x";
                        default -> url;
                    };
                    if (el.equals("td") || el.equals("body")) {
                        el = "div"; // kept where a parser keeps them
                    }
                    tag(startTag(el, List.of(attr(a, v)), id), !allows(t.id));
                    checks.add(new Check(id, "url", t.id, a, CharRefsForTest.decode(v)));
                }
                case 15 -> { // a script of a plugin's own type, which its loader revives from a data-*src
                    String type = pick(List.of("rocketlazyloadscript", "litespeed/javascript", "text/partytown", "module",
                            "text/plain"));
                    String a = pick(List.of("src", "data-src", "data-rocket-src", "data-lazy-src"));
                    String url = spellUrl(pick(t.scriptUrls));
                    tag(startTag("script", List.of(attr("type", type), attr(a, url)), id), !allows(t.id));
                    text(endTag("script"));
                    checks.add(new Check(id, "url", t.id, a, CharRefsForTest.decode(url)));
                }
                case 16 -> { // a pixel built by hand in an inline script: the host in any case, maybe JSON-escaped
                    String url = pick(t.urls);
                    int hostStart = url.indexOf("//") + 2;
                    int hostEnd = url.indexOf('/', hostStart);
                    String host = url.substring(hostStart, hostEnd < 0 ? url.length() : hostEnd);
                    String spelled = url.replace(host, r.nextBoolean() ? host.toUpperCase(Locale.ROOT) : host);
                    if (r.nextBoolean()) {
                        spelled = spelled.replace("/", "\\/");
                    }
                    tag(startTag("script", List.of(), id), !allows(t.id));
                    text(pick(List.of("new Image().src = '", "var u = \"", "navigator.sendBeacon('")) + spelled + "';");
                    text(endTag("script"));
                    checks.add(new Check(id, "script", t.id, null, null));
                }
                case 7 -> { // an ordinary script
                    boolean inline = r.nextBoolean();
                    List<String> attrs = new ArrayList<>();
                    if (!inline) {
                        attrs.add(attr("src", pick(List.of("/js/app.js", "https://cdn.example.org/lib.js", "app.js?x=1&y=2"))));
                    }
                    tag(startTag("script", attrs, id), false);
                    if (inline) {
                        text(pick(List.of("var x = 1;", "if (a < b && c > d) { go(); }", "document.write('<p>hi</p>');")));
                    }
                    text(endTag("script"));
                    checks.add(new Check(id, "script", null, null, null));
                }
                case 8 -> { // an ordinary image
                    String v = pick(List.of("/img/a.png", "https://cdn.example.org/b.jpg", "data:image/gif;base64,R0lGOD"));
                    tag(startTag("img", List.of(attr("src", v)), id), false);
                    checks.add(new Check(id, "url", null, "src", v));
                }
                case 9 -> // tracker markup where it is not markup
                    text(pick(List.of("<!-- <script src=\"//snap.licdn.com/x.js\"></script> -->",
                            "<textarea><img src=\"//px.ads.linkedin.com/x\"></textarea>",
                            "<title>_linkedin_partner_id <script src=//snap.licdn.com/x.js></script></title>",
                            "<div title=\"<script src=//snap.licdn.com/x.js></script>\">x</div>",
                            "<a href=\"https://www.linkedin.com/company/x\">in</a>",
                            "<style>a[href*='snap.licdn.com'] { color: red }</style>",
                            "<!--> <p>short comment</p>",
                            "<?php echo 1 ?>")));
                default -> text(pick(List.of("<p>Hallo wereld</p>", "a &amp; b", "1 < 2 > 0", "<div class=\"x\">",
                        "</div>", "\n", "<br>", "<p class=note>caf\u00e9 \u20ac</p>", "<span title='a>b'>s</span>",
                        "<ul><li>one<li>two</ul>")));
            }
        }
    }

    /** Entities as the generator writes them, decoded (the test's own small decoder). */
    static final class CharRefsForTest {
        static String decode(String s) {
            return s.replace("&#46;", ".").replace("&period;", ".").replace("&#x2E;", ".").replace("&#x2e;", ".")
                    .replace("&#046;", ".").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&");
        }
    }

    @Property(tries = 12000)
    void gatedPagesAreSafeExactAndChunkingFree(@ForAll long seed) {
        Random r = new Random(seed);
        Decisions d = DECISIONS[r.nextInt(DECISIONS.length)];
        Gen g = new Gen(seed ^ 0x5DEECE66DL, d);
        boolean document = r.nextInt(3) > 0;
        boolean headTags = r.nextBoolean();
        if (document) {
            g.text(r.nextBoolean() ? "<!DOCTYPE html>\n" : "\n<!-- c --><html>");
            if (headTags) {
                g.text("<head>");
            }
            g.text("<title>T</title>\n");
            int head = r.nextInt(3);
            g.inHead = true;
            for (int i = 0; i < head; i++) {
                g.element();
            }
            g.inHead = false;
            g.text(headTags ? "</head>\n<body>\n" : "<body>\n");
        }
        int n = 1 + r.nextInt(14);
        for (int i = 0; i < n; i++) {
            g.element();
        }
        if (document) {
            g.text("</body>\n</html>\n");
        }
        StringBuilder sb = new StringBuilder();
        for (Part p : g.parts) {
            sb.append(p.text);
        }
        String html = sb.toString();
        byte[] in = html.getBytes(StandardCharsets.UTF_8);

        byte[] whole = Fixture.gate(Fixture.GATE, in, StandardCharsets.UTF_8, d, PAGE, new int[] {Integer.MAX_VALUE});
        int[] chunks = new int[1 + r.nextInt(4)];
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = r.nextInt(4) == 0 ? 1 : 1 + r.nextInt(40);
        }
        byte[] chunked = Fixture.gate(Fixture.GATE, in, StandardCharsets.UTF_8, d, PAGE, chunks);
        String out = new String(whole, StandardCharsets.UTF_8);
        assertEquals(out, new String(chunked, StandardCharsets.UTF_8), "chunking changed the output for " + html);

        checkBytes(g.parts, out, d, document, html);
        checkWithJsoup(g.checks, document ? Jsoup.parse(out) : Jsoup.parseBodyFragment(out), out, d, html);
    }

    /** Every part that must not change is found verbatim, in order; only known insertions lie between. */
    static void checkBytes(List<Part> parts, String out, Decisions d, boolean document, String html) {
        List<String> inserts = new ArrayList<>();
        if (document) {
            inserts.add(BANNER);
            for (Tracker t : Fixture.CONFIG.trackers()) {
                if (d.allows(t.id()) && !t.snippet().isEmpty()) {
                    inserts.add(t.snippet());
                }
            }
        }
        int at = 0;
        for (Part p : parts) {
            at = skipInserts(out, at, inserts, document);
            if (!p.mayChange || !p.expectChange) {
                // insertions may come inside a part of text (where the head ends), never inside a tag
                for (int k = 0; k < p.text.length(); k++) {
                    if (!p.mayChange && k > 0) {
                        at = skipInserts(out, at, inserts, document);
                    }
                    if (at >= out.length() || out.charAt(at) != p.text.charAt(k)) {
                        fail("expected " + p.text + " (char " + k + ") at " + at + " of\n" + out + "\nfrom\n" + html);
                    }
                    at++;
                }
            } else {
                int end = tagEnd(out, at);
                String got = out.substring(at, end);
                assertNotEquals(p.text, got, () -> "should have been rewritten in " + html);
                int name = 1;
                while (name < p.text.length() && " \t\n\f\r/>".indexOf(p.text.charAt(name)) < 0) {
                    name++;
                }
                assertTrue(got.regionMatches(true, 0, p.text, 0, name), got); // the same element, rewritten
                at = end;
            }
        }
        at = skipInserts(out, at, inserts, document);
        assertEquals(out.length(), at, () -> "unexpected tail in " + out);
        if (!document) {
            assertFalse(out.contains("window.dataLayer=window.dataLayer||[];window.gtag"), () -> out);
            assertFalse(out.contains(BANNER), out);
        } else {
            assertTrue(out.contains("gtag('consent','default'"), out);
        }
    }

    private static int skipInserts(String out, int at, List<String> inserts, boolean document) {
        boolean more = true;
        while (more) {
            more = false;
            if (document && out.startsWith("<script>window.dataLayer=window.dataLayer||[];window.gtag=", at)) {
                at = out.indexOf("</script>\n", at) + "</script>\n".length();
                more = true;
            }
            for (String s : inserts) {
                if (out.startsWith(s, at)) {
                    at += s.length();
                    more = true;
                }
            }
        }
        return at;
    }

    /** The end of the tag at {@code at}, by the HTML attribute rules (written here independently). */
    static int tagEnd(String s, int at) {
        int i = at + 1;
        int n = s.length();
        while (i < n && " \t\n\f\r/>".indexOf(s.charAt(i)) < 0) {
            i++;
        }
        while (i < n) {
            char c = s.charAt(i);
            if (c == '>') {
                return i + 1;
            }
            if (" \t\n\f\r/".indexOf(c) >= 0) {
                i++;
                continue;
            }
            i++;
            while (i < n && " \t\n\f\r/>=".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            while (i < n && " \t\n\f\r".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            if (i < n && s.charAt(i) == '=') {
                i++;
                while (i < n && " \t\n\f\r".indexOf(s.charAt(i)) >= 0) {
                    i++;
                }
                if (i < n && (s.charAt(i) == '"' || s.charAt(i) == '\'')) {
                    i = s.indexOf(s.charAt(i), i + 1) + 1;
                } else {
                    while (i < n && " \t\n\f\r>".indexOf(s.charAt(i)) < 0) {
                        i++;
                    }
                }
            }
        }
        return n;
    }

    static void checkWithJsoup(List<Check> checks, Document doc, String out, Decisions d, String html) {
        for (Check c : checks) {
            Element e = doc.getElementById(c.id);
            assertNotNull(e, () -> c.id + " lost in\n" + out + "\nfrom\n" + html);
            boolean denied = c.tracker != null && !d.allows(c.tracker);
            if (c.kind.equals("script")) {
                boolean executable = !e.attr("type").strip().equalsIgnoreCase("text/plain");
                assertEquals(!denied, executable, () -> c + " in\n" + out);
                if (denied) {
                    assertTrue(e.attr("data-consent").contains(c.tracker), () -> c + " in\n" + out);
                }
            } else {
                if (denied) {
                    assertFalse(e.hasAttr(c.attr), () -> c + " in\n" + out);
                    assertEquals(c.value, e.attr("data-consent-" + c.attr), () -> c + " in\n" + out);
                    assertTrue(e.attr("data-consent").contains(c.tracker), () -> c + " in\n" + out);
                } else {
                    assertEquals(c.value, e.attr(c.attr), () -> c + " in\n" + out);
                }
            }
        }
        // and globally: nothing executable or fetching of a denied tracker, wherever it came from
        for (Element e : doc.getAllElements()) {
            String tag = e.normalName();
            for (T t : TRACKERS) {
                if (d.allows(t.id)) {
                    continue;
                }
                if (tag.equals("script") && !e.attr("type").strip().equalsIgnoreCase("text/plain")) {
                    for (String m : t.markers) {
                        assertFalse(e.data().contains(m), () -> t.id + " runs: " + e + "\nin " + out);
                    }
                    assertFalse(mentions(e.attr("src"), t), () -> t.id + " loads: " + e);
                }
                for (String a : tag.equals("script") ? new String[0] : new String[] {"src", "srcset", "data", "poster"}) {
                    assertFalse(mentions(e.attr(a), t), () -> t.id + " fetches: " + e + "\nin " + out);
                }
                if (tag.equals("link")) {
                    assertFalse(mentions(e.attr("href"), t), () -> t.id + " fetches: " + e);
                }
                for (org.jsoup.nodes.Attribute a : e.attributes()) {
                    String v = a.getValue().strip().toLowerCase(Locale.ROOT);
                    boolean live = a.getKey().startsWith("on") || a.getKey().equals("style")
                            || v.startsWith("//") || v.startsWith("http");
                    assertFalse(live && !a.getKey().startsWith("data-consent") && mentions(v, t),
                            () -> t.id + " is named in " + a + " of " + e + "\nin " + out);
                }
            }
        }
    }

    static boolean mentions(String url, T t) {
        String u = url.toLowerCase(Locale.ROOT);
        for (String h : t.hostParts) {
            if (u.contains(h)) {
                return true;
            }
        }
        return false;
    }

    @Property(tries = 300)
    void everyTrackersSnippetIsInsertedOnlyWhenAllowed(@ForAll boolean analytics, @ForAll boolean marketing) {
        Decisions d = Fixture.granted(analytics, marketing);
        String out = Fixture.gate("<!doctype html><html><head></head><body></body></html>", d, PAGE, 3);
        for (Tracker t : Fixture.CONFIG.trackers()) {
            if (!t.snippet().isEmpty()) {
                assertEquals(d.allows(t.id()), out.contains(t.snippet()), t.id() + " in " + out);
            }
        }
        assertTrue(out.contains("analytics_storage:'" + (analytics ? "granted" : "denied") + "'"), out);
        assertTrue(out.contains("ad_storage:'" + (marketing ? "granted" : "denied") + "'"), out);
        Map<String, Boolean> unused = Map.of();
        assertTrue(unused.isEmpty());
    }
}
