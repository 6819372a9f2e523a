package nl.i3groep.consent.html;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.CoderMalfunctionError;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gate's rewriter: its parts joined, and the life of a held tag. One serves one response at a
 * time ({@link GateStream} is its handle) and is then reused for another, so that a page costs no
 * allocation once the rewriter has grown to its needs.
 *
 * <ul>
 *   <li>{@link Tokenizer}: the tokenizer states, tag names, attributes, raw text, comments;</li>
 *   <li>{@link FastScan}: the bulk of a page's body, text and tags that cannot concern a tracker;</li>
 *   <li>{@link Tree}: document or fragment, head, SVG/MathML, the head's noscript and template;</li>
 *   <li>{@link Verdict}: which trackers a held tag or script belongs to, allowed or not;</li>
 *   <li>{@link Edit} and {@link Insertions}: the rewrite of a held tag, and what a document gets
 *       inserted;</li>
 *   <li>{@link Output}: held bytes, runs of the caller's array, the fail-closed escape.</li>
 * </ul>
 * Each part is a final class reached through a final field: nothing on the per-byte path is an
 * interface or virtual call.
 *
 * <p>Memory: a held tag is at most {@link #CAP} bytes, a held inline script's content at most
 * {@link #CAP} more (plus one write's worth while deciding). An interesting tag longer than that
 * is renamed {@code x-consent-<name>}, which no browser loads anything for; an inline script
 * longer than that is judged on its first {@link #CAP} bytes, and denied if they name no tracker.
 */
final class Rewriter {

    static final int CAP = 64 * 1024;
    /** Held bytes beyond this are not kept for the next response. */
    private static final int KEPT = 16 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(HtmlGate.class);

    /** Sees every complete tag, for the tokenizer conformance test. */
    interface Trace {
        /** A tag {@code b[from, to)}, valid when the whole input came in one write. */
        void tag(byte[] b, int from, int to, boolean endTag);
    }

    private final Rules rules;
    private final Output output = new Output();
    private final Tag tag = new Tag();
    private final Edit edit;
    private final Insertions insertions;
    private final Tree tree;
    private final Verdict verdict;
    private final FastScan scan = new FastScan(output);
    private final Tokenizer tokenizer;

    private final byte[] one = new byte[1];
    private Charset cs;
    private boolean failed;
    /** Bytes of the body taken before this write, for the failure's log line. */
    private long taken;
    /**
     * How much of a UTF-8 byte-order mark the body began with; -1 once it is known not to begin
     * with one (or the body is read as UTF-8 anyway). A browser reads a body that begins with one
     * as UTF-8, whatever its header says: so does the gate, from there on.
     */
    private int bom;
    private long allowed;
    private Page page;
    private byte[] nonceAttr;
    /** Bytes that may begin a {@code </noscript}, held over to the next write. */
    private final Bytes.Buf carry = new Bytes.Buf(16);
    /** Inside a noscript, as a browser that runs scripts reads it: raw text to the first {@code </noscript}. */
    private boolean noscriptText;
    /** The end of the bytes being gated, for the fail-closed escape. */
    private int segmentEnd;

    Rewriter(HtmlGate gate, Rules rules) {
        this.rules = rules;
        edit = new Edit(tag, rules);
        insertions = new Insertions(gate, rules, output);
        tree = new Tree(output, insertions);
        verdict = new Verdict(rules, edit, tree, insertions);
        tokenizer = new Tokenizer(this, output, tree, scan, tag);
    }

    /** Ready for a body in {@code cs} into {@code out}, for a request that allows {@code allowed}. */
    void start(OutputStream out, Charset cs, long allowed, Page page, byte[] nonceAttr, boolean xml,
            HtmlGate.Contacts contacts) {
        verdict.contacts = contacts;
        failed = false;
        taken = 0;
        bom = cs.equals(StandardCharsets.UTF_8) ? -1 : 0;
        carry.n = 0;
        noscriptText = false;
        output.start(out);
        tree.start(xml);
        tokenizer.start(xml);
        edit.xml = xml;
        read(cs, allowed, page, nonceAttr);
    }

    /** The parts that read or write text: ready for {@code cs}. */
    private void read(Charset cs, long allowed, Page page, byte[] nonceAttr) {
        this.cs = cs;
        this.allowed = allowed;
        this.page = page;
        this.nonceAttr = nonceAttr;
        Rules.Markers markers = rules.markers(cs);
        edit.start(cs, nonceAttr);
        insertions.start(cs, allowed, page, nonceAttr);
        verdict.start(cs, allowed, markers, page == null ? java.util.Map.of() : page.placeholders());
        scan.start(markers, nonceAttr);
    }

    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private void byteOrderMark(byte[] b, int off, int len) {
        for (int i = off; i < off + len && bom >= 0; i++) {
            if (b[i] != UTF8_BOM[bom]) {
                bom = -1;
            } else if (++bom == UTF8_BOM.length) {
                bom = -1;
                read(StandardCharsets.UTF_8, allowed, page, nonceAttr); // only the mark has been read
            }
        }
    }

    /**
     * Lets go of the response (its sink, its page) and of buffers that grew large. Returns whether
     * it may serve another: not after a failure, which may have left a part half-way.
     */
    boolean release() {
        output.start(null);
        insertions.start(null, 0, null, null);
        page = null;
        tag.b = null;
        output.trim(KEPT);
        edit.trim(KEPT);
        tokenizer.trace = null;
        scan.trace = null;
        return !failed;
    }

    /** For the conformance test: every tag the tokenizer or the fast scan reads. */
    void trace(Trace t) {
        tokenizer.trace = t;
        scan.trace = t;
    }

    void write(int b) throws IOException {
        // safe to reuse: nothing refers to a written array once write returns (held bytes are copied)
        one[0] = (byte) b;
        write(one, 0, 1);
    }

    /** Gates {@code b[off, off + len)}, {@code len > 0}. */
    void write(byte[] b, int off, int len) throws IOException {
        if (failed) {
            output.escaped(b, off, off + len);
            return;
        }
        try {
            if (carry.n > 0) {
                // the start of a "</noscript" left from the last write: read on with it in front
                carry.add(b, off, len);
                byte[] joined = java.util.Arrays.copyOf(carry.a, carry.n);
                carry.n = 0;
                gate(joined, 0, joined.length);
            } else {
                gate(b, off, off + len);
            }
        } catch (RuntimeException | CoderMalfunctionError e) {
            logFailure(e);
            failed = true;
            output.fail(segmentEnd);
        } finally {
            output.cb = null;
            taken += len;
        }
    }

    private static final byte[] NOSCRIPT_END = {'<', '/', 'n', 'o', 's', 'c', 'r', 'i', 'p', 't'};
    /**
     * Gates {@code b[from, to)}: one write, or a write with what was carried over in front. In a
     * noscript the markup is read as with scripting off (its pixels are seen), and where a
     * browser that runs scripts would end it (the first {@code </noscript}) while this reading
     * is inside a tag, a comment or raw text, that {@code <} is written as {@code &lt;} (which
     * reads the same there): both readings then agree, and the browser's noscript goes on to
     * where this reading's ends.
     */
    private void gate(byte[] b, int from, int to) throws IOException {
        segmentEnd = to;
        output.begin(b, from);
        if (bom >= 0) {
            byteOrderMark(b, from, to - from);
        }
        int i = from;
        int search = from;
        while (true) {
            int stopAt = to;
            boolean partial = false;
            if (noscriptText) {
                int p = noscriptEnd(b, search, to);
                if (p >= 0) {
                    stopAt = p;
                } else if (p < -1) {
                    stopAt = -p - 2; // may begin one: decided with the next write
                    partial = true;
                }
            }
            tokenizer.run(b, i, stopAt);
            if (tokenizer.stoppedAt < stopAt) {
                noscriptText = true; // a noscript began: its end is looked for from just after its start tag
                i = tokenizer.stoppedAt;
                search = i;
                continue;
            }
            if (partial) {
                carry.add(b, stopAt, to - stopAt);
                to = stopAt;
                break;
            }
            if (stopAt == to) {
                break;
            }
            if (!tokenizer.readsMarkup() || output.holding) {
                output.escapeAt(stopAt); // this reading is not where a "</noscript" ends it
            } else {
                noscriptText = false; // both end it here
            }
            i = stopAt;
            search = stopAt + 1;
        }
        if (output.end(to, CAP)) {
            overflow();
        }
    }

    /**
     * The index of the next {@code </noscript} followed by white space, {@code /} or {@code >} in
     * {@code b[from, to)}; {@code -2 - i} where one may begin at {@code i} but the bytes end
     * first; -1 if there is none.
     */
    private static int noscriptEnd(byte[] b, int from, int to) {
        for (int i = Bytes.indexOf(b, (byte) '<', from, to); i < to; i = Bytes.indexOf(b, (byte) '<', i + 1, to)) {
            int k = 1;
            while (k < NOSCRIPT_END.length && i + k < to && lower(b[i + k]) == NOSCRIPT_END[k]) {
                k++;
            }
            if (i + k == to) {
                return -2 - i;
            }
            if (k == NOSCRIPT_END.length) {
                byte d = b[i + k];
                if (d == ' ' || d == '\t' || d == '\n' || d == '\f' || d == '\r' || d == '/' || d == '>') {
                    return i;
                }
            }
        }
        return -1;
    }

    private static byte lower(byte c) {
        return c >= 'A' && c <= 'Z' ? (byte) (c + 32) : c;
    }

    void flush() throws IOException {
        output.out.flush();
    }

    /** The end of the body: what is held is decided, what never found its place inserted, the sink closed. */
    void close() throws IOException {
        try (OutputStream o = output.out) {
            if (failed) {
                output.escaped(carry.a, 0, carry.n);
                return;
            }
            try {
                if (carry.n > 0) {
                    byte[] rest = java.util.Arrays.copyOf(carry.a, carry.n);
                    carry.n = 0;
                    noscriptText = false; // no "</noscript" follows: what was held over is read as it is
                    gate(rest, 0, rest.length);
                    output.cb = null;
                }
                finish();
            } catch (RuntimeException | CoderMalfunctionError e) {
                logFailure(e);
                failed = true;
                output.failHeld();
            }
        }
    }

    /**
     * Once per body: after the first failure nothing more is gated, so nothing more can fail. A
     * charset's coder that throws reaches here as the JDK's {@link CoderMalfunctionError}, the one
     * error caught: the body's charset is the response's, not the gate's.
     */
    private void logFailure(Throwable e) {
        LOG.error("the HTML gate failed in a write that began {} bytes into a body in {}; the rest of it is served"
                + " with every '<' escaped, so no tag (and no tracker) in it takes effect", taken, cs.name(), e);
        if (verdict.contacts != null) {
            verdict.contacts.failed();
        }
    }

    // ---- the life of a held tag -----------------------------------------------------------------

    /**
     * A held start tag ended just before {@code after} ({@code parsed}: {@link #tag} holds it
     * already): judged and written, or, for an inline script left to its content, held on.
     */
    void heldTagEnded(int after, boolean parsed) throws IOException {
        output.view(after);
        byte[] vb = output.vb;
        int vo = output.vo;
        int ve = output.ve;
        if (ve - vo > CAP) {
            tokenizer.code = 0;
            output.commitTag(after, edit.overlong(vb, vo, ve));
            return;
        }
        if (!parsed) {
            tag.parse(vb, vo, ve);
        }
        int el = tokenizer.code & 0xff;
        if (el == Names.ANNOTATION_XML) {
            String encoding = tag.value("encoding", cs);
            tree.htmlAnnotation = encoding != null && (encoding.strip().equalsIgnoreCase("text/html")
                    || encoding.strip().equalsIgnoreCase("application/xhtml+xml"));
        }
        if (el == Names.SCRIPT) {
            if (!verdict.scriptTag()) {
                output.scriptTagLen = ve - vo;
                if (tree.foreign > 0 && !tokenizer.xml) {
                    // an SVG script's content is markup, read as such: decided on its start tag
                    verdict.foreignInlineScript(!tokenizer.selfClosing);
                } else if (tokenizer.xml && tokenizer.selfClosing) {
                    verdict.inlineScript(vb, vo, ve, ve); // <script/> in XML: no content
                } else {
                    output.heldScript = true;
                    return;
                }
            }
        } else {
            verdict.element(el);
            if (el == Names.STYLE && tree.foreign == 0 && !tokenizer.xml && edit.result() == null) {
                // a stylesheet: judged on its content, held like an inline script's
                output.scriptTagLen = ve - vo;
                output.heldScript = true;
                output.heldStyle = true;
                return;
            }
        }
        output.commitTag(after, edit.result());
    }

    /**
     * {@code </script} of a held inline script (or {@code </style} of a held stylesheet), its
     * delimiter at {@code i}: judged on its content.
     */
    void heldScriptEnded(int i) throws IOException {
        output.view(i);
        decideHeldScript(output.ve - (output.heldStyle ? STYLE_NAME : Tokenizer.SCRIPT_NAME.length) - 2);
        Bytes.Buf edited = edit.result();
        if (edited != null || output.viewInPend) {
            output.writeHeldScript(edited);
            output.emitFrom = i;
        }
        output.drop();
    }

    private static final int STYLE_NAME = "style".length();

    private void decideHeldScript(int contentEnd) {
        if (output.heldStyle) {
            verdict.inlineStyle(output.vb, output.vo, output.vo + output.scriptTagLen, contentEnd);
        } else {
            verdict.inlineScript(output.vb, output.vo, output.vo + output.scriptTagLen, contentEnd);
        }
    }

    /** What is held outgrew {@link #CAP} before its end. */
    private void overflow() throws IOException {
        if (output.heldScript) {
            // an inline script: judged on its first CAP bytes, the rest passes
            output.viewPend();
            decideHeldScript(output.ve);
            output.writeHeldScript(edit.result());
            output.drop();
            output.emitFrom = output.holdStart;
        } else {
            // a tag: renamed, so that it loads nothing
            tokenizer.code = 0;
            output.replaceHeld(edit.overlong(output.pend.a, 0, output.pend.n));
        }
    }

    /** End of input: decide what is held, insert what never found its place. */
    private void finish() throws IOException {
        if (output.holding) {
            if (output.heldScript) {
                // a script left open at the end of the document still runs: judge it as it is
                output.viewPend();
                decideHeldScript(output.ve);
                output.writeHeldScript(edit.result());
            } else {
                // a tag cut off by the end of input is dropped by browsers
                output.out.write(output.pend.a, 0, output.pend.n);
            }
            output.drop();
        }
        tree.finish();
    }
}
