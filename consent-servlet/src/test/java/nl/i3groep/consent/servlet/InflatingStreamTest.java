package nl.i3groep.consent.servlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class InflatingStreamTest {

    private static final byte[] PAGE = "<html><body>caf\u00e9 ".repeat(500).getBytes(StandardCharsets.UTF_8);

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    @Test
    void undoesGzipWrittenInAnyChunks() throws IOException {
        byte[] zipped = gzip(PAGE);
        for (int chunk : new int[] {1, 3, 11, zipped.length}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InflatingStream g = new InflatingStream(out, true)) {
                for (int i = 0; i < zipped.length; i += chunk) {
                    g.write(zipped, i, Math.min(chunk, zipped.length - i));
                }
            }
            assertArrayEquals(PAGE, out.toByteArray(), "chunk " + chunk);
        }
    }

    @Test
    void readsHeadersWithNameAndComment() throws IOException {
        byte[] zipped = gzip(PAGE);
        // set FNAME and FCOMMENT and insert both strings after the 10-byte header
        ByteArrayOutputStream withNames = new ByteArrayOutputStream();
        withNames.write(zipped, 0, 3);
        withNames.write(zipped[3] | 8 | 16);
        withNames.write(zipped, 4, 6);
        withNames.write("page.html\0a comment\0".getBytes(StandardCharsets.ISO_8859_1));
        withNames.write(zipped, 10, zipped.length - 10);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InflatingStream g = new InflatingStream(out, true)) {
            g.write(withNames.toByteArray());
        }
        assertArrayEquals(PAGE, out.toByteArray());
    }

    /** HTTP's deflate: zlib's format, or the raw data some servers send under that name. */
    @Test
    void undoesDeflateOfEitherFormInAnyChunks() throws IOException {
        for (boolean raw : new boolean[] {false, true}) {
            ByteArrayOutputStream zipped = new ByteArrayOutputStream();
            try (java.util.zip.DeflaterOutputStream z = new java.util.zip.DeflaterOutputStream(zipped,
                    new java.util.zip.Deflater(java.util.zip.Deflater.DEFAULT_COMPRESSION, raw))) {
                z.write(PAGE);
            }
            byte[] data = zipped.toByteArray();
            for (int chunk : new int[] {1, 2, 7, data.length}) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (InflatingStream g = new InflatingStream(out, false)) {
                    for (int i = 0; i < data.length; i += chunk) {
                        g.write(data, i, Math.min(chunk, data.length - i));
                    }
                }
                assertArrayEquals(PAGE, out.toByteArray(), (raw ? "raw" : "zlib") + ", chunk " + chunk);
            }
        }
        assertThrows(IOException.class, () -> new InflatingStream(new ByteArrayOutputStream(), false).write(PAGE));
    }

    @Test
    void refusesWhatIsNotGzip() {
        assertThrows(IOException.class, () -> new InflatingStream(new ByteArrayOutputStream(), true).write(PAGE));
    }
}
