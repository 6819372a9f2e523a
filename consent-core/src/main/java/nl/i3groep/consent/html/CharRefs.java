package nl.i3groep.consent.html;

import java.nio.charset.Charset;
import java.util.Map;

/**
 * Character references in attribute values, decoded as the HTML tokenizer does: every numeric
 * reference (with or without {@code ;}, C1 controls mapped through windows-1252, invalid code
 * points as U+FFFD), and the named references that stand for ASCII characters
 * ({@code &period;}, {@code &sol;}, {@code &colon;}, ...), which are the ones that can spell a host
 * or a URL's structure. Named references to non-ASCII characters are left as written: a host
 * spelled with one is not recognised (documented gap).
 */
final class CharRefs {

    /** Named references whose value is ASCII, from the WHATWG list. */
    static final Map<String, String> ASCII_NAMED = Map.ofEntries(
            Map.entry("AMP", "&"), Map.entry("DiacriticalGrave", "`"), Map.entry("GT", ">"), Map.entry("Hat", "^"),
            Map.entry("LT", "<"), Map.entry("NewLine", "\n"), Map.entry("QUOT", "\""), Map.entry("Tab", "\t"),
            Map.entry("UnderBar", "_"), Map.entry("VerticalLine", "|"), Map.entry("amp", "&"),
            Map.entry("apos", "'"), Map.entry("ast", "*"), Map.entry("bsol", "\\"), Map.entry("colon", ":"),
            Map.entry("comma", ","), Map.entry("commat", "@"), Map.entry("dollar", "$"), Map.entry("equals", "="),
            Map.entry("excl", "!"), Map.entry("fjlig", "fj"), Map.entry("grave", "`"), Map.entry("gt", ">"),
            Map.entry("lbrace", "{"), Map.entry("lbrack", "["), Map.entry("lcub", "{"), Map.entry("lowbar", "_"),
            Map.entry("lpar", "("), Map.entry("lsqb", "["), Map.entry("lt", "<"), Map.entry("midast", "*"),
            Map.entry("num", "#"), Map.entry("percnt", "%"), Map.entry("period", "."), Map.entry("plus", "+"),
            Map.entry("quest", "?"), Map.entry("quot", "\""), Map.entry("rbrace", "}"), Map.entry("rbrack", "]"),
            Map.entry("rcub", "}"), Map.entry("rpar", ")"), Map.entry("rsqb", "]"), Map.entry("semi", ";"),
            Map.entry("sol", "/"), Map.entry("verbar", "|"), Map.entry("vert", "|"));

    /** Of those, the ones browsers also accept without {@code ;} (legacy). */
    private static final java.util.Set<String> LEGACY = java.util.Set.of("AMP", "GT", "LT", "QUOT", "amp", "gt",
            "lt", "quot");

    private static final int[] C1 = {0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030,
        0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178};

    private CharRefs() {
    }

    static String decode(byte[] b, int from, int to, Charset cs) {
        boolean plain = true;
        for (int i = from; i < to; i++) {
            if (b[i] < 0 || b[i] == '&' || b[i] == 0) {
                plain = false;
                break;
            }
        }
        if (plain) {
            return new String(b, from, to - from, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
        return decode(new String(b, from, to - from, cs));
    }

    /** Decodes references in an attribute value (the attribute-value rules for legacy names). */
    static String decode(String s) {
        int amp = s.indexOf('&');
        if (amp < 0 && s.indexOf('\0') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\0') {
                sb.append('\uFFFD');
                i++;
                continue;
            }
            if (c != '&') {
                sb.append(c);
                i++;
                continue;
            }
            int j = i + 1;
            if (j < n && s.charAt(j) == '#') {
                j++;
                boolean hex = j < n && (s.charAt(j) == 'x' || s.charAt(j) == 'X');
                if (hex) {
                    j++;
                }
                int ds = j;
                long v = 0;
                while (j < n && digit(s.charAt(j), hex) >= 0) {
                    v = Math.min(v * (hex ? 16 : 10) + digit(s.charAt(j), hex), 0x110000L);
                    j++;
                }
                if (j == ds) {
                    sb.append(c); // "&#" without digits is text
                    i++;
                    continue;
                }
                if (j < n && s.charAt(j) == ';') {
                    j++;
                }
                sb.appendCodePoint(numeric((int) v));
                i = j;
                continue;
            }
            int ns = j;
            while (j < n && j - ns < 32 && isAlnum(s.charAt(j))) {
                j++;
            }
            String found = null;
            int foundEnd = -1;
            if (j < n && s.charAt(j) == ';') {
                String v = ASCII_NAMED.get(s.substring(ns, j));
                if (v != null) {
                    found = v;
                    foundEnd = j + 1;
                }
            }
            if (found == null) {
                // legacy names without ';': longest first; in attributes not before '=' or alphanumerics
                for (int k = j; k > ns; k--) {
                    String name = s.substring(ns, k);
                    if (LEGACY.contains(name)) {
                        boolean blocked = k < n && (s.charAt(k) == '=' || isAlnum(s.charAt(k)));
                        if (!blocked) {
                            found = ASCII_NAMED.get(name);
                            foundEnd = k;
                        }
                        break;
                    }
                }
            }
            if (found == null) {
                sb.append(c);
                i++;
            } else {
                sb.append(found);
                i = foundEnd;
            }
        }
        return sb.toString();
    }

    private static int numeric(int v) {
        if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
            return 0xFFFD;
        }
        if (v >= 0x80 && v <= 0x9F) {
            return C1[v - 0x80];
        }
        return v;
    }

    private static int digit(char c, boolean hex) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (hex && c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (hex && c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static boolean isAlnum(char c) {
        return c < 0x80 && Character.isLetterOrDigit(c);
    }
}
