package nl.i3groep.consent.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Predicate;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import nl.i3groep.consent.Decisions;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.html.HtmlGate;

/**
 * {@code Link} and {@code Refresh} values in random spellings (case, scheme-relative targets,
 * parameters with quoted commas and angle brackets, any relation, white space), judged by the
 * real rules of the example site for a visitor who has not decided: every entry to a tracker goes,
 * every other entry stays exactly as written, in order.
 */
class FetchHeadersProperties {

    static final Gatekeeper GATEKEEPER = Gatekeeper.create(ConsentConfig.load("classpath:consent.json"));
    static final HtmlGate GATE = HtmlGate.create(GATEKEEPER.trackers());
    static final Decisions NONE = GATEKEEPER.decide(null, false);
    static final Predicate<String> ALLOWED = url -> GATE.allows(url, NONE);

    static final List<String> TRACKERS = List.of("https://snap.licdn.com/li.lms-analytics/insight.min.js",
            "//px.ads.linkedin.com/collect/?pid=123456", "https://www.googletagmanager.com/gtag/js?id=G-ABC123",
            "https://script.leadboxer.com/?dataset=abc123", "https://www.google.nl/pagead/1p-conversion/1/",
            "https://static.oktopost.com/oktrk.js", "https://region1.google-analytics.com/g/collect");
    static final List<String> OTHERS = List.of("/css/site.css", "https://fonts.example.org", "//cdn.example.org/a.js",
            "https://www.linkedin.com/company/x", "https://www.google.nl/search", "/img/hero.webp?w=1,2");

    static String spell(String url, Random r) {
        String u = url;
        if (r.nextBoolean()) {
            int h = u.indexOf("//") + 2;
            int e = u.indexOf('/', h);
            e = e < 0 ? u.length() : e;
            u = u.substring(0, h) + u.substring(h, e).toUpperCase(Locale.ROOT) + u.substring(e);
        }
        if (u.startsWith("https://") && r.nextInt(3) == 0) {
            u = u.substring(6);
        }
        return u;
    }

    static String params(Random r) {
        StringBuilder sb = new StringBuilder();
        sb.append(";").append(r.nextBoolean() ? " " : "").append(r.nextBoolean() ? "rel=" : "REL=")
                .append(List.of("preconnect", "preload", "\"preload\"", "modulepreload", "prefetch", "dns-prefetch",
                        "\"preconnect dns-prefetch\"", "next").get(r.nextInt(8)));
        if (r.nextBoolean()) {
            sb.append("; as=").append(List.of("script", "style", "image", "font").get(r.nextInt(4)));
        }
        if (r.nextInt(3) == 0) {
            sb.append("; title=\"a, <b>; c\"");
        }
        if (r.nextInt(4) == 0) {
            sb.append("; crossorigin");
        }
        return sb.toString();
    }

    @Property(tries = 2000)
    void linkEntriesToTrackersGoAndTheRestStayAsWritten(@ForAll long seed) {
        Random r = new Random(seed);
        List<String> kept = new ArrayList<>();
        List<String> entries = new ArrayList<>();
        List<String> gone = new ArrayList<>();
        int n = 1 + r.nextInt(5);
        for (int i = 0; i < n; i++) {
            boolean tracker = r.nextBoolean();
            String url = tracker ? TRACKERS.get(r.nextInt(TRACKERS.size())) : OTHERS.get(r.nextInt(OTHERS.size()));
            String entry = "<" + spell(url, r) + ">" + params(r);
            entries.add(entry);
            (tracker ? gone : kept).add(entry);
        }
        String sep = List.of(", ", ",", " ,\t").get(r.nextInt(3));
        String value = String.join(sep, entries);
        String out = FetchHeaders.link(value, ALLOWED);
        if (kept.isEmpty()) {
            assertNull(out, value);
            return;
        }
        assertTrue(out != null, value);
        int at = 0;
        for (String k : kept) {
            int found = out.indexOf(k, at);
            assertTrue(found >= at, k + " kept, in order, in " + out + " from " + value);
            at = found + k.length();
        }
        for (String g : gone) {
            assertFalse(out.contains(g.substring(0, g.indexOf('>') + 1)), g + " dropped from " + out);
        }
    }

    @Property(tries = 1000)
    void aRefreshToATrackerGoesInAnySpelling(@ForAll long seed) {
        Random r = new Random(seed);
        boolean tracker = r.nextBoolean();
        String url = spell(tracker ? TRACKERS.get(r.nextInt(TRACKERS.size())) : OTHERS.get(r.nextInt(OTHERS.size())), r);
        String quote = List.of("", "'", "\"").get(r.nextInt(3));
        String value = List.of("0", "5", "1.5", " 3").get(r.nextInt(4)) + List.of(";", ",", " ;", "; ").get(r.nextInt(4))
                + List.of("url=", "URL=", " url = ", "").get(r.nextInt(4)) + quote + url + quote;
        String out = FetchHeaders.refresh(value, ALLOWED);
        if (tracker) {
            assertNull(out, value);
        } else {
            assertEquals(value, out);
        }
    }
}
