package nl.i3groep.consent.html;

import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Locale;

/**
 * The charset a page declares in a {@code <meta>}, found as browsers find it when the header names
 * none: the WHATWG "prescan a byte stream to determine its encoding" over the first 1024 bytes
 * (comments and other tags skipped by the same attribute rules, {@code charset} or
 * {@code http-equiv="content-type"} with {@code content="…charset=…"}).
 */
final class Prescan {

    /** How far browsers look. */
    static final int LIMIT = 1024;

    private Prescan() {
    }

    /** The charset declared in {@code b[off, off + min(len, LIMIT))}, or null if none (or none known). */
    static Charset declared(byte[] b, int off, int len) {
        int end = off + Math.min(len, LIMIT);
        int i = off;
        while (i < end) {
            if (starts(b, i, end, "<!--")) {
                int close = indexOf(b, i + 2, end, "-->");
                if (close < 0) {
                    return null;
                }
                i = close + 3;
            } else if (starts(b, i, end, "<meta") && i + 5 < end && (space(b[i + 5]) || b[i + 5] == '/')) {
                Meta meta = new Meta();
                i = meta.read(b, i + 6, end);
                Charset cs = meta.charset();
                if (cs != null) {
                    return cs;
                }
                if (i < 0) {
                    return null;
                }
            } else if (b[i] == '<' && i + 1 < end && (letter(b[i + 1]) || (b[i + 1] == '/' && i + 2 < end && letter(b[i + 2])))) {
                int p = i + 1;
                while (p < end && !space(b[p]) && b[p] != '>') {
                    p++;
                }
                Meta skip = new Meta();
                i = skip.read(b, p, end);
                if (i < 0) {
                    return null;
                }
            } else if (b[i] == '<' && i + 1 < end && (b[i + 1] == '!' || b[i + 1] == '/' || b[i + 1] == '?')) {
                int close = indexOf(b, i, end, ">");
                if (close < 0) {
                    return null;
                }
                i = close + 1;
            } else {
                i++;
            }
        }
        return null;
    }

    /** A tag's attributes, as the prescan reads them; for a {@code <meta>}, what they declare. */
    private static final class Meta {
        private boolean gotPragma;
        private Boolean needPragma;
        private String charset;
        private final java.util.Set<String> seen = new java.util.HashSet<>();

        /** Reads attributes from {@code i} to the tag's {@code >}: the index after it, or -1 if the bytes end first. */
        int read(byte[] b, int i, int end) {
            while (true) {
                while (i < end && (space(b[i]) || b[i] == '/')) {
                    i++;
                }
                if (i >= end) {
                    return -1;
                }
                if (b[i] == '>') {
                    return i + 1;
                }
                StringBuilder name = new StringBuilder();
                StringBuilder value = new StringBuilder();
                boolean hasValue = false;
                while (i < end) {
                    byte c = b[i];
                    if (c == '=' && name.length() > 0) {
                        hasValue = true;
                        i++;
                        break;
                    }
                    if (space(c)) {
                        while (i < end && space(b[i])) {
                            i++;
                        }
                        if (i < end && b[i] == '=') {
                            hasValue = true;
                            i++;
                        }
                        break;
                    }
                    if (c == '/' || c == '>') {
                        break;
                    }
                    name.append((char) lower(c));
                    i++;
                }
                if (hasValue) {
                    while (i < end && space(b[i])) {
                        i++;
                    }
                    if (i >= end) {
                        return -1;
                    }
                    if (b[i] == '"' || b[i] == '\'') {
                        byte q = b[i++];
                        while (i < end && b[i] != q) {
                            value.append((char) lower(b[i++]));
                        }
                        if (i >= end) {
                            return -1;
                        }
                        i++;
                    } else if (b[i] != '>') {
                        while (i < end && !space(b[i]) && b[i] != '>') {
                            value.append((char) lower(b[i++]));
                        }
                    }
                }
                attribute(name.toString(), value.toString());
            }
        }

        private void attribute(String name, String value) {
            if (!seen.add(name)) {
                return; // only the first of a name counts
            }
            switch (name) {
                case "http-equiv" -> gotPragma |= value.equals("content-type");
                case "content" -> {
                    if (charset == null) {
                        String cs = fromContent(value);
                        if (cs != null) {
                            charset = cs;
                            needPragma = true;
                        }
                    }
                }
                case "charset" -> {
                    charset = value;
                    needPragma = false;
                }
                default -> {
                }
            }
        }

        Charset charset() {
            if (charset == null || needPragma == null || (needPragma && !gotPragma)) {
                return null;
            }
            Charset cs = forLabel(charset.strip());
            if (cs == null) {
                return null;
            }
            // a meta cannot switch to UTF-16: browsers read it as UTF-8
            if (cs.name().startsWith("UTF-16")) {
                return StandardCharsets.UTF_8;
            }
            return cs;
        }
    }

    /** The charset in a {@code content="text/html; charset=…"}, or null. */
    static String fromContent(String content) {
        int i = 0;
        int n = content.length();
        while (true) {
            int at = content.indexOf("charset", i);
            if (at < 0) {
                return null;
            }
            int p = at + 7;
            while (p < n && content.charAt(p) <= ' ') {
                p++;
            }
            if (p >= n || content.charAt(p) != '=') {
                i = p;
                continue;
            }
            p++;
            while (p < n && content.charAt(p) <= ' ') {
                p++;
            }
            if (p >= n) {
                return null;
            }
            char q = content.charAt(p);
            if (q == '"' || q == '\'') {
                int close = content.indexOf(q, p + 1);
                return close < 0 ? null : content.substring(p + 1, close);
            }
            int s = p;
            while (p < n && content.charAt(p) > ' ' && content.charAt(p) != ';') {
                p++;
            }
            return content.substring(s, p);
        }
    }

    /** The charset of an encoding label, as browsers take the common ones; null if unknown here. */
    static Charset forLabel(String label) {
        String l = label.toLowerCase(Locale.ROOT);
        switch (l) {
            case "x-user-defined":
                return Charset.forName("windows-1252");
            case "latin1", "iso-8859-1", "iso8859-1", "ascii", "us-ascii", "iso_8859-1", "l1", "cp1252", "windows-1252":
                return Charset.forName("windows-1252"); // browsers read all of these as windows-1252
            default:
                try {
                    return Charset.forName(l);
                } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                    return null;
                }
        }
    }

    private static boolean starts(byte[] b, int i, int end, String s) {
        if (i + s.length() > end) {
            return false;
        }
        for (int k = 0; k < s.length(); k++) {
            if (lower(b[i + k]) != s.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] b, int from, int end, String s) {
        for (int i = from; i + s.length() <= end; i++) {
            if (starts(b, i, end, s)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean space(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
    }

    private static boolean letter(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static int lower(byte c) {
        return c >= 'A' && c <= 'Z' ? c + 32 : c & 0xff;
    }
}
