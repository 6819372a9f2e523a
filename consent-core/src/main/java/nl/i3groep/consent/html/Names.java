package nl.i3groep.consent.html;

import java.nio.charset.StandardCharsets;

/**
 * The tag names the rewriter reacts to, looked up from lower-cased bytes without making a String.
 * A code is an element number (low byte) with property flags.
 */
final class Names {

    static final int MAX = 16;

    // element numbers
    static final int SCRIPT = 1, IMG = 2, IFRAME = 3, EMBED = 4, OBJECT = 5, SOURCE = 6, LINK = 7, VIDEO = 8,
            AUDIO = 9, INPUT = 10, TRACK = 11, HEAD = 12, BODY = 13, HTML = 14, SVG = 15, MATH = 16,
            PLAINTEXT = 17, STYLE = 18, XMP = 19, NOEMBED = 20, NOFRAMES = 21, TEXTAREA = 22, TITLE = 23,
            OTHER = 24, FRAME = 25, BASE = 26, NOSCRIPT = 27, TEMPLATE = 28, FOREIGN_OBJECT = 29, DESC = 30,
            MATH_TEXT = 31, ANNOTATION_XML = 32;

    /** Has URL attributes of its own ({@link Verdict#urlAttributes}). */
    static final int F_HELD = 1 << 8;
    /** Belongs in {@code <head>}: does not end it. */
    static final int F_HEAD = 1 << 9;
    /** Ends foreign (SVG/MathML) content when it starts inside it. */
    static final int F_BREAKOUT = 1 << 10;
    /** Its content is raw text (RAWTEXT or RCDATA) up to its end tag. */
    static final int F_RAW = 1 << 11;
    /** A void element: no end tag closes it, none is left open. */
    static final int F_VOID = 1 << 12;

    private static final int SIZE = 256;
    private static final long[] K0 = new long[SIZE];
    private static final long[] K1 = new long[SIZE];
    private static final int[] LEN = new int[SIZE];
    private static final int[] CODE = new int[SIZE];
    private static final byte[][] NAME = new byte[64][];
    /**
     * Per first letter (a-z), a bit per length (1 to {@link #MAX}) of the names that make a tag
     * more than plain text-level markup: held, raw text, SVG/MathML, plaintext, head/body/html.
     * Lets the data state's fast path pass most tags without a lookup.
     */
    private static final int[] NOTABLE = new int[26];
    /** The held elements' names, lower case, in definition order. */
    private static final java.util.List<String> HELD = new java.util.ArrayList<>();

    static {
        def("script", SCRIPT | F_HELD | F_HEAD);
        def("img", IMG | F_HELD | F_BREAKOUT | F_VOID);
        def("iframe", IFRAME | F_HELD | F_RAW);
        def("embed", EMBED | F_HELD | F_BREAKOUT | F_VOID);
        def("object", OBJECT | F_HELD);
        def("source", SOURCE | F_HELD | F_VOID);
        def("link", LINK | F_HELD | F_HEAD | F_VOID);
        def("video", VIDEO | F_HELD);
        def("audio", AUDIO | F_HELD);
        def("input", INPUT | F_HELD | F_VOID);
        def("track", TRACK | F_HELD | F_VOID);
        def("frame", FRAME | F_HELD);
        // a <base> on a tracker's host would make every relative URL load from it
        def("base", BASE | F_HELD | F_HEAD | F_VOID);
        // the tree builder turns <image> into <img>; in SVG it is an image of its own (href), and no breakout
        def("image", IMG | F_HELD | F_VOID);
        def("feimage", IMG | F_HELD);
        def("head", HEAD | F_HEAD | F_BREAKOUT);
        def("body", BODY | F_BREAKOUT);
        def("html", HTML | F_HEAD);
        def("svg", SVG);
        def("math", MATH);
        def("plaintext", PLAINTEXT);
        def("style", STYLE | F_HEAD | F_RAW);
        def("xmp", XMP | F_RAW);
        def("noembed", NOEMBED | F_RAW);
        def("noframes", NOFRAMES | F_HEAD | F_RAW);
        def("textarea", TEXTAREA | F_RAW);
        def("title", TITLE | F_HEAD | F_RAW);
        def("noscript", NOSCRIPT | F_HEAD);
        // where SVG and MathML hold HTML (integration points)
        def("foreignobject", FOREIGN_OBJECT);
        def("desc", DESC);
        for (String n : new String[] {"mi", "mo", "mn", "ms", "mtext"}) {
            def(n, MATH_TEXT);
        }
        def("annotation-xml", ANNOTATION_XML);
        def("template", TEMPLATE | F_HEAD);
        for (String n : new String[] {"basefont", "bgsound", "meta"}) {
            def(n, OTHER | F_HEAD | F_VOID | (n.equals("meta") ? F_BREAKOUT : 0));
        }
        for (String n : new String[] {"b", "big", "blockquote", "br", "center", "code", "dd", "div", "dl", "dt",
                "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "listing", "menu", "nobr", "ol", "p",
                "pre", "ruby", "s", "small", "span", "strong", "strike", "sub", "sup", "table", "tt", "u", "ul",
                "var"}) {
            def(n, OTHER | F_BREAKOUT | (n.equals("br") || n.equals("hr") ? F_VOID : 0));
        }
        for (String n : new String[] {"area", "col", "wbr"}) {
            def(n, OTHER | F_VOID);
        }
    }

