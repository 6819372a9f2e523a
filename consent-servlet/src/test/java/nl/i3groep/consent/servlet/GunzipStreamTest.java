package nl.i3groep.consent.servlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class GunzipStreamTest {

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
            try (GunzipStream g = new GunzipStream(out)) {
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
        try (GunzipStream g = new GunzipStream(out)) {
            g.write(withNames.toByteArray());
        }
        assertArrayEquals(PAGE, out.toByteArray());
    }

    @Test
    void refusesWhatIsNotGzip() {
        assertThrows(IOException.class, () -> new GunzipStream(new ByteArrayOutputStream()).write(PAGE));
    }
}
