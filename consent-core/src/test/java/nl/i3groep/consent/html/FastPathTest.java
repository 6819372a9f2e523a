package nl.i3groep.consent.html;

import static nl.i3groep.consent.html.Fixture.NONE;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The data state's fast path (plain tags and comments passed over in one loop) and the direct
 * {@code </script} check must read markup exactly as the general states do. {@link HtmlGateTest#run}
 * compares a whole write (fast path) with one byte per write (general states only).
 */
class FastPathTest {

    static final String PIXEL = "<img src=\"https://px.ads.linkedin.com/collect/?pid=1\">";
    static final String DOC = "<!DOCTYPE html><html><head><title>t</title></head><body><p>x</p>";

    @ParameterizedTest
    @ValueSource(strings = {"<!---->", "<!-->", "<!--->", "<!-- a -->", "<!-- a --!>", "<!-- a -- >-->", "<!--a->-->",
        "<!---x-->", "<!----!>", "<!-- <!-- -->", "<!--\n-\n-->", "<!-- a ---->", "<!-- --! -->"})
    void aTrackerAfterACommentIsSeen(String comment) {
        for (String prefix : new String[] {"", DOC}) {
            String out = HtmlGateTest.run(prefix + "<p>a</p>" + comment + PIXEL + "<p>b</p>", NONE);
            assertTrue(out.contains("data-consent-src=\"https://px.ads.linkedin.com"), out);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"<!-- ", "<!---!> ", "<!-- -!> ", "<!-- -- > ", "<!--- ", "<!-- a -- ! > ", "<!-- a -> ",
        "<!---x-> ", "<!-- !> ", "<!-- -\n-> "})
    void aTrackerInsideACommentIsText(String open) {
        for (String prefix : new String[] {"", DOC}) {
            String html = prefix + "<p>a</p>" + open + PIXEL + " -->";
            String out = HtmlGateTest.run(html, NONE);
            assertTrue(out.contains("<p>a</p>" + open + PIXEL + " -->"), out);
            assertFalse(out.contains("data-consent-src"), out);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"</script>", "</SCRIPT>", "</ScRiPt >", "</script/>", "</script\n>", "</script x=\">\">"})
    void scriptEndsAreFoundDirectly(String end) {
        for (String prefix : new String[] {"", DOC}) {
            String html = prefix + "<script>var a = 1 < 2;</scrip></scripts>" + end + PIXEL;
            String out = HtmlGateTest.run(html, NONE);
            assertTrue(out.contains("data-consent-src=\"https://px.ads.linkedin.com"), out);
            String tracker = prefix + "<script>window._linkedin_partner_id = 1;" + end + "<p>x</p>";
            assertTrue(HtmlGateTest.run(tracker, NONE).contains("type=\"text/plain\""));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"<div>", "</div>", "<strong class=\"a\">", "<main>", "<article id='x>'>", "<a href=/x>",
        "<x-y>", "<em/>", "<A HREF=\"/\">", "</p a=\">\">", "<averyveryverylongelementname>"})
    void plainTagsBeforeATrackerPassUnchanged(String tag) {
        for (String prefix : new String[] {"", DOC}) {
            String html = prefix + tag + "text" + PIXEL;
            String out = HtmlGateTest.run(html, NONE);
            assertTrue(out.contains(tag + "text<img data-consent=\""), out);
        }
    }
}
