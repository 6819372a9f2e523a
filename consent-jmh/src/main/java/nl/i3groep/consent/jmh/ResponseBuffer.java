package nl.i3groep.consent.jmh;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;

/**
 * The sink every method of {@link RewriteBenchmark} writes into: a container's response buffer of
 * fixed size ({@link #SIZE}, Jetty 12's default), and behind it a stand-in for the socket. A write
 * copies into the buffer; each time the buffer is full it is "sent" (copied into a second reused
 * array of the same size, as a container hands its buffer to the socket) and starts again. So a
 * page costs one copy in and one copy out per byte, whatever the size of the writes, and nothing
 * is allocated after construction: unlike a growing {@code ByteArrayOutputStream}, whose doubling
 * cost more than the gate itself for a 50 KB page, the sink is the same price for every peer.
 *
 * <p>{@link #flush} and {@link #close} model the final send: they send what is held. Neither
 * closes anything, so that the gate, which closes its sink, and writers, which close theirs, leave
 * it ready for the next invocation after {@link #reset}.
 *
 * <p>For the set-up's checks only, {@link #capturing} makes one that also keeps every byte sent;
 * measured methods never use one. One instance serves one thread; not thread-safe.
 */
final class ResponseBuffer extends OutputStream {

    /** Jetty 12's default output buffer; Tomcat's is 8 KB for the stream, larger for the writer. */
    static final int SIZE = 32 * 1024;

    private final byte[] buf = new byte[SIZE];
    /** The socket's stand-in: what is sent is copied here, then overwritten by the next send. */
    private final byte[] wire = new byte[SIZE];
    private final ByteArrayOutputStream capture;
    private int count;
    private long total;

    ResponseBuffer() {
        this(null);
    }

    private ResponseBuffer(ByteArrayOutputStream capture) {
        this.capture = capture;
    }

    /** One that also keeps everything sent, for {@link #captured}: set-up checks only. */
    static ResponseBuffer capturing() {
        return new ResponseBuffer(new ByteArrayOutputStream(1 << 20));
    }

    /** Ready for the next invocation: nothing held, nothing counted (and nothing captured). */
    ResponseBuffer reset() {
        count = 0;
        total = 0;
        if (capture != null) {
            capture.reset();
        }
        return this;
    }

    /** The bytes written since the last {@link #reset}, sent or held. */
    long total() {
        return total;
    }

    /** Everything sent since the last reset; only for one made by {@link #capturing}. */
    byte[] captured() {
        if (capture == null) {
            throw new IllegalStateException("not a capturing sink");
        }
        return capture.toByteArray();
    }

    @Override
    public void write(int b) {
        if (count == SIZE) {
            send();
        }
        buf[count++] = (byte) b;
        total++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        // the same bounds checks as OutputStream's contract requires
        if ((off | len) < 0 || len > b.length - off) {
            throw new IndexOutOfBoundsException("off " + off + ", len " + len + ", length " + b.length);
        }
        total += len;
        while (len > 0) {
            int n = Math.min(len, SIZE - count);
            System.arraycopy(b, off, buf, count, n);
            count += n;
            off += n;
            len -= n;
            if (count == SIZE) {
                send();
            }
        }
    }

    /** A container's flush: what is held is sent. */
    @Override
    public void flush() {
        send();
    }

    /** The end of the response: what is held is sent. The sink stays usable (see the class). */
    @Override
    public void close() {
        send();
    }

    private void send() {
        if (count == 0) {
            return;
        }
        System.arraycopy(buf, 0, wire, 0, count);
        if (capture != null) {
            capture.write(buf, 0, count);
        }
        count = 0;
    }
}
