package nl.i3groep.consent.html;

import java.nio.charset.Charset;
import java.util.Arrays;

/**
 * A complete start tag's attributes as spans of the original bytes, parsed by the HTML
 * tokenizer's attribute states (quotes only after {@code =}, {@code /} separates, {@code =} may
 * start a name, a value ends at its quote or at white space or {@code >}). Reused per stream.
 */
final class Tag {

    byte[] b;
    int start;
    int end;
    /** Just after the tag name: where new attributes go. */
    int nameEnd;
    int count;
    int[] nameStart = new int[8];
    int[] nameStop = new int[8];
    /** -1 where the attribute has no value. */
    int[] valueStart = new int[8];
    int[] valueStop = new int[8];

    /** Byte classes: white space; ends a name (white space, "/", ">", "="); ends an unquoted value. */
    private static final byte SPACE = 1, NAME_STOP = 2, VALUE_STOP = 4;
    private static final byte[] CLASS = new byte[256];

    static {
        for (char c : new char[] {' ', '\t', '\n', '\f', '\r'}) {
            CLASS[c] = SPACE | NAME_STOP | VALUE_STOP;
        }
        CLASS['/'] = NAME_STOP;
        CLASS['='] = NAME_STOP;
        CLASS['>'] = NAME_STOP | VALUE_STOP;
    }

    /** Whether the tag ended with {@code />} (after {@link #parseTo}). */
    boolean selfClosing;

    /** Parses a complete tag {@code buf[from, to)}. */
    void parse(byte[] buf, int from, int to) {
        parseTo(buf, from, to);
        end = to;
    }

    /**
     * Parses the tag that starts at {@code from} and returns the index just after its {@code >},
     * or -1 if it does not end before {@code to}.
     */
    int parseTo(byte[] buf, int from, int to) {
        b = buf;
        start = from;
        end = -1;
        count = 0;
        selfClosing = false;
        byte[] cls = CLASS;
        int p = from + 1;
        if (p < to && buf[p] == '/') {
            p++;
        }
        // the tag name ends like an attribute name, except that "=" belongs to it
        while (p < to && (cls[buf[p] & 0xff] & NAME_STOP) == 0 || p < to && buf[p] == '=') {
            p++;
        }
        nameEnd = p;
        while (p < to) {
            byte c = buf[p];
            if (c == '>') {
                end = p + 1;
                return end;
            }
            if (c == '/') {
                selfClosing = p + 1 < to && buf[p + 1] == '>';
                p++;
                continue;
            }
            if ((cls[c & 0xff] & SPACE) != 0) {
                p++;
                continue;
            }
            int ns = p++;
            while (p < to && (cls[buf[p] & 0xff] & NAME_STOP) == 0) {
                p++;
            }
            int ne = p;
            while (p < to && (cls[buf[p] & 0xff] & SPACE) != 0) {
                p++;
            }
            int vs = -1;
            int ve = -1;
            if (p < to && buf[p] == '=') {
                p++;
                while (p < to && (cls[buf[p] & 0xff] & SPACE) != 0) {
                    p++;
                }
                if (p < to && (buf[p] == '"' || buf[p] == '\'')) {
                    byte q = buf[p++];
                    vs = p;
                    p = Bytes.indexOf(buf, q, p, to);
                    ve = p;
                    if (p < to) {
                        p++;
                    }
                } else {
                    vs = p;
                    while (p < to && (cls[buf[p] & 0xff] & VALUE_STOP) == 0) {
                        p++;
                    }
                    ve = p;
                }
            }
            add(ns, ne, vs, ve);
        }
        return -1;
    }

    /**
     * Finds the end of a tag whose attributes start at {@code from} (just after the name), by the
     * same rules as {@link #parseTo} but recording nothing: the index after its {@code >}, or -1 if
     * it does not end before {@code to}. Sets {@link #selfClosing}.
     */
    int skipTo(byte[] buf, int from, int to) {
        byte[] cls = CLASS;
        selfClosing = false;
        int p = from;
        while (p < to) {
            byte c = buf[p];
            if (c == '>') {
                return p + 1;
            }
            if (c == '/') {
                selfClosing = p + 1 < to && buf[p + 1] == '>';
                p++;
                continue;
            }
            if ((cls[c & 0xff] & SPACE) != 0) {
                p++;
                continue;
            }
            p++;
            while (p < to && (cls[buf[p] & 0xff] & NAME_STOP) == 0) {
                p++;
            }
            while (p < to && (cls[buf[p] & 0xff] & SPACE) != 0) {
                p++;
            }
            if (p < to && buf[p] == '=') {
                p++;
                while (p < to && (cls[buf[p] & 0xff] & SPACE) != 0) {
                    p++;
                }
                if (p < to && (buf[p] == '"' || buf[p] == '\'')) {
                    p = Bytes.indexOf(buf, buf[p], p + 1, to);
                    if (p < to) {
                        p++;
                    }
                } else {
                    while (p < to && (cls[buf[p] & 0xff] & VALUE_STOP) == 0) {
                        p++;
                    }
                }
            }
        }
        return -1;
    }

