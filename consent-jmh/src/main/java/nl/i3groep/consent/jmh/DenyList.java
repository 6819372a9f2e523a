package nl.i3groep.consent.jmh;

import java.util.List;
import java.util.Locale;

/**
 * RewriteBenchmark's denied hosts and markers as the streaming peers ({@code attoparser},
 * {@code validatorNu}) match them: the same tests as the {@code jsoup} method's
 * ({@code url.toLowerCase().contains(host)}, {@code text.contains(marker)}), but over the parser's
 * own char ranges, without a String per attribute or script. One pass over the text, in which a
 * table of the needles' first characters says where to try them: about what a competent hand-written
 * matcher does, short of a full Aho-Corasick automaton. Immutable.
 */
final class DenyList {

    private final char[][] hosts;
    private final char[][] markers;
    private final boolean[] hostStart = new boolean[128];
    private final boolean[] markerStart = new boolean[128];

    DenyList(List<String> hosts, List<String> markers) {
        this.hosts = chars(hosts, true, hostStart);
        this.markers = chars(markers, false, markerStart);
    }

    private static char[][] chars(List<String> needles, boolean lower, boolean[] starts) {
        char[][] all = new char[needles.size()][];
        for (int i = 0; i < all.length; i++) {
            String n = lower ? needles.get(i).toLowerCase(Locale.ROOT) : needles.get(i);
            if (n.isEmpty() || n.charAt(0) >= 128) {
                throw new IllegalArgumentException("needles must start with an ASCII character: " + n);
            }
            all[i] = n.toCharArray();
            starts[n.charAt(0)] = true;
        }
        return all;
    }

    /** Whether the URL {@code a[off, off + len)} contains a denied host, in any (ASCII) case. */
    boolean mentionsHost(char[] a, int off, int len) {
        int end = off + len;
        for (int i = off; i < end; i++) {
            char c = lower(a[i]);
            if (c < 128 && hostStart[c]) {
                for (char[] h : hosts) {
                    if (h[0] == c && i + h.length <= end && matchesLower(a, i, h)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** {@link #mentionsHost(char[], int, int)} for an attribute value the parser gave as a String. */
    boolean mentionsHost(String s) {
        int end = s.length();
        for (int i = 0; i < end; i++) {
            char c = lower(s.charAt(i));
            if (c < 128 && hostStart[c]) {
                for (char[] h : hosts) {
                    if (h[0] == c && i + h.length <= end && matchesLower(s, i, h)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Whether the script text {@code a[off, off + len)} contains a denied marker (exact case). */
    boolean marked(char[] a, int off, int len) {
        int end = off + len;
        for (int i = off; i < end; i++) {
            char c = a[i];
            if (c < 128 && markerStart[c]) {
                for (char[] m : markers) {
                    if (m[0] == c && i + m.length <= end && matches(a, i, m)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean matchesLower(char[] a, int i, char[] n) {
        for (int k = 1; k < n.length; k++) {
            if (lower(a[i + k]) != n[k]) {
                return false;
            }
        }
        return true;
    }

    private static boolean matchesLower(String s, int i, char[] n) {
        for (int k = 1; k < n.length; k++) {
            if (lower(s.charAt(i + k)) != n[k]) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(char[] a, int i, char[] n) {
        for (int k = 1; k < n.length; k++) {
            if (a[i + k] != n[k]) {
                return false;
            }
        }
        return true;
    }

    private static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    /** Whether {@code a[off, off + len)} is {@code lower} (lower-case ASCII) in any case. */
    static boolean is(char[] a, int off, int len, String lower) {
        if (len != lower.length()) {
            return false;
        }
        for (int k = 0; k < len; k++) {
            if (lower(a[off + k]) != lower.charAt(k)) {
                return false;
            }
        }
        return true;
    }
}
