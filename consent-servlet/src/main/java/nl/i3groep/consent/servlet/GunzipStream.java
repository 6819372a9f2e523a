package nl.i3groep.consent.servlet;

import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Undoes gzip while the application writes it, so that a compressed HTML body is inspected rather
 * than passed on unexamined. Handles one gzip member (RFC 1952), which is what servlet code writes;
 * bytes after the first member's end are dropped.
 */
final class GunzipStream extends OutputStream {

    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;
    private static final int MAX_HEADER = 64 * 1024;

    private final OutputStream out;
    private final Inflater inflater = new Inflater(true);
    private final byte[] inflated = new byte[8192];
    private final byte[] header = new byte[MAX_HEADER];
    private int headerLength;
    private boolean inBody;
    private boolean ended;

    GunzipStream(OutputStream out) {
        this.out = out;
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
            int end = headerEnd();
            if (end > 0) {
                inBody = true;
            }
        }
        if (len == 0 || ended) {
            return;
        }
        inflater.setInput(b, off, len);
        try {
            while (!inflater.needsInput() && !inflater.finished()) {
                int n = inflater.inflate(inflated);
                if (n > 0) {
                    out.write(inflated, 0, n);
                } else if (inflater.needsDictionary()) {
                    throw new IOException("gzip body needs a dictionary");
                }
            }
            if (inflater.finished()) {
                ended = true;
            }
        } catch (DataFormatException e) {
            throw new IOException("not a gzip body: " + e.getMessage(), e);
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
        inflater.end();
        out.close();
    }
}
