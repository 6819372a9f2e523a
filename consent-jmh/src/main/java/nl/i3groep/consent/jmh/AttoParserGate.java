package nl.i3groep.consent.jmh;

import java.io.IOException;
import java.io.Writer;
import java.util.Arrays;
import org.attoparser.AbstractMarkupHandler;
import org.attoparser.ParseException;
import org.attoparser.output.OutputMarkupHandler;

/**
 * The {@code jsoup} method's job as an AttoParser markup handler, for {@code RewriteBenchmark.attoparser}:
 * what a Java team would write on Thymeleaf's streaming parser. Every event is written out by
 * AttoParser's own serializer, {@link OutputMarkupHandler}, which writes each piece of markup as it
 * was in the input; this handler only adds what the job adds, in front of it:
 * <ul>
 * <li>a {@code <script>} is held, start tag and text, until its end tag, because its text decides
 * its start tag (the honest cost of streaming); one whose {@code src} names a denied host or whose
 * text contains a denied marker, and that is not already {@code text/plain}, gets
 * {@code type="text/plain" data-consent="denied"} as its first attributes, its old {@code type}
 * renamed {@code data-type};
 * <li>on {@code img}, {@code iframe}, {@code embed}, {@code object}, {@code source}, {@code link},
 * {@code video} and {@code audio}, a URL attribute ({@code src}, {@code srcset}, {@code href},
 * {@code data}, {@code poster}) that names a denied host is renamed {@code data-consent-<name>} and
 * the element gets {@code data-consent="denied"};
 * <li>the banner goes before {@code </body>} (at the end, if there is none).
 * </ul>
 * One instance per document, as the gate's stream is; not thread-safe.
 */
final class AttoParserGate extends AbstractMarkupHandler {

    private static final int OTHER = 0;
    private static final int FETCH = 1;
    private static final int SCRIPT = 2;
    private static final String DENIED = " data-consent=\"denied\"";
    private static final String INERT = "<script type=\"text/plain\" data-consent=\"denied\"";

    private final Writer w;
    private final OutputMarkupHandler out;
    private final DenyList deny;
    private final String banner;
    private boolean bannerDone;

    /** The kind of the element whose start tag is being reported. */
    private int kind;
    /** A fetching element's URL attribute was renamed. */
    private boolean renamed;

    // the script being held: its start tag as written, then its text, in `held`
    private boolean holding;
    private char[] held = new char[1024];
    private int heldLen;
    private int tagEnd;
    private int typeAt;
    private boolean plain;
    private boolean srcDenied;

    AttoParserGate(Writer w, DenyList deny, String banner) {
        this.w = w;
        this.out = new OutputMarkupHandler(w);
        this.deny = deny;
        this.banner = banner;
    }

    private static int kind(char[] b, int off, int len) {
        switch (len) {
            case 3:
                return DenyList.is(b, off, len, "img") ? FETCH : OTHER;
            case 4:
                return DenyList.is(b, off, len, "link") ? FETCH : OTHER;
            case 5:
                return DenyList.is(b, off, len, "embed") || DenyList.is(b, off, len, "video")
                        || DenyList.is(b, off, len, "audio") ? FETCH : OTHER;
            case 6:
                if (DenyList.is(b, off, len, "script")) {
                    return SCRIPT;
                }
                return DenyList.is(b, off, len, "iframe") || DenyList.is(b, off, len, "object")
                        || DenyList.is(b, off, len, "source") ? FETCH : OTHER;
            default:
                return OTHER;
        }
    }

    private static boolean urlAttribute(char[] b, int off, int len) {
        return DenyList.is(b, off, len, "src") || DenyList.is(b, off, len, "srcset") || DenyList.is(b, off, len, "href")
                || DenyList.is(b, off, len, "data") || DenyList.is(b, off, len, "poster");
    }

    // ---- element starts: the kind decides; a script is held from here ---------------------------

    @Override
    public void handleOpenElementStart(char[] b, int off, int len, int line, int col) throws ParseException {
        start(b, off, len);
        if (kind != SCRIPT) {
            out.handleOpenElementStart(b, off, len, line, col);
        }
    }

    @Override
    public void handleStandaloneElementStart(char[] b, int off, int len, boolean minimized, int line, int col)
            throws ParseException {
        start(b, off, len);
        if (kind != SCRIPT) {
            out.handleStandaloneElementStart(b, off, len, minimized, line, col);
        }
    }

