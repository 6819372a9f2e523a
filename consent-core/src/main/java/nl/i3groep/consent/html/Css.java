package nl.i3groep.consent.html;

/**
 * URLs in CSS ({@code style} attributes): a stylesheet fetches only what a {@code url(…)} or a
 * string names ({@code image-set("…" 1x)}, {@code @import "…"}, {@code src(…)}), so every
 * argument after a {@code (} and every string is judged as a URL, CSS escapes decoded, comments
 * skipped. Strings that are no URL (a font's name, a {@code content}) point to no host.
 */
final class Css {

    private Css() {
    }

    /**
     * Whether CSS bytes may name a host: after some {@code (} or quote a value starts that
     * {@linkplain Rules#mayHaveHost may name one}; any escape or character reference counts.
     */
    static boolean mayHaveHost(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c == '\\' || c == '&') {
                return true;
            }
            if (c == '(' || c == '"' || c == '\'') {
                int p = i + 1;
                while (p < to && (b[p] == ' ' || b[p] == '\t' || b[p] == '\n' || b[p] == '\f' || b[p] == '\r'
                        || b[p] == '"' || b[p] == '\'')) {
                    p++;
                }
                if (Rules.mayHaveHost(b, p, to)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The trackers the CSS text {@code css} (character references decoded) points to. */
    static long bits(Rules rules, String css) {
        boolean escapes = css.indexOf('\\') >= 0;
        String s = escapes ? unescape(css) : css;
        long bits = 0;
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*' && !escapes) {
                // a comment fetches nothing (where escapes were decoded, a "/*" may have been one: read on)
                int close = s.indexOf("*/", i + 2);
                i = close < 0 ? n : close + 2;
            } else if (c == '"' || c == '\'') {
                int close = s.indexOf(c, i + 1);
                int stop = close < 0 ? n : close;
                bits |= rules.matchUrl(s.substring(i + 1, stop));
                i = stop + 1;
            } else if (c == '(') {
                int p = i + 1;
                while (p < n && s.charAt(p) <= ' ') {
                    p++;
                }
                if (p < n && (s.charAt(p) == '"' || s.charAt(p) == '\'')) {
                    i = p; // a string: read as one above
                    continue;
                }
                int stop = p;
                while (stop < n && s.charAt(stop) != ')' && s.charAt(stop) > ' ') {
                    stop++;
                }
                bits |= rules.matchUrl(s.substring(p, stop));
                i = stop;
            } else {
                i++;
            }
        }
        return bits;
    }

    /** CSS escapes decoded: {@code \} and up to six hex digits (one white space after them dropped), or the next character. */
    static String unescape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == n) {
                sb.append(c);
                continue;
            }
            int h = i + 1;
            int cp = 0;
            while (h < n && h - i <= 6 && Character.digit(s.charAt(h), 16) >= 0) {
                cp = cp * 16 + Character.digit(s.charAt(h), 16);
                h++;
            }
            if (h > i + 1) {
                sb.appendCodePoint(cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ? 0xFFFD : cp);
                if (h < n && (s.charAt(h) == ' ' || s.charAt(h) == '\t' || s.charAt(h) == '\n')) {
                    h++;
                }
                i = h - 1;
            } else if (s.charAt(h) == '\n') {
                i = h; // an escaped line break continues a string
            } else {
                sb.append(s.charAt(h));
                i = h;
            }
        }
        return sb.toString();
    }
}
