package nl.i3groep.consent.html;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * One response's gated body: the stream {@link HtmlGate#open} hands out, in front of a
 * {@link Rewriter} it has for the time of this response. Once closed it lets go of the rewriter,
 * which may then serve another response, and refuses every write, so that a caller that kept it
 * cannot reach that other response.
 */
final class GateStream extends OutputStream {

    private final HtmlGate gate;
    private Rewriter rewriter;

    GateStream(HtmlGate gate, Rewriter rewriter) {
        this.gate = gate;
        this.rewriter = rewriter;
    }

    /** For the conformance test: every tag the tokenizer or the fast scan reads. */
    void trace(Rewriter.Trace t) {
        rewriter.trace(t);
    }

    @Override
    public void write(int b) throws IOException {
        Rewriter r = rewriter;
        if (r == null) {
            throw new IOException("stream closed");
        }
        r.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Rewriter r = rewriter;
        if (r == null) {
            throw new IOException("stream closed");
        }
        Objects.checkFromIndexSize(off, len, b.length);
        if (len > 0) {
            r.write(b, off, len);
        }
    }

    @Override
    public void flush() throws IOException {
        Rewriter r = rewriter;
        if (r != null) {
            r.flush();
        }
    }

    @Override
    public void close() throws IOException {
        Rewriter r = rewriter;
        if (r == null) {
            return;
        }
        rewriter = null;
        try {
            r.close();
        } finally {
            gate.recycle(r);
        }
    }
}
