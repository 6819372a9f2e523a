package nl.i3groep.consent.servlet;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The compressions of a {@code Content-Encoding} that a browser undoes (gzip, deflate, brotli,
 * zstd), undone here too, so that a compressed HTML body is read rather than passed on
 * unexamined, whatever the request it saw offered (an application may not care).
 */
final class ContentCodings {

    /**
     * Brotli and zstd are decoded by pull-style decoders: their body is held compressed until it is
     * complete. A page this large compressed is no page; beyond it the gate fails closed.
     */
    static final int MAX_HELD = 16 * 1024 * 1024;

    private ContentCodings() {
    }

    /**
     * The codings of the header, in the order they were applied, without {@code identity}; empty
     * when none; none at all when one is a coding a browser does not undo either (it then shows
     * nothing, and loads nothing).
     */
    static Optional<List<String>> of(String header) {
        List<String> codings = new ArrayList<>();
        if (header == null) {
            return Optional.of(codings);
        }
        for (String part : header.split(",")) {
            String coding = part.trim().toLowerCase(Locale.ROOT);
            switch (coding) {
                case "", "identity" -> { }
                case "gzip", "x-gzip", "deflate", "br", "zstd" -> codings.add(coding);
                default -> {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(codings);
    }

    /** Where the application writes the body in {@code codings}, for {@code out} to get it plain. */
    static OutputStream undo(List<String> codings, OutputStream out) {
        // the last coding applied is the first to undo
        OutputStream undone = out;
        for (String coding : codings) {
            undone = switch (coding) {
                case "gzip", "x-gzip" -> new InflatingStream(undone, true);
                case "deflate" -> new InflatingStream(undone, false);
                default -> new Held(undone, coding);
            };
        }
        return undone;
    }

    /** A brotli or zstd body, held until the application is done, then decoded in one go. */
    private static final class Held extends OutputStream {
        private final OutputStream out;
        private final String coding;
        private final ByteArrayOutputStream held = new ByteArrayOutputStream(8192);
        private boolean closed;

        Held(OutputStream out, String coding) {
            this.out = out;
            this.coding = coding;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (held.size() + (long) len > MAX_HELD) {
                throw new IllegalStateException(coding + " body larger than " + MAX_HELD + " bytes compressed");
            }
            held.write(b, off, len);
        }

        @Override
        public void flush() {
            // nothing can be decoded before the end: the application's flush waits for it
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            InputStream compressed = new ByteArrayInputStream(held.toByteArray());
            byte[] chunk = new byte[8192];
            try (InputStream plain = decoded(compressed)) {
                for (int n; (n = read(plain, chunk)) > 0; ) {
                    out.write(chunk, 0, n); // the container's own failures pass as they are
                }
            }
            out.close();
        }

        private InputStream decoded(InputStream compressed) {
            try {
                return coding.equals("br") ? new org.brotli.dec.BrotliInputStream(compressed)
                        : new io.airlift.compress.zstd.ZstdInputStream(compressed);
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("not a " + coding + " body: " + e.getMessage(), e);
            }
        }

        /** A body that is no brotli (zstd) ends where it stops decoding, as in a browser: the gate fails closed. */
        private int read(InputStream plain, byte[] chunk) {
            try {
                return plain.read(chunk);
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("not a " + coding + " body: " + e.getMessage(), e);
            }
        }
    }
}
