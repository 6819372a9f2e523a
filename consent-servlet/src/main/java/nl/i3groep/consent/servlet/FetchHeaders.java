package nl.i3groep.consent.servlet;

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
        String url = nl.i3groep.consent.html.HtmlGate.refreshUrl(value);
        return url == null || url.isEmpty() || allowed.test(url) ? value : null;
    }
}
