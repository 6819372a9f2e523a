package nl.i3groep.consent.servlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ContentCodingsTest {

    @Test
    void theHeaderListsWhatABrowserUndoesInTheOrderApplied() {
        assertEquals(Optional.of(List.of()), ContentCodings.of(null));
        assertEquals(Optional.of(List.of()), ContentCodings.of(" identity "));
        assertEquals(Optional.of(List.of("gzip", "br")), ContentCodings.of("GZIP, identity,br"));
        assertEquals(Optional.of(List.of("x-gzip", "zstd", "deflate")), ContentCodings.of("x-gzip,zstd , Deflate"));
        assertEquals(Optional.empty(), ContentCodings.of("gzip, compress"), "one a browser does not undo: none");
        assertEquals(Optional.empty(), ContentCodings.of("exi"));
    }

    @Test
    void eachCodingAndAChainOfThemIsUndoneWrittenInAnyPieces() throws Exception {
        Random random = new Random(7);
        byte[] plain = new byte[150_000]; // brotli's stored blocks hold 65536 bytes: three of them
        for (int i = 0; i < plain.length; i++) {
            plain[i] = (byte) "<p>Caf\u00e9 ".charAt(random.nextInt(8));
        }
        for (List<String> codings : List.of(List.of("br"), List.of("zstd"), List.of("gzip"), List.of("deflate"),
                List.of("gzip", "br"), List.of("br", "zstd", "deflate"))) {
            byte[] body = plain;
            for (String coding : codings) {
                body = TestServlets.Page.compressed(coding, body);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (OutputStream undone = ContentCodings.undo(codings, out)) {
                for (int off = 0; off < body.length; ) {
                    int n = Math.min(body.length - off, 1 + random.nextInt(5000));
                    undone.write(body, off, n);
                    undone.flush();
                    off += n;
                }
            }
            assertArrayEquals(plain, out.toByteArray(), codings.toString());
        }
    }

    @Test
    void aBodyThatIsNotWhatItSaysFailsAtItsEnd() throws Exception {
        for (String coding : List.of("br", "zstd")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            OutputStream undone = ContentCodings.undo(List.of(coding), out);
            undone.write("<!doctype html><p>plain".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            IllegalStateException e = assertThrows(IllegalStateException.class, undone::close, coding);
            assertTrue(e.getMessage().startsWith("not a " + coding + " body"), e.getMessage());
        }
    }
}
