package nl.i3groep.consent.jmh;

import java.io.IOException;
import java.io.Writer;
import java.util.Arrays;
import nu.validator.htmlparser.common.TokenHandler;
import nu.validator.htmlparser.impl.ElementName;
import nu.validator.htmlparser.impl.HtmlAttributes;
import nu.validator.htmlparser.impl.Tokenizer;
import nu.validator.htmlparser.impl.UTF16Buffer;
import org.xml.sax.SAXException;

/**
 * The {@code jsoup} method's job on the Validator.nu HTML5 tokenizer (the Java original of Firefox's
 * parser), for {@code RewriteBenchmark.validatorNu}: a token handler that serializes every token back
 * to HTML and does the job on the way, with no tree builder.
 *
 * <p>The tokenizer hands over what a browser's tokenizer produces: lower-case names, attribute values
 * and text with character references decoded. So the serializer writes markup the way the HTML
 * serialization algorithm does: attribute values double-quoted with {@code &}, {@code "} and no-break
 * space escaped, text with {@code &}, {@code <}, {@code >} and no-break space escaped except in raw
 * text elements, a doctype as {@code <!DOCTYPE name>}. The page comes out equivalent, not byte for
 * byte ({@code &copy;} becomes {@code ©}, a bare {@code &} in an attribute {@code &amp;}). Without
 * a tree builder, the handler switches the tokenizer to raw text after {@code script}, {@code style},
 * {@code xmp}, {@code iframe}, {@code noembed}, {@code noframes} (RAWTEXT), {@code textarea},
 * {@code title} (RCDATA) and {@code plaintext}, as the tree builder does for HTML content with
 * scripting disabled ({@code noscript} content is markup, so a pixel inside it is gated).
 *
 * <p>The job is RewriteBenchmark's (see {@link AttoParserGate}): a script is held until its end tag;
 * one that names a denied host or contains a denied marker gets {@code type="text/plain"
 * data-consent="denied"}, its old type renamed {@code data-type}; on fetching elements a denied URL
 * attribute is renamed {@code data-consent-<name>} and the element marked; the banner goes before
 * {@code </body>}. One instance per document; not thread-safe.
 */
final class ValidatorNuGate implements TokenHandler {

    /** The chunk the tokenizer is fed: Validator.nu's own driver reads 2,048 characters at a time. */
    static final int CHUNK = 2048;

    private final Writer w;
    private final DenyList deny;
    private final String banner;
    private Tokenizer tokenizer;
    private boolean bannerDone;
    /** Inside a RAWTEXT, script data or PLAINTEXT element: text is written as it is. */
    private boolean raw;

    // the script being held: its attributes and its text
    private boolean holding;
    private boolean heldSelfClosing;
    private String[] names = new String[8];
    private String[] values = new String[8];
    private int attributes;
    private char[] text = new char[1024];
    private int textLen;

    ValidatorNuGate(Writer w, DenyList deny, String banner) {
        this.w = w;
        this.deny = deny;
        this.banner = banner;
    }

    /**
     * Runs a new tokenizer over {@code html}, fed in {@link #CHUNK}s of characters (through one
     * reused buffer, as the library's driver does), calling {@code handler}.
     */
    static void tokenize(TokenHandler handler, String html) throws SAXException {
        // false: one HtmlAttributes for all tags, cleared after each, since no tree keeps them
        Tokenizer t = new Tokenizer(handler, false);
        char[] chunk = new char[CHUNK];
        UTF16Buffer buffer = new UTF16Buffer(chunk, 0, 0);
        t.start();
        boolean lastWasCR = false;
        int n = html.length();
        for (int off = 0; off < n; off += CHUNK) {
            int len = Math.min(CHUNK, n - off);
            html.getChars(off, off + len, chunk, 0);
            buffer.setStart(0);
            buffer.setEnd(len);
            while (buffer.hasMore()) {
                buffer.adjust(lastWasCR);
                lastWasCR = false;
                if (buffer.hasMore()) {
                    lastWasCR = t.tokenizeBuffer(buffer);
                }
            }
        }
        t.eof();
        t.end();
    }

    private static boolean fetching(ElementName e) {
        return e == ElementName.IMG || e == ElementName.LINK || e == ElementName.SOURCE || e == ElementName.IFRAME
                || e == ElementName.EMBED || e == ElementName.OBJECT || e == ElementName.VIDEO || e == ElementName.AUDIO;
    }

