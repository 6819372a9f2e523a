package nl.i3groep.consent.html;

import java.io.IOException;

/**
 * The byte-level, resumable HTML tokenizer: the WHATWG tokenizer states that decide where tags
 * begin and end, one {@code switch} over int states that may stop at the end of any write and go
 * on with the next.
 *
 * <p><b>Security-critical.</b> Whatever this tokenizer takes for text, a comment or raw text is
 * passed on unexamined, so wherever it disagrees with a browser's tokenizer a tracker can slip
 * through. It follows tag open, tag name, the attribute states (quotes count only after
 * {@code =}), comments (including {@code <!-->}, {@code --!>}), bogus comments ({@code <?},
 * {@code </!}, {@code <!x}, and {@code <![CDATA[}, which outside SVG/MathML ends at the first
 * {@code >}; inside them it is a CDATA section, text to {@code ]]>}), RAWTEXT/RCDATA
 * ({@code style}, {@code xmp}, {@code iframe}, {@code noembed}, {@code noframes},
 * {@code textarea}, {@code title}), {@code plaintext}, and the script data states with their
 * escaped and double-escaped forms; an SVG {@code <script>}'s content is markup, as in browsers.
 * {@code noscript} content is taken as markup (as with scripting off), so its pixels are seen; it
 * stops after a noscript's start tag so that the rewriter can square this with how a browser
 * that runs scripts reads it.
 *
 * <p>Speed: a tag that lies wholly inside one write has its end found (and, if it is to be
 * inspected, its attributes parsed) by {@link Tag}'s tight loops rather than this state switch;
 * both follow the same attribute states, and the tests check that every chunking gives the same
 * output. In the body, outside SVG/MathML, the data state hands text, comments and tags that
 * change nothing to {@link FastScan}, which hands anything else, or anything cut off by the end
 * of a write, back at its {@code <}.
 *
 * <p>What a tag means is not decided here: its name goes to the {@link Tree}, a held tag's end to
 * the {@link Rewriter}, which has it judged and written.
 */
final class Tokenizer {

    static final int DATA = 0, TAG_OPEN = 1, END_TAG_OPEN = 2, TAG_NAME = 3, BEFORE_ATTR_NAME = 4,
            ATTR_NAME = 5, AFTER_ATTR_NAME = 6, BEFORE_ATTR_VALUE = 7, VALUE_DQ = 8, VALUE_SQ = 9, VALUE_UNQ = 10,
            AFTER_VALUE_QUOTED = 11, SELF_CLOSING = 12, MD_OPEN = 13, MD_DASH = 14, COMMENT_START = 15,
            COMMENT_START_DASH = 16, COMMENT = 17, BOGUS = 18, RAW = 19, RAW_LT = 20, RAW_END = 21, PLAINTEXT = 22,
            SD = 23, SD_LT = 24, SD_END_OPEN = 25, SD_END_NAME = 26, SD_ESC_START = 27, SD_ESC_START_DASH = 28,
            SD_ESC = 29, SD_ESC_DASH = 30, SD_ESC_DASH_DASH = 31, SD_ESC_LT = 32, SD_ESC_END_OPEN = 33,
            SD_ESC_END_NAME = 34, SD_DESC_START = 35, SD_DESC = 36, SD_DESC_DASH = 37, SD_DESC_DASH_DASH = 38,
            SD_DESC_LT = 39, SD_DESC_END = 40, CDATA_OPEN = 41, CDATA = 42, XSD = 43, XSD_LT = 44, XSD_END = 45,
            XSD_MD = 46, XSD_COMMENT = 47, XSD_CDATA_OPEN = 48, XSD_CDATA = 49, XSD_PI = 50;

    /**
     * The body is XHTML, parsed by browsers as XML: no element's content is raw text, CDATA sections
     * are text anywhere, and a script's content is its text and CDATA sections ({@link #XSD}).
     */
    boolean xml;

    /** What follows {@code <!} to open a CDATA section (in SVG/MathML). */
    private static final byte[] CDATA_NAME = {'[', 'C', 'D', 'A', 'T', 'A', '['};

    static final byte[] SCRIPT_NAME = {'s', 'c', 'r', 'i', 'p', 't'};
    private static final byte[] DOCTYPE = {'d', 'o', 'c', 't', 'y', 'p', 'e'};

