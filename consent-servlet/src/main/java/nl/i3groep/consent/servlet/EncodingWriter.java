package nl.i3groep.consent.servlet;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Encodes the application's characters into the body stream, a chunk of up to {@value #CHUNK}
 * characters at a time, as a container's writer does: template engines write markup a few
 * characters per call (Thymeleaf some 11,000 writes for a 50 KB page), and each encoder call and
 * each write into the gate has a price of its own. {@code flush()} and {@code close()} pass on
 * what is held; {@code reset()} forgets it, so a reset of the response really forgets what was
 * written. Characters the charset cannot hold become its replacement ({@code ?}), as containers do.
 *
 * <p>Into UTF-8, text whose characters are all Latin-1 (Dutch, German, French: letters with
 * accents, no curly quotes) takes a fast way: the JDK's Latin-1 encoder (an intrinsic) narrows
 * the characters to bytes, and only the bytes above 127 are widened to two. The JDK's own UTF-8
 * encoder leaves its fast loop for good at the first non-ASCII character of each call. On
 * FilterBenchmark's 50 KB page, with an accented word every 500 bytes, {@code filteredWriter} took
 * 84 µs with that encoder alone and 57 µs this way. Other characters go to the UTF-8 encoder in
 * windows that grow while such text goes on, so that text in other scripts costs few calls.
 */
final class EncodingWriter extends Writer {

    private static final int CHUNK = 4096;
    private static final int FIRST_WINDOW = 64;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final OutputStream out;
    private final CharsetEncoder encoder;
    /** For UTF-8 only: the Latin-1 encoder that narrows, reporting the first character it cannot. */
    private final CharsetEncoder latin1;
    // allocated at the first write: most responses are written through a stream, not here
    private char[] chars;
    private CharBuffer charView;
    private byte[] narrow;
    private ByteBuffer narrowView;
    private ByteBuffer bytes;
    private int window = FIRST_WINDOW;
    /** Characters held in {@link #chars}, a pending half surrogate pair at its start included. */
    private int count;
    private boolean pending;

    EncodingWriter(OutputStream out, Charset charset) {
        this.out = out;
        this.encoder = charset.newEncoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        this.latin1 = charset.equals(StandardCharsets.UTF_8) ? StandardCharsets.ISO_8859_1.newEncoder() : null;
    }

    @Override
    public void write(char[] c, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, c.length);
        while (len > 0) {
            int n = room(len);
            System.arraycopy(c, off, chars, count, n);
            count += n;
            off += n;
            len -= n;
        }
    }

    @Override
    public void write(String s, int off, int len) throws IOException {
        // through an array: encoders take a fast loop over arrays, a slow one over a wrapped String
        Objects.checkFromIndexSize(off, len, s.length());
        while (len > 0) {
            int n = room(len);
            s.getChars(off, off + n, chars, count);
            count += n;
            off += n;
            len -= n;
        }
    }

    @Override
    public void write(int c) throws IOException {
        room(1);
        chars[count++] = (char) c;
    }

    /** How many of {@code len} characters fit in {@link #chars} now: at least one (it is encoded when full). */
    private int room(int len) throws IOException {
        if (chars == null) {
            chars = new char[CHUNK];
            charView = CharBuffer.wrap(chars);
            bytes = ByteBuffer.allocate(2 * CHUNK);
            if (latin1 != null) {
                narrow = new byte[CHUNK];
                narrowView = ByteBuffer.wrap(narrow);
            }
        } else if (count == CHUNK) {
            encode(count);
        }
        return Math.min(len, CHUNK - count);
    }

    /** Encodes {@code chars[0, n)} and writes the bytes; a high surrogate at the end stays pending. */
    private void encode(int n) throws IOException {
        pending = false;
        int p = 0;
        if (latin1 == null) {
            p = encoded(0, n);
        } else {
            while (p < n) {
                int q = narrowed(p, n);
                if (q < n) {
                    // a run of other text makes the next window larger, so that it costs few calls
                    window = q - p < FIRST_WINDOW ? Math.min(2 * window, CHUNK) : FIRST_WINDOW;
                    int e = Math.min(n, q + window);
                    q = encoded(q, e);
                    if (q < e && e == n) {
                        p = q;
                        break; // a high surrogate at the end of the chunk, awaiting its pair
                    }
                    // one that ends a window inside the chunk begins the next
                }
                p = q;
            }
        }
        drain();
        count = 0;
        if (p < n) {
            chars[0] = chars[p];
            pending = true;
            count = 1;
        }
    }

    /**
     * Encodes {@code chars[from, to)} with the charset's encoder into {@link #bytes}, draining it
     * when full: the index of the first character left over (a high surrogate at the end), else
     * {@code to}.
     */
    private int encoded(int from, int to) throws IOException {
        charView.limit(to).position(from);
        while (encoder.encode(charView, bytes, false).isOverflow()) {
            drain();
        }
        return charView.position();
    }

    /**
     * Narrows the Latin-1 characters from {@code chars[from]} on, up to the first other one or
     * {@code to}, and writes them as UTF-8 into {@link #bytes}: the index where it stopped.
     */
    private int narrowed(int from, int to) throws IOException {
        charView.limit(to).position(from);
        narrowView.clear();
        CoderResult stop = latin1.encode(charView, narrowView, false);
        assert !stop.isOverflow() : "the narrow buffer holds a whole chunk";
        int m = narrowView.position();
        if (bytes.remaining() < 2 * m) {
            drain();
        }
        byte[] d = bytes.array();
        int dp = bytes.position();
        int i = 0;
        while (i < m) {
            int j = asciiEnd(narrow, i, m);
            System.arraycopy(narrow, i, d, dp, j - i);
            dp += j - i;
            for (i = j; i < m && narrow[i] < 0; i++) {
                int c = narrow[i] & 0xff;
                d[dp++] = (byte) (0xc0 | c >>> 6);
                d[dp++] = (byte) (0x80 | c & 0x3f);
            }
        }
        bytes.position(dp);
        return from + m;
    }

    /** The index of the first byte above 127 in {@code b[from, to)}, else {@code to}; eight at a time. */
    private static int asciiEnd(byte[] b, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long high = (long) LONGS.get(b, i) & 0x8080808080808080L;
            if (high != 0) {
                return i + (Long.numberOfTrailingZeros(high) >>> 3);
            }
        }
        while (i < to && b[i] >= 0) {
            i++;
        }
        return i;
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
        count = 0;
        encoder.reset();
        if (bytes != null) {
            bytes.clear();
        }
    }

    @Override
    public void flush() throws IOException {
        held();
        out.flush();
    }

    /**
     * Encodes and writes what is held, but half a surrogate pair, without a flush: at the end of
     * the body the container, not a flush, decides when it goes (whole, with its length, if it can).
     */
    void held() throws IOException {
        if (count > (pending ? 1 : 0)) {
            encode(count);
        }
    }

    @Override
    public void close() throws IOException {
        if (bytes != null) {
            held();
            // a lone high surrogate: the encoder replaces it at the end of the input
            charView.limit(pending ? 1 : 0).position(0);
            pending = false;
            encoder.encode(charView, bytes, true);
            encoder.flush(bytes);
            drain();
        }
        out.close();
    }
}
