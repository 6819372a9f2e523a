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
    void holdsAChunkUntilFlushAndForgetsOnReset() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        EncodingWriter w = new EncodingWriter(out, StandardCharsets.ISO_8859_1);
        w.write("café");
        assertEquals(0, out.size(), "held, as a container's writer holds a chunk");
        w.flush();
        assertEquals(4, out.size(), "passed on at flush");
        w.write("thrown away");
        w.write("\uD83D");
        w.reset();
        w.write("€"); // not in Latin-1: replaced
        w.close();
        assertEquals("café?", out.toString(StandardCharsets.ISO_8859_1));
    }

    @Test
    void manySmallWritesGoOutInChunks() throws IOException {
        java.util.List<Integer> writes = new java.util.ArrayList<>();
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        java.io.OutputStream out = new java.io.FilterOutputStream(sink) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                writes.add(len);
                sink.write(b, off, len);
            }
        };
        StringBuilder all = new StringBuilder();
        try (EncodingWriter w = new EncodingWriter(out, StandardCharsets.UTF_8)) {
            for (int i = 0; i < 5000; i++) {
                String piece = i % 2 == 0 ? "<p>" : "café" + i;
                w.write(piece);
                all.append(piece);
            }
        }
        assertEquals(all.toString(), sink.toString(StandardCharsets.UTF_8));
        org.junit.jupiter.api.Assertions.assertTrue(writes.size() < 20, writes.size() + " writes for 5000");
    }

    @Test
    void aLongStringIsEncodedWholeWithAPairAcrossItsInnerChunks() throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 20_000; i++) {
            text.append(i % 7 == 0 ? "\uD83D\uDE00" : i % 5 == 0 ? "\u20ac" : "ab\u00e9");
        }
        for (int shift = 0; shift < 3; shift++) {
            String s = "x".repeat(shift) + text;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (EncodingWriter w = new EncodingWriter(out, StandardCharsets.UTF_8)) {
                w.write(s, 0, s.length());
            }
            assertEquals(s, out.toString(StandardCharsets.UTF_8), "shifted by " + shift);
        }
    }
}
