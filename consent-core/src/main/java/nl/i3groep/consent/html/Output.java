package nl.i3groep.consent.html;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Where the gated body goes: untouched bytes as runs of the caller's own array, one {@code write}
 * per run; held bytes (a tag, or a script with its content, not decided yet) kept until decided;
 * insertions between them; and, once something broke, the rest with every {@code <} escaped.
 *
 * <p>Bytes are written only when something else must go out instead of them or before them, so
 * that an untouched run goes out in one write. While holding, {@code holdStart} is where the held
 * bytes begin in the caller's array; bytes held over from earlier writes are in {@code pend}.
 */
final class Output {

    private static final byte[] LT_ESCAPED = "&lt;".getBytes(StandardCharsets.US_ASCII);
    /** {@code </script}, which held content may end in while its delimiter has not come yet. */
    private static final int SCRIPT_END = 8;

    /** The sink of this response. */
    OutputStream out;
    /** The caller's array, during a write. */
    byte[] cb;
    /** Where the caller's bytes not yet written begin. */
    int emitFrom;
    boolean holding;
    int holdStart;
    final Bytes.Buf pend = new Bytes.Buf(256);
    /** The held bytes, contiguous (after {@link #view}): {@code vb[vo, ve)}. */
    byte[] vb;
    int vo;
    int ve;
    boolean viewInPend;
    /**
     * What is held is a script's start tag ({@code scriptTagLen} bytes) and its content so far; or,
     * with {@code heldStyle}, a stylesheet's.
     */
    boolean heldScript;
    boolean heldStyle;
    int scriptTagLen;

    void start(OutputStream sink) {
        out = sink;
        cb = null;
        emitFrom = 0;
        holding = false;
        holdStart = 0;
        pend.n = 0;
        vb = null;
        viewInPend = false;
        heldScript = false;
        heldStyle = false;
        scriptTagLen = 0;
    }

    /** Lets held bytes that grew past {@code kept} go, when the response is done. */
    void trim(int kept) {
        pend.trim(kept);
    }

    /** A write of {@code b} from {@code off} begins. */
    void begin(byte[] b, int off) {
        cb = b;
        if (holding) {
            holdStart = off;
        } else {
            emitFrom = off;
        }
    }

    /**
     * The write ends at {@code end}: what is held is kept (copied, since the caller may reuse its
     * array), the rest goes out. Returns whether the held bytes have outgrown {@code cap} (a
     * script's content: by more than a {@code </script} that may be ending it).
     */
    boolean end(int end, int cap) throws IOException {
        if (holding) {
            flushBeforeHold();
            pend.add(cb, holdStart, end - holdStart);
            holdStart = end;
            // a script's content is over the cap only beyond the "</script" that may be ending it
            return heldScript ? pend.n - scriptTagLen > cap + SCRIPT_END : pend.n > cap;
        }
        if (emitFrom < end) {
            out.write(cb, emitFrom, end - emitFrom);
        }
        return false;
    }

    /** Starts holding at {@code at}; nothing is written. */
    void hold(int at) {
        holding = true;
        holdStart = at;
    }

    /** Writes what lies before the hold in this chunk, if it is not out yet. */
    void flushBeforeHold() throws IOException {
        if (pend.n == 0 && holdStart > emitFrom) {
            out.write(cb, emitFrom, holdStart - emitFrom);
        }
        emitFrom = holdStart;
    }

    /** What is held passes unchanged after all; the chunk's run continues through it. */
    void release() throws IOException {
        if (pend.n > 0) {
            out.write(pend.a, 0, pend.n);
            pend.n = 0;
            emitFrom = holdStart;
        }
        holding = false;
    }

    /** Makes the held bytes up to {@code i} contiguous in {@code vb[vo, ve)}. */
    void view(int i) {
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

    /** The held bytes, all of them, as the view: for what is decided at the end or on overflow. */
    void viewPend() {
        vb = pend.a;
        vo = 0;
        ve = pend.n;
    }

    /** The held tag in the view is decided: {@code edited} its new form, or null if unchanged. */
    void commitTag(int after, Bytes.Buf edited) throws IOException {
        if (edited != null) {
            flushBeforeHold();
            out.write(edited.a, 0, edited.n);
            emitFrom = after;
        } else if (viewInPend) {
            out.write(vb, vo, ve - vo);
            emitFrom = after;
        }
        // else: unchanged and in this chunk, so part of the run
        drop();
    }

    /**
     * The held script in the view (start tag, content, maybe {@code </script}) is decided. A
     * stylesheet made inert also has every {@code @} of its content written {@code @x-consent-}:
     * Chromium's preload scanner fetches a {@code <style>}'s {@code @import} whatever its type.
     */
    void writeHeldScript(Bytes.Buf editedStartTag) throws IOException {
        flushBeforeHold();
        if (editedStartTag == null) {
            out.write(vb, vo, ve - vo);
            return;
        }
        out.write(editedStartTag.a, 0, editedStartTag.n);
        int from = vo + scriptTagLen;
        if (heldStyle) {
            for (int at = Bytes.indexOf(vb, (byte) '@', from, ve); at < ve; at = Bytes.indexOf(vb, (byte) '@', from, ve)) {
                out.write(vb, from, at + 1 - from);
                out.write(AT_RULE_RENAMED);
                from = at + 1;
            }
        }
        out.write(vb, from, ve - from);
    }

    private static final byte[] AT_RULE_RENAMED = "x-consent-".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * The {@code <} at {@code cb[p]} goes out as {@code &lt;}, held or not; what the tokenizer
     * reads on from is {@code p}, where it reads the same {@code <}.
     */
    void escapeAt(int p) throws IOException {
        if (holding) {
            flushBeforeHold();
            pend.add(cb, holdStart, p - holdStart);
            pend.add(LT_ESCAPED);
            holdStart = p + 1;
        } else {
            emitTo(p);
            out.write(LT_ESCAPED);
            emitFrom = p + 1;
        }
    }

    /** Nothing is held any more. */
    void drop() {
        pend.n = 0;
        holding = false;
        heldScript = false;
        heldStyle = false;
    }

    void emitTo(int i) throws IOException {
        if (i > emitFrom) {
            out.write(cb, emitFrom, i - emitFrom);
        }
        emitFrom = i;
    }

    /** Bytes that go out here, before anything held. */
    void insert(byte[] bytes) throws IOException {
        if (holding) {
            flushBeforeHold();
        }
        out.write(bytes);
    }

    /** Bytes that replace everything held, after which the caller's bytes go on from {@code holdStart}. */
    void replaceHeld(Bytes.Buf replacement) throws IOException {
        out.write(replacement.a, 0, replacement.n);
        drop();
        emitFrom = holdStart;
    }

    /**
     * Fail closed: something broke while gating {@code cb} up to {@code end}, so nothing after this
     * point may become a tag. What is held and the rest of the write go out with every {@code <}
     * escaped.
     */
    void fail(int end) throws IOException {
        byte[] b = cb;
        if (holding) {
            if (pend.n == 0 && holdStart > emitFrom) {
                out.write(b, emitFrom, holdStart - emitFrom); // decided before the hold
            }
            escaped(pend.a, 0, pend.n);
            escaped(b, Math.min(holdStart, end), end);
        } else {
            escaped(b, Math.min(emitFrom, end), end);
        }
        drop();
    }

    /** What is held, escaped: a failure at the end of the body. */
    void failHeld() throws IOException {
        if (pend.n > 0) {
            escaped(pend.a, 0, pend.n);
        }
        drop();
    }

    void escaped(byte[] b, int from, int to) throws IOException {
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
}
