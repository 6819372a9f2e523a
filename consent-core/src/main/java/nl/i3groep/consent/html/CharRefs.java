package nl.i3groep.consent.html;

import java.nio.charset.Charset;
import java.util.Map;

/**
 * Character references in attribute values, decoded as the HTML tokenizer does: every numeric
 * reference (with or without {@code ;}, C1 controls mapped through windows-1252, invalid code
 * points as U+FFFD), and the named references that can spell a host or a URL's structure: those
 * that stand for ASCII characters ({@code &period;}, {@code &sol;}, {@code &colon;}, ...) and those
 * whose character a host name maps to ASCII or drops (UTS #46, as browsers map hosts):
 * mathematical letters ({@code &pfr;}, {@code &xopf;}, {@code &Ascr;}, {@code &ell;}),
 * ligatures ({@code &filig;}), superscript digits, {@code &hellip;}, {@code &shy;} and the
 * invisible ones. Other named references stand for characters that keep a host non-ASCII, so no
 * tracker's, and are left as written.
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

    /** Named references to characters that a host maps to ASCII (or drops), by code point. */
    private static final Map<String, String> HOST_NAMED = hostNamed();

    private static Map<String, String> hostNamed() {
        Map<String, String> m = new java.util.HashMap<>();
        // the mathematical letters: fraktur, double-struck and script, where Unicode has them
        // (the gaps are filled by the older letterlike symbols of the same style)
        String[][] styles = {{"fr", "MATHEMATICAL FRAKTUR ", "BLACK-LETTER "}, {"opf", "MATHEMATICAL DOUBLE-STRUCK ",
            "DOUBLE-STRUCK "}, {"scr", "MATHEMATICAL SCRIPT ", "SCRIPT "}};
        for (String[] style : styles) {
            for (char c = 'A'; c <= 'Z'; c++) {
                for (boolean small : new boolean[] {false, true}) {
                    String letter = (small ? "SMALL " : "CAPITAL ") + c;
                    int cp;
                    try {
                        cp = Character.codePointOf(style[1] + letter);
                    } catch (IllegalArgumentException reserved) {
                        cp = Character.codePointOf(style[2] + letter);
                    }
                    m.put((small ? Character.toLowerCase(c) : c) + style[0], Character.toString(cp));
                }
            }
        }
        Object[] others = {"ApplyFunction", 0x2061, "Bernoullis", 0x212C, "CapitalDifferentialD", 0x2145,
            "Cayleys", 0x212D, "DD", 0x2145, "DifferentialD", 0x2146, "ExponentialE", 0x2147, "Fouriertrf", 0x2131,
            "HilbertSpace", 0x210B, "IJlig", 0x132, "Idot", 0x130, "Im", 0x2111, "ImaginaryI", 0x2148,
            "InvisibleComma", 0x2063, "InvisibleTimes", 0x2062, "Laplacetrf", 0x2112, "Lmidot", 0x13F,
            "Mellintrf", 0x2133, "NegativeMediumSpace", 0x200B, "NegativeThickSpace", 0x200B,
            "NegativeThinSpace", 0x200B, "NegativeVeryThinSpace", 0x200B, "NoBreak", 0x2060, "Poincareplane", 0x210C,
            "Re", 0x211C, "TRADE", 0x2122, "ZeroWidthSpace", 0x200B, "af", 0x2061, "bernou", 0x212C,
            "circledS", 0x24C8, "complexes", 0x2102, "dd", 0x2146, "ee", 0x2147, "ell", 0x2113, "expectation", 0x2130,
            "exponentiale", 0x2147, "ffilig", 0xFB03, "fflig", 0xFB00, "ffllig", 0xFB04, "filig", 0xFB01,
            "fllig", 0xFB02, "hamilt", 0x210B, "hellip", 0x2026, "ic", 0x2063, "ii", 0x2148, "ijlig", 0x133,
            "image", 0x2111, "imagline", 0x2110, "imagpart", 0x2111, "incare", 0x2105, "integers", 0x2124,
            "it", 0x2062, "lagran", 0x2112, "lmidot", 0x140, "mldr", 0x2026, "napos", 0x149, "naturals", 0x2115,
            "nldr", 0x2025, "numero", 0x2116, "oS", 0x24C8, "order", 0x2134, "orderof", 0x2134, "ordf", 0xAA,
            "ordm", 0xBA, "phmmat", 0x2133, "planckh", 0x210E, "primes", 0x2119, "quaternions", 0x210D,
            "rationals", 0x211A, "real", 0x211C, "realine", 0x211B, "realpart", 0x211C, "reals", 0x211D,
            "shy", 0xAD, "sup1", 0xB9, "sup2", 0xB2, "sup3", 0xB3, "szlig", 0xDF, "trade", 0x2122,
            "zeetrf", 0x2128, "zwj", 0x200D, "zwnj", 0x200C};
        for (int k = 0; k < others.length; k += 2) {
            m.put((String) others[k], Character.toString((Integer) others[k + 1]));
        }
        return Map.copyOf(m);
    }

    /** The value of a named reference this decoder knows, or null. */
    static String named(String name) {
        String v = ASCII_NAMED.get(name);
        return v != null ? v : HOST_NAMED.get(name);
    }

    /** Of those, the ones browsers also accept without {@code ;} (legacy). */
    private static final java.util.Set<String> LEGACY = java.util.Set.of("AMP", "GT", "LT", "QUOT", "amp", "gt",
            "lt", "quot", "ordf", "ordm", "shy", "sup1", "sup2", "sup3", "szlig");

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
                String v = named(s.substring(ns, j));
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
                            found = named(name);
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
