package nl.i3groep.consent.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EncodingWriterTest {

    @Test
    void aSurrogatePairSplitAcrossWritesStaysOneCharacter() throws IOException {
        String text = "a\uD83D\uDE00b€"; // an emoji is two chars
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (EncodingWriter w = new EncodingWriter(out, StandardCharsets.UTF_8)) {
            for (char c : text.toCharArray()) {
                w.write(c);
            }
        }
        assertEquals(text, out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void writesImmediatelyAndForgetsOnReset() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        EncodingWriter w = new EncodingWriter(out, StandardCharsets.ISO_8859_1);
        w.write("café");
        assertEquals(4, out.size(), "nothing held back");
        w.write("\uD83D");
        w.reset();
        w.write("€"); // not in Latin-1: replaced
        w.close();
        assertEquals("café?", out.toString(StandardCharsets.ISO_8859_1));
    }
}