    private Names() {
    }

    private static void def(String name, int code) {
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        long k0 = pack(b, 0, b.length);
        long k1 = b.length > 8 ? pack(b, 8, b.length) : 0;
        int h = slot(k0, k1, b.length);
        while (LEN[h] != 0) {
            h = (h + 1) & (SIZE - 1);
        }
        int el = code & 0xff;
        if ((code & (F_HELD | F_RAW)) != 0 || el == SVG || el == MATH || el == PLAINTEXT || el == HEAD || el == BODY
                || el == HTML || el == NOSCRIPT) {
            NOTABLE[b[0] - 'a'] |= 1 << b.length;
        }
        if ((code & F_HELD) != 0) {
            HELD.add(name);
        }
        K0[h] = k0;
        K1[h] = k1;
        LEN[h] = b.length;
        CODE[h] = code;
        if ((code & 0xff) != OTHER && NAME[code & 0xff] == null) {
            NAME[code & 0xff] = b;
        }
    }

    static long pack(byte[] b, int from, int len) {
        long k = 0;
        int to = Math.min(len, from + 8);
        for (int i = from; i < to; i++) {
            k = k << 8 | (b[i] & 0xff);
        }
        return k;
    }

    private static int slot(long k0, long k1, int len) {
        long h = (k0 * 0x9E3779B97F4A7C15L) ^ (k1 * 0xC2B2AE3D27D4EB4FL) ^ len;
        return (int) (h ^ (h >>> 29)) & (SIZE - 1);
    }

    /**
     * False if no name that starts with the ASCII letter {@code first} (either case) and has
     * {@code len} bytes is held, raw text, svg, math, plaintext, head, body or html; such a tag
     * needs no {@link #lookup} in the fast path. True means "look it up".
     */
    static boolean mayBeNotable(byte first, int len) {
        return len <= MAX && (NOTABLE[(first | 0x20) - 'a'] & (1 << len)) != 0;
    }

    /** The code of a lower-case name of {@code len} bytes held in {@code b[0, min(len, MAX))}; 0 if none. */
    static int lookup(byte[] b, int len) {
        if (len == 0 || len > MAX) {
            return 0;
        }
        return lookup(pack(b, 0, len), len > 8 ? pack(b, 8, len) : 0, len);
    }

    /** The code of the name {@code b[from, from + len)}, in any case; 0 if none. */
    static int lookupIgnoringCase(byte[] b, int from, int len) {
        if (len > MAX) {
            return 0;
        }
        long k0 = 0;
        long k1 = 0;
        for (int i = 0; i < len; i++) {
            int c = b[from + i];
            long l = (c >= 'A' && c <= 'Z') ? c + 32 : c & 0xff;
            if (i < 8) {
                k0 = k0 << 8 | l;
            } else {
                k1 = k1 << 8 | l;
            }
        }
        return lookup(k0, k1, len);
    }

    /** The code of a lower-case name packed as by {@link #pack}: first eight bytes, next eight, length. */
    static int lookup(long k0, long k1, int len) {
        if (len == 0 || len > MAX) {
            return 0;
        }
        int h = slot(k0, k1, len);
        while (LEN[h] != 0) {
            if (LEN[h] == len && K0[h] == k0 && K1[h] == k1) {
                return CODE[h];
            }
            h = (h + 1) & (SIZE - 1);
        }
        return 0;
    }

    static boolean isVoid(int code) {
        return (code & F_VOID) != 0;
    }

    /** The names of the elements held for a verdict ({@link #F_HELD}), lower case. */
    static java.util.List<String> held() {
        return java.util.Collections.unmodifiableList(HELD);
    }

    /** The lower-case name of an element number. */
    static byte[] name(int element) {
        return NAME[element];
    }
}