    /**
     * {@link #skipTo} for a tag that is passed over only if it cannot concern a tracker: also -1
     * when it has a {@code data-consent} or {@code srcdoc} attribute, an attribute (of any name)
     * whose value {@linkplain Rules#mayHaveHost may name a host} (for a list, a {@code srcset},
     * {@code ping} or SMIL {@code values}: one of its parts), an event handler ({@code on…})
     * whose code names a marker, a {@code style} that may hold a URL with a host
     * ({@link Css#mayHaveHost}), or a {@code content} that may be a refresh with a URL (a
     * {@code <meta http-equiv=refresh>}'s {@code 0; url=…}). Every occurrence counts, not
     * only the first.
     */
    int skipPlainTo(byte[] buf, int from, int to, Rules.Markers markers) {
        byte[] cls = CLASS;
        int p = from;
        while (p < to) {
            byte c = buf[p];
            if (c == '>') {
                return p + 1;
            }
            if ((cls[c & 0xff] & SPACE) != 0 || c == '/') {
                p++;
                continue;
            }
            int ns = p++;
            while (p < to && (cls[buf[p] & 0xff] & NAME_STOP) == 0) {
                p++;
            }
            int kind = attributeKind(buf, ns, p);
            if (kind == MARK) {
                return -1;
            }
            while (p < to && (cls[buf[p] & 0xff] & SPACE) != 0) {
                p++;
            }
            if (p < to && buf[p] == '=') {
                p++;
                while (p < to && (cls[buf[p] & 0xff] & SPACE) != 0) {
                    p++;
                }
                int vs;
                int ve;
                boolean urlByte = true;
                if (p < to && (buf[p] == '"' || buf[p] == '\'')) {
                    byte quote = buf[p];
                    vs = p + 1;
                    // most values are words or relative paths: without ':' or '&' a value names a
                    // host only as "//host", which its first byte shows
                    p = Bytes.indexOfAny(buf, quote, (byte) ':', (byte) '&', vs, to);
                    urlByte = p < to && buf[p] != quote;
                    if (urlByte) {
                        p = Bytes.indexOf(buf, quote, p, to);
                    }
                    ve = p;
                    if (p < to) {
                        p++;
                    }
                } else {
                    vs = p;
                    while (p < to && (cls[buf[p] & 0xff] & VALUE_STOP) == 0) {
                        p++;
                    }
                    ve = p;
                }
                if ((kind != OTHER || urlByte || vs < ve && mayLead(buf[vs])) && concerns(kind, buf, vs, ve, markers)) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /**
     * Whether a value of an attribute of this kind may concern a tracker, as {@link #skipPlainTo}
     * says. Read from its start only, but for lists and code: most values are a word or a
     * relative path, which the first bytes show.
     */
    private static boolean concerns(int kind, byte[] buf, int vs, int ve, Rules.Markers markers) {
        return switch (kind) {
            // a character reference may spell a marker
            case HANDLER -> markers.scan(buf, vs, ve) != 0 || Bytes.indexOf(buf, (byte) '&', vs, ve) < ve;
            case STYLE -> Css.mayHaveHost(buf, vs, ve);
            case CONTENT -> mayBeRefresh(buf, vs, ve) && anyUrlByte(buf, vs, ve);
            // one URL or several: srcset, ping, SMIL's values
            case LIST -> Rules.mayHaveHost(buf, vs, ve) || Rules.mayHaveHostSrcset(buf, vs, ve);
            // one URL (the URL parser drops tabs and newlines)
            default -> Rules.mayHaveHost(buf, vs, ve);
        };
    }

    /**
     * Whether a value without {@code :} or {@code &} that begins with {@code c} may still be
     * "//host" ({@link Rules#mayHaveHost}).
     */
    private static boolean mayLead(byte c) {
        return c == '/' || c == '\\' || (c & 0xff) <= ' ';
    }

    /** The bytes without which a value names no host: {@code : / \ &}. */
    private static final boolean[] URL_BYTE = new boolean[256];

    static {
        URL_BYTE[':'] = true;
        URL_BYTE['/'] = true;
        URL_BYTE['\\'] = true;
        URL_BYTE['&'] = true;
    }

    private static boolean anyUrlByte(byte[] buf, int from, int to) {
        for (int i = from; i < to; i++) {
            if (URL_BYTE[buf[i] & 0xff]) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a {@code content} may be a refresh: it begins, after white space, with its delay (a
     * digit or {@code .}), or with a reference that may spell one.
     */
    static boolean mayBeRefresh(byte[] buf, int from, int to) {
        int i = from;
        while (i < to && (CLASS[buf[i] & 0xff] & SPACE) != 0) {
            i++;
        }
        return i < to && ((buf[i] >= '0' && buf[i] <= '9') || buf[i] == '.' || buf[i] == '&');
    }

    static final int OTHER = 0, MARK = 1, HANDLER = 2, STYLE = 3, CONTENT = 4, LIST = 5;

    /** What an attribute name means to the gate, ignoring case. */
    static int attributeKind(byte[] buf, int ns, int ne) {
        int n = ne - ns;
        if (n > 2 && (buf[ns] | 0x20) == 'o' && (buf[ns + 1] | 0x20) == 'n') {
            return HANDLER;
        }
        // the first (or last) byte rules out most names before a comparison
        if (n >= 6 && (buf[ne - 1] | 0x20) == 't' && is(buf, ne - 6, "srcset")) {
            return LIST;
        }
        int c = buf[ns] | 0x20;
        return switch (n) {
            case 4 -> c == 'p' && is(buf, ns, "ping") ? LIST : OTHER;
            case 5 -> c == 's' && is(buf, ns, "style") ? STYLE : OTHER;
            case 6 -> c == 's' && is(buf, ns, "srcdoc") ? MARK : c == 'v' && is(buf, ns, "values") ? LIST : OTHER;
            case 7 -> c == 'c' && is(buf, ns, "content") ? CONTENT : OTHER;
            case 12 -> c == 'd' && is(buf, ns, "data-consent") ? MARK : OTHER;
            default -> OTHER;
        };
    }

    /** {@link #attributeKind} of attribute {@code i}. */
    int kind(int i) {
        return attributeKind(b, nameStart[i], nameStop[i]);
    }

    /** Whether {@code buf} at {@code at} holds {@code lower} (ASCII lower case) in any case. */
    static boolean is(byte[] buf, int at, String lower) {
        for (int k = 0; k < lower.length(); k++) {
            int c = buf[at + k];
            if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != lower.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private void add(int ns, int ne, int vs, int ve) {
        if (count == nameStart.length) {
            int n = count * 2;
            nameStart = Arrays.copyOf(nameStart, n);
            nameStop = Arrays.copyOf(nameStop, n);
            valueStart = Arrays.copyOf(valueStart, n);
            valueStop = Arrays.copyOf(valueStop, n);
        }
        nameStart[count] = ns;
        nameStop[count] = ne;
        valueStart[count] = vs;
        valueStop[count] = ve;
        count++;
    }

    /** Whether attributes {@code i} and {@code j} have the same name, ignoring ASCII case. */
    boolean sameName(int i, int j) {
        int n = nameStop[i] - nameStart[i];
        if (n != nameStop[j] - nameStart[j]) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            int c = b[nameStart[i] + k];
            int d = b[nameStart[j] + k];
            if (c != d && ((c | 0x20) != (d | 0x20) || (c | 0x20) < 'a' || (c | 0x20) > 'z')) {
                return false;
            }
        }
        return true;
    }

    /** Whether attribute {@code i}'s name is {@code lower} (an ASCII lower-case name), ignoring case. */
    boolean nameIs(int i, String lower) {
        int n = nameStop[i] - nameStart[i];
        if (n != lower.length()) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            int c = b[nameStart[i] + k];
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (c != lower.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether attribute {@code i} is where a lazy loader keeps a URL: {@code data-src},
     * {@code data-rocket-src}, {@code data-lazy-src} and the like; not a {@code data-consent-…}
     * name this gate writes.
     */
    boolean loaderUrl(int i) {
        int ns = nameStart[i];
        int ne = nameStop[i];
        return loaderName(b, ns, ne) && !(ne - ns >= 13 && is(b, ns, "data-consent-"));
    }

    /** Whether {@code buf[ns, ne)} is a name {@code data-…src}, in any case. */
    private static boolean loaderName(byte[] buf, int ns, int ne) {
        return ne - ns >= 8 && is(buf, ns, "data-") && is(buf, ne - 3, "src");
    }

    /** The index of the first attribute with this name (the one browsers use), or -1. */
    int find(String lower) {
        for (int i = 0; i < count; i++) {
            if (nameIs(i, lower)) {
                return i;
            }
        }
        return -1;
    }

    /** The decoded value of the first attribute with this name; "" where it has none; null if absent. */
    String value(String lower, Charset cs) {
        int i = find(lower);
        return i < 0 ? null : value(i, cs);
    }

    String value(int i, Charset cs) {
        if (valueStart[i] < 0) {
            return "";
        }
        return CharRefs.decode(b, valueStart[i], valueStop[i], cs);
    }

    /** The attribute's name, lower-cased, as a String (tests and conformance). */
    String name(int i, Charset cs) {
        String s = new String(b, nameStart[i], nameStop[i] - nameStart[i], cs);
        StringBuilder sb = new StringBuilder(s.length());
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            sb.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return sb.toString();
    }
}
