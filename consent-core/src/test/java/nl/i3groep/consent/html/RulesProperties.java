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

    /** A tracker's markers: its own, and those of its host rules ({@link Rules#hostMarkers}). */
    static List<String> markers(Tracker t) {
        List<String> all = new java.util.ArrayList<>(t.inlineMarkers());
        for (String rule : t.hosts()) {
            int slash = rule.indexOf('/');
            String host = (slash < 0 ? rule : rule.substring(0, slash)).toLowerCase(java.util.Locale.ROOT);
            all.addAll(Rules.hostMarkers(host.startsWith("*.") ? host.substring(2) : host,
                    slash < 0 ? "" : rule.substring(slash)));
        }
        return all;
    }

    @Property(tries = 3000)
    void markerSearchFindsWhatIndexOfFindsInAnyCase(@ForAll long seed) {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder();
        List<Tracker> trackers = Fixture.CONFIG.trackers();
        String alphabet = "abcgilnoprstOTG_-.(/\\'\" \n";
        // short texts take one chain of windows, longer ones four (a marker may cross where they meet)
        int n = r.nextInt(r.nextBoolean() ? 64 : 1200);
        for (int i = 0; i < n; i++) {
            if (r.nextInt(60) == 0) {
                List<String> ms = markers(trackers.get(r.nextInt(trackers.size())));
                if (!ms.isEmpty()) {
                    String m = ms.get(r.nextInt(ms.size()));
                    // sometimes only part of it, which must not count
                    m = r.nextInt(4) == 0 ? m.substring(0, m.length() - 1) : m;
                    sb.append(r.nextBoolean() ? m : flipCase(m, r));
                }
            } else {
                sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
        }
        String text = sb.toString();
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        long expected = 0;
        for (int k = 0; k < trackers.size(); k++) {
            for (String m : markers(trackers.get(k))) {
                if (lower.contains(m.toLowerCase(java.util.Locale.ROOT))) {
                    expected |= 1L << k;
                }
            }
        }
        long gtag = RULES.bit("google-analytics") | RULES.bit("google-ads");
        if (lower.contains("gtag(") && (expected & gtag) == 0) {
            expected |= gtag; // an account-less gtag( call is both Google tags'
        }
        byte[] b = ("xx" + text + "yy").getBytes(StandardCharsets.UTF_8);
        assertEquals(expected, MARKERS.scan(b, 2, b.length - 2), text);
    }

    /** At every start, across the seams of the search's four chains and at both ends. */
    @Test
    void aMarkerIsFoundWhereverItStarts() {
        long linkedIn = RULES.bit("linkedin-insight");
        for (String marker : List.of("lintrk(", "SNAP.licdn.com")) {
            for (int length = 60; length <= 140; length += 7) {
                for (int at = 0; at + marker.length() <= length; at++) {
                    StringBuilder sb = new StringBuilder();
                    while (sb.length() < length) {
                        sb.append("var x = document.body; ");
                    }
                    sb.replace(at, at + marker.length(), marker).setLength(length);
                    byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
                    assertEquals(linkedIn, MARKERS.scan(b, 0, b.length) & linkedIn, sb::toString);
                }
            }
        }
    }

    @Property(tries = 2000)
    void indexOfAnyFindsTheFirstOfItsThreeBytes(@ForAll long seed) {
        Random r = new Random(seed);
        byte[] b = new byte[r.nextInt(40)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) ":&\"ab\u00ff\u0000\u0080".charAt(r.nextInt(8));
        }
        int from = b.length == 0 ? 0 : r.nextInt(b.length);
        int to = from + r.nextInt(b.length - from + 1);
        int expected = to;
        for (int i = from; i < to; i++) {
            if (b[i] == '"' || b[i] == ':' || b[i] == '&') {
                expected = i;
                break;
            }
        }
        assertEquals(expected, Bytes.indexOfAny(b, (byte) '"', (byte) ':', (byte) '&', from, to));
    }

    private static String flipCase(String s, Random r) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            sb.append(r.nextBoolean() ? Character.toUpperCase(c) : Character.toLowerCase(c));
        }
        return sb.toString();
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