    /** Bytes that end a tag name: white space, "/" and ">". */
    static final boolean[] NAME_END = new boolean[256];
    private static final boolean[] SPACE = new boolean[256];

    static {
        for (char c : new char[] {' ', '\t', '\n', '\f', '\r'}) {
            SPACE[c] = true;
            NAME_END[c] = true;
        }
        NAME_END['/'] = true;
        NAME_END['>'] = true;
    }

    private final Rewriter rewriter;
    private final Output output;
    private final Tree tree;
    private final FastScan scan;
    /** The held tag: parsed here while its end is found, when it lies in one write. */
    private final Tag tag;
    private final Tag skip;

    int state;
    boolean endTag;
    boolean selfClosing;
    /** The tag name, lower-cased, packed eight bytes to a long (see {@link Names#pack}). */
    private long nameK0;
    private long nameK1;
    private int nameLen;
    /** The current tag's {@link Names} code; 0 for one the rewriter does not know. */
    int code;
    private byte[] rawName;
    private int tmpLen;
    private boolean tmpOk;
    private int mdCount;
    private boolean docMatch;
    private int dashes;
    private boolean bang;
    /** The held tag was parsed while finding its end, so {@code tag} holds it already. */
    private boolean parsedInPlace;
    private int tagStart;
    /** Sees every complete tag, for the tokenizer conformance test; null otherwise. */
    Rewriter.Trace trace;

    Tokenizer(Rewriter rewriter, Output output, Tree tree, FastScan scan, Tag tag) {
        this.rewriter = rewriter;
        this.output = output;
        this.tree = tree;
        this.scan = scan;
        this.tag = tag;
        this.skip = scan.skip;
    }

    void start(boolean xml) {
        this.xml = xml;
        stop = false;
        state = DATA;
        endTag = false;
        selfClosing = false;
        nameLen = 0;
        code = 0;
        parsedInPlace = false;
    }

    /**
     * Set where a {@code <noscript>} start tag has just ended: {@link #run} stops there, at
     * {@link #stoppedAt}, so that the rewriter reads on as a browser that runs scripts reads a
     * noscript's content (raw text to the first {@code </noscript}).
     */
    boolean stop;
    /** Where {@link #run} stopped: the end of its bytes, or just after a {@code <noscript>} start tag. */
    int stoppedAt;

    /** Whether a tag here would be read as one: the data state, between tags and text. */
    boolean readsMarkup() {
        return state == DATA;
    }

