package nl.i3groep.consent.servlet;

import java.util.Locale;
import java.util.function.Predicate;

/**
 * Response headers that make a browser fetch or connect before any markup is read: {@code Link}
 * ({@code preconnect}, {@code dns-prefetch}, {@code preload}, {@code modulepreload},
 * {@code prefetch}: every relation of an entry opens a connection to its target or loads it) and
 * {@code Refresh}. What points at a denied tracker goes; the rest stays as it was written.
 */
final class FetchHeaders {

    private FetchHeaders() {
    }

    /**
     * A {@code Link} value without the entries whose target {@code allowed} refuses: the same
     * string if none goes, null if none stays. An entry that is not {@code <target>; params} is
     * dropped too: what the browser makes of it cannot be told.
     */
    static String link(String value, Predicate<String> allowed) {
        StringBuilder kept = new StringBuilder(value.length());
        boolean dropped = false;
        int n = value.length();
        int i = 0;
        while (i < n) {
            int start = i;
            int end = entryEnd(value, i);
            String entry = value.substring(start, end).strip();
            i = end + 1;
            if (entry.isEmpty()) {
                continue;
            }
            String target = entry.startsWith("<") && entry.indexOf('>') > 0 ? entry.substring(1, entry.indexOf('>')) : null;
            if (target == null || !allowed.test(target.strip())) {
                dropped = true;
                continue;
            }
            if (kept.length() > 0) {
                kept.append(", ");
            }
            kept.append(entry);
        }
        if (!dropped) {
            return value;
        }
        return kept.length() == 0 ? null : kept.toString();
    }

    /** Where the entry that starts at {@code i} ends: the next comma outside its target and quoted strings. */
    private static int entryEnd(String v, int i) {
        boolean inTarget = false;
        boolean quoted = false;
        for (; i < v.length(); i++) {
            char c = v.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (inTarget) {
                inTarget = c != '>';
            } else if (c == '<') {
                inTarget = true;
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                return i;
            }
        }
        return v.length();
    }

    /**
     * A {@code Refresh} value, or null if it sends the browser to a URL {@code allowed} refuses.
     * Read as browsers read it (HTML's shared declarative refresh steps): a delay, then after
     * {@code ;} or {@code ,} an optional {@code url=}, the URL possibly in quotes.
     */
    static String refresh(String value, Predicate<String> allowed) {
        String url = refreshUrl(value);
        return url == null || url.isEmpty() || allowed.test(url) ? value : null;
    }

    static String refreshUrl(String v) {
        int n = v.length();
        int i = skipSpace(v, 0);
        int digits = i;
        while (i < n && (Character.isDigit(v.charAt(i)) || v.charAt(i) == '.')) {
            i++;
        }
        if (i == digits) {
            return null; // no delay: no refresh at all
        }
        i = skipSpace(v, i);
        if (i < n && (v.charAt(i) == ';' || v.charAt(i) == ',')) {
            i = skipSpace(v, i + 1);
        }
        if (i + 3 <= n && v.substring(i, i + 3).toLowerCase(Locale.ROOT).equals("url")) {
            int j = skipSpace(v, i + 3);
            if (j < n && v.charAt(j) == '=') {
                i = skipSpace(v, j + 1);
            }
        }
        if (i < n && (v.charAt(i) == '"' || v.charAt(i) == '\'')) {
            char q = v.charAt(i);
            int close = v.indexOf(q, i + 1);
            return v.substring(i + 1, close < 0 ? n : close);
        }
        return v.substring(i).strip();
    }

    private static int skipSpace(String v, int i) {
        while (i < v.length() && (v.charAt(i) == ' ' || v.charAt(i) == '\t' || v.charAt(i) == '\n'
                || v.charAt(i) == '\f' || v.charAt(i) == '\r')) {
            i++;
        }
        return i;
    }
}
