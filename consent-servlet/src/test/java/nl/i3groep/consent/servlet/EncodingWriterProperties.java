package nl.i3groep.consent.servlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The writer gives the same bytes as {@link String#getBytes(Charset)} (the JDK's encoder, with
 * {@code ?} for what the charset cannot hold and for a lone surrogate), however the text is split
 * into writes: Strings, arrays and single characters, across the writer's inner chunks and the
 * switches between its Latin-1 and general ways.
 */
class EncodingWriterProperties {

    /** Pieces that meet the writer's ways: ASCII, Latin-1, other BMP text, pairs and lone halves. */
    private static final List<String> PIECES = List.of("a", "<p class=\"x\">", " ", "\u00e9", "\u00ff", "\u0080",
            "\u20ac", "\u2019", "\u4e2d\u6587", "\uD83D\uDE00", "\uD83D", "\uDE00", "x".repeat(300),
            "caf\u00e9 ".repeat(40), "\u4e2d".repeat(200));

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.of(PIECES).list().ofMaxSize(120).map(l -> String.join("", l));
    }

    @Provide
    Arbitrary<Charset> charsets() {
        return Arbitraries.of(Charset.forName("UTF-8"), Charset.forName("ISO-8859-1"), Charset.forName("windows-1252"));
    }

    @Property(tries = 2000)
    void encodesAsTheJdkDoesInAnySplitOfWrites(@ForAll("texts") String text, @ForAll("charsets") Charset charset,
            @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 9000) Integer> cuts,
            @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 2) Integer> kinds) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (EncodingWriter w = new EncodingWriter(out, charset)) {
            int at = 0;
            for (int k = 0; at < text.length(); k++) {
                int len = Math.min(text.length() - at, k < cuts.size() ? cuts.get(k) : text.length());
                int kind = k < kinds.size() ? kinds.get(k) : 0;
                if (kind == 0) {
                    w.write(text, at, len);
                } else if (kind == 1) {
                    char[] a = ("#" + text + "#").toCharArray();
                    w.write(a, at + 1, len);
                } else {
                    len = Math.min(len, 3);
                    for (int i = 0; i < len; i++) {
                        w.write(text.charAt(at + i));
                    }
                }
                at += len;
            }
        }
        assertArrayEquals(text.getBytes(charset), out.toByteArray(), charset + ": " + text);
    }
}
