package nl.i3groep.consent.html;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.CoderMalfunctionError;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One response's streaming rewriter: a resumable byte-level HTML tokenizer that keeps only what it
 * has not decided yet.
 *
 * <p><b>Security-critical.</b> Whatever this tokenizer takes for text, a comment or raw text is
 * passed on unexamined, so wherever it disagrees with a browser's tokenizer a tracker can slip
 * through. It follows the WHATWG tokenizer states that decide where tags begin and end: tag
 * open, tag name, the attribute states (quotes count only after {@code =}), comments (including
 * {@code <!-->}, {@code --!>}), bogus comments ({@code <?}, {@code </!}, {@code <!x}, and
 * {@code <![CDATA[}, which outside SVG/MathML ends at the first {@code >}: taking the HTML reading
 * everywhere means the worst error is rewriting text, never skipping a tag), RAWTEXT/RCDATA
 * ({@code style}, {@code xmp}, {@code iframe}, {@code noembed}, {@code noframes}, {@code textarea},
 * {@code title}), {@code plaintext}, and the script data states with their escaped and
 * double-escaped forms. {@code noscript} content is taken as markup (as with scripting off), so
 * its pixels are seen. Tree construction is approximated only for SVG/MathML nesting.
 *
 * <p>Speed: untouched bytes are never copied, only written as runs of the caller's array. A tag
 * that lies wholly inside one write has its end found (and, if it is to be inspected, its
 * attributes parsed) by {@link Tag}'s tight loops rather than this state switch; both follow the
 * same attribute states, and the tests check that every chunking gives the same output. After
 * the head, outside SVG/MathML, text, comments and tags that change nothing go through
 * {@link #plainRun}, one small loop that the JIT compiles on its own; it hands anything else, or
 * anything cut off by the end of a write, back to the states at its {@code <}.
 *
 * <p>Memory: a held tag is at most {@link #CAP} bytes, a held inline script's content at most
 * {@link #CAP} more (plus one write's worth while deciding). An interesting tag longer than that
 * is renamed {@code x-consent-<name>}, which no browser loads anything for; an inline script
 * longer than that is judged on its first {@link #CAP} bytes.
 */
final class GateStream extends OutputStream {

    static final int CAP = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(HtmlGate.class);

    private static final int DATA = 0, TAG_OPEN = 1, END_TAG_OPEN = 2, TAG_NAME = 3, BEFORE_ATTR_NAME = 4,
            ATTR_NAME = 5, AFTER_ATTR_NAME = 6, BEFORE_ATTR_VALUE = 7, VALUE_DQ = 8, VALUE_SQ = 9, VALUE_UNQ = 10,
            AFTER_VALUE_QUOTED = 11, SELF_CLOSING = 12, MD_OPEN = 13, MD_DASH = 14, COMMENT_START = 15,
            COMMENT_START_DASH = 16, COMMENT = 17, BOGUS = 18, RAW = 19, RAW_LT = 20, RAW_END = 21, PLAINTEXT = 22,
            SD = 23, SD_LT = 24, SD_END_OPEN = 25, SD_END_NAME = 26, SD_ESC_START = 27, SD_ESC_START_DASH = 28,
            SD_ESC = 29, SD_ESC_DASH = 30, SD_ESC_DASH_DASH = 31, SD_ESC_LT = 32, SD_ESC_END_OPEN = 33,
            SD_ESC_END_NAME = 34, SD_DESC_START = 35, SD_DESC = 36, SD_DESC_DASH = 37, SD_DESC_DASH_DASH = 38,
            SD_DESC_LT = 39, SD_DESC_END = 40;

    private static final int UNKNOWN = 0, DOCUMENT = 1, FRAGMENT = 2;
    private static final int BEFORE_HEAD = 0, IN_HEAD = 1, AFTER_HEAD = 2;

    private static final byte[] SCRIPT_NAME = {'s', 'c', 'r', 'i', 'p', 't'};
    private static final byte[] DOCTYPE = {'d', 'o', 'c', 't', 'y', 'p', 'e'};
    private static final byte[] OVERLONG = "<x-consent-".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TEXT_PLAIN = " type=\"text/plain\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA_CONSENT_ = "data-consent-".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA_TYPE = "data-type".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LT_ESCAPED = "&lt;".getBytes(StandardCharsets.US_ASCII);

    private static final int OP_NONE = 0, OP_PREFIX = 1, OP_DATA_TYPE = 2, OP_DELETE = 3;

    private final OutputStream out;
    private final HtmlGate gate;
    private final Rules rules;
    private final Rules.Markers markers;
    private final Charset cs;
    private final long allowed;
    private final Page page;
    private final byte[] nonceAttr;

    private int state = DATA;
    private byte[] cb;
    private int emitFrom;
    private boolean holding;
    private int holdStart;
    private final Bytes.Buf pend = new Bytes.Buf(256);
    private byte[] vb;
    private int vo;
    private int ve;

    private boolean endTag;
    private boolean selfClosing;
    /** The tag name, lower-cased, packed eight bytes to a long (see {@link Names#pack}). */
    private long nameK0;
    private long nameK1;

    /** Bytes that end a tag name: white space, "/" and ">". */
    private static final boolean[] NAME_END = new boolean[256];
    private static final boolean[] SPACE = new boolean[256];

    static {
        for (char c : new char[] {' ', '\t', '\n', '\f', '\r'}) {
            SPACE[c] = true;
            NAME_END[c] = true;
        }
        NAME_END['/'] = true;
        NAME_END['>'] = true;
    }
    private int nameLen;
    private int code;
    private byte[] rawName;
    private int tmpLen;
    private boolean tmpOk;
    private int mdCount;
    private boolean docMatch;
    private int dashes;
    private boolean bang;
    private boolean heldScript;
    private int scriptTagLen;
    private int foreign;
    /** Of {@link #foreign}, the open {@code svg} elements: a browser ignores a {@code </math>} that closes none. */
    private int svgOpen;

    private int doc = UNKNOWN;
    private int phase = BEFORE_HEAD;
    /**
     * Inside a {@code <noscript>} (raw text to a browser that runs scripts) or a {@code <template>}
     * of the head: nothing there ends the head, and nothing inserted there would run.
     */
    private boolean inNoscript;
    private int inTemplates;
    private boolean cmDone;
    private boolean bannerDone;
    private long seen;

    private final byte[] one = new byte[1];
    private boolean viewInPend;
    /** The held tag was parsed while finding its end, so {@code tag} holds it already. */
    private boolean parsedInPlace;
    /** Whether the last decision rewrote its tag (the new bytes are in {@code scratch}). */
    private boolean edited;
    private final Tag tag = new Tag();
    /** Finds the ends of tags that need no inspection (kept apart from {@code tag}, which may hold a script's). */
    private final Tag skip = new Tag();
    private final Bytes.Buf scratch = new Bytes.Buf(256);
    private final Bytes.Buf ins = new Bytes.Buf(64);
    private int[] ops = new int[8];

    private boolean failed;
    private boolean closed;
    /** Bytes of the body taken before this write, for the failure's log line. */
    private long taken;

    /** Sees every complete tag, for the tokenizer conformance test; null otherwise. */
    interface Trace {
        /** A tag {@code b[from, to)}, valid when the whole input came in one write. */
        void tag(byte[] b, int from, int to, boolean endTag);
    }

    Trace trace;
    private int tagStart;

    GateStream(OutputStream out, HtmlGate gate, Rules rules, Charset cs, long allowed, Page page) {
        this.out = out;
        this.gate = gate;
        this.rules = rules;
        this.markers = rules.markers(cs);
        this.cs = cs;
        this.allowed = allowed;
        this.page = page;
        this.nonceAttr = page.nonce().map(n -> (" nonce=\"" + n + "\"").getBytes(StandardCharsets.US_ASCII))
                .orElse(null);
    }

    // ---- OutputStream ---------------------------------------------------------------------------

    @Override
    public void write(int b) throws IOException {
        // safe to reuse: nothing refers to a written array once write returns (held bytes are copied)
        one[0] = (byte) b;
        write(one, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return;
        }
        if (failed) {
            escaped(b, off, off + len);
            return;
        }
        cb = b;
        if (holding) {
            holdStart = off;
        } else {
            emitFrom = off;
        }
        try {
            run(b, off, off + len);
            if (holding) {
                flushBeforeHold();
                pend.add(b, holdStart, off + len - holdStart);
                holdStart = off + len;
                if (heldScript && pend.n - scriptTagLen > CAP) {
                    scriptOverflow();
                } else if (!heldScript && pend.n > CAP) {
                    tagOverflow();
                }
            } else if (emitFrom < off + len) {
                out.write(b, emitFrom, off + len - emitFrom);
            }
        } catch (RuntimeException | CoderMalfunctionError e) {
            logFailure(e);
            fail(b, off + len);
        } finally {
            cb = null;
            taken += len;
        }
    }

    @Override
    public void flush() throws IOException {
        if (!closed) {
            out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try (OutputStream o = out) {
            if (failed) {
                return;
            }
            try {
                finish();
            } catch (RuntimeException | CoderMalfunctionError e) {
                logFailure(e);
                failed = true;
                if (pend.n > 0) {
                    escaped(pend.a, 0, pend.n);
                }
            }
        }
    }

    /** End of input: decide what is held, insert what never found its place. */
    private void finish() throws IOException {
        if (holding) {
            if (heldScript) {
                // a script left open at the end of the document still runs: judge it as it is
                vb = pend.a;
                vo = 0;
                ve = pend.n;
                decideInline(ve);
                writeHeldScript();
            } else {
                // a tag cut off by the end of input is dropped by browsers
                out.write(pend.a, 0, pend.n);
            }
            pend.n = 0;
            holding = false;
        }
        if (doc == DOCUMENT) {
            if (phase != AFTER_HEAD) {
                headEnd();
            }
            banner();
        }
    }

    /**
     * Once per body: after the first failure nothing more is gated, so nothing more can fail. A
     * charset's coder that throws reaches here as the JDK's {@link CoderMalfunctionError}, the one
     * error caught: the body's charset is the response's, not the gate's.
     */
    private void logFailure(Throwable e) {
        LOG.error("the HTML gate failed in a write that began {} bytes into a body in {}; the rest of it is served with every '<' escaped,"
                + " so no tag (and no tracker) in it takes effect", taken, cs.name(), e);
    }

    /**
     * Fail closed: something inside broke, so nothing after this point may become a tag. What is
     * held and the rest of the input go out with every {@code <} escaped.
     */
    private void fail(byte[] b, int end) throws IOException {
        failed = true;
        if (holding) {
            if (pend.n == 0 && holdStart > emitFrom) {
                out.write(b, emitFrom, holdStart - emitFrom); // decided before the hold
            }
            escaped(pend.a, 0, pend.n);
            escaped(b, Math.min(holdStart, end), end);
        } else {
            escaped(b, Math.min(emitFrom, end), end);
        }
        pend.n = 0;
        holding = false;
    }

    private void escaped(byte[] b, int from, int to) throws IOException {
        int i = from;
        while (i < to) {
            int j = Bytes.indexOf(b, (byte) '<', i, to);
            out.write(b, i, j - i);
            if (j < to) {
                out.write(LT_ESCAPED);
                j++;
            }
            i = j;
        }
    }

    // ---- holding --------------------------------------------------------------------------------

    /**
     * Starts holding at {@code at}. Nothing is written: bytes are written only when something else
     * must go out instead of them or before them, so that untouched runs go out in one write.
     */
    private void hold(int at) {
        holding = true;
        holdStart = at;
    }

    /** Writes what lies before the hold in this chunk, if it is not out yet. */
    private void flushBeforeHold() throws IOException {
        if (pend.n == 0 && holdStart > emitFrom) {
            out.write(cb, emitFrom, holdStart - emitFrom);
        }
        emitFrom = holdStart;
    }

    /** What is held passes unchanged after all; the chunk's run continues through it. */
    private void release() throws IOException {
        if (pend.n > 0) {
            out.write(pend.a, 0, pend.n);
            pend.n = 0;
            emitFrom = holdStart;
        }
        holding = false;
    }

    /** Makes the held bytes up to {@code i} contiguous in {@code vb[vo, ve)}. */
    private void view(int i) {
        if (pend.n == 0) {
            vb = cb;
            vo = holdStart;
            ve = i;
            viewInPend = false;
        } else {
            pend.add(cb, holdStart, i - holdStart);
            holdStart = i;
            vb = pend.a;
            vo = 0;
            ve = pend.n;
            viewInPend = true;
        }
    }

    /** The held tag {@code vb[vo, ve)} is decided ({@code edited}: its new form is in {@code scratch}). */
    private void commitTag(int after) throws IOException {
        if (edited) {
            flushBeforeHold();
            out.write(scratch.a, 0, scratch.n);
            emitFrom = after;
        } else if (viewInPend) {
            out.write(vb, vo, ve - vo);
            emitFrom = after;
        }
        // else: unchanged and in this chunk, so part of the run
        pend.n = 0;
        holding = false;
    }

    /** The held script (start tag, content, maybe {@code </script}) in {@code vb[vo, ve)} is decided. */
    private void writeHeldScript() throws IOException {
        if (edited) {
            flushBeforeHold();
            out.write(scratch.a, 0, scratch.n);
            out.write(vb, vo + scriptTagLen, ve - vo - scriptTagLen);
        } else {
            flushBeforeHold();
            out.write(vb, vo, ve - vo);
        }
    }


    private void emitTo(int i) throws IOException {
        if (i > emitFrom) {
            out.write(cb, emitFrom, i - emitFrom);
        }
        emitFrom = i;
    }

    // ---- the tokenizer --------------------------------------------------------------------------

    private void run(byte[] b, int i, int end) throws IOException {
        while (i < end) {
            byte c;
            switch (state) {
                case DATA: {
                    if (doc == UNKNOWN || (doc == DOCUMENT && phase != AFTER_HEAD)) {
                        i = slowText(b, i, end);
                    } else if (foreign == 0 && !holding) {
                        // most of a page: text and plain tags, passed over in a loop of their own
                        i = plainRun(b, i, end);
                    }
                    int j = Bytes.indexOf(b, (byte) '<', i, end);
                    if (j == end) {
                        return;
                    }
                    hold(j);
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
                        release();
                        state = MD_OPEN;
                        i++;
                    } else if (c == '?') {
                        release();
                        mdCount = DOCTYPE.length;
                        docMatch = false;
                        state = BOGUS;
                        i++;
                    } else {
                        // "<" as text
                        if (doc == UNKNOWN) {
                            doc = FRAGMENT;
                        } else if (doc == DOCUMENT && phase != AFTER_HEAD && !hiddenInHead()) {
                            headEnd();
                        }
                        release();
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
                        release();
                        i++;
                        state = DATA;
                    } else {
                        release();
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
                    if (doc == UNKNOWN && docMatch && mdCount == DOCTYPE.length) {
                        doc = DOCUMENT;
                    }
                    break;
                }
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

    /**
     * The fast path of the data state, for the bulk of a page: text, and complete tags that change
     * nothing here (no raw text after them, not SVG/MathML, not an end of head, body or html; held
     * elements only when {@link #plainUrlTag} or {@link #plainScript} show them unchanged). Only
     * valid after the head (or in a fragment) outside foreign content, when nothing is held; then
     * such a tag's only effect in {@link #nameDone} and {@link #tagEnd} is to stay in the data state. It reads a tag exactly as {@link #tagName} and {@link Tag#skipTo} do, and
     * stops at the {@code <} of anything else (or of a tag not complete in this write), which the
     * general path then takes from the start. Kept small so the JIT compiles it on its own, whole.
     */
    private int plainRun(byte[] b, int i, int end) {
        while (true) {
            int j = Bytes.indexOf(b, (byte) '<', i, end);
            if (j + 2 >= end) {
                return j;
            }
            int p = j + 1;
            boolean et = b[p] == '/';
            if (et) {
                p++;
            }
            if (!isAlpha(b[p])) {
                if (!et && b[p] == '!') {
                    int after = commentEnd(b, j, end);
                    if (after > 0) {
                        i = after;
                        continue;
                    }
                }
                return j;
            }
            int n = 0;
            long k0 = 0;
            long k1 = 0;
            while (p < end) {
                byte c = b[p];
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
                p++;
            }
            if (p == end) {
                return j;
            }
            int code = Names.mayBeNotable(b[et ? j + 2 : j + 1], n) ? Names.lookup(k0, k1, n) : 0;
            int el = code & 0xff;
            int after;
            if (et ? el == Names.HEAD || el == Names.BODY || el == Names.HTML
                    : (code & Names.F_RAW) != 0 || el == Names.SVG || el == Names.MATH || el == Names.PLAINTEXT) {
                return j;
            }
            if (et || (code & Names.F_HELD) == 0) {
                // one call site for every plain tag: its count then marks it hot, and the JIT
                // inlines it (split over two sites, a fork sometimes compiled both as calls)
                after = skip.skipTo(b, p, end);
            } else if (el == Names.SCRIPT) {
                after = plainScript(b, j, p, end);
                if (after < 0) {
                    return j;
                }
                i = after;
                continue;
            } else {
                after = plainUrlTag(b, j, p, end);
            }
            if (after < 0) {
                return j;
            }
            if (trace != null) {
                trace.tag(b, j, after, et);
            }
            i = after;
        }
    }

    /**
     * For {@link #plainRun}: a URL element ({@code <img>}, {@code <source>}, {@code <link>}, ...)
     * that {@link #urlElement} would pass unchanged, as {@link Tag#skipPlainTo} shows: the index
     * after its end, else -1 (the general path then decides it).
     */
    private int plainUrlTag(byte[] b, int j, int p, int end) {
        int after = skip.skipPlainTo(b, p, end);
        return after - j > CAP ? -1 : after;
    }

    /**
     * For {@link #plainRun}: a script that stays as it is: a {@linkplain Tag#skipPlainTo plain}
     * start tag, no nonce to add, its content complete in this write without {@code <!} (where the
     * escaped states begin) and without any tracker's marker. The index after its end tag, else -1.
     * Whatever its type and a relative src, such a script is kept by {@link #scriptTag} and
     * {@link #decideInline}.
     */
    private int plainScript(byte[] b, int j, int p, int end) {
        if (nonceAttr != null) {
            return -1;
        }
        int content = skip.skipPlainTo(b, p, end);
        if (content < 0 || content - j > CAP) {
            return -1;
        }
        int q = content;
        while (true) {
            q = Bytes.indexOf(b, (byte) '<', q, end);
            if (q + 8 >= end || q - content > CAP || b[q + 1] == '!') {
                return -1;
            }
            if (b[q + 1] == '/' && isScriptName(b, q + 2) && NAME_END[b[q + 8] & 0xff]) {
                break;
            }
            q++;
        }
        if (markers.scan(b, content, q) != 0) {
            return -1;
        }
        int after = skip.skipTo(b, q + 8, end);
        if (after < 0) {
            return -1;
        }
        if (trace != null) {
            trace.tag(b, j, content, false);
            trace.tag(b, q, after, true);
        }
        return after;
    }

    /**
     * For {@link #plainRun}: if {@code b[j]} begins a comment ({@code <!--}) that ends in this write,
     * the index after its end; else -1. The same ends as the comment states: {@code <!-->},
     * {@code <!--->}, then the first {@code -->} or {@code --!>} whose dashes follow the opening.
     */
    private static int commentEnd(byte[] b, int j, int end) {
        int p = j + 4; // after "<!--"
        if (p + 1 >= end || b[j + 2] != '-' || b[j + 3] != '-') {
            return -1;
        }
        if (b[p] == '>') {
            return p + 1;
        }
        if (b[p] == '-' && b[p + 1] == '>') {
            return p + 2;
        }
        for (int k = Bytes.indexOf(b, (byte) '>', p, end); k < end; k = Bytes.indexOf(b, (byte) '>', k + 1, end)) {
            if (k - 2 >= p && b[k - 1] == '-' && b[k - 2] == '-'
                    || k - 3 >= p && b[k - 1] == '!' && b[k - 2] == '-' && b[k - 3] == '-') {
                return k + 1;
            }
        }
        return -1;
    }

    /** The tag name state: the name lower-cased into {@code nameK0/nameK1}, then on into the attributes. */
    private int tagName(byte[] b, int i, int end) throws IOException {
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
        if (holding && pend.n == 0) {
            // a tag to inspect, begun in this write: parse it once, finding its end on the way
            int after = tag.parseTo(b, holdStart, end);
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
        if (!holding) {
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

    /** Text before the head has ended or before the document kind is known: each byte may matter. */
    private int slowText(byte[] b, int i, int end) throws IOException {
        for (; i < end; i++) {
            int c = b[i] & 0xff;
            if (c == '<') {
                return i;
            }
            if (c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r') {
                continue;
            }
            if (doc == UNKNOWN) {
                if (c == 0xEF || c == 0xBB || c == 0xBF) {
                    continue; // byte order mark
                }
                doc = FRAGMENT;
                return i;
            }
            if (hiddenInHead()) {
                continue;
            }
            // text ends the head
            emitTo(i);
            headEnd();
            return i;
        }
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

    // ---- tags -----------------------------------------------------------------------------------

    /** The tag name is complete: know the element, insert before it, keep holding only if needed. */
    private void nameDone() throws IOException {
        code = Names.lookup(nameK0, nameK1, nameLen);
        int el = code & 0xff;
        if (doc == UNKNOWN) {
            doc = !endTag && el == Names.HTML ? DOCUMENT : FRAGMENT;
        }
        if (doc == DOCUMENT && phase != AFTER_HEAD && hiddenInHead(el)) {
            // the head goes on around it
        } else if (doc == DOCUMENT) {
            if (!endTag) {
                if (phase == BEFORE_HEAD) {
                    if (el != Names.HTML && el != Names.HEAD) {
                        if ((code & Names.F_HEAD) != 0) {
                            insertConsentMode();
                            phase = IN_HEAD;
                        } else {
                            headEnd();
                        }
                    }
                } else if (phase == IN_HEAD && (code & Names.F_HEAD) == 0) {
                    headEnd();
                }
            } else if (el == Names.HEAD || el == Names.BODY || el == Names.HTML) {
                if (phase != AFTER_HEAD) {
                    headEnd();
                }
                if (el != Names.HEAD) {
                    banner();
                }
            }
        }
        if ((code & Names.F_HELD) == 0 || endTag) {
            release();
        }
    }

    private boolean hiddenInHead() {
        return inNoscript || inTemplates > 0;
    }

    /**
     * Whether the tag (element {@code el}, named just now) is inside a noscript or template of the
     * head, or closes one; notes the ones it opens and closes. One that it opens is not yet inside.
     */
    private boolean hiddenInHead(int el) {
        boolean inside = hiddenInHead();
        if (inNoscript) {
            // to a browser that runs scripts, all up to the first </noscript> is text
            inNoscript = !(endTag && el == Names.NOSCRIPT);
        } else if (el == Names.NOSCRIPT && !endTag) {
            inNoscript = true;
        } else if (el == Names.TEMPLATE) {
            inTemplates = endTag ? Math.max(0, inTemplates - 1) : inTemplates + 1;
        }
        return inside;
    }

    /** At the {@code >} of a tag (index {@code i}); returns the index after it. */
    private int tagEnd(int i) throws IOException {
        int after = i + 1;
        if (trace != null) {
            trace.tag(cb, tagStart, after, endTag);
        }
        if (holding) {
            heldTagEnd(after);
        }
        int el = code & 0xff;
        if (!endTag) {
            if (foreign > 0 && (code & Names.F_BREAKOUT) != 0) {
                foreign = 0;
                svgOpen = 0;
            }
            if (el == Names.SVG || el == Names.MATH) {
                if (!selfClosing) {
                    foreign++;
                    svgOpen += el == Names.SVG ? 1 : 0;
                }
                state = DATA;
            } else if (el == Names.SCRIPT && !(foreign > 0 && selfClosing)) {
                state = SD;
            } else if (foreign == 0 && (code & Names.F_RAW) != 0) {
                rawName = Names.name(el);
                state = RAW;
            } else if (foreign == 0 && el == Names.PLAINTEXT) {
                state = PLAINTEXT;
            } else {
                state = DATA;
            }
            if (el == Names.HEAD && doc == DOCUMENT && phase == BEFORE_HEAD) {
                emitTo(after);
                insertConsentMode();
                phase = IN_HEAD;
            }
        } else {
            if (el == Names.SVG ? svgOpen > 0 : el == Names.MATH && foreign > svgOpen) {
                foreign--;
                svgOpen -= el == Names.SVG ? 1 : 0;
            }
            state = DATA;
        }
        return after;
    }

    private void heldTagEnd(int after) throws IOException {
        boolean parsed = parsedInPlace;
        parsedInPlace = false;
        view(after);
        if (ve - vo > CAP) {
            scratch.n = 0;
            scratch.add(OVERLONG);
            scratch.add(vb, vo + 1, ve - vo - 1);
            edited = true;
            code = 0;
            commitTag(after);
            return;
        }
        if (!parsed) {
            tag.parse(vb, vo, ve);
        }
        if ((code & 0xff) == Names.SCRIPT) {
            if (!scriptTag()) {
                scriptTagLen = ve - vo;
                if (foreign > 0 && selfClosing) {
                    decideInline(ve); // <svg><script/>: no content follows
                } else {
                    heldScript = true;
                    return;
                }
            }
        } else {
            urlElement();
        }
        commitTag(after);
    }

    /** A held tag grew past the cap before its end: rename it so that it loads nothing, pass it on. */
    private void tagOverflow() throws IOException {
        scratch.n = 0;
        scratch.add(OVERLONG);
        scratch.add(pend.a, 1, pend.n - 1);
        out.write(scratch.a, 0, scratch.n);
        code = 0;
        pend.n = 0;
        holding = false;
        emitFrom = holdStart;
    }

    /** A held inline script's content grew past the cap: judge it on its first {@link #CAP} bytes. */
    private void scriptOverflow() throws IOException {
        vb = pend.a;
        vo = 0;
        ve = pend.n;
        decideInline(ve);
        writeHeldScript();
        heldScript = false;
        pend.n = 0;
        holding = false;
        emitFrom = holdStart;
    }

    /** {@code </script} recognised at the delimiter {@code b[i]}. */
    private int scriptEnd(byte[] b, int i) throws IOException {
        tagStart = i - SCRIPT_NAME.length - 2;
        if (heldScript) {
            view(i);
            decideInline(ve - SCRIPT_NAME.length - 2);
            if (edited || viewInPend) {
                writeHeldScript();
                emitFrom = i;
            }
            heldScript = false;
            pend.n = 0;
            holding = false;
        }
        endTag = true;
        selfClosing = false;
        code = Names.SCRIPT;
        return endTagDelimiter(b, i);
    }

    /** Decides a held inline script whose content is {@code vb[vo + scriptTagLen, contentEnd)}; emits its start tag. */
    private void decideInline(int contentEnd) throws IOException {
        int from = vo + scriptTagLen;
        long bits = markers.scan(vb, from, Math.min(contentEnd, from + CAP));
        // the start tag was parsed when it ended; its spans still hold if it has not moved since
        // (held bytes only move to a new array, and are only appended to)
        if (tag.b != vb || tag.start != vo || tag.end != from) {
            tag.parse(vb, vo, from);
        }
        noteSeen(bits);
        if (bits != 0 && !allows(bits)) {
            inert(bits, true);
        } else {
            keep();
        }
    }

    /**
     * A script start tag in {@code tag}: decided by its mark and its URL, or, when inline and
     * unmarked, left to its content. Returns false for the latter.
     */
    private boolean scriptTag() throws IOException {
        String type = tag.value("type", cs);
        String mark = tag.value("data-consent", cs);
        long bits = mark == null ? 0 : rules.bitsOfMark(mark);
        boolean hasSrc = false;
        // href and xlink:href load an SVG script; on an HTML script they do nothing, so checking is harmless
        for (String attr : SCRIPT_URLS) {
            int k = tag.find(attr);
            if (k >= 0) {
                hasSrc |= attr.equals("src");
                if (tag.valueStart[k] >= 0 && Rules.mayHaveHost(tag.b, tag.valueStart[k], tag.valueStop[k])) {
                    bits |= rules.matchUrl(tag.value(k, cs));
                }
            }
        }
        boolean exec = executable(type);
        boolean parked = mark != null && type != null && type.strip().equalsIgnoreCase("text/plain");
        if (!exec && !parked) {
            emitRaw();
            return true;
        }
        if (mark == null && !hasSrc && bits == 0) {
            return false;
        }
        noteSeen(bits);
        if (parked) {
            if (allows(bits)) {
                restore();
            } else {
                emitRaw();
            }
        } else if (bits != 0 && !allows(bits)) {
            inert(bits, mark == null);
        } else {
            keep();
        }
        return true;
    }

    private void noteSeen(long bits) {
        if (phase != AFTER_HEAD && !inNoscript) {
            seen |= bits;
        }
    }

    private boolean allows(long bits) {
        return (bits & ~allowed) == 0;
    }

    /** Denied: {@code type="text/plain"} first (the first of duplicate attributes wins), the old type kept. */
    private void inert(long bits, boolean addMark) throws IOException {
        ins.n = 0;
        ins.add(TEXT_PLAIN);
        if (addMark) {
            ins.add(rules.markAttribute(bits & ~Rules.UNKNOWN));
        }
        clearOps();
        for (int k = 0; k < tag.count; k++) {
            if (tag.nameIs(k, "type")) {
                ops[k] = OP_DATA_TYPE;
            }
        }
        emitEdited();
    }

    /**
     * Executable and allowed (or no tracker's): unchanged but for the response's nonce, which
     * replaces one of the application's own (its policy is given this nonce; the filter's policy,
     * enforced beside it, admits no other).
     */
    private void keep() throws IOException {
        if (nonceAttr == null) {
            emitRaw();
            return;
        }
        ins.n = 0;
        ins.add(nonceAttr);
        clearOps();
        deleteOwnNonce();
        emitEdited();
    }

    private void deleteOwnNonce() {
        for (int k = 0; k < tag.count; k++) {
            if (tag.nameIs(k, "nonce")) {
                ops[k] = OP_DELETE;
            }
        }
    }

    /** A parked ({@code text/plain}, marked) script that is allowed: its {@code data-type}, or no type. */
    private void restore() throws IOException {
        ins.n = 0;
        String dataType = tag.value("data-type", cs);
        if (dataType != null && !dataType.isBlank()) {
            addAttr("type", dataType);
        }
        clearOps();
        if (nonceAttr != null) {
            ins.add(nonceAttr);
            deleteOwnNonce();
        }
        for (int k = 0; k < tag.count; k++) {
            if (tag.nameIs(k, "type")) {
                ops[k] = OP_DELETE;
            }
        }
        emitEdited();
    }

    /** An element that fetches a URL: rename the URL attributes that point to denied trackers. */
    private void urlElement() throws IOException {
        String[] attrs = urlAttributes(code & 0xff);
        String mark = tag.value("data-consent", cs);
        long markBits = mark == null ? 0 : rules.bitsOfMark(mark);
        boolean markDenied = mark != null && !allows(markBits);
        long deniedBits = 0;
        clearOps();
        boolean any = false;
        for (String attr : attrs) {
            int k = tag.find(attr);
            if (k < 0) {
                continue;
            }
            long bits = 0;
            int vs = tag.valueStart[k];
            int ve = tag.valueStop[k];
            if (vs < 0) {
                bits = 0;
            } else if (attr.endsWith("srcset")) {
                if (Rules.mayHaveHostSrcset(tag.b, vs, ve)) {
                    bits = matchSrcset(tag.value(k, cs));
                }
            } else if (attr.equals("srcdoc")) {
                bits = matchDocument(tag.value(k, cs));
            } else if (Rules.mayHaveHost(tag.b, vs, ve)) {
                bits = (code & 0xff) == Names.BASE ? rules.matchBase(tag.value(k, cs)) : rules.matchUrl(tag.value(k, cs));
            }
            if (markDenied || (bits != 0 && !allows(bits))) {
                deniedBits |= bits;
                any = true;
                // every occurrence: renaming only the first would let a duplicate take effect
                for (int d = k; d < tag.count; d++) {
                    if (tag.nameIs(d, attr)) {
                        ops[d] = OP_PREFIX;
                    }
                }
            }
        }
        if (!any) {
            emitRaw();
            return;
        }
        ins.n = 0;
        if (mark == null) {
            ins.add(rules.markAttribute(deniedBits & ~Rules.UNKNOWN));
        }
        emitEdited();
    }

    private static final String[] SCRIPT_URLS = {"src", "href", "xlink:href"};
    // href and xlink:href: an SVG <image> or <feImage> (read as img here) loads from them
    private static final String[] IMG = {"src", "srcset", "href", "xlink:href"};
    private static final String[] IFRAME = {"src", "srcdoc"};
    private static final String[] SRC = {"src"};
    private static final String[] OBJECT = {"data"};
    private static final String[] SOURCE = {"src", "srcset"};
    private static final String[] LINK = {"href", "imagesrcset"};
    private static final String[] VIDEO = {"src", "poster"};
    private static final String[] BASE_HREF = {"href"};

    private static String[] urlAttributes(int el) {
        return switch (el) {
            case Names.IMG -> IMG;
            case Names.IFRAME -> IFRAME;
            case Names.OBJECT -> OBJECT;
            case Names.SOURCE -> SOURCE;
            case Names.LINK -> LINK;
            case Names.BASE -> BASE_HREF;
            case Names.VIDEO -> VIDEO;
            default -> SRC;
        };
    }

    /** Every candidate of a srcset; over-splitting (on commas inside URLs) can only find more hosts. */
    private long matchSrcset(String v) {
        long bits = 0;
        int n = v.length();
        int i = 0;
        while (i < n) {
            while (i < n && (v.charAt(i) <= ' ' || v.charAt(i) == ',')) {
                i++;
            }
            int s = i;
            while (i < n && v.charAt(i) > ' ' && v.charAt(i) != ',') {
                i++;
            }
            if (i > s) {
                bits |= rules.matchUrl(v.substring(s, i));
            }
        }
        return bits;
    }

    /**
     * An iframe's srcdoc is a document: any tracker host or marker in it counts, also a host spelled
     * with character references (decoded again for each level of nesting), percent-escapes, or the
     * tabs and line breaks that a URL parser drops.
     */
    private long matchDocument(String v) {
        long bits = markers.scan(v, cs);
        String plain = v;
        for (int level = 0; level < 4 && plain.indexOf('&') >= 0; level++) {
            plain = CharRefs.decode(plain);
        }
        plain = Rules.percentDecode(plain.replace("\t", "").replace("\n", "").replace("\r", ""));
        bits |= markers.scan(plain, cs);
        String lower = plain.toLowerCase(java.util.Locale.ROOT);
        for (String host : rules.hostNames) {
            if (lower.contains(host)) {
                long b = rules.matchHost(host, "/", "");
                bits |= b != 0 ? b : Rules.UNKNOWN;
            }
        }
        return bits;
    }

    private void addAttr(String attr, String value) {
        ins.add(' ');
        ins.add(attr.getBytes(StandardCharsets.US_ASCII));
        ins.add('=');
        ins.add('"');
        ins.add(escape(value).getBytes(cs));
        ins.add('"');
    }

    private static String escape(String v) {
        if (v.indexOf('&') < 0 && v.indexOf('"') < 0) {
            return v;
        }
        return v.replace("&", "&amp;").replace("\"", "&quot;");
    }

    private void clearOps() {
        if (ops.length < tag.count) {
            ops = new int[Math.max(tag.count, ops.length * 2)];
        }
        java.util.Arrays.fill(ops, 0, tag.count, OP_NONE);
    }

    private void emitRaw() {
        edited = false;
    }

    /** The tag with {@code ins} after its name and {@code ops} applied; built first, written at once. */
    private void emitEdited() {
        byte[] b = tag.b;
        scratch.n = 0;
        scratch.add(b, tag.start, tag.nameEnd - tag.start);
        scratch.add(ins.a, 0, ins.n);
        int cursor = tag.nameEnd;
        for (int k = 0; k < tag.count; k++) {
            int op = ops[k];
            if (op == OP_NONE) {
                continue;
            }
            int ns = tag.nameStart[k];
            scratch.add(b, cursor, ns - cursor);
            if (op == OP_PREFIX) {
                scratch.add(DATA_CONSENT_);
                cursor = ns;
            } else if (op == OP_DATA_TYPE) {
                scratch.add(DATA_TYPE);
                cursor = tag.nameStop[k];
            } else {
                int vs = tag.valueStart[k];
                if (vs < 0) {
                    cursor = tag.nameStop[k];
                } else if (b[vs - 1] == '"' || b[vs - 1] == '\'') {
                    cursor = tag.valueStop[k] + 1;
                } else {
                    cursor = tag.valueStop[k];
                }
            }
        }
        scratch.add(b, cursor, tag.end - cursor);
        edited = true;
    }

    // ---- insertion ------------------------------------------------------------------------------

    private void insertConsentMode() throws IOException {
        if (!cmDone) {
            cmDone = true;
            if (rules.googleBits != 0) {
                if (holding) {
                    flushBeforeHold();
                }
                out.write(gate.consentMode(allowed, cs, page));
            }
        }
    }

    private void headEnd() throws IOException {
        insertConsentMode();
        phase = AFTER_HEAD;
        for (int k = 0; k < rules.configured; k++) {
            long bit = 1L << k;
            if ((allowed & bit) != 0 && (seen & bit) == 0) {
                byte[] snippet = gate.snippet(k, cs, page);
                if (snippet != null) {
                    if (holding) {
                        flushBeforeHold();
                    }
                    out.write(snippet);
                }
            }
        }
    }

    private void banner() throws IOException {
        if (!bannerDone) {
            bannerDone = true;
            if (!page.bodyEndHtml().isEmpty()) {
                if (holding) {
                    flushBeforeHold();
                }
                out.write(HtmlGate.withNonce(page.bodyEndHtml(), page).getBytes(cs));
            }
        }
    }

    // ---- bytes ----------------------------------------------------------------------------------

    private static boolean executable(String type) {
        if (type == null) {
            return true;
        }
        String t = type.strip().toLowerCase(java.util.Locale.ROOT);
        int semi = t.indexOf(';');
        if (semi >= 0) {
            t = t.substring(0, semi).strip();
        }
        return switch (t) {
            case "", "module", "text/javascript", "application/javascript", "application/ecmascript",
                    "application/x-ecmascript", "application/x-javascript", "text/ecmascript", "text/javascript1.0",
                    "text/javascript1.1", "text/javascript1.2", "text/javascript1.3", "text/javascript1.4",
                    "text/javascript1.5", "text/jscript", "text/livescript", "text/x-ecmascript",
                    "text/x-javascript" -> true;
            default -> false;
        };
    }

    /** Whether {@code b[i, i + 6)} is "script" in any case. */
    private static boolean isScriptName(byte[] b, int i) {
        for (int k = 0; k < SCRIPT_NAME.length; k++) {
            if (lower(b[i + k]) != SCRIPT_NAME[k]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlpha(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isSpace(byte c) {
        return SPACE[c & 0xff];
    }

    private static byte lower(byte c) {
        return (c >= 'A' && c <= 'Z') ? (byte) (c + 32) : c;
    }
}