    private void start(char[] b, int off, int len) {
        kind = kind(b, off, len);
        renamed = false;
        if (kind == SCRIPT) {
            holding = true;
            heldLen = 0;
            typeAt = -1;
            plain = false;
            srcDenied = false;
            hold('<');
            hold(b, off, len);
        }
    }

    @Override
    public void handleAttribute(char[] b, int nameOff, int nameLen, int nameLine, int nameCol, int opOff, int opLen,
            int opLine, int opCol, int valueOff, int valueLen, int outerOff, int outerLen, int valueLine, int valueCol)
            throws ParseException {
        if (kind == SCRIPT) {
            if (DenyList.is(b, nameOff, nameLen, "type")) {
                typeAt = heldLen;
                plain = DenyList.is(b, valueOff, valueLen, "text/plain");
            } else if (DenyList.is(b, nameOff, nameLen, "src")) {
                srcDenied = deny.mentionsHost(b, valueOff, valueLen);
            }
            hold(b, nameOff, nameLen);
            hold(b, opOff, opLen);
            hold(b, outerOff, outerLen);
            return;
        }
        if (kind == FETCH && valueLen > 0 && urlAttribute(b, nameOff, nameLen) && deny.mentionsHost(b, valueOff, valueLen)) {
            write("data-consent-");
            renamed = true;
        }
        out.handleAttribute(b, nameOff, nameLen, nameLine, nameCol, opOff, opLen, opLine, opCol, valueOff, valueLen,
                outerOff, outerLen, valueLine, valueCol);
    }

    @Override
    public void handleInnerWhiteSpace(char[] b, int off, int len, int line, int col) throws ParseException {
        if (kind == SCRIPT) {
            hold(b, off, len);
        } else {
            out.handleInnerWhiteSpace(b, off, len, line, col);
        }
    }

    @Override
    public void handleOpenElementEnd(char[] b, int off, int len, int line, int col) throws ParseException {
        if (kind == SCRIPT) {
            hold('>');
            tagEnd = heldLen;
        } else {
            if (renamed) {
                write(DENIED);
            }
            out.handleOpenElementEnd(b, off, len, line, col);
        }
        kind = OTHER;
    }

    @Override
    public void handleStandaloneElementEnd(char[] b, int off, int len, boolean minimized, int line, int col)
            throws ParseException {
        if (kind == SCRIPT) {
            // <script/>: no text to wait for
            if (minimized) {
                hold('/');
            }
            hold('>');
            tagEnd = heldLen;
            release();
        } else {
            if (renamed) {
                write(DENIED);
            }
            out.handleStandaloneElementEnd(b, off, len, minimized, line, col);
        }
        kind = OTHER;
    }

    // ---- text, end tags, the rest ----------------------------------------------------------------

    @Override
    public void handleText(char[] b, int off, int len, int line, int col) throws ParseException {
        if (holding) {
            hold(b, off, len);
        } else {
            out.handleText(b, off, len, line, col);
        }
    }

    @Override
    public void handleCloseElementStart(char[] b, int off, int len, int line, int col) throws ParseException {
        closing(b, off, len);
        out.handleCloseElementStart(b, off, len, line, col);
    }

    @Override
    public void handleUnmatchedCloseElementStart(char[] b, int off, int len, int line, int col) throws ParseException {
        closing(b, off, len);
        out.handleUnmatchedCloseElementStart(b, off, len, line, col);
    }

    private void closing(char[] b, int off, int len) throws ParseException {
        if (holding && DenyList.is(b, off, len, "script")) {
            release();
        } else if (!bannerDone && DenyList.is(b, off, len, "body")) {
            write(banner);
            bannerDone = true;
        }
    }

    @Override
    public void handleCloseElementEnd(char[] b, int off, int len, int line, int col) throws ParseException {
        out.handleCloseElementEnd(b, off, len, line, col);
    }

    @Override
    public void handleUnmatchedCloseElementEnd(char[] b, int off, int len, int line, int col) throws ParseException {
        out.handleUnmatchedCloseElementEnd(b, off, len, line, col);
    }

    @Override
    public void handleAutoOpenElementStart(char[] b, int off, int len, int line, int col) throws ParseException {
        out.handleAutoOpenElementStart(b, off, len, line, col);
    }

    @Override
    public void handleAutoOpenElementEnd(char[] b, int off, int len, int line, int col) throws ParseException {
        out.handleAutoOpenElementEnd(b, off, len, line, col);
    }

    @Override
    public void handleAutoCloseElementStart(char[] b, int off, int len, int line, int col) throws ParseException {
        out.handleAutoCloseElementStart(b, off, len, line, col);
    }