    private static boolean urlAttribute(String name) {
        // the tokenizer's names are lower case
        return name.equals("src") || name.equals("srcset") || name.equals("href") || name.equals("data")
                || name.equals("poster");
    }

    @Override
    public void startTokenization(Tokenizer self) {
        tokenizer = self;
    }

    @Override
    public boolean wantsComments() {
        return true;
    }

    @Override
    public void doctype(String name, String publicId, String systemId, boolean forceQuirks) throws SAXException {
        try {
            w.write("<!DOCTYPE ");
            w.write(name == null ? "" : name);
            if (publicId != null) {
                w.write(" PUBLIC \"");
                w.write(publicId);
                w.write('"');
                if (systemId != null) {
                    w.write(" \"");
                    w.write(systemId);
                    w.write('"');
                }
            } else if (systemId != null) {
                w.write(" SYSTEM \"");
                w.write(systemId);
                w.write('"');
            }
            w.write('>');
        } catch (IOException e) {
            throw new SAXException(e);
        }
    }

    @Override
    public void startTag(ElementName e, HtmlAttributes a, boolean selfClosing) throws SAXException {
        if (e == ElementName.SCRIPT) {
            holding = true;
            heldSelfClosing = selfClosing;
            textLen = 0;
            attributes = 0;
            int n = a.getLength();
            if (n > names.length) {
                names = new String[n];
                values = new String[n];
            }
            for (int i = 0; i < n; i++) {
                names[i] = a.getLocalNameNoBoundsCheck(i);
                values[i] = a.getValueNoBoundsCheck(i);
            }
            attributes = n;
            tokenizer.setStateAndEndTagExpectation(Tokenizer.SCRIPT_DATA, e);
            raw = true;
            return;
        }
        try {
            w.write('<');
            w.write(e.getName());
            boolean fetching = fetching(e);
            boolean renamed = false;
            for (int i = 0, n = a.getLength(); i < n; i++) {
                String name = a.getLocalNameNoBoundsCheck(i);
                String value = a.getValueNoBoundsCheck(i);
                w.write(' ');
                if (fetching && urlAttribute(name) && deny.mentionsHost(value)) {
                    w.write("data-consent-");
                    renamed = true;
                }
                attribute(name, value);
            }
            if (renamed) {
                w.write(" data-consent=\"denied\"");
            }
            w.write(selfClosing ? "/>" : ">");
        } catch (IOException x) {
            throw new SAXException(x);
        }
        if (e == ElementName.STYLE || e == ElementName.XMP || e == ElementName.IFRAME || e == ElementName.NOEMBED
                || e == ElementName.NOFRAMES) {
            tokenizer.setStateAndEndTagExpectation(Tokenizer.RAWTEXT, e);
            raw = true;
        } else if (e == ElementName.TEXTAREA || e == ElementName.TITLE) {
            tokenizer.setStateAndEndTagExpectation(Tokenizer.RCDATA, e);
        } else if (e == ElementName.PLAINTEXT) {
            tokenizer.setStateAndEndTagExpectation(Tokenizer.PLAINTEXT, e);
            raw = true;
        }
    }

    @Override
    public void endTag(ElementName e) throws SAXException {
        try {
            if (holding && e == ElementName.SCRIPT) {
                release();
            } else if (!bannerDone && e == ElementName.BODY) {
                w.write(banner);
                bannerDone = true;
            }
            w.write("</");
            w.write(e.getName());
            w.write('>');
        } catch (IOException x) {
            throw new SAXException(x);
        }
        raw = false; // in raw text, only the element's own end tag is a tag
    }

    @Override
    public void characters(char[] b, int start, int length) throws SAXException {
        if (holding) {
            if (textLen + length > text.length) {
                text = Arrays.copyOf(text, Math.max(text.length * 2, textLen + length));
            }
            System.arraycopy(b, start, text, textLen, length);
            textLen += length;
            return;
        }
        try {
            if (raw) {
                w.write(b, start, length);
            } else {
                escapeText(b, start, length);
            }
        } catch (IOException x) {
            throw new SAXException(x);
        }
    }

    @Override
    public void comment(char[] b, int start, int length) throws SAXException {
        try {
            w.write("<!--");
            w.write(b, start, length);
            w.write("-->");
        } catch (IOException x) {
            throw new SAXException(x);
        }
    }

    @Override
    public void zeroOriginatingReplacementCharacter() {
        // the U+FFFD comes through characters()
    }

