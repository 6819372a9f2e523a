package nl.i3groep.consent.servlet;

import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Undoes gzip or deflate while the application writes it, so that a compressed HTML body is
 * inspected rather than passed on unexamined. Handles one gzip member (RFC 1952), which is what
 * servlet code writes, and HTTP's {@code deflate}: zlib's format (RFC 1950), or the raw deflate
 * data (RFC 1951) that some servers send under that name, told apart by zlib's two-byte header.
 * Bytes after the compressed data's end are dropped.
 */
final class InflatingStream extends OutputStream {

    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;
    private static final int MAX_HEADER = 64 * 1024;

    private final OutputStream out;
    private final boolean gzip;
    private Inflater inflater;
    private final byte[] inflated = new byte[8192];
    private final byte[] header = new byte[MAX_HEADER];
    private int headerLength;
    private boolean inBody;
    private boolean ended;

    /** For a body in gzip ({@code gzip}) or in deflate. */
    InflatingStream(OutputStream out, boolean gzip) {
        this.out = out;
        this.gzip = gzip;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0 && !inBody && !ended) {
            if (headerLength == MAX_HEADER) {
                throw new IOException("gzip header longer than " + MAX_HEADER + " bytes");
            }
            header[headerLength++] = b[off++];
            len--;
            if (gzip ? headerEnd() > 0 : headerLength == 2) {
                inBody = true;
                // zlib's header: deflate, a window of at most 32 KiB, a check that makes it a multiple of 31
                boolean zlib = !gzip && (header[0] & 0x0f) == 8 && (header[0] & 0xff) >>> 4 <= 7
                        && ((header[0] & 0xff) << 8 | header[1] & 0xff) % 31 == 0;
                inflater = new Inflater(!zlib);
                if (!gzip) {
                    inflate(header, 0, 2);
                }
            }
        }
        if (len > 0 && !ended) {
            inflate(b, off, len);
        }
    }

    private void inflate(byte[] b, int off, int len) throws IOException {
        inflater.setInput(b, off, len);
        try {
            while (!inflater.needsInput() && !inflater.finished()) {
                int n = inflater.inflate(inflated);
                if (n > 0) {
                    out.write(inflated, 0, n);
                } else if (inflater.needsDictionary()) {
                    throw new IOException("compressed body needs a dictionary");
                }
            }
            if (inflater.finished()) {
                ended = true;
            }
        } catch (DataFormatException e) {
            throw new IOException("not a " + (gzip ? "gzip" : "deflate") + " body: " + e.getMessage(), e);
        }
    }

    /** Length of the complete header held, or 0 while it is incomplete. */
    private int headerEnd() throws IOException {
        if (headerLength < 10) {
            return 0;
        }
        if ((header[0] & 0xff) != 0x1f || (header[1] & 0xff) != 0x8b || header[2] != 8) {
            throw new IOException("not a gzip body");
        }
        int flags = header[3] & 0xff;
        int p = 10;
        if ((flags & FEXTRA) != 0) {
            if (headerLength < p + 2) {
                return 0;
            }
            p += 2 + ((header[p] & 0xff) | (header[p + 1] & 0xff) << 8);
        }
        for (int flag : new int[] {FNAME, FCOMMENT}) {
            if ((flags & flag) != 0) {
                while (p < headerLength && header[p] != 0) {
                    p++;
                }
                if (p >= headerLength) {
                    return 0;
                }
                p++;
            }
        }
        if ((flags & FHCRC) != 0) {
            p += 2;
        }
        return headerLength == p ? p : 0;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (inflater != null) {
            inflater.end();
        }
        out.close();
    }
}