    /** Tokenizes {@code b[i, end)}, the rest of one write, from the current state. */
    void run(byte[] b, int i, int end) throws IOException {
        stoppedAt = end;
        while (i < end) {
            if (stop) {
                stop = false;
                stoppedAt = i;
                return;
            }
            byte c;
            switch (state) {
                case DATA: {
                    if (tree.beforeBody()) {
                        i = tree.text(b, i, end);
                    } else if (tree.plainHtml() && !output.holding) {
                        // most of a page: text and plain tags, passed over in a loop of their own
                        i = scan.run(b, i, end);
                    }
                    int j = Bytes.indexOf(b, (byte) '<', i, end);
                    if (j == end) {
                        return;
                    }
                    output.hold(j);
                    tagStart = j;
                    i = j + 1;
                    // the usual case, a start or end tag, without a round through the state switch
                    if (i + 1 < end && (isAlpha(b[i]) || (b[i] == '/' && isAlpha(b[i + 1])))) {
                        endTag = b[i] == '/';
                        i = tagName(b, endTag ? i + 1 : i, end);
                    } else {
                        state = TAG_OPEN;
                    }
                    break;
                }
                case TAG_OPEN:
                    c = b[i];
                    if (isAlpha(c)) {
                        endTag = false;
                        selfClosing = false;
                        nameLen = 0;
                        nameK0 = 0;
                        nameK1 = 0;
                        state = TAG_NAME;
                    } else if (c == '/') {
                        state = END_TAG_OPEN;
                        i++;
                    } else if (c == '!') {
                        output.release();
                        state = MD_OPEN;
                        i++;
                    } else if (c == '?') {
                        output.release();
                        mdCount = DOCTYPE.length;
                        docMatch = false;
                        state = BOGUS;
                        i++;
                    } else {
                        // "<" as text
                        tree.lessThanAsText();
                        output.release();
                        state = DATA;
                    }
                    break;
                case END_TAG_OPEN:
                    c = b[i];
                    if (isAlpha(c)) {
                        endTag = true;
                        selfClosing = false;
                        nameLen = 0;
                        nameK0 = 0;
                        nameK1 = 0;
                        state = TAG_NAME;
                    } else if (c == '>') {
                        output.release();
                        i++;
                        state = DATA;
                    } else {
                        output.release();
                        mdCount = DOCTYPE.length;
                        docMatch = false;
                        state = BOGUS;
                    }
                    break;
                case TAG_NAME:
                    i = tagName(b, i, end);
                    break;
                case BEFORE_ATTR_NAME:
                case ATTR_NAME:
                case AFTER_ATTR_NAME:
                case BEFORE_ATTR_VALUE:
                case VALUE_DQ:
                case VALUE_SQ:
                case VALUE_UNQ:
                case AFTER_VALUE_QUOTED:
                case SELF_CLOSING:
                    i = scanTag(b, i, end);
                    break;
                case MD_OPEN:
                    if (b[i] == '-') {
                        state = MD_DASH;
                        i++;
                    } else if (b[i] == '[' && (xml || tree.cdataSection())) {
                        mdCount = 0;
                        state = CDATA_OPEN;
                    } else {
                        mdCount = 0;
                        docMatch = true;
                        state = BOGUS;
                    }
                    break;
                case MD_DASH:
                    if (b[i] == '-') {
                        state = COMMENT_START;
                        i++;
                    } else {
                        mdCount = DOCTYPE.length;
                        docMatch = false;
                        state = BOGUS;
                    }
                    break;
                case BOGUS: {
                    while (mdCount < DOCTYPE.length && i < end && b[i] != '>') {
                        docMatch &= lower(b[i]) == DOCTYPE[mdCount];
                        mdCount++;
                        i++;
                    }
                    int j = Bytes.indexOf(b, (byte) '>', i, end);
                    if (j == end) {
                        return;
                    }
                    i = j + 1;
                    state = DATA;
                    if (docMatch && mdCount == DOCTYPE.length) {
                        tree.doctype();
                    }
                    break;
                }
                case CDATA_OPEN:
                    // in SVG/MathML "<![CDATA[" opens text that runs to "]]>"; anything else is a bogus comment
                    if (b[i] == CDATA_NAME[mdCount]) {
                        i++;
                        if (++mdCount == CDATA_NAME.length) {
                            dashes = 0; // here: the "]" just before
                            state = CDATA;
                        }
                    } else {
                        docMatch = false;
                        state = BOGUS;
                    }
                    break;
                case CDATA:
                    while (i < end) {
                        c = b[i++];
                        if (c == '>' && dashes >= 2) {
                            state = DATA;
                            break;
                        }
                        dashes = c == ']' ? dashes + 1 : 0;
                    }
                    break;
                // ---- an XHTML script's content: text, CDATA sections, comments, to "</script" ----
                case XSD: {
                    int j = Bytes.indexOf(b, (byte) '<', i, end);
                    if (j == end) {
                        return;
                    }
                    i = j + 1;
                    state = XSD_LT;
                    break;
                }
                case XSD_LT:
                    c = b[i];
                    if (c == '/') {
                        tmpLen = 0;
                        tmpOk = true;
                        state = XSD_END;
                    } else if (c == '!') {
                        state = XSD_MD;
                    } else if (c == '?') {
                        dashes = 0;
                        state = XSD_PI;
                    } else {
                        throw markupInScript();
                    }
                    i++;
                    break;
                case XSD_END:
                    c = b[i];
                    if (isAlpha(c)) {
                        tmpAdd(c, SCRIPT_NAME);
                        i++;
                    } else if (tmpIsScript() && (isSpace(c) || c == '>')) {
                        i = scriptEnd(b, i);
                    } else {
                        throw markupInScript();
                    }
                    break;
                case XSD_MD:
                    c = b[i];
                    if (c == '-') {
                        dashes = -1; // one dash of "<!--" seen
                        state = XSD_COMMENT;
                    } else if (c == '[') {
                        mdCount = 1;
                        state = XSD_CDATA_OPEN;
                    } else {
                        throw markupInScript();
                    }
                    i++;
                    break;
                case XSD_COMMENT:
                    while (i < end) {
                        c = b[i++];
                        if (dashes < 0) {
                            if (c != '-') {
                                throw markupInScript();
                            }
                            dashes = 0;
                        } else if (c == '>' && dashes >= 2) {
                            state = XSD;
                            break;
                        } else {
                            dashes = c == '-' ? dashes + 1 : 0;
                        }
                    }
                    break;
                case XSD_CDATA_OPEN:
                    if (b[i] != CDATA_NAME[mdCount]) {
                        throw markupInScript();
                    }
                    i++;
                    if (++mdCount == CDATA_NAME.length) {
                        dashes = 0;
                        state = XSD_CDATA;
                    }
                    break;
                case XSD_CDATA:
                    while (i < end) {
                        c = b[i++];
                        if (c == '>' && dashes >= 2) {
                            state = XSD;
                            break;
                        }
                        dashes = c == ']' ? dashes + 1 : 0;
                    }
                    break;
                case XSD_PI:
                    while (i < end) {
                        c = b[i++];
                        if (c == '>' && dashes > 0) {
                            state = XSD;
                            break;
                        }
                        dashes = c == '?' ? 1 : 0;
                    }
                    break;
                case COMMENT_START:
                    c = b[i];
                    if (c == '>') {
                        state = DATA;
                        i++;
                    } else if (c == '-') {
                        state = COMMENT_START_DASH;
                        i++;
                    } else {
                        dashes = 0;
                        bang = false;
                        state = COMMENT;
                    }
                    break;
                case COMMENT_START_DASH:
                    c = b[i];
                    if (c == '>') {
                        state = DATA;
                        i++;
                    } else if (c == '-') {
                        dashes = 2;
                        bang = false;
                        state = COMMENT;
                        i++;
                    } else {
                        dashes = 0;
                        bang = false;
                        state = COMMENT;
                    }
                    break;
                case COMMENT:
                    while (i < end) {
                        c = b[i++];
                        if (c == '-') {
                            dashes++;
                            bang = false;
                        } else if (c == '>' && (dashes >= 2 || bang)) {
                            state = DATA;
                            break;
                        } else if (c == '!') {
                            bang = dashes >= 2;
                            dashes = 0;
                        } else {
                            dashes = 0;
                            bang = false;
                        }
                    }
                    break;
                case RAW: {
                    int j = Bytes.indexOf(b, (byte) '<', i, end);
                    if (j == end) {
                        return;
                    }
                    i = j + 1;
                    state = RAW_LT;
                    break;
                }
                case RAW_LT:
                    if (b[i] == '/') {
                        tmpLen = 0;
                        tmpOk = true;
                        state = RAW_END;
                        i++;
                    } else {
                        state = RAW;
                    }
                    break;
                case RAW_END:
                    c = b[i];
                    if (isAlpha(c)) {
                        tmpAdd(c, rawName);
                        i++;
                    } else if (tmpLen > 0 && tmpOk && tmpLen == rawName.length && (isSpace(c) || c == '/' || c == '>')) {
                        if (output.heldScript) {
                            rewriter.heldScriptEnded(i); // a held stylesheet's end
                        }
                        endTag = true;
                        selfClosing = false;
                        code = Names.lookup(rawName, rawName.length);
                        tagStart = i - rawName.length - 2;
                        i = endTagDelimiter(b, i);
                    } else {
                        state = RAW;
                    }
                    break;
                case PLAINTEXT:
                    return;
                case SD: {
                    int j = Bytes.indexOf(b, (byte) '<', i, end);
                    if (j == end) {
                        return;
                    }
                    if (j + 8 < end && b[j + 1] == '/' && isScriptName(b, j + 2) && NAME_END[b[j + 8] & 0xff]) {
                        // the usual end, "</script" and its delimiter in this write: what SD_LT,
                        // SD_END_OPEN and SD_END_NAME would find, without a round per byte
                        i = scriptEnd(b, j + 8);
                        break;
                    }
                    i = j + 1;
                    state = SD_LT;
                    break;
                }
                case SD_LT:
                    c = b[i];
                    if (c == '/') {
                        tmpLen = 0;
                        tmpOk = true;
                        state = SD_END_OPEN;
                        i++;
                    } else if (c == '!') {
                        state = SD_ESC_START;
                        i++;
                    } else {
                        state = SD;
                    }
                    break;
                case SD_END_OPEN:
                    state = isAlpha(b[i]) ? SD_END_NAME : SD;
                    break;
                case SD_END_NAME:
                case SD_ESC_END_NAME:
                    c = b[i];
                    if (isAlpha(c)) {
                        tmpAdd(c, SCRIPT_NAME);
                        i++;
                    } else if (tmpIsScript() && (isSpace(c) || c == '/' || c == '>')) {
                        i = scriptEnd(b, i);
                    } else {
                        state = state == SD_END_NAME ? SD : SD_ESC;
                    }
                    break;
                case SD_ESC_START:
                    if (b[i] == '-') {
                        state = SD_ESC_START_DASH;
                        i++;
                    } else {
                        state = SD;
                    }
                    break;
                case SD_ESC_START_DASH:
                    if (b[i] == '-') {
                        state = SD_ESC_DASH_DASH;
                        i++;
                    } else {
                        state = SD;
                    }
                    break;
                case SD_ESC:
                    while (i < end) {
                        c = b[i++];
                        if (c == '-') {
                            state = SD_ESC_DASH;
                            break;
                        }
                        if (c == '<') {
                            state = SD_ESC_LT;
                            break;
                        }
                    }
                    break;
                case SD_ESC_DASH:
                    c = b[i++];
                    state = c == '-' ? SD_ESC_DASH_DASH : c == '<' ? SD_ESC_LT : SD_ESC;
                    break;
                case SD_ESC_DASH_DASH:
                    c = b[i++];
                    state = c == '-' ? SD_ESC_DASH_DASH : c == '<' ? SD_ESC_LT : c == '>' ? SD : SD_ESC;
                    break;
                case SD_ESC_LT:
                    c = b[i];
                    tmpLen = 0;
                    tmpOk = true;
                    if (c == '/') {
                        state = SD_ESC_END_OPEN;
                        i++;
                    } else if (isAlpha(c)) {
                        state = SD_DESC_START;
                    } else {
                        state = SD_ESC;
                    }
                    break;
                case SD_ESC_END_OPEN:
                    state = isAlpha(b[i]) ? SD_ESC_END_NAME : SD_ESC;
                    break;
                case SD_DESC_START:
                case SD_DESC_END:
                    c = b[i];
                    if (isSpace(c) || c == '/' || c == '>') {
                        boolean script = tmpIsScript();
                        state = state == SD_DESC_START ? (script ? SD_DESC : SD_ESC) : (script ? SD_ESC : SD_DESC);
                        i++;
                    } else if (isAlpha(c)) {
                        tmpAdd(c, SCRIPT_NAME);
                        i++;
                    } else {
                        state = state == SD_DESC_START ? SD_ESC : SD_DESC;
                    }
                    break;
                case SD_DESC:
                    while (i < end) {
                        c = b[i++];
                        if (c == '-') {
                            state = SD_DESC_DASH;
                            break;
                        }
                        if (c == '<') {
                            state = SD_DESC_LT;
                            break;
                        }
                    }
                    break;
                case SD_DESC_DASH:
                    c = b[i++];
                    state = c == '-' ? SD_DESC_DASH_DASH : c == '<' ? SD_DESC_LT : SD_DESC;
                    break;
                case SD_DESC_DASH_DASH:
                    c = b[i++];
                    state = c == '-' ? SD_DESC_DASH_DASH : c == '<' ? SD_DESC_LT : c == '>' ? SD : SD_DESC;
                    break;
                case SD_DESC_LT:
                    if (b[i] == '/') {
                        tmpLen = 0;
                        tmpOk = true;
                        state = SD_DESC_END;
                        i++;
                    } else {
                        state = SD_DESC;
                    }
                    break;
                default:
                    throw new IllegalStateException("state " + state);
            }
        }
    }