    @Override
    public void eof() throws SAXException {
        try {
            if (holding) {
                release(); // a script the document never closed
            }
            if (!bannerDone) {
                w.write(banner);
                bannerDone = true;
            }
        } catch (IOException x) {
            throw new SAXException(x);
        }
    }

    @Override
    public void endTokenization() {
    }

    @Override
    public boolean cdataSectionAllowed() {
        return false;
    }

    @Override
    public void ensureBufferSpace(int inputLength) {
        // characters() copies what it holds; it needs no room in the tokenizer's buffer
    }

    /** Judges the held script and writes its start tag (made inert if it is a tracker's) and text. */
    private void release() throws IOException {
        holding = false;
        boolean plain = false;
        boolean tracker = false;
        for (int i = 0; i < attributes; i++) {
            if (names[i].equals("type")) {
                plain = values[i].equalsIgnoreCase("text/plain");
            } else if (names[i].equals("src")) {
                tracker = deny.mentionsHost(values[i]);
            }
        }
        tracker = !plain && (tracker || deny.marked(text, 0, textLen));
        w.write(tracker ? "<script type=\"text/plain\" data-consent=\"denied\"" : "<script");
        for (int i = 0; i < attributes; i++) {
            w.write(' ');
            attribute(tracker && names[i].equals("type") ? "data-type" : names[i], values[i]);
            names[i] = null;
            values[i] = null;
        }
        w.write(heldSelfClosing ? "/>" : ">");
        w.write(text, 0, textLen);
    }

    private void attribute(String name, String value) throws IOException {
        w.write(name);
        w.write("=\"");
        int from = 0;
        for (int i = 0, n = value.length(); i < n; i++) {
            char c = value.charAt(i);
            String esc = c == '&' ? "&amp;" : c == '"' ? "&quot;" : c == '\u00a0' ? "&nbsp;" : null;
            if (esc != null) {
                w.write(value, from, i - from);
                w.write(esc);
                from = i + 1;
            }
        }
        w.write(value, from, value.length() - from);
        w.write('"');
    }

    private void escapeText(char[] b, int start, int length) throws IOException {
        int from = start;
        int end = start + length;
        for (int i = start; i < end; i++) {
            char c = b[i];
            String esc = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '\u00a0' ? "&nbsp;" : null;
            if (esc != null) {
                w.write(b, from, i - from);
                w.write(esc);
                from = i + 1;
            }
        }
        w.write(b, from, end - from);
    }

    /**
     * Counts start and end tags as the tokenizer reports them, switching to raw text after the same
     * four elements as {@link StrictScan} ({@code script}, {@code style}, {@code textarea},
     * {@code title}): the independent count that {@code floor}'s set-up checks its scan against.
     */
    static final class TagCount implements TokenHandler {
        private Tokenizer tokenizer;
        int tags;

        static int of(String html) throws SAXException {
            TagCount c = new TagCount();
            tokenize(c, html);
            return c.tags;
        }

        @Override
        public void startTokenization(Tokenizer self) {
            tokenizer = self;
        }

        @Override
        public boolean wantsComments() {
            return false;
        }

        @Override
        public void doctype(String name, String publicId, String systemId, boolean forceQuirks) {
        }

        @Override
        public void startTag(ElementName e, HtmlAttributes a, boolean selfClosing) {
            tags++;
            if (e == ElementName.SCRIPT) {
                tokenizer.setStateAndEndTagExpectation(Tokenizer.SCRIPT_DATA, e);
            } else if (e == ElementName.STYLE) {
                tokenizer.setStateAndEndTagExpectation(Tokenizer.RAWTEXT, e);
            } else if (e == ElementName.TEXTAREA || e == ElementName.TITLE) {
                tokenizer.setStateAndEndTagExpectation(Tokenizer.RCDATA, e);
            }
        }

        @Override
        public void endTag(ElementName e) {
            tags++;
        }

        @Override
        public void comment(char[] b, int start, int length) {
        }

        @Override
        public void characters(char[] b, int start, int length) {
        }

        @Override
        public void zeroOriginatingReplacementCharacter() {
        }

        @Override
        public void eof() {
        }

        @Override
        public void endTokenization() {
        }

        @Override
        public boolean cdataSectionAllowed() {
            return false;
        }

        @Override
        public void ensureBufferSpace(int inputLength) {
        }
    }
}
