package nl.i3groep.consent.servlet;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;

/**
 * Encodes each write straight into the body stream. Unlike {@link java.io.OutputStreamWriter} it
 * holds nothing back but half a surrogate pair, so a {@code reset()} of the response really
 * forgets what was written, and a {@code flush()} never has to reach into a hidden buffer.
 * Characters the charset cannot hold become its replacement ({@code ?}), as containers do.
 */
final class EncodingWriter extends Writer {

    private final OutputStream out;
    private final CharsetEncoder encoder;
    private final ByteBuffer bytes = ByteBuffer.allocate(16384);
    private char pendingHigh;
    private boolean pending;

    EncodingWriter(OutputStream out, Charset charset) {
        this.out = out;
        this.encoder = charset.newEncoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
    }

    @Override
    public void write(char[] c, int off, int len) throws IOException {
        encode(CharBuffer.wrap(c, off, len));
    }

    @Override
    public void write(String s, int off, int len) throws IOException {
        // through an array: encoders take a fast loop over arrays, a slow one over a wrapped String
        java.util.Objects.checkFromIndexSize(off, len, s.length());
        if (chars == null) {
            chars = new char[CHUNK];
        }
        while (len > 0) {
            int n = Math.min(len, CHUNK);
            s.getChars(off, off + n, chars, 0);
            encode(CharBuffer.wrap(chars, 0, n));
            off += n;
            len -= n;
        }
    }

    @Override
    public void write(int c) throws IOException {
        encode(CharBuffer.wrap(new char[] {(char) c}));
    }

    private static final int CHUNK = 8192;
    private char[] chars;

    private void encode(CharBuffer in) throws IOException {
        if (pending) {
            pending = false;
            CharBuffer joined = CharBuffer.allocate(in.remaining() + 1);
            joined.put(pendingHigh).put(in).flip();
            in = joined;
        }
        while (true) {
            CoderResult r = encoder.encode(in, bytes, false);
            drain();
            if (r.isUnderflow()) {
                break;
            }
        }
        if (in.hasRemaining()) {
            // the first half of a surrogate pair whose second half comes with the next write
            pendingHigh = in.get();
            pending = true;
        }
    }

    private void drain() throws IOException {
        if (bytes.position() > 0) {
            out.write(bytes.array(), 0, bytes.position());
            bytes.clear();
        }
    }

    /** Forgets a half-written character: the response was reset. */
    void reset() {
        pending = false;
        encoder.reset();
        bytes.clear();
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (pending) {
            encode(CharBuffer.allocate(0)); // a lone high surrogate: the encoder replaces it at the end
        }
        encoder.encode(CharBuffer.allocate(0), bytes, true);
        encoder.flush(bytes);
        drain();
        out.close();
    }
}