    /** The tag name state: the name lower-cased into {@code nameK0/nameK1}, then on into the attributes. */
    int tagName(byte[] b, int i, int end) throws IOException {
        if (state != TAG_NAME) {
            selfClosing = false;
            nameLen = 0;
            nameK0 = 0;
            nameK1 = 0;
        }
        int n = nameLen;
        long k0 = nameK0;
        long k1 = nameK1;
        while (i < end) {
            byte c = b[i];
            if (NAME_END[c & 0xff]) {
                break;
            }
            long l = (c >= 'A' && c <= 'Z') ? c + 32 : c & 0xff;
            if (n < 8) {
                k0 = k0 << 8 | l;
            } else if (n < Names.MAX) {
                k1 = k1 << 8 | l;
            }
            n++;
            i++;
        }
        nameLen = n;
        nameK0 = k0;
        nameK1 = k1;
        if (i == end) {
            state = TAG_NAME;
            return i;
        }
        nameDone();
        if (output.holding && output.pend.n == 0) {
            // a tag to inspect, begun in this write: parse it once, finding its end on the way
            int after = tag.parseTo(b, output.holdStart, end);
            if (after > 0) {
                selfClosing = tag.selfClosing;
                parsedInPlace = true;
                return tagEnd(after - 1);
            }
        }
        byte c = b[i];
        if (c == '>') {
            return tagEnd(i);
        }
        if (!output.holding) {
            // nothing to inspect: only its end matters, found in one tight loop when it is in this write
            int after = skip.skipTo(b, i, end);
            if (after > 0) {
                selfClosing = skip.selfClosing;
                return tagEnd(after - 1);
            }
        }
        state = c == '/' ? SELF_CLOSING : BEFORE_ATTR_NAME;
        return scanTag(b, i + 1, end);
    }

