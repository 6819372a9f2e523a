package nl.i3groep.consent.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.Charset;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** Bytes in any of the charsets the gate reads through a decoded copy come out as the same text, however they are cut. */
class TranscodingProperties {

    static final String[] CHARSETS = {"UTF-16", "UTF-16LE", "UTF-16BE", "ISO-2022-JP", "UTF-8"};
    static final String PIECES = "<p>Caf\u00e9 \u65e5\u672c\u8a9e \ud83d\ude00 \u30bd\u8868\u80fd</p><script src=//x.org>";

    @Property(tries = 1000)
    void theTextSurvivesAnyChunking(@ForAll long seed) throws IOException {
        Random r = new Random(seed);
        Charset cs = Charset.forName(CHARSETS[r.nextInt(CHARSETS.length)]);
        StringBuilder text = new StringBuilder();
        int n = r.nextInt(60);
        for (int i = 0; i < n; i++) {
            int at = r.nextInt(PIECES.length() - 2);
            String piece = PIECES.substring(at, at + 1 + r.nextInt(2));
            if (!Character.isSurrogate(piece.charAt(0)) && !Character.isSurrogate(piece.charAt(piece.length() - 1))
                    && cs.newEncoder().canEncode(piece)) {
                text.append(piece);
            }
        }
        byte[] bytes = text.toString().getBytes(cs);
        StringWriter out = new StringWriter();
        try (Transcoding t = new Transcoding(cs, out)) {
            int i = 0;
            while (i < bytes.length) {
                int len = Math.min(bytes.length - i, 1 + r.nextInt(5));
                if (len == 1 && r.nextBoolean()) {
                    t.write(bytes[i]);
                } else {
                    t.write(bytes, i, len);
                }
                i += len;
            }
        }
        assertEquals(text.toString(), out.toString(), cs + " " + text);
    }
}
