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

    /** Held elements that the fast path may pass over: what it leaves must be what the general path leaves. */
    @ParameterizedTest
    @ValueSource(strings = {"<img src=\"/a.png\" srcset=\"/a@2x.png 2x\" alt=\"A\">", "<img src=a.png>",
        "<source srcset=\"/a.webp 1x, /b.webp 2x\">", "<link rel=\"stylesheet\" href=\"/site.css\">",
        "<img alt=\"Foto: x\" src=\"/a.png\">", "<img src=\"/a.png\" SRC=\"//px.ads.linkedin.com/c\">",
        "<video poster=\"/p.jpg\" data-x=\"//cdn.example.org/c\">", "<div class=\"a b\" title=\"Note: x/y\">",
        "<p style=\"color:red;background:url(/img/a.png)\" onclick=\"go('/x')\">",
        "<meta property=\"og:url\" content=\"https://example.org/a\">",
        "<script>var a = 1;</script>", "<script src=\"/js/app.js\"></script>",
        "<script type=\"application/ld+json\">{\"@context\": \"https://schema.org\"}</script>",
        "<script>if (a < b && c </ d) { f('</scripts>'); }</script>", "<script>var s = '<!-- x';</script>"})
    void unchangedHeldElementsPassUnchanged(String element) {
        for (String prefix : new String[] {"", DOC}) {
            String out = HtmlGateTest.run(prefix + element + "text" + PIXEL, NONE);
            assertTrue(out.contains(element + "text<img data-consent=\""), out);
        }
    }

    /** Held elements that only the general path may decide: the fast path must not pass them over. */
    @ParameterizedTest
    @ValueSource(strings = {"<img src=\"//px.ads.linkedin.com/collect\">", "<img src=\"https://px.ads.linkedin.com/c\">",
        "<img src=\"/&#47;px.ads.linkedin.com/c\">", "<img src=\"/\n/px.ads.linkedin.com/c\">",
        "<img src=\"\\\\px.ads.linkedin.com/c\">", "<img src=\"/a.png\" srcset=\"/a.png 1x, //px.ads.linkedin.com/c 2x\">",
        "<img src=\"/a.png\" data-consent=\"linkedin-insight\">", "<img src=\"/a.png\" DATA-CONSENT=\"linkedin-insight\">",
        "<link rel=\"preload\" as=\"script\" href=\"https://snap.licdn.com/li.lms-analytics/insight.min.js\">",
        "<script>window.lintrk('track');</script>", "<script src=\"//script.leadboxer.com/?dataset=1\"></script>",
        "<script data-consent=\"oktopost\">var a = 1;</script>", "<script src=\"/a.js\" data-consent=\"oktopost\"></script>",
        "<script>var s = '<!--'; _oktrk('create', '1');</script>", "<video poster=\"//px.ads.linkedin.com/c\">",
        "<object data=\"https://px.ads.linkedin.com/c\"></object>",
        "<link rel=\"preload\" as=\"image\" imagesrcset=\"/a.png 1x, https://px.ads.linkedin.com/c 2x\">",
        "<video poster=\"/p.jpg\" data-x=\"//px.ads.linkedin.com/c\">", "<div data-bg=\"https://px.ads.linkedin.com/c\">",
        "<img src=\"/a.png\" onload=\"new Image().src='//PX.ADS.LINKEDIN.COM/c'\">",
        "<div style=\"background:url(//px.ads.linkedin.com/c)\">", "<table background=\"//px.ads.linkedin.com/c\">",
        "<a href=\"/x\" ping=\"/log https://px.ads.linkedin.com/c\">",
        "<meta http-equiv=\"refresh\" content=\"0; url=https://px.ads.linkedin.com/c\">"})
    void trackerElementsAreDecided(String element) {
        for (String prefix : new String[] {"", DOC}) {
            String out = HtmlGateTest.run(prefix + "<p>a</p>" + element + "<p>b</p>", NONE);
            assertFalse(out.contains(element), out);
            assertTrue(out.contains("data-consent"), out);
        }
    }
}
