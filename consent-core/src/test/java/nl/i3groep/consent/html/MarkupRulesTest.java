package nl.i3groep.consent.html;

import static nl.i3groep.consent.html.Fixture.ALL;
import static nl.i3groep.consent.html.Fixture.NONE;
import static nl.i3groep.consent.html.HtmlGateTest.run;
import static nl.i3groep.consent.html.HtmlGateTest.unchanged;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Markup that reaches a tracker other than through the vendors' own snippets: inline code naming a
 * tracker's host, any attribute holding a tracker URL on any element, event handlers, CSS in a
 * {@code style} attribute, a {@code <meta>} refresh. Each in a document's head and body and in a
 * fragment, whole and in small writes ({@link HtmlGateTest#run}).
 */
class MarkupRulesTest {

    static final String[] PREFIXES = {"", "<!DOCTYPE html><html><head>", "<!DOCTYPE html><html><head></head><body><p>x</p>"};

    @ParameterizedTest
    @ValueSource(strings = {
        "new Image().src = 'https://px.ads.linkedin.com/collect/?pid=1&fmt=gif';",
        "var s=document.createElement('script');s.src='https://SNAP.LICDN.COM/li.lms-analytics/insight.min.js';",
        "load(\"https:\\/\\/snap.licdn.com\\/li.lms-analytics\\/insight.min.js\");",
        "document.write('<img src=\"//px4.ads.linkedin.com/collect\">');",
        "fetch('https://www.linkedin.com/px/li_sync');",
        "var u = 'https:\\/\\/www.linkedin.com\\/px\\/x';"})
    void inlineCodeThatNamesATrackersHostIsItsEvenMarkedOtherwise(String code) {
        for (String prefix : PREFIXES) {
            for (String open : new String[] {"<script>", "<script type=\"module\">", "<script data-consent=\"session-cookies\">"}) {
                String out = run(prefix + open + code + "</script>", NONE);
                assertTrue(out.contains("type=\"text/plain\""), out);
                assertTrue(out.contains(code), out);
                assertTrue(out.contains("linkedin-insight") || open.contains("data-consent"), out);
                assertTrue(run(prefix + open + code + "</script>", ALL).contains(open + code + "</script>"));
            }
        }
    }

    @Test
    void hostsInCodeAreTrackersOnlyWhereTheirRulesSaySo() {
        // Google's country domains count only on the paths Google Ads owns
        assertTrue(run("<script>new Image().src='https://www.google.nl/pagead/1p-conversion/1/'</script>", NONE)
                .contains("data-consent=\"google-ads\""));
        unchanged("<script>location.href='https://www.google.nl/maps/place/x';</script>", NONE);
        unchanged("<script>var profile = 'https://www.linkedin.com/company/x';</script>", NONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "<div data-bg=\"https://px.ads.linkedin.com/collect\">",
        "<img src=\"/blank.gif\" data-src=\"//px.ads.linkedin.com/collect\">",
        "<img src=\"/blank.gif\" data-lazy-srcset=\"/a.png 1x, https://px.ads.linkedin.com/collect 2x\">",
        "<section data-background-image=\"https://px.ads.linkedin.com/collect\">",
        "<amp-img src=\"https://px.ads.linkedin.com/collect\" width=\"1\" height=\"1\">",
        "<amp-pixel src=\"https://px.ads.linkedin.com/collect?pid=1\">",
        "<amp-iframe src=\"https://px.ads.linkedin.com/x\">",
        "<amp-analytics config=\"https://px.ads.linkedin.com/amp.json\">",
        "<table background=\"//px.ads.linkedin.com/collect\">",
        "<a href=\"/about\" ping=\"/count https://px.ads.linkedin.com/collect\">",
        "<form action=\"https://px.ads.linkedin.com/collect\">",
        "<img src=\"/a.png\" onload=\"new Image().src='//px.ads.linkedin.com/collect'\">",
        "<img src=\"/a.png\" ONERROR=\"this.src='https:\\/\\/px.ads.linkedin.com\\/x'\">",
        "<img src=\"/a.png\" onload=\"new Image().src='//px&#46;ads&period;linkedin.com/collect'\">",
        "<div style=\"background:url(//px.ads.linkedin.com/collect)\">",
        "<div style=\"background-image: url( 'https://px.ads.linkedin.com/collect' )\">",
        "<div style=\"background:image-set(&quot;https://px.ads.linkedin.com/a&quot; 1x)\">",
        "<div style=\"background:url(\\2f\\2fpx.ads.linkedin.com/collect)\">",
        "<meta http-equiv=\"refresh\" content=\"0; url=https://px.ads.linkedin.com/collect\">",
        "<meta http-equiv=\"Refresh\" content=\"5,URL='//px.ads.linkedin.com/collect'\">"})
    void anyAttributeThatReachesATrackerIsRenamedAndTheElementMarked(String element) {
        for (String prefix : PREFIXES) {
            String out = run(prefix + element + "<p>y</p>", NONE);
            assertTrue(out.contains("data-consent=\"linkedin-insight\"") && out.contains(" data-consent-"), out);
            assertTrue(out.contains("<p>y</p>"), out);
            assertTrue(run(prefix + element + "<p>y</p>", ALL).contains(element));
        }
    }

    @Test
    void theRenamedAttributeKeepsItsValueAndOnlyItIsRenamed() {
        assertEquals("<div data-consent=\"linkedin-insight\" class=\"hero\" data-consent-data-bg=\"//px.ads.linkedin.com/c\" title=\"x\">",
                run("<div class=\"hero\" data-bg=\"//px.ads.linkedin.com/c\" title=\"x\">", NONE));
        assertEquals("<body data-consent=\"linkedin-insight\" data-consent-onload=\"li('snap.licdn.com')\">",
                run("<body onload=\"li('snap.licdn.com')\">", NONE));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "<div data-bg=\"/img/hero.jpg\" style=\"background:url(/img/a.png)\">",
        "<img src=\"/a.png\" onload=\"this.className='loaded'\" onclick=\"go('https://example.org/')\">",
        "<a href=\"https://www.linkedin.com/company/x\" title=\"Note: LinkedIn\">in</a>",
        "<div style=\"font-family:'Open Sans'; content: 'snap.licdn.com'\">",
        "<meta property=\"og:url\" content=\"https://example.org/\">",
        "<meta http-equiv=\"refresh\" content=\"30\">",
        "<img src=\"/a.png\" src=\"//px.ads.linkedin.com/c\">",
        "<div data-x=\"//cdn.example.org/a.js\" data-y='{\"a\":1}'>"})
    void attributesThatReachNoTrackerAreLeftAlone(String element) {
        for (String prefix : PREFIXES) {
            String out = run(prefix + element + "<p>y</p>", NONE);
            assertTrue(out.contains(element + "<p>y</p>") && !out.contains("data-consent"), out);
        }
    }

    @Test
    void aDeniedMarkRenamesLoadersAndHandlersWhateverTheyName() {
        assertEquals("<div data-consent=\"oktopost\" data-consent-data-src=\"/widget.html\" data-consent-onclick=\"w()\" class=\"a\">",
                run("<div data-consent=\"oktopost\" data-src=\"/widget.html\" onclick=\"w()\" class=\"a\">", NONE));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        ".hero{background:url(https://px.ads.linkedin.com/collect)}",
        "@import url(\"//px.ads.linkedin.com/a.css\");",
        "@import '//px.ads.linkedin.com/a.css';",
        "p{x:1}\n.a{background-image:image-set(\"https://px.ads.linkedin.com/a\" 1x)}",
        ".a{background:url(\\2f\\2fpx.ads.linkedin.com/collect)}",
        "/* </styl </style2 */ .a{background:URL( //PX.ADS.LINKEDIN.COM/x )}",
        ".x{\\2f\\2a} .a{background:url(//px.ads.linkedin.com/x)} /* */"})
    void aStylesheetThatFetchesFromATrackerIsNotApplied(String css) {
        for (String prefix : PREFIXES) {
            for (String open : new String[] {"<style>", "<style media=\"screen\">", "<STYLE type=\"text/css\">"}) {
                String out = run(prefix + open + css + "</style><p>y</p>", NONE);
                assertTrue(out.contains("type=\"text/plain\" data-consent=\"linkedin-insight\""), out);
                // and no @import for a preload scanner that ignores the type
                assertTrue(out.contains(css.replace("@", "@x-consent-") + "</style><p>y</p>"), out);
                assertTrue(run(prefix + open + css + "</style><p>y</p>", ALL).contains(open + css + "</style>"));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        ".hero{background:url(/img/hero.jpg)} a[href*='snap.licdn.com']{color:red}",
        "@import url(/site.css); @font-face{src:url(https://fonts.example.org/a.woff2)}",
        "p::before{content:'https://px.ads.linkedin.com is named, not fetched'}"})
    void otherStylesheetsAreLeftAlone(String css) {
        for (String prefix : PREFIXES) {
            String out = run(prefix + "<style>" + css + "</style><p>y</p>", NONE);
            assertTrue(out.contains("<style>" + css + "</style><p>y</p>") && !out.contains("data-consent"), out);
        }
    }

    @Test
    void svgStyleIsJudgedAsMarkupNotAsAStylesheet() {
        String out = run("<svg><style>.a{fill:red}</style><image href=\"//px.ads.linkedin.com/x\"/></svg>", NONE);
        assertTrue(out.contains("<style>.a{fill:red}</style>"), out);
        assertTrue(out.contains("data-consent-href"), out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://&pfr;x.ads.linkedin.com/collect", "https://px.&aopf;ds.linkedin.com/collect",
        "https://px.ads.linked&iscr;n.com/collect", "https://px.ads.&ell;inkedin.com/collect",
        "https://px.ads.link&shy;edin.com/collect", "https://px.ads.linkedin&period;com/collect",
        "https://\uff50\uff58.ads.linkedin.com/collect", "https://px\u3002ads\uff0elinkedin\uff61com/collect",
        "https://px.ads.linkedin.com\u200b/collect", "https://PX.ADS.LINKEDIN.COM/collect",
        "https://px.ads.linkedin.co&#x2098;/collect", "https://px.ads.linkedin.c&ordm;m/collect",
        "https://px.ads.linked&#x1d55a;n.com/collect", "https://snap.licdn.com/x.js"})
    void hostsAreMappedAsBrowsersMapThem(String url) {
        // U+2098 and U+1D55A are mapped by UTS #46 (Unicode after 3.2 or compatibility forms), not by IDNA2003 alone
        String out = run("<img src=\"" + url + "\">", NONE);
        assertTrue(out.contains("data-consent=\"linkedin-insight\""), out);
    }

    @Test
    void mappedHostsThatAreNoTrackersStayOthers() {
        assertEquals("xn--caf-dma.org", Rules.uts46("CAF\u00c9.org"));
        // a label left non-ASCII is no tracker's, but the domain it lies under still counts
        assertTrue(run("<img src=\"https://\u00fcber.ads.linkedin.com/x\">", NONE).contains("linkedin-insight"));
        unchanged("<img src=\"https://px.ads.linkedin.com.example.org/x\">", NONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "<iframe src=\"data:text/html,<img src=https://px.ads.linkedin.com/collect>\"></iframe>",
        "<iframe src=\"data:text/html,%3Cimg%20src%3D%22https%3A%2F%2Fpx.ads.linkedin.com%2Fcollect%22%3E\"></iframe>",
        "<iframe src=\"data:text/html;base64,PGltZyBzcmM9aHR0cHM6Ly9weC5hZHMubGlua2VkaW4uY29tL2NvbGxlY3Q+\"></iframe>",
        "<iframe src=\"javascript:'<img src=https://px.ads.linkedin.com/collect>'\"></iframe>",
        "<a href=\"javascript:new Image().src='//px.ads.linkedin.com/collect'\">x</a>",
        "<object data=\"data:text/html,&lt;script src=//snap.licdn.com/x.js&gt;&lt;/script&gt;\"></object>",
        "<embed src=\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'><image href='https://px.ads.linkedin.com/c'/></svg>\">",
        "<svg><a><set attributeName=\"href\" to=\"https://px.ads.linkedin.com/collect\"/></a></svg>",
        "<svg><a><animate attributeName=\"href\" values=\"/a.png;https://px.ads.linkedin.com/collect\"/></a></svg>",
        "<svg><use href=\"https://px.ads.linkedin.com/sprite.svg#i\"/></svg>"})
    void documentsAndCodeInUrlsAndSvgAnimationsAreJudged(String html) {
        for (String prefix : PREFIXES) {
            String out = run(prefix + html + "<p>y</p>", NONE);
            assertTrue(out.contains("data-consent=\"linkedin-insight\"") && out.contains(" data-consent-"), out);
        }
    }

    @Test
    void aScriptFromADataUrlIsJudgedOnItsCode() {
        String out = run("<script src=\"data:text/javascript,new Image().src='https://px.ads.linkedin.com/c'\"></script>", NONE);
        assertTrue(out.contains("type=\"text/plain\""), out);
        String plain = "<script src=\"data:text/javascript,console.log(1)\"></script><iframe src=\"data:text/html,<p>hi</p>\">"
                + "</iframe><a href=\"javascript:void(0)\">x</a>";
        assertEquals(plain, run(plain, NONE));
    }

    @Test
    void anSvgScriptsContentIsMarkupAndTheScriptUndecided() {
        String out = run("<svg><script><image href=\"//px.ads.linkedin.com/x\"/></script></svg>", NONE);
        assertTrue(out.contains("<image data-consent=\"linkedin-insight\" data-consent-href"), out);
        assertTrue(out.startsWith("<svg><script type=\"text/plain\" data-consent=\"unknown\">"), out);
        // a tag that breaks out of SVG is HTML again: the script's content cannot hide it
        assertTrue(run("<svg><script>var a;<img src=//px.ads.linkedin.com/y></script>", NONE)
                .contains("<img data-consent=\"linkedin-insight\" data-consent-src=//px.ads.linkedin.com/y>"));
        assertTrue(run("<svg><script>alert(1)</script></svg>", ALL).contains("data-consent=\"unknown\""));
        assertTrue(run("<svg><script type=\"text/plain\" data-consent=\"oktopost\">x()</script></svg>", ALL)
                .contains("<script type=\"text/plain\" data-consent=\"oktopost\">"), "a parked one stays parked");
        unchanged("<svg><script href=\"/local.js\"/></svg>", NONE);
        unchanged("<svg><script/></svg><p>x</p>", ALL);
    }

    @Test
    void aCdataSectionInSvgIsTextToItsEnd() {
        // a browser reads all of it as text, and the image after the svg as a tag
        String out = run("<svg><![CDATA[ a > <script> b ]]></svg><img src=\"//px.ads.linkedin.com/x\">", NONE);
        assertTrue(out.contains("<![CDATA[ a > <script> b ]]></svg><img data-consent=\"linkedin-insight\""), out);
        String text = run("<svg><![CDATA[ <image href=//px.ads.linkedin.com/t> ]] ]> ]]></svg>", NONE);
        assertTrue(text.contains("<image href=//px.ads.linkedin.com/t>"), "text, not a tag: " + text);
        // outside SVG it is a bogus comment, to the first ">"
        assertTrue(run("<![CDATA[ a > <img src=//px.ads.linkedin.com/z> ]]>", NONE).contains("data-consent-src"));
        // an opening that is not CDATA's is a bogus comment in SVG too
        assertTrue(run("<svg><![CDAT a > <image href=//px.ads.linkedin.com/w/></svg>", NONE).contains("data-consent-href"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"<svg><foreignObject>", "<svg><desc>", "<svg><title>", "<math><mtext>", "<math><mi>",
        "<math><annotation-xml encoding=\"text/html\">", "<svg><g><foreignObject><div></div>"})
    void integrationPointsHoldHtml(String open) {
        // an HTML script: its escaped "<!--" does not hide the image after its end
        String out = run(open + "<script><!--</script><img src=//px.ads.linkedin.com/a>--></svg>", NONE);
        assertTrue(out.contains("<img data-consent=\"linkedin-insight\" data-consent-src=//px.ads.linkedin.com/a>"), out);
        // and HTML raw text: a style's content is text
        String style = run(open + "<style><img src=//px.ads.linkedin.com/b></style><p>x</p>", NONE);
        assertTrue(style.contains("<style><img src=//px.ads.linkedin.com/b></style>"), style);
    }

    @Test
    void anIntegrationPointsEndReturnsToForeignContent() {
        String out = run("<svg><foreignObject><p>x</p><br></foreignObject><style><image href=//px.ads.linkedin.com/c/>"
                + "</style></svg>", NONE);
        assertTrue(out.contains("<image data-consent=\"linkedin-insight\" data-consent-href"), out);
        // an annotation-xml that is not HTML, and an SVG title inside MathML, are foreign
        String math = run("<math><annotation-xml><style><img src=//px.ads.linkedin.com/d></style></math>", NONE);
        assertTrue(math.contains("data-consent-src=//px.ads.linkedin.com/d"), math);
        // the integration point's own tag is foreign: an SVG title holds no raw text
        String title = run("<svg><title><![CDATA[ a > <script> ]]></title></svg><img src=//px.ads.linkedin.com/e>", NONE);
        assertTrue(title.contains("data-consent-src=//px.ads.linkedin.com/e"), title);
    }

    @Test
    void ampAnalyticsInlineConfigNamingATrackerIsMadeInertOtherJsonIsLeftAlone() {
        String amp = "<amp-analytics><script type=\"application/json\">{\"requests\": {\"pageview\": "
                + "\"https://px.ads.linkedin.com/collect?pid=1\"}, \"triggers\": {\"t\": {\"on\": \"visible\"}}}"
                + "</script></amp-analytics>";
        for (String prefix : PREFIXES) {
            String out = run(prefix + amp, NONE);
            assertTrue(out.contains("<script type=\"text/plain\" data-consent=\"linkedin-insight\" data-type=\"application/json\">"),
                    out);
            assertTrue(run(prefix + amp, ALL).contains(amp));
        }
        String ld = "<script type=\"application/ld+json\">{\"@type\": \"Organization\", \"sameAs\": "
                + "[\"https://www.linkedin.com/company/x\"], \"name\": \"_linkedin_partner_id\"}</script>";
        unchanged(ld, NONE);
        String big = "<script type=\"application/json\" id=\"__NEXT_DATA__\">{\"a\": \"" + "x".repeat(70_000) + "\"}</script>";
        unchanged(big, NONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"<p title=\"</noscript><img src=//px.ads.linkedin.com/x>\">p</p>",
        "<!-- </noscript><img src=//px.ads.linkedin.com/x> -->", "<textarea></noscript><img src=//px.ads.linkedin.com/x></textarea>",
        "<script>var a = '</NOSCRIPT ><img src=/a.png>';</script>",
        "<p title='</noscript/><img src=//px.ads.linkedin.com/x>'>a</p><!-- </noscript><img src=//px.ads.linkedin.com/x> -->"})
    void aNoscriptEndsWhereBothReadingsEndIt(String inside) {
        // a browser that runs scripts ends the noscript at its first "</noscript", wherever it lies;
        // one that does not reads on as markup: the gate reads it the second way, so that first one is written &lt;
        for (String prefix : PREFIXES) {
            String out = run(prefix + "<noscript>" + inside + "</noscript><p>after</p>", NONE);
            String expected = inside.replaceAll("(?i)<(/noscript)", "&lt;$1");
            assertTrue(out.contains("<noscript>" + expected + "</noscript><p>after</p>"), out);
        }
    }

    @Test
    void aNoscriptsOwnPixelIsStillSeenAndItsEndLeftAlone() {
        for (String prefix : PREFIXES) {
            String out = run(prefix + "<noscript><img src=\"//px.ads.linkedin.com/y\"></noscript><p>after</p>"
                    + "<p title=\"</noscript>\">outside</p>", NONE);
            assertTrue(out.contains("<noscript><img data-consent=\"linkedin-insight\" data-consent-src=\"//px.ads.linkedin.com/y\">"
                    + "</noscript><p>after</p><p title=\"</noscript>\">outside</p>"), out);
        }
        // a noscript in SVG is no HTML noscript
        unchanged("<svg><noscript><desc title=\"</noscript>\"/></noscript></svg>", NONE);
    }

    @Test
    void aRefreshIsReadAsBrowsersReadIt() {
        assertEquals("https://x.org/a", HtmlGate.refreshUrl("0; url=https://x.org/a"));
        assertEquals("//x.org/a", HtmlGate.refreshUrl(" 5 , URL = '//x.org/a' "));
        assertEquals("https://x.org/a", HtmlGate.refreshUrl("0;https://x.org/a"));
        assertEquals("/next", HtmlGate.refreshUrl("3.5; url=\"/next\""));
        assertEquals("", HtmlGate.refreshUrl("30"));
        assertEquals("", HtmlGate.refreshUrl("30; "));
        assertNull(HtmlGate.refreshUrl("; url=https://x.org/"), "no delay, no refresh");
    }

    @Test
    void cssEscapesAreDecoded() {
        assertEquals("//x.org", Css.unescape("\\2f\\2f x.org"));
        assertEquals("a\"b", Css.unescape("a\\\"b"));
        assertEquals("ab", Css.unescape("a\\\nb"));
    }
}
