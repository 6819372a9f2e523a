package nl.i3groep.consent.servlet;

import java.io.ByteArrayOutputStream;

/** Brotli for the tests: no encoder is at hand in Java, but a stream of stored blocks is brotli all the same. */
public final class Brotli {

    private Brotli() {
    }

    /**
     * A brotli stream (RFC 7932) of uncompressed meta-blocks: a window of 2^16 - 16 bytes
     * (WBITS 16: one 0 bit), per block of at most 65536 bytes ISLAST 0, MNIBBLES 4 (2 bits 0),
     * MLEN - 1 (16 bits), ISUNCOMPRESSED 1, padding to the byte, the bytes; then an empty last
     * meta-block (ISLAST 1, ISLASTEMPTY 1). Bits fill each byte from its lowest.
     */
    public static byte[] stored(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long bits = 0; // WBITS 16
        int count = 1;
        for (int off = 0; off < plain.length; off += 65536) {
            int len = Math.min(65536, plain.length - off);
            bits |= (long) (len - 1) << (count + 3) | 1L << (count + 19); // ISLAST 0, MNIBBLES 0, MLEN - 1, ISUNCOMPRESSED
            count += 20;
            for (int i = 0; i < (count + 7) / 8; i++) {
                out.write((int) (bits >>> (8 * i)));
            }
            out.write(plain, off, len);
            bits = 0;
            count = 0;
        }
        bits |= 3L << count; // ISLAST, ISLASTEMPTY
        count += 2;
        for (int i = 0; i < (count + 7) / 8; i++) {
            out.write((int) (bits >>> (8 * i)));
        }
        return out.toByteArray();
    }
}
