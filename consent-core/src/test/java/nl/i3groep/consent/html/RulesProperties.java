package nl.i3groep.consent.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import nl.i3groep.consent.Tracker;
import org.junit.jupiter.api.Test;

/** The marker search and the fast relative-URL test against their plain definitions. */
class RulesProperties {

    static final Rules RULES = new Rules(Fixture.CONFIG.trackers());
    static final Rules.Markers MARKERS = RULES.markers(StandardCharsets.UTF_8);

    @Property(tries = 3000)
    void markerSearchFindsWhatIndexOfFinds(@ForAll long seed) {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder();
        List<Tracker> trackers = Fixture.CONFIG.trackers();
        String alphabet = "abcgilnoprstOTG_-.(/'\" \n";
        int n = r.nextInt(300);
        for (int i = 0; i < n; i++) {
            if (r.nextInt(60) == 0) {
                Tracker t = trackers.get(r.nextInt(trackers.size()));
                if (!t.inlineMarkers().isEmpty()) {
                    String m = t.inlineMarkers().get(r.nextInt(t.inlineMarkers().size()));
                    // sometimes only part of it, which must not count
                    sb.append(r.nextInt(4) == 0 ? m.substring(0, m.length() - 1) : m);
                }
            } else {
                sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
        }
        String text = sb.toString();
        long expected = 0;
        for (int k = 0; k < trackers.size(); k++) {
            for (String m : trackers.get(k).inlineMarkers()) {
                if (text.contains(m)) {
                    expected |= 1L << k;
                }
            }
        }
        byte[] b = ("xx" + text + "yy").getBytes(StandardCharsets.UTF_8);
        assertEquals(expected, MARKERS.scan(b, 2, b.length - 2), text);
    }

    @Test
    void relativeUrlsNeedNoParsing() {
        for (String v : List.of("/img/a.png", "img/a.png", "a.png?x=1", "#top", "?q=1", "./x", "../x", "", "  /a",
                "1x", "data-x/y")) {
            byte[] b = v.getBytes(StandardCharsets.UTF_8);
            assertEquals(0, RULES.matchUrl(v));
            assertTrue(!Rules.mayHaveHost(b, 0, b.length), v);
        }
        for (String v : List.of("//x.org/a", "\\\\x.org", "/\n/x.org", "https://x.org", "data:x", "a&#x2f;/b",
                " \t//x", "h\tttps://x", "\\/x")) {
            byte[] b = v.getBytes(StandardCharsets.UTF_8);
            assertTrue(Rules.mayHaveHost(b, 0, b.length), v);
        }
    }

    @Property(tries = 2000)
    void mayHaveHostNeverHidesAHost(@ForAll long seed) {
        Random r = new Random(seed);
        String parts = "/\\:&#;.aAhtps\t\n x2fF";
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(12);
        for (int i = 0; i < n; i++) {
            sb.append(parts.charAt(r.nextInt(parts.length())));
        }
        String v = sb + (r.nextBoolean() ? "snap.licdn.com/x" : "");
        byte[] b = v.getBytes(StandardCharsets.UTF_8);
        if (!Rules.mayHaveHost(b, 0, b.length)) {
            assertEquals(0, RULES.matchUrl(CharRefs.decode(v)), v);
        }
    }

    /**
     * A value judged from its bytes, first time or looked up, is judged as its decoded string is,
     * whatever else shares its slot: one small gate so that many values meet in few slots.
     */
    @Property(tries = 3000)
    void aValueLookedUpIsJudgedAsItsString(@ForAll long seed) {
        Random r = new Random(seed);
        String[] hosts = {"snap.licdn.com", "px.ads.linkedin.com", "www.google.com", "www.googletagmanager.com",
            "cdn.example.org", "script.leadboxer.com", "static.oktopost.com"};
        String[] paths = {"/", "/pagead/1p-conversion/1", "/gtag/js?id=G-ABC123", "/collect?pid=1&amp;x=2", "/./pagead/x",
            "/a%2Fb", "/img.png 2x, /b.png 1x", ""};
        String[] schemes = {"https://", "//", "http:\\\\", "HTTPS://", "data:", "", "&#104;ttps://"};
        for (int i = 0; i < 40; i++) {
            String v = schemes[r.nextInt(schemes.length)] + hosts[r.nextInt(hosts.length)]
                    + paths[r.nextInt(paths.length)] + (r.nextInt(4) == 0 ? "\u00e9" : "");
            int kind = r.nextInt(3);
            byte[] b = ("<" + v + ">").getBytes(StandardCharsets.UTF_8);
            String decoded = CharRefs.decode(v);
            long expected = kind == Rules.BASE ? RULES.matchBase(decoded)
                    : kind == Rules.SRCSET ? RULES.matchSrcset(decoded) : RULES.matchUrl(decoded);
            assertEquals(expected, RULES.urlBits(b, 1, b.length - 1, kind, StandardCharsets.UTF_8), v + " as " + kind);
        }
    }
}