    @Override
    public void handleAutoCloseElementEnd(char[] b, int off, int len, int line, int col) throws ParseException {
        out.handleAutoCloseElementEnd(b, off, len, line, col);
    }

    @Override
    public void handleComment(char[] b, int contentOff, int contentLen, int outerOff, int outerLen, int line, int col)
            throws ParseException {
        if (holding) {
            hold(b, outerOff, outerLen);
        } else {
            out.handleComment(b, contentOff, contentLen, outerOff, outerLen, line, col);
        }
    }

    @Override
    public void handleCDATASection(char[] b, int contentOff, int contentLen, int outerOff, int outerLen, int line,
            int col) throws ParseException {
        if (holding) {
            hold(b, outerOff, outerLen);
        } else {
            out.handleCDATASection(b, contentOff, contentLen, outerOff, outerLen, line, col);
        }
    }

    @Override
    public void handleDocType(char[] b, int kwOff, int kwLen, int kwLine, int kwCol, int nameOff, int nameLen,
            int nameLine, int nameCol, int typeOff, int typeLen, int typeLine, int typeCol, int pubOff, int pubLen,
            int pubLine, int pubCol, int sysOff, int sysLen, int sysLine, int sysCol, int subsetOff, int subsetLen,
            int subsetLine, int subsetCol, int outerOff, int outerLen, int outerLine, int outerCol)
            throws ParseException {
        out.handleDocType(b, kwOff, kwLen, kwLine, kwCol, nameOff, nameLen, nameLine, nameCol, typeOff, typeLen,
                typeLine, typeCol, pubOff, pubLen, pubLine, pubCol, sysOff, sysLen, sysLine, sysCol, subsetOff,
                subsetLen, subsetLine, subsetCol, outerOff, outerLen, outerLine, outerCol);
    }

    @Override
    public void handleXmlDeclaration(char[] b, int kwOff, int kwLen, int kwLine, int kwCol, int verOff, int verLen,
            int verLine, int verCol, int encOff, int encLen, int encLine, int encCol, int saOff, int saLen, int saLine,
            int saCol, int outerOff, int outerLen, int line, int col) throws ParseException {
        out.handleXmlDeclaration(b, kwOff, kwLen, kwLine, kwCol, verOff, verLen, verLine, verCol, encOff, encLen,
                encLine, encCol, saOff, saLen, saLine, saCol, outerOff, outerLen, line, col);
    }

    @Override
    public void handleProcessingInstruction(char[] b, int targetOff, int targetLen, int targetLine, int targetCol,
            int contentOff, int contentLen, int contentLine, int contentCol, int outerOff, int outerLen, int line,
            int col) throws ParseException {
        out.handleProcessingInstruction(b, targetOff, targetLen, targetLine, targetCol, contentOff, contentLen,
                contentLine, contentCol, outerOff, outerLen, line, col);
    }

    @Override
    public void handleDocumentEnd(long endTimeNanos, long totalTimeNanos, int line, int col) throws ParseException {
        if (holding) {
            release(); // a script the document never closed
        }
        if (!bannerDone) {
            write(banner);
            bannerDone = true;
        }
    }

    // ---- the held script -------------------------------------------------------------------------

    /** Judges the held script and writes it: start tag (made inert if it is a tracker's) and text. */
    private void release() throws ParseException {
        holding = false;
        boolean tracker = !plain && (srcDenied || deny.marked(held, tagEnd, heldLen - tagEnd));
        try {
            if (!tracker) {
                w.write(held, 0, heldLen);
                return;
            }
            // "<script" is 7 characters, held first as the element's name was written
            w.write(INERT);
            if (typeAt < 0) {
                w.write(held, 7, heldLen - 7);
            } else {
                w.write(held, 7, typeAt - 7);
                w.write("data-type");
                w.write(held, typeAt + 4, heldLen - typeAt - 4);
            }
        } catch (IOException e) {
            throw new ParseException(e);
        }
    }

    private void hold(char c) {
        if (heldLen == held.length) {
            held = Arrays.copyOf(held, held.length * 2);
        }
        held[heldLen++] = c;
    }

    private void hold(char[] b, int off, int len) {
        if (heldLen + len > held.length) {
            held = Arrays.copyOf(held, Math.max(held.length * 2, heldLen + len));
        }
        System.arraycopy(b, off, held, heldLen, len);
        heldLen += len;
    }

    private void write(String s) throws ParseException {
        try {
            w.write(s);
        } catch (IOException e) {
            throw new ParseException(e);
        }
    }
}
