package nl.i3groep.consent.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The charset of a body whose header names none, found as browsers find it; and a byte-order mark that wins over a header. */
class CharsetOfTest {

    static Charset of(String head) {
        byte[] b = head.getBytes(StandardCharsets.ISO_8859_1);
        return HtmlGate.charsetOf(b, b.length, StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "<meta charset=utf-8>|UTF-8",
        "<!doctype html><html><head><META CHARSET=\"Shift_JIS\">|Shift_JIS",
        "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=EUC-JP\">|EUC-JP",
        "<meta content='text/html;charset=\"gbk\"' http-equiv=content-type>|GBK",
        "<meta content=\"text/html; charset=utf-8\">|ISO-8859-1",
        "<!-- <meta charset=koi8-r> --><meta charset=utf-8>|UTF-8",
        "<p title='<meta charset=koi8-r>'><meta charset=utf-8>|UTF-8",
        "<meta charset=utf-16le>|UTF-8",
        "<meta charset=x-user-defined>|windows-1252",
        "<meta charset=latin1>|windows-1252",
        "<meta charset=no-such-charset><meta charset=utf-8>|UTF-8",
        "<script>var s = '<meta charset=koi8-r>';</script>|KOI8-R",
        "<metax charset=utf-8>|ISO-8859-1",
        "<meta charset=\"utf-8\" charset=koi8-r>|UTF-8",
        "nothing declared|ISO-8859-1"})
    void aMetaDeclaresTheCharsetAsThePrescanFindsIt(String head, String expected) {
        // (the prescan does not know scripts: a meta in a script's text counts for browsers too)
        assertEquals(Charset.forName(expected), of(head), head);
    }

    @Test
    void onlyTheFirst1024BytesCount() {
        assertEquals(StandardCharsets.ISO_8859_1, of(" ".repeat(1024) + "<meta charset=utf-8>"));
        assertEquals(StandardCharsets.UTF_8, of(" ".repeat(1000) + "<meta charset=utf-8>"));
    }

    @Test
    void aByteOrderMarkWins() {
        byte[] utf8 = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '<', 'm'};
        assertEquals(StandardCharsets.UTF_8, HtmlGate.charsetOf(utf8, utf8.length, StandardCharsets.ISO_8859_1));
        byte[] le = {(byte) 0xFF, (byte) 0xFE, '<', 0};
        assertEquals(StandardCharsets.UTF_16LE, HtmlGate.charsetOf(le, le.length, StandardCharsets.ISO_8859_1));
    }

    @Test
    void aUtf8ByteOrderMarkMakesTheGateReadUtf8WhateverItWasOpenedWith() {
        String html = "\uFEFF<p>caf\u00e9</p><img src=\"https://\uff50\uff58.ads.linkedin.com/collect\">";
        for (int chunk : new int[] {1, 2, 5, Integer.MAX_VALUE}) {
            byte[] out = Fixture.gate(Fixture.GATE, html.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1,
                    Fixture.NONE, Page.PLAIN, new int[] {chunk});
            String s = new String(out, StandardCharsets.UTF_8);
            assertTrue(s.contains("data-consent-src=\"https://\uff50\uff58.ads.linkedin.com"), s);
            assertTrue(s.startsWith("\uFEFF<p>caf\u00e9</p>"), s);
        }
    }
}