    /**
     * The attribute states, in a loop of their own with the state in a local: most bytes of a
     * page are inside tags. Returns at the tag's end (after {@link #tagEnd}) or the chunk's.
     */
    private int scanTag(byte[] b, int i, int end) throws IOException {
        int st = state;
        while (i < end) {
            byte c = b[i];
            switch (st) {
                case BEFORE_ATTR_NAME:
                    if (isSpace(c)) {
                        i++;
                    } else if (c == '/') {
                        st = SELF_CLOSING;
                        i++;
                    } else if (c == '>') {
                        return tagEnd(i);
                    } else {
                        st = ATTR_NAME; // the first character, even "=", belongs to the name
                        i++;
                    }
                    break;
                case ATTR_NAME:
                    if (c == '=') {
                        st = BEFORE_ATTR_VALUE;
                    } else if (c == '>') {
                        return tagEnd(i);
                    } else if (c == '/') {
                        st = SELF_CLOSING;
                    } else if (isSpace(c)) {
                        st = AFTER_ATTR_NAME;
                    }
                    i++;
                    break;
                case AFTER_ATTR_NAME:
                    if (c == '>') {
                        return tagEnd(i);
                    }
                    if (c == '/') {
                        st = SELF_CLOSING;
                    } else if (c == '=') {
                        st = BEFORE_ATTR_VALUE;
                    } else if (!isSpace(c)) {
                        st = ATTR_NAME;
                    }
                    i++;
                    break;
                case BEFORE_ATTR_VALUE:
                    if (c == '>') {
                        return tagEnd(i);
                    }
                    if (c == '"') {
                        st = VALUE_DQ;
                    } else if (c == '\'') {
                        st = VALUE_SQ;
                    } else if (!isSpace(c)) {
                        st = VALUE_UNQ;
                    }
                    i++;
                    break;
                case VALUE_DQ:
                case VALUE_SQ: {
                    int j = Bytes.indexOf(b, st == VALUE_DQ ? (byte) '"' : (byte) '\'', i, end);
                    if (j == end) {
                        i = end;
                    } else {
                        i = j + 1;
                        st = AFTER_VALUE_QUOTED;
                    }
                    break;
                }
                case VALUE_UNQ:
                    if (c == '>') {
                        return tagEnd(i);
                    }
                    if (isSpace(c)) {
                        st = BEFORE_ATTR_NAME;
                    }
                    i++;
                    break;
                case AFTER_VALUE_QUOTED:
                    if (c == '>') {
                        return tagEnd(i);
                    }
                    if (isSpace(c)) {
                        st = BEFORE_ATTR_NAME;
                    } else if (c == '/') {
                        st = SELF_CLOSING;
                    } else {
                        st = ATTR_NAME; // no space before the next attribute
                    }
                    i++;
                    break;
                default: // SELF_CLOSING
                    if (c == '>') {
                        selfClosing = true;
                        return tagEnd(i);
                    }
                    st = BEFORE_ATTR_NAME;
                    break;
            }
        }
        state = st;
        return i;
    }

