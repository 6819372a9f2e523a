package nl.i3groep.consent.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import nl.i3groep.consent.Decisions;
import org.junit.jupiter.api.Test;

/** XHTML read as browsers read it, as XML: no raw text, CDATA sections anywhere, a script's code its text. */
class XhtmlTest {

    static final String HEAD = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">"
            + "<head><title>t</title>";

    /** Gated whole, in single bytes and in writes of seven: all the same. */
    static String run(String xhtml, Decisions d) {
        String whole = gate(xhtml, d, Integer.MAX_VALUE);
        assertEquals(whole, gate(xhtml, d, 1), "one byte per write");
        assertEquals(whole, gate(xhtml, d, 7), "seven bytes per write");
        return whole;
    }

    static String gate(String xhtml, Decisions d, int chunk) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] in = xhtml.getBytes(StandardCharsets.UTF_8);
        try (OutputStream g = Fixture.GATE.openXhtml(out, StandardCharsets.UTF_8, d)) {
            for (int i = 0; i < in.length; i += chunk) {
                g.write(in, i, Math.min(chunk, in.length - i));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void hintsScriptsAndPixelsAreGatedAndNothingIsInserted() {
        String page = HEAD + "<link rel=\"preconnect\" href=\"https://snap.licdn.com\"/>"
                + "<script src=\"https://snap.licdn.com/li.lms-analytics/insight.min.js\"></script></head>"
                + "<body><p>x</p><img alt=\"\" src=\"https://px.ads.linkedin.com/collect\"/></body></html>";
        String out = run(page, Fixture.NONE);
        assertTrue(out.contains("<link data-consent=\"linkedin-insight\" rel=\"preconnect\" data-consent-href="), out);
        assertTrue(out.contains("<script type=\"text/plain\" data-consent=\"linkedin-insight\""), out);
        assertTrue(out.contains("<img data-consent=\"linkedin-insight\" alt=\"\" data-consent-src="), out);
        assertFalse(out.contains("dataLayer"), "no Consent Mode defaults: nothing is inserted into XML");
        assertEquals(page, run(page, Fixture.ALL));
    }

    @Test
    void aScriptsCodeIsItsTextAndCdataSectionsWhereAnEndTagIsText() {
        String script = "<script>//<![CDATA[\nvar s = \"</script>\"; new Image().src = 'https://px.ads.linkedin.com/c';\n//]]>"
                + "<!-- a comment --></script>";
        String out = run(HEAD + "</head><body>" + script + "<p>after</p></body></html>", Fixture.NONE);
        assertTrue(out.contains("<script type=\"text/plain\" data-consent=\"linkedin-insight\">//<![CDATA["), out);
        String plain = HEAD + "</head><body><script>//<![CDATA[\nif (a < b) { go('</script>'); }\n//]]></script><p>x</p></body></html>";
        assertEquals(plain, run(plain, Fixture.NONE));
    }

    @Test
    void noElementsContentIsRawText() {
        for (String el : new String[] {"style", "textarea", "title", "noscript", "iframe", "xmp"}) {
            String out = run(HEAD + "</head><body><" + el + "><img src=\"https://px.ads.linkedin.com/" + el + "\"/></" + el
                    + "></body></html>", Fixture.NONE);
            assertTrue(out.contains("data-consent-src=\"https://px.ads.linkedin.com/" + el), el + ": " + out);
        }
        // and a CDATA section is text anywhere
        String cdata = HEAD + "</head><body><p><![CDATA[ <img src=\"https://px.ads.linkedin.com/t\"/> ]]></p></body></html>";
        assertEquals(cdata, run(cdata, Fixture.NONE));
    }

    /** Renamed, a prefixed attribute stays a name XML accepts: the page must still parse. */
    @Test
    void aRenamedPrefixedAttributeKeepsThePageWellFormed() throws Exception {
        String page = HEAD + "</head><body><svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">"
                + "<image xlink:href=\"https://px.ads.linkedin.com/x\"/><a xlink:href=\"//px.ads.linkedin.com/y\"><text>t</text></a>"
                + "</svg></body></html>";
        String out = run(page, Fixture.NONE);
        assertTrue(out.contains("data-consent-xlink-href=\"https://px.ads.linkedin.com/x\""), out);
        assertTrue(out.contains("data-consent-xlink-href=\"//px.ads.linkedin.com/y\""), out);
        javax.xml.parsers.DocumentBuilderFactory f = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        org.w3c.dom.Document doc = f.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(out.getBytes(StandardCharsets.UTF_8)));
        assertEquals(0, doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "image").item(0).getAttributes().getLength() - 2,
                "the mark and the renamed URL, nothing else");
        // where the name has no prefix, or in HTML, the name stays as it was after the prefix
        String html = Fixture.gate("<svg><image xlink:href=\"https://px.ads.linkedin.com/x\"/></svg>", Fixture.NONE);
        assertTrue(html.contains("data-consent-xlink:href="), html);
    }

    @Test
    void theXmlDeclarationOrAByteOrderMarkGivesTheCharset() {
        assertEquals("windows-1252", charset("<?xml version=\"1.0\" encoding=\"windows-1252\"?><html/>", true).name());
        assertEquals("Shift_JIS", charset("<?xml version='1.0' encoding='shift_jis' standalone='yes'?>", true).name());
        assertEquals("UTF-8", charset("<?xml version=\"1.0\"?><html/>", true).name(), "no encoding: UTF-8");
        assertEquals("UTF-8", charset("<html xmlns=\"http://www.w3.org/1999/xhtml\"/>", false).name(), "no declaration");
        assertEquals("UTF-8", charset("<?xml version=\"1.0\" encoding=\"x-no-such\"?>", true).name(), "unknown: UTF-8");
        assertEquals("UTF-8", charset("\uFEFF<?xml version=\"1.0\" encoding=\"windows-1252\"?>", true).name(), "the mark wins");
        byte[] utf16 = {(byte) 0xFF, (byte) 0xFE, '<', 0};
        assertEquals(StandardCharsets.UTF_16LE, HtmlGate.xmlCharsetOf(utf16, utf16.length, false));
        // undecided while the declaration is incomplete, unless nothing more comes
        assertEquals(null, charset("<?xml version=\"1.0\" enco", false));
        assertEquals(null, charset("<?x", false));
        assertEquals("UTF-8", charset("<?xml version=\"1.0\" enco", true).name());
    }

    private static java.nio.charset.Charset charset(String head, boolean complete) {
        byte[] b = head.getBytes(StandardCharsets.UTF_8);
        return HtmlGate.xmlCharsetOf(b, b.length, complete);
    }

    @Test
    void anElementInsideAScriptFailsClosed() {
        String out = run(HEAD + "</head><body><script>var a;<img src=\"https://px.ads.linkedin.com/e\"/></script>"
                + "<p>x</p></body></html>", Fixture.NONE);
        assertFalse(out.contains("<img"), out);
        assertTrue(out.contains("&lt;img"), "served with its markup escaped: " + out);
    }
}
