package nl.i3groep.consent.servlet;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;

/**
 * Bytes in one charset passed on as text to a writer: how a body in a charset the gate cannot read
 * (UTF-16, ISO-2022-JP) reaches it as UTF-8, and how the gate's UTF-8 goes back into the body's
 * own charset. A character cut by a write's end waits for the next; what does not decode becomes
 * U+FFFD, as in a browser.
 */
final class Transcoding extends OutputStream {

    private final CharsetDecoder decoder;
    private final Writer out;
    private final ByteBuffer pending = ByteBuffer.allocate(16);
    private final CharBuffer chars = CharBuffer.allocate(4096);
    private final byte[] one = new byte[1];

    Transcoding(Charset from, Writer out) {
        this.decoder = from.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
        one[0] = (byte) b;
        write(one, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(b, off, len);
        // first what a sequence cut by the last write needs of this one
        while (pending.position() > 0 && in.hasRemaining()) {
            pending.put(in.get());
            pending.flip();
            decode(pending, false);
            pending.compact();
            if (pending.position() == 0) {
                break;
            }
        }
        decode(in, false);
        if (in.hasRemaining()) {
            pending.put(in);
        }
    }

    private void decode(ByteBuffer in, boolean last) throws IOException {
        while (true) {
            CoderResult r = decoder.decode(in, chars, last);
            drain();
            if (!r.isOverflow()) {
                return;
            }
        }
    }

    private void drain() throws IOException {
        chars.flip();
        if (chars.hasRemaining()) {
            out.write(chars.array(), chars.arrayOffset() + chars.position(), chars.remaining());
        }
        chars.clear();
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        pending.flip();
        decode(pending, true);
        while (decoder.flush(chars).isOverflow()) {
            drain();
        }
        drain();
        out.close();
    }
}