    private void tmpAdd(byte c, byte[] target) {
        byte l = lower(c);
        if (tmpLen >= target.length || target[tmpLen] != l) {
            tmpOk = false;
        }
        tmpLen++;
    }

    private boolean tmpIsScript() {
        return tmpOk && tmpLen == SCRIPT_NAME.length;
    }

    /** After an end tag's name, recognised in raw text: on into the tag's attributes. */
    private int endTagDelimiter(byte[] b, int i) throws IOException {
        byte c = b[i];
        if (c == '>') {
            return tagEnd(i);
        }
        state = c == '/' ? SELF_CLOSING : BEFORE_ATTR_NAME;
        return i + 1;
    }

    /** The tag name is complete: know the element, let the tree react, keep holding only if needed. */
    private void nameDone() throws IOException {
        code = Names.lookup(nameK0, nameK1, nameLen);
        tree.named(code, endTag);
        if (endTag) {
            output.release();
        }
    }

    /** At the {@code >} of a tag (index {@code i}); returns the index after it. */
    private int tagEnd(int i) throws IOException {
        int after = i + 1;
        if (trace != null) {
            trace.tag(output.cb, tagStart, after, endTag);
        }
        if (output.holding) {
            boolean parsed = parsedInPlace;
            parsedInPlace = false;
            rewriter.heldTagEnded(after, parsed);
        }
        int el = code & 0xff;
        if (endTag) {
            tree.endTagEnded(el);
            state = DATA;
            return after;
        }
        tree.startTagEnded(code, selfClosing, after);
        if (xml) {
            // XML has no raw text: only a script's content is read apart, as code
            state = el == Names.SCRIPT && !selfClosing ? XSD : DATA;
            return after;
        }
        // an integration point's own tag is foreign: only what it holds is HTML
        int foreign = tree.openedPoint ? 1 : tree.foreign;
        if (el == Names.SCRIPT && foreign == 0) {
            state = SD;
        } else if (foreign == 0 && el == Names.NOSCRIPT) {
            state = DATA;
            stop = true;
        } else if (foreign == 0 && (code & Names.F_RAW) != 0) {
            rawName = Names.name(el);
            state = RAW;
        } else if (foreign == 0 && el == Names.PLAINTEXT) {
            state = PLAINTEXT;
        } else {
            state = DATA;
        }
        return after;
    }

    /**
     * An element inside an XHTML script (a browser makes it an element, and the script's code is
     * only the text around it): neither reading holds, so the gate fails closed from here.
     */
    private static IllegalStateException markupInScript() {
        return new IllegalStateException("an element inside a script of an XHTML page, which cannot be read as code");
    }

    /** {@code </script} recognised at the delimiter {@code b[i]}. */
    private int scriptEnd(byte[] b, int i) throws IOException {
        tagStart = i - SCRIPT_NAME.length - 2;
        if (output.heldScript) {
            rewriter.heldScriptEnded(i);
        }
        endTag = true;
        selfClosing = false;
        code = Names.SCRIPT;
        return endTagDelimiter(b, i);
    }

    /** Whether {@code b[i, i + 6)} is "script" in any case. */
    static boolean isScriptName(byte[] b, int i) {
        for (int k = 0; k < SCRIPT_NAME.length; k++) {
            if (lower(b[i + k]) != SCRIPT_NAME[k]) {
                return false;
            }
        }
        return true;
    }

    static boolean isAlpha(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isSpace(byte c) {
        return SPACE[c & 0xff];
    }

    private static byte lower(byte c) {
        return (c >= 'A' && c <= 'Z') ? (byte) (c + 32) : c;
    }
}
