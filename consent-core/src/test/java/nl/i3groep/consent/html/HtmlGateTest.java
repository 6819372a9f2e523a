package nl.i3groep.consent.html;

import static nl.i3groep.consent.html.Fixture.ALL;
import static nl.i3groep.consent.html.Fixture.ANALYTICS;
import static nl.i3groep.consent.html.Fixture.MARKETING;
import static nl.i3groep.consent.html.Fixture.NONE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import nl.i3groep.consent.Decisions;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.SiteConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HtmlGateTest {

    /** Gated whole, and one byte per write: both must give the same. */
    static String run(String html, Decisions d) {
        return run(html, d, Page.PLAIN);
    }

    static String run(String html, Decisions d, Page page) {
        String whole = Fixture.gate(html, d, page, Integer.MAX_VALUE);
        assertEquals(whole, Fixture.gate(html, d, page, 1), "one byte per write");
        assertEquals(whole, Fixture.gate(html, d, page, 7), "seven bytes per write");
        return whole;
    }

    static void unchanged(String html, Decisions d) {
        assertEquals(html, run(html, d));
    }

    // ---- the trackers' own install snippets ---------------------------------------------------

    static final String GA4 = "<script async src=\"https://www.googletagmanager.com/gtag/js?id=G-ABC123\"></script>\n"
            + "<script>\n  window.dataLayer = window.dataLayer || [];\n  function gtag(){dataLayer.push(arguments);}\n"
            + "  gtag('js', new Date());\n  gtag('config', 'G-ABC123');\n</script>";
    static final String UA = "<script>(function(i,s,o,g,r,a,m){i['GoogleAnalyticsObject']=r;i[r]=i[r]||function(){"
            + "(i[r].q=i[r].q||[]).push(arguments)},i[r].l=1*new Date();a=s.createElement(o),"
            + "m=s.getElementsByTagName(o)[0];a.async=1;a.src=g;m.parentNode.insertBefore(a,m)"
            + "})(window,document,'script','//www.google-analytics.com/analytics.js','ga');"
            + "ga('create', 'UA-XXXX-N', 'auto');ga('send', 'pageview');</script>";
    static final String ADS = "<script async src=\"https://www.googletagmanager.com/gtag/js?id=AW-123456789\"></script>";
    static final String ADS_LEGACY = "<script type=\"text/javascript\">\n/* <![CDATA[ */\nvar google_conversion_id = 123456789;\n"
            + "var google_remarketing_only = true;\n/* ]]> */\n</script>\n"
            + "<script type=\"text/javascript\" src=\"//www.googleadservices.com/pagead/conversion.js\"></script>\n"
            + "<noscript><div style=\"display:inline;\"><img height=\"1\" width=\"1\" style=\"border-style:none;\" alt=\"\" "
            + "src=\"//googleads.g.doubleclick.net/pagead/viewthroughconversion/123456789/?guid=ON&amp;script=0\"/>"
            + "</div></noscript>";
    static final String LINKEDIN = "<script type=\"text/javascript\">\n_linkedin_partner_id = \"123456\";\n"
            + "window._linkedin_data_partner_ids = window._linkedin_data_partner_ids || [];\n"
            + "window._linkedin_data_partner_ids.push(_linkedin_partner_id);\n</script><script type=\"text/javascript\">\n"
            + "(function(l) {\nif (!l){window.lintrk = function(a,b){window.lintrk.q.push([a,b])};\nwindow.lintrk.q=[]}\n"
            + "var s = document.getElementsByTagName(\"script\")[0];\nvar b = document.createElement(\"script\");\n"
            + "b.type = \"text/javascript\";b.async = true;\n"
            + "b.src = \"https://snap.licdn.com/li.lms-analytics/insight.min.js\";\n"
            + "s.parentNode.insertBefore(b, s);})(window.lintrk);\n</script>\n"
            + "<noscript>\n<img height=\"1\" width=\"1\" style=\"display:none;\" alt=\"\" "
            + "src=\"https://px.ads.linkedin.com/collect/?pid=123456&fmt=gif\" />\n</noscript>";
    static final String LEADBOXER = "<script defer src=\"//script.leadboxer.com/?dataset=0123456789abcdef0123456789abcdef\"></script>";
    static final String LEADBOXER_FORM = "<script defer src=\"//script.leadboxer.com/?dataset=abc123&form\"></script>";
    static final String OKTOPOST = "<script>(function(a,b,c,d,e,m){a['OktopostTrackerObject']=d;a[d]=a[d]||function(){"
            + "(a[d].q=a[d].q||[]).push(arguments)};e=b.createElement('script');m=b.getElementsByTagName('script')[0];"
            + "e.async=1;e.src=c;m.parentNode.insertBefore(e,m)})(window,document,'static.oktopost.com/oktrk.js','_oktrk');"
            + "_oktrk('create','001abc');</script>";
    static final String GTM = "<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),"
            + "event:'gtm.js'});var f=d.getElementsByTagName(s)[0],j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';"
            + "j.async=true;j.src='https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);"
            + "})(window,document,'script','dataLayer','GTM-XXXX');</script>";
    static final String GTM_NOSCRIPT = "<noscript><iframe src=\"https://www.googletagmanager.com/ns.html?id=GTM-XXXX\" "
            + "height=\"0\" width=\"0\" style=\"display:none;visibility:hidden\"></iframe></noscript>";

    static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void ga4IsInertWhenDeniedAndLiveWhenAllowed() {
        String out = run(GA4, NONE);
        assertEquals(2, count(out, "<script type=\"text/plain\" data-consent=\"google-analytics\""), out);
        unchanged(GA4, ANALYTICS);
        assertEquals(2, count(run(GA4, MARKETING), "type=\"text/plain\""));
    }

    @Test
    void universalAnalyticsIsInertWhenDenied() {
        assertTrue(run(UA, NONE).startsWith("<script type=\"text/plain\" data-consent=\"google-analytics\">(function"));
        unchanged(UA, ANALYTICS);
    }

    @Test
    void googleAdsGtagAndLegacyAreInertWhenDenied() {
        assertTrue(run(ADS, ANALYTICS).startsWith("<script type=\"text/plain\" data-consent=\"google-ads\" async"));
        String legacy = run(ADS_LEGACY, ANALYTICS);
        assertEquals(2, count(legacy, "<script type=\"text/plain\" data-consent=\"google-ads\" data-type=\"text/javascript\""),
                legacy);
        assertTrue(legacy.contains("<img data-consent=\"google-ads\" height=\"1\" width=\"1\" style=\"border-style:none;\" "
                + "alt=\"\" data-consent-src=\"//googleads.g.doubleclick.net/"), legacy);
        unchanged(ADS, MARKETING);
        unchanged(ADS_LEGACY, MARKETING);
    }

    @Test
    void aGtagCallThatNamesNoAccountNeedsBothGoogleTrackers() {
        String event = "<script>gtag('event', 'sign_up');</script>";
        String inertBoth = "<script type=\"text/plain\" data-consent=\"google-analytics google-ads\">";
        assertTrue(run(event, NONE).startsWith(inertBoth), run(event, NONE));
        assertTrue(run(event, ANALYTICS).startsWith(inertBoth), "it reaches the Ads tag too");
        assertTrue(run(event, MARKETING).startsWith(inertBoth), "it reaches the Analytics tag too");
        unchanged(event, ALL);
        // one that names an account belongs to that account's tracker alone
        unchanged("<script>gtag('config', 'G-ABC123');</script>", ANALYTICS);
        unchanged("<script>gtag('event', 'conversion', {'send_to': 'AW-123456789/abc'});</script>", MARKETING);
        // an account the site did not configure is no account the filter knows: both must be allowed
        assertTrue(run("<script>gtag('config', 'G-OTHER1');</script>", ANALYTICS).startsWith(inertBoth));
    }

    @Test
    void aTrackersPathIsFoundAsItsServerWillReadIt() {
        for (String url : List.of("https://www.google.com/./pagead/1p-conversion/1/", "https://www.google.com/x/../pagead/1/",
                "https://www.google.com/%70agead/1/", "https://www.google.com//pagead/1/", "https://www.google.com/%2e/pagead/1/",
                "https://www.linkedin.com/./px/1", "https://www.google.com\\pagead/1/")) {
            String out = run("<img src=\"" + url + "\">", ANALYTICS);
            assertTrue(out.contains("data-consent-src="), url + ": " + out);
        }
        unchanged("<img src=\"https://www.google.com/./search/x.png\">", NONE);
    }

    @Test
    void aBaseOnAHostWhereATrackerOwnsPathsCountsForThatTracker() {
        String base = "<base href=\"https://www.google.com/\">";
        assertTrue(run(base, ANALYTICS).contains("data-consent-href="), "relative pagead/ URLs would resolve there");
        // and maps/ ones: Google Maps, of the catalogue, is denied where the site did not configure it
        assertTrue(run(base, MARKETING).contains("google-maps\" data-consent-href="), run(base, MARKETING));
        unchanged("<base href=\"https://www.example.nl/\">", NONE);
    }

    @Test
    void svgImagesAreUrlsToo() {
        for (String image : List.of("<svg><image href=\"https://px.ads.linkedin.com/collect/?pid=1\"/></svg>",
                "<svg><image xlink:href=\"https://px.ads.linkedin.com/collect/?pid=1\"/></svg>",
                "<svg><filter id=f><feImage href=\"https://px.ads.linkedin.com/collect/?pid=1\"/></filter></svg>")) {
            String out = run(image, ANALYTICS);
            assertTrue(out.matches("(?s).*data-consent-(xlink:)?href=\"https.*")
                    && !out.matches("(?s).*\\s(xlink:)?href=\"https.*"), out);
        }
    }

    @Test
    void aSrcdocHidesNoHostBehindEscapes() {
        for (String srcdoc : List.of("<img src='https://px.ads.linkedin%2Ecom/collect/?pid=1'>",
                "<img src='https://px.ads.linked&#10;in.com/collect/?pid=1'>",
                "<img src='https://px.ads.linkedin&amp;#46;com/collect/?pid=1'>")) {
            String out = run("<iframe srcdoc=\"" + srcdoc + "\"></iframe>", ANALYTICS);
            assertTrue(out.contains("data-consent-srcdoc="), out);
        }
        unchanged("<iframe srcdoc=\"<p>100% &amp; more</p>\"></iframe>", NONE);
    }

    @Test
    void svgNestingAsBrowsersBuildIt() {
        // <image> is no breakout from SVG, and a </math> that closes nothing is ignored: the style is SVG markup
        for (String doc : List.of("<svg><image href=\"/a.gif\"/><style><img src=\"https://px.ads.linkedin.com/collect/?pid=1\">",
                "<svg></math><style><img src=\"https://px.ads.linkedin.com/collect/?pid=1\"></style></svg>",
                "<math></svg><style><img src=\"https://px.ads.linkedin.com/collect/?pid=1\"></style></math>")) {
            String out = run(doc, ANALYTICS);
            assertTrue(out.contains("data-consent-src=\"https://px.ads.linkedin.com"), out);
        }
    }

    @Test
    void linkedInScriptsAndPixelAreInertWhenDenied() {
        String out = run(LINKEDIN, ANALYTICS);
        assertEquals(2, count(out, "<script type=\"text/plain\" data-consent=\"linkedin-insight\" data-type=\"text/javascript\">"),
                out);
        assertTrue(out.contains("<img data-consent=\"linkedin-insight\" height=\"1\" width=\"1\" style=\"display:none;\" "
                + "alt=\"\" data-consent-src=\"https://px.ads.linkedin.com/collect/?pid=123456&fmt=gif\" />"), out);
        unchanged(LINKEDIN, MARKETING);
    }

    @Test
    void leadboxerAndOktopostAreInertWhenDenied() {
        assertTrue(run(LEADBOXER, NONE).startsWith("<script type=\"text/plain\" data-consent=\"leadboxer\" defer data-consent-src="));
        assertTrue(run(LEADBOXER_FORM, NONE).contains("data-consent=\"leadboxer\""));
        assertTrue(run(OKTOPOST, NONE).startsWith("<script type=\"text/plain\" data-consent=\"oktopost\">"));
        unchanged(LEADBOXER, MARKETING);
        unchanged(OKTOPOST, MARKETING);
    }

    @Test
    void unconfiguredTagManagerIsDeniedEvenWhenEverythingIsGranted() {
        String out = run(GTM + GTM_NOSCRIPT, ALL);
        assertTrue(out.startsWith("<script type=\"text/plain\" data-consent=\"google-tag-manager\">"), out);
        assertTrue(out.contains("<iframe data-consent=\"google-tag-manager\" data-consent-src=\"https://www.googletagmanager.com/ns.html"),
                out);
        // a gtag id no rule knows still loads from Google's tag host
        assertTrue(run("<script src=\"https://www.googletagmanager.com/gtag/js?id=DC-123\"></script>", ALL)
                .contains("type=\"text/plain\""));
    }

    @Test
    void unconfiguredCatalogueTrackerIsDenied() {
        ConsentConfig gaOnly = ConsentConfig.parse(SiteConfigs.withField(SiteConfigs.json(), "trackers",
                "{\"google-analytics\":{\"measurementId\":\"G-ABC123\"}}"), java.util.Map.of());
        HtmlGate gate = HtmlGate.create(gaOnly.trackers());
        nl.i3groep.consent.Gatekeeper gk = nl.i3groep.consent.Gatekeeper.create(gaOnly);
        Decisions all = gk.decisionsFor(gk.consent(java.util.Map.of("analytics", true, "marketing", true), java.util.Map.of()),
                false);
        String out = new String(Fixture.gate(gate, LINKEDIN.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8, all,
                Page.PLAIN, new int[] {Integer.MAX_VALUE}), StandardCharsets.UTF_8);
        assertEquals(out, new String(Fixture.gate(gate, LINKEDIN.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8,
                all, Page.PLAIN, new int[] {1}), StandardCharsets.UTF_8));
        assertEquals(2, count(out, "data-consent=\"linkedin-insight\" data-type"), out);
        assertTrue(out.contains("data-consent-src=\"https://px.ads.linkedin.com"), out);
    }

    @Test
    void gtagIdNeedNotBeTheFirstParameter() {
        String url = "<script src=\"https://www.googletagmanager.com/gtag/js?l=dataLayer&amp;id=G-ABC123&cx=c\"></script>";
        assertTrue(run(url, MARKETING).contains("data-consent=\"google-analytics\""));
        unchanged(url, ANALYTICS);
        String ads = "<script src=\"https://www.googletagmanager.com/gtag/js?l=x&id=AW-123456789\"></script>";
        assertTrue(run(ads, ANALYTICS).contains("data-consent=\"google-ads\""));
    }

    // ---- marks ----------------------------------------------------------------------------------

    @Test
    void markedScriptsFollowTheirMark() {
        String parked = "<script type=\"text/plain\" data-type=\"module\" data-consent=\"leadboxer\">x()</script>";
        unchanged(parked, NONE);
        assertEquals("<script type=\"module\"  data-type=\"module\" data-consent=\"leadboxer\">x()</script>",
                run(parked, MARKETING));
        String noType = "<script type='text/plain' data-consent=leadboxer>x()</script>";
        assertEquals("<script  data-consent=leadboxer>x()</script>", run(noType, MARKETING));
        String live = "<script data-consent=\"oktopost\">x()</script>";
        assertEquals("<script type=\"text/plain\" data-consent=\"oktopost\">x()</script>", run(live, NONE));
        unchanged(live, MARKETING);
    }

    @Test
    void unknownOrEmptyMarkIsDenied() {
        assertTrue(run("<script data-consent=\"no-such-tracker\">x()</script>", ALL).contains("type=\"text/plain\""));
        assertTrue(run("<script data-consent>x()</script>", ALL).contains("type=\"text/plain\""));
        unchanged("<script type=\"text/plain\" data-consent=\"nope\">x()</script>", ALL);
        assertTrue(run("<img data-consent=\"nope\" src=\"/local.png\">", ALL).contains("data-consent-src="));
    }

    /** A mark does not exempt a script's content: one marked necessary that starts Google's tag is Google's too. */
    @Test
    void aMarkDoesNotExemptTheContent() {
        String marked = "<script data-consent=\"session-cookies\">gtag('config','G-ABC123')</script>";
        assertEquals("<script type=\"text/plain\" data-consent=\"session-cookies\">gtag('config','G-ABC123')</script>",
                run(marked, NONE));
        unchanged(marked, ALL);
        unchanged("<script data-consent=\"session-cookies\">var cart = 1;</script>", NONE);
    }

    /**
     * Scripts whatever their type: what performance and privacy plugins write, which a first-party
     * loader revives by its own type or from its own URL attribute.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "<script type=\"rocketlazyloadscript\" data-rocket-src=\"https://snap.licdn.com/li.lms-analytics/insight.min.js\"></script>",
        "<script type=\"litespeed/javascript\" data-src=\"https://www.googletagmanager.com/gtag/js?id=G-ABC123\"></script>",
        "<script type=\"text/partytown\" src=\"https://www.googletagmanager.com/gtag/js?id=G-ABC123\"></script>",
        "<script type=\"text/partytown\">gtag('config','G-ABC123')</script>",
        "<script type=\"module\" src=\"//script.leadboxer.com/?dataset=abc\"></script>",
        "<script type=\"text/plain\" data-cookieconsent=\"marketing\" data-src=\"https://static.oktopost.com/oktrk.js\"></script>",
        "<script type=\"text/plain\" data-category=\"analytics\">window.lintrk('track')</script>",
        "<script type=\"speculationrules\">{\"prefetch\":[{\"urls\":[\"https://snap.licdn.com/x\"]}],\"x\":\"_linkedin_partner_id\"}</script>",
        "<script data-lazy-src=\"//px.ads.linkedin.com/insight.js\" type=\"text/javascript\" defer></script>"})
    void scriptsOfAnyTypeAreJudgedAndMadeInert(String script) {
        String out = run(script, NONE);
        org.jsoup.nodes.Element s = org.jsoup.Jsoup.parseBodyFragment(out).selectFirst("script");
        assertEquals("text/plain", s.attr("type"), out);
        for (org.jsoup.nodes.Attribute a : s.attributes()) {
            boolean url = a.getKey().equals("src") || a.getKey().startsWith("data-") && a.getKey().endsWith("src");
            assertFalse(url && !a.getKey().startsWith("data-consent-"), "a loader could still find " + a + ": " + out);
        }
        assertTrue(s.hasAttr("data-consent"), out);
        unchanged(script, ALL);
        // in a document's body, where the fast scan passes over what cannot concern a tracker
        String page = "<!doctype html><html><head></head><body><p>x</p>" + script + "<p>y</p></body></html>";
        String gated = run(page, NONE);
        assertEquals("text/plain", org.jsoup.Jsoup.parse(gated).selectFirst("body script").attr("type"), gated);
    }

    @Test
    void aScriptOfSeveralTrackersNeedsAllOfThem() {
        String both = "<script>gtag('config','G-ABC123');gtag('config','AW-123456789');</script>";
        assertTrue(run(both, ANALYTICS).contains("data-consent=\"google-analytics google-ads\""));
        assertTrue(run(both, MARKETING).contains("type=\"text/plain\""));
        unchanged(both, ALL);
        String marked = "<script data-consent=\"google-analytics leadboxer\">x()</script>";
        assertTrue(run(marked, ANALYTICS).contains("type=\"text/plain\""));
        unchanged(marked, ALL);
    }

    // ---- spellings ------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
        "<SCRIPT SRC=\"https://snap.licdn.com/li.lms-analytics/insight.min.js\"></SCRIPT>",
        "<script src='https://snap.licdn.com/x.js'></script>",
        "<script src=https://snap.licdn.com/x.js></script>",
        "<script\n  async\n  src\n=\n\"//snap.licdn.com/x.js\"\n></script>",
        "<script data-x=\"a>b\" src=\"//snap.licdn.com/x.js\"></script>",
        "<script src=\"//snap&#46;licdn.com/x.js\"></script>",
        "<script src=\"//snap&period;licdn&#x2E;com/x.js\"></script>",
        "<script src=\"  \n https://SNAP.LICDN.COM./x.js \"></script>",
        "<script src=\"HTTPS://snap.licdn.com:443/x.js\"></script>",
        "<script src=\"https://user@snap.licdn.com/x.js\"></script>",
        "<script src=\"https:\\\\snap.licdn.com\\x.js\"></script>",
        "<script src=\"https:///snap.licdn.com/x.js\"></script>",
        "<script src=\"htt\tps://snap.lic\ndn.com/x.js\"></script>",
        "<script src=\"//snap%2Elicdn.com/x.js\"></script>",
        "<script src=\"//snap&#46licdn.com/x.js\"></script>",
        "<script/src=\"//snap.licdn.com/x.js\"></script>",
        "<script type=\"module\" src=\"//snap.licdn.com/x.js\"></script>",
        "<script type=\"text/javascript; charset=utf-8\" src=\"//snap.licdn.com/x.js\"></script>",
        "<script src=\"//snap.licdn.com/x.js\" src=\"/mine.js\"></script>",
        "<script>var s='</scr' + 'ipt>'; _linkedin_partner_id = '1';</script>",
        "<script><!-- document.write('<script></script>'); _linkedin_partner_id = '1'; --></script>",
    })
    void oddSpellingsAreStillRecognised(String html) {
        String out = run(html, NONE);
        assertTrue(out.toLowerCase().startsWith("<script type=\"text/plain\" data-consent=\"linkedin-insight\""), out);
        assertEquals(count(html.toLowerCase(), "<script"), count(out.toLowerCase(), "<script"), out);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "<img src=\"https://px.ads.linkedin.com/collect/?pid=1&fmt=gif\">",
        "<IMG SRC=//PX.ADS.LINKEDIN.COM/collect>",
        "<img srcset=\"/a.png 1x, https://px.ads.linkedin.com/c 2x\">",
        "<iframe src=\"//px.ads.linkedin.com/x\"></iframe>",
        "<embed src=\"//px.ads.linkedin.com/x\">",
        "<object data=\"//px.ads.linkedin.com/x\"></object>",
        "<picture><source srcset=\"//px.ads.linkedin.com/x\"></picture>",
        "<link rel=preload href=\"https://snap.licdn.com/li.lms-analytics/insight.min.js\" as=script>",
        "<video poster=\"//px.ads.linkedin.com/x\"></video>",
        "<audio src=\"//px.ads.linkedin.com/x\"></audio>",
        "<noscript><img src=\"https://px.ads.linkedin.com/collect/?pid=1\"/></noscript>",
        "<img src=\"//px.ads.linkedin.com/x\" src=\"//px.ads.linkedin.com/y\">",
        "<img src=\"/\n/px.ads.linkedin.com/x\">",
        "<img src=\"\\/px.ads.linkedin.com/x\">",
        "<img src=\"/&#x2F;px.ads.linkedin.com/x\">",
        "<img src=\"&sol;&sol;px.ads.linkedin.com/x\">",
        "<img src=\"h\tt\ntps&colon;//px.ads.linkedin.com/x\">",
        "<img srcset=\"/a.png 1x,//px.ads.linkedin.com/x 2x\">",
        "<image src=\"//px.ads.linkedin.com/x\">",
        "<frameset><frame src=\"//px.ads.linkedin.com/x\"></frameset>",
        "<input type=image src=\"//px.ads.linkedin.com/x\">",
        "<video><track src=\"//px.ads.linkedin.com/x\"></video>",
        "<base href=\"https://snap.licdn.com/li.lms-analytics/\">",
    })
    void fetchingElementsLoseTheirUrl(String html) {
        String out = run(html, NONE);
        assertTrue(out.contains("data-consent=\"linkedin-insight\""), out);
        assertFalse(out.matches("(?is).*\\s(src|srcset|href|data|poster)\\s*=\\s*[\"']?[^\"'>]*(licdn|linkedin).*"), out);
        unchanged(html, MARKETING);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "<!-- <script src=\"//snap.licdn.com/x.js\"></script> -->",
        "<!--> <p>",
        "<!---> <p>",
        "<![CDATA[ x ]]>",
        "<?xml version=\"1.0\"?>",
        "<textarea><script src=\"//snap.licdn.com/x.js\"></script></textarea>",
        "<title><img src=\"//px.ads.linkedin.com/x\"></title>",
        "<style>/* <script src=\"//snap.licdn.com/x.js\"></script> */</style>",
        "<p title=\"<script src=//snap.licdn.com/x.js></script>\">x</p>",
        "<div data-x='<img src=//px.ads.linkedin.com/x>'></div>",
        "<a href=\"https://www.linkedin.com/company/x\">LinkedIn</a>",
        "<script src=\"/js/app.js\"></script><img src=\"/logo.png\" srcset=\"/logo@2x.png 2x\">",
        "<script type=\"application/ld+json\">{\"name\":\"_linkedin_partner_id\"}</script>",
        "a < b and c > d </ >",
    })
    void textCommentsAndRawTextAreLeftAlone(String html) {
        unchanged(html, NONE);
    }

    @Test
    void endTagWithSpaceEndsTheScript() {
        String html = "<script>var a = 1;</script ><script>_linkedin_partner_id='1'</script\n>";
        String out = run(html, NONE);
        assertTrue(out.startsWith("<script>var a = 1;</script ><script type=\"text/plain\""), out);
    }

    @Test
    void cdataOutsideForeignContentEndsAtTheFirstGreaterThan() {
        // browsers end this bogus comment at the first ">", so the script is real
        String out = run("<![CDATA[ a > <script src=\"//snap.licdn.com/x.js\"></script> ]]>", NONE);
        assertTrue(out.contains("type=\"text/plain\""), out);
    }

    @Test
    void rawTextEndsOnlyAtItsOwnEndTag() {
        String out = run("<textarea></textareax><img src=//px.ads.linkedin.com/a></textarea ><img src=//px.ads.linkedin.com/b>",
                NONE);
        assertTrue(out.contains("<img src=//px.ads.linkedin.com/a>"), out);
        assertTrue(out.contains("data-consent-src=//px.ads.linkedin.com/b"), out);
    }

    @Test
    void svgStyleIsMarkup() {
        String out = run("<svg><style><img src=//px.ads.linkedin.com/a></style></svg>"
                + "<style><img src=//px.ads.linkedin.com/b></style>", NONE);
        assertTrue(out.contains("data-consent-src=//px.ads.linkedin.com/a"), out);
        assertTrue(out.contains("<img src=//px.ads.linkedin.com/b>"), out);
    }

    @Test
    void selfClosedSvgScriptHasNoContent() {
        String out = run("<svg><script href=\"/a.js\"/></svg><img src=//px.ads.linkedin.com/x>", NONE);
        assertTrue(out.endsWith("<img data-consent=\"linkedin-insight\" data-consent-src=//px.ads.linkedin.com/x>"), out);
        // in HTML the "/" is ignored: what follows is script text (which names LinkedIn's host)
        assertTrue(run("<script/><img src=//px.ads.linkedin.com/x></script>", NONE)
                .endsWith("><img src=//px.ads.linkedin.com/x></script>"));
        assertTrue(run("<svg><script xlink:href=\"https://snap.licdn.com/x.js\"/></svg>", NONE).contains("type=\"text/plain\""));
    }

    @Test
    void plaintextSwallowsTheRest() {
        unchanged("<plaintext><script src=//snap.licdn.com/x.js></script>", NONE);
    }

    // ---- insertion ------------------------------------------------------------------------------

    static final String DOC = "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n<title>t</title>\n"
            + "</head>\n<body>\n<p>Hallo</p>\n</body>\n</html>\n";

    @Test
    void documentGetsConsentModeSnippetsAndBanner() {
        String out = run(DOC, MARKETING, Fixture.banner("<div data-consent-banner></div>"));
        int head = out.indexOf("<head>") + "<head>".length();
        assertTrue(out.startsWith("<script>window.dataLayer", head), out);
        assertTrue(out.contains("ad_storage:'granted',ad_user_data:'granted',ad_personalization:'granted',"
                + "analytics_storage:'denied',functionality_storage:'granted'"), out);
        // the snippets at the end of the document, when the page is known not to install them itself
        int end = out.indexOf("</html>");
        for (String snippet : new String[] {"gtag/js?id=AW-123456789", "_linkedin_partner_id=\"123456\"",
            "script.leadboxer.com/?dataset=abc123", "_oktrk('create','001abc')"}) {
            int at = out.indexOf(snippet);
            assertTrue(at > end, snippet + " in " + out);
        }
        assertFalse(out.contains("gtag/js?id=G-ABC123"), out);
        assertTrue(out.contains("<p>Hallo</p>\n</body>") && out.indexOf("<div data-consent-banner></div>") > out.indexOf("</body>"), out);
        // with nothing granted, only the consent mode defaults are added
        String none = run(DOC, NONE);
        assertTrue(none.contains("ad_storage:'denied'") && none.contains("analytics_storage:'denied'"));
        assertEquals(1, count(none, "<script"), none);
    }

    @Test
    void aDeniedEmbedsFrameGoesBehindItsPlaceholderSizedAsTheFrameIs() {
        Page page = new Page("", Optional.empty(), Map.of("youtube",
                "<p data-e style=\"width:{width};height:{height}\"></p>"));
        String html = "<p>a</p><iframe width=\"560\" height=\"315\" src=\"https://www.youtube-nocookie.com/embed/abc?x=1&amp;y=\u00fc\""
                + " allowfullscreen></iframe><IFRAME SRC='https://www.youtube.com/embed/def' width=\"100%\"></IFRAME>"
                + "<iframe width=0 height=0 src=\"https://www.youtube.com/embed/nothing-to-see\"></iframe>"
                + "<iframe style=\"display: none\" src=\"https://www.youtube.com/embed/nor-here\"></iframe>"
                + "<iframe width=\"500\" height=\"300\" src=\"https://www.googletagmanager.com/ns.html?id=GTM-AB12\"></iframe>";
        String out = run(html, NONE, page);
        assertTrue(out.contains("<p>a</p><p data-e style=\"width:560px;height:315px\"></p><iframe hidden data-consent=\"youtube\" width=\"560\" height=\"315\""
                + " data-consent-src=\"https://www.youtube-nocookie.com/embed/abc?x=1&amp;y=\u00fc\" allowfullscreen></iframe>"), out);
        assertTrue(out.contains("<p data-e style=\"width:100%;height:315px\"></p><IFRAME hidden data-consent=\"youtube\" data-consent-SRC='https://www.youtube.com/embed/def'"), out);
        assertEquals(2, count(out, "data-e"), "none for frames not to be seen, nor for a tracker without one: " + out);
        assertTrue(out.contains("<iframe data-consent=\"google-tag-manager\" width=\"500\""), out);
        String plain = run(html, NONE);
        assertFalse(plain.contains("data-e") || plain.contains(" hidden"), "without placeholders, frames are only inert: " + plain);
    }

    /** Spring PetClinic's layout nests the page's own body in the layout's: the first end of a body is mid-page. */
    @Test
    void theBannerGoesAtTheEndOfTheDocumentWhereAParserPutsItLastInTheBody() {
        String doc = "<!doctype html><html><head><title>t</title></head><body><nav>n</nav><body><main>m</main></body>"
                + "<footer>f</footer></body></html>\n";
        for (int chunk : new int[] {1, 7, Integer.MAX_VALUE}) {
            String out = gateOnce(HtmlGate.create(Fixture.CONFIG.trackers()), doc, NONE,
                    Fixture.banner("<div data-consent-banner></div>"), chunk);
            assertTrue(out.endsWith("</body><div data-consent-banner></div></html>\n"), out);
            org.jsoup.nodes.Element body = org.jsoup.Jsoup.parse(out).body();
            assertEquals(List.of("nav", "main", "footer", "div"), body.children().stream().map(e -> e.tagName()).toList(),
                    body.html());
        }
    }

    @Test
    void fragmentsGetNothingInserted() {
        String frag = "<div><script src=\"//snap.licdn.com/x.js\"></script></div></body>";
        String out = run(frag, ALL, Fixture.banner("<div data-consent-banner></div>"));
        assertFalse(out.contains("data-consent-banner"), out);
        assertFalse(out.contains("dataLayer"), out);
        String headless = " <!-- c --> <head></head><body></body>";
        assertEquals(headless, run(headless, ALL, Fixture.banner("<b>x</b>")));
    }

    @Test
    void documentDetectionSkipsBomWhiteSpaceAndComments() {
        String doc = "\uFEFF \n<!-- hi --><HTML><body>x</body></HTML>";
        String out = run(doc, NONE, Fixture.banner("<i>b</i>"));
        assertTrue(out.endsWith("x</body><i>b</i></HTML>"), out);
        assertTrue(out.contains("<script>window.dataLayer"), out);
    }

    @Test
    void snippetsGoAtTheEndAndConsentModeWhereTheHeadBeginsWithoutHeadTags() {
        String out = run("<!doctype html><title>x</title><div>y</div>", MARKETING);
        assertTrue(out.indexOf("_oktrk('create'") > out.indexOf("<div>y</div>"), out);
        assertTrue(out.indexOf("window.dataLayer") < out.indexOf("<title>"), out);
        String text = run("<!doctype html><html><head><title>x</title>Hello", MARKETING);
        assertTrue(text.indexOf("_oktrk('create'") > text.indexOf("Hello"), text);
    }

    @Test
    void snippetsAreNotInsertedIntoANoscriptOrTemplateOfTheHead() {
        // to a browser that runs scripts, a noscript of the head is text: a snippet put in it never runs
        String doc = "<!doctype html><html><head><title>t</title>"
                + "<noscript>Zet JavaScript aan<img src=\"https://px.ads.linkedin.com/collect/?pid=123456&fmt=gif\">"
                + "<script>x()</script></head><body></noscript>"
                + "<template><div>row</div><template><p>inner</p></template><span></span></template>"
                + "<meta name=\"x\">" + LEADBOXER + "</head><body><p>text</p></body></html>";
        String out = run(doc, MARKETING);
        assertEquals(1, count(out, "_oktrk('create'"), out);
        assertTrue(out.indexOf("_oktrk('create'") > out.indexOf("<p>text</p>"), out);
        assertEquals(1, count(out, "script.leadboxer.com"), "the head's own Leadboxer script is seen: " + out);
        // the noscript's own script never runs: LinkedIn, which only it names, is inserted
        assertEquals(1, count(out, "_linkedin_partner_id=\"123456\""), out);
        assertTrue(run(doc, NONE).contains("data-consent-src=\"https://px.ads.linkedin.com/collect/"),
                "the noscript's pixel is still read, as with scripting off");
        String ads = run("<!doctype html><head><noscript><img src=x></noscript>" + ADS + "</head>", MARKETING);
        assertTrue(ads.indexOf("gtag('consent','default'") < ads.indexOf("<noscript>"), ads);
    }

    @Test
    void trackersThePageInstallsItselfAnywhereAreNotInsertedAgain() {
        String doc = "<!doctype html><html><head>" + LEADBOXER + "</head><body><p>x</p>" + OKTOPOST + LINKEDIN
                + "</body></html>" + ADS;
        String out = run(doc, MARKETING);
        assertEquals(1, count(out, "script.leadboxer.com"), out);
        assertEquals(1, count(out, "_oktrk('create'"), out);
        assertEquals(1, count(out, "li.lms-analytics/insight.min.js"), out);
        assertEquals(1, count(out, "gtag/js?id=AW-123456789"), "even after </html>: " + out);
        // and what it does not install comes at the end
        String bare = run("<!doctype html><html><head></head><body><p>x</p></body></html>", MARKETING);
        assertTrue(bare.endsWith("</html>" + Fixture.CONFIG.trackers().stream()
                .filter(t -> MARKETING.allows(t.id()) && !t.snippet().isEmpty()).map(t -> t.snippet())
                .reduce("", String::concat)), bare);
    }

    @Test
    void bannerAtTheEndWhenBodyNeverCloses() {
        assertTrue(run("<!doctype html><p>x", NONE, Fixture.banner("<b>B</b>")).endsWith("<p>x<b>B</b>"));
    }

    @Test
    void consentModeComesBeforeAGoogleTagWithoutHead() {
        String out = run("<!doctype html>" + GA4, ALL);
        assertTrue(out.indexOf("gtag('consent','default'") < out.indexOf("gtag/js?id=G-ABC123"), out);
        assertTrue(out.contains("analytics_storage:'granted'"), out);
    }

    // ---- nonce ----------------------------------------------------------------------------------

    @Test
    void nonceGoesOnEveryInlineScriptAndOnExternalOnesThatHadTheirOwn() {
        Page page = new Page("<script>banner()</script>", Optional.of("abc123=="));
        String doc = "<!doctype html><html><head><script src=/app.js></script><script nonce=\"own\">x</script>"
                + "<script nonce=\"own\" src=\"https://cdn.example.org/lib.js\"></script>"
                + "<script type=\"application/ld+json\">{}</script>" + OKTOPOST + "</head><body><p>x</p>"
                + "<script>y()</script><script data-src=\"/lazy.js\">z()</script></body></html>";
        // whole, the body's plain scripts pass the fast path; a byte at a time, the tokenizer: the same nonce
        String out = run(doc, ANALYTICS, page);
        assertTrue(out.contains("<p>x</p><script nonce=\"abc123==\">y()</script>"), out);
        assertTrue(out.contains("<script nonce=\"abc123==\" data-src=\"/lazy.js\">z()</script>"), out);
        // an external script is the policy's to judge by its host, unless the application vouched for it
        assertTrue(out.contains("<script src=/app.js>"), out);
        assertTrue(out.contains("<script nonce=\"abc123==\"  src=\"https://cdn.example.org/lib.js\">"), out);
        assertTrue(out.contains("<script nonce=\"abc123==\" >x</script>"), "the filter's nonce replaces the page's: " + out);
        String restored = run("<script type=\"text/plain\" nonce=\"own\" data-consent=\"google-analytics\">x()</script>",
                ANALYTICS, page);
        assertTrue(restored.startsWith("<script nonce=\"abc123==\"") && !restored.contains("own"), restored);
        assertTrue(out.contains("<script type=\"application/ld+json\">"), out);
        assertTrue(out.contains("<script type=\"text/plain\" data-consent=\"oktopost\">"), out);
        assertTrue(out.contains("<script nonce=\"abc123==\">window.dataLayer"), out);
        assertTrue(out.contains("<script nonce=\"abc123==\">banner()</script>"), out);
        assertTrue(out.contains("<script nonce=\"abc123==\" async src=\"https://www.googletagmanager.com/gtag/js?id=G-ABC123"),
                out);
        assertThrows(IllegalArgumentException.class, () -> new Page("", Optional.of("a\"b")));
    }

    // ---- contacts ------------------------------------------------------------------------------

    /** What a page fetches from hosts that are no tracker's, told to whoever asked, with how. */
    @Test
    void thePageTellsWhatItFetchesFromHostsNoTrackersRulesName() throws java.io.IOException {
        List<String> told = new java.util.ArrayList<>();
        String html = "<!doctype html><html><head><script src=\"//Tags.Undeclared.example:8443/tm.js\"></script>"
                + "<link rel=stylesheet href=\"https://fonts.example.net/css\"></head><body>"
                + "<img src=\"https://cdn.example-cdn.net/a.png\" alt=\"\"><img src=\"/own.png\" alt=\"\">"
                + "<iframe src=\"https://user@maps.example.org/embed\"></iframe>"
                + "<img src=\"https://px.ads.linkedin.com/collect\" alt=\"\"><script src=\"https://snap.licdn.com/x.js\"></script>"
                + "<p><a href=\"https://elsewhere.example/\">a link fetches nothing</a></p></body></html>";
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.io.OutputStream g = Fixture.GATE.open(out, StandardCharsets.UTF_8, NONE, Page.PLAIN,
                (host, kind) -> !told.add(kind + " " + host))) {
            g.write(html.getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(List.of("script tags.undeclared.example", "link fonts.example.net", "img cdn.example-cdn.net",
                "frame maps.example.org"), told);
    }

    /** Where the caller says so (undeclared hosts blocked), a script, frame or pixel is held back as an unknown tracker's. */
    @Test
    void whatTheCallerSaysToHoldBackIsHeldBack() throws java.io.IOException {
        String html = "<script src=\"https://tags.undeclared.example/tm.js\"></script>"
                + "<img alt=\"\" src=\"https://pixel.undeclared.example/p.gif\"><img alt=\"\" src=\"https://cdn.example-cdn.net/a.png\">";
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.io.OutputStream g = Fixture.GATE.open(out, StandardCharsets.UTF_8, ALL, Page.PLAIN,
                (host, kind) -> host.endsWith(".undeclared.example"))) {
            g.write(html.getBytes(StandardCharsets.UTF_8));
        }
        assertEquals("<script type=\"text/plain\" data-consent=\"unknown\" data-consent-src=\"https://tags.undeclared.example/tm.js\">"
                + "</script><img data-consent=\"unknown\" alt=\"\" data-consent-src=\"https://pixel.undeclared.example/p.gif\">"
                + "<img alt=\"\" src=\"https://cdn.example-cdn.net/a.png\">", out.toString(StandardCharsets.UTF_8),
                "also when the visitor allows every tracker");
    }

    @Test
    void aUrlsHostIsReadAsTheUrlParserReadsIt() {
        assertEquals("cdn.example.net", Rules.hostOf(" HTTPS://user:pw@CDN.example.net:8443/a?b#c"));
        assertEquals("cdn.example.net", Rules.hostOf("\\\\cdn.example.net\\x"));
        assertEquals("cdn.example.net", Rules.hostOf("ht\ttps://cdn.example.net"));
        assertEquals(null, Rules.hostOf("/relative/x"));
        assertEquals(null, Rules.hostOf("data:image/gif;base64,R0lG"));
        assertEquals(null, Rules.hostOf("ftp://files.example.net/"));
    }

    // ---- limits and encodings -------------------------------------------------------------------

    @Test
    void longInlineScriptIsJudgedOnItsFirst64KiBAndDeniedWhenTheyAreUndecided() {
        String pad = "x".repeat(Rewriter.CAP);
        String early = "<script>_linkedin_partner_id=1;" + pad + "</script><p>after</p>";
        assertTrue(run(early, NONE).startsWith("<script type=\"text/plain\" data-consent=\"linkedin-insight\">"));
        unchanged(early, ALL);
        String late = "<script>" + pad + "_linkedin_partner_id=1;</script><p>after</p>";
        for (Decisions d : List.of(NONE, ALL)) {
            String out = run(late, d);
            assertTrue(out.startsWith("<script type=\"text/plain\" data-consent=\"unknown\">"), out.substring(0, 60));
            assertTrue(out.endsWith("</script><p>after</p>"));
        }
        String exactly = "<script>" + "x".repeat(Rewriter.CAP) + "</script>";
        unchanged(exactly, NONE); // and in one-byte writes, where the end tag comes after the cap
        String over = "<script>" + "x".repeat(Rewriter.CAP + 3) + "</script>";
        assertTrue(run(over, ALL).startsWith("<script type=\"text/plain\" data-consent=\"unknown\">"));
    }

    @Test
    void overlongFetchingTagIsRenamed() {
        String tag = "<img alt=\"" + "a".repeat(Rewriter.CAP) + "\" src=\"//px.ads.linkedin.com/x\"><p>";
        String out = run(tag, NONE);
        assertTrue(out.startsWith("<x-consent-img alt="), out.substring(0, 40));
        assertTrue(out.endsWith("\"//px.ads.linkedin.com/x\"><p>"));
        String div = "<div title=\"" + "a".repeat(Rewriter.CAP + 10) + "\"><img src=//px.ads.linkedin.com/x>";
        assertTrue(run(div, NONE).endsWith("<img data-consent=\"linkedin-insight\" data-consent-src=//px.ads.linkedin.com/x>"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ISO-8859-1", "windows-1252", "UTF-8"})
    void asciiCompatibleCharsetsWork(String name) {
        Charset cs = Charset.forName(name);
        String text = cs.newEncoder().canEncode('\u20ac') ? "caf\u00e9 \u20ac" : "caf\u00e9";
        String html = "<!doctype html><p>" + text + "</p><img alt=\"\u00e9\u00e8\" src=\"//px.ads.linkedin.com/x\"></body>";
        byte[] body = html.getBytes(cs);
        // a byte-order mark only where it is the charset's own: one of UTF-8 makes any body UTF-8
        int bom = cs.equals(StandardCharsets.UTF_8) ? 3 : 0;
        byte[] in = new byte[body.length + bom];
        if (bom > 0) {
            in[0] = (byte) 0xEF;
            in[1] = (byte) 0xBB;
            in[2] = (byte) 0xBF;
        }
        System.arraycopy(body, 0, in, bom, body.length);
        for (int chunk : new int[] {1, 3, 1 << 20}) {
            String out = new String(Fixture.gate(Fixture.GATE, in, cs, NONE, Fixture.banner("<b>\u00e9</b>"),
                    new int[] {chunk}), cs);
            assertTrue(out.contains("<p>" + text + "</p><img data-consent=\"linkedin-insight\" alt=\"\u00e9\u00e8\" "
                    + "data-consent-src="), name + ": " + out);
            assertTrue(out.endsWith("</body><b>\u00e9</b>"), out);
        }
    }

    @Test
    void charsetsThatAreNotAsciiCompatibleAreRefused() {
        assertFalse(HtmlGate.supports(StandardCharsets.UTF_16));
        assertFalse(HtmlGate.supports(StandardCharsets.UTF_16LE));
        assertTrue(HtmlGate.supports(StandardCharsets.ISO_8859_1));
        assertTrue(HtmlGate.supports(Charset.forName("windows-1252")));
        assertThrows(IllegalArgumentException.class,
                () -> Fixture.GATE.open(new ByteArrayOutputStream(), StandardCharsets.UTF_16, NONE, Page.PLAIN));
    }

    @Test
    void flushPassesOnWhatIsDecided() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputStream o = Fixture.GATE.open(sink, StandardCharsets.UTF_8, NONE, Page.PLAIN);
        o.write("<p>one</p><scr".getBytes(StandardCharsets.UTF_8));
        o.flush();
        assertEquals("<p>one</p>", sink.toString(StandardCharsets.UTF_8));
        o.write("ipt>_linkedin_partner_id=1</script>".getBytes(StandardCharsets.UTF_8));
        o.flush();
        assertTrue(sink.toString(StandardCharsets.UTF_8).endsWith("<script type=\"text/plain\" data-consent=\"linkedin-insight\">"
                + "_linkedin_partner_id=1</script>"), sink.toString(StandardCharsets.UTF_8));
        o.write("<img src=\"//px.ads".getBytes(StandardCharsets.UTF_8));
        o.flush();
        assertTrue(sink.toString(StandardCharsets.UTF_8).endsWith("</script>"));
        o.close();
        assertTrue(sink.toString(StandardCharsets.UTF_8).endsWith("</script><img src=\"//px.ads"));
    }

    @Test
    void unterminatedInlineScriptIsJudgedAtTheEnd() {
        assertTrue(run("<script>_linkedin_partner_id=1", NONE).startsWith("<script type=\"text/plain\""));
        unchanged("<img src=\"//px.ads.linkedin.com/x", NONE);
    }

    @Test
    void iframeSrcdocWithATrackerIsBlocked() {
        String out = run("<iframe srcdoc=\"&lt;script src=//snap.licdn.com/x.js&gt;&lt;/script&gt;\"></iframe>", NONE);
        assertTrue(out.contains("data-consent-srcdoc="), out);
    }

    @Test
    void anInternalFailureFailsClosed() throws Exception {
        String html = "<p>a</p><b>b</b>" + LINKEDIN + "<p>c</p>";
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputStream o = Fixture.GATE.open(sink, StandardCharsets.UTF_8, NONE, Page.PLAIN);
        int[] tags = {0};
        ((GateStream) o).trace((b, from, to, end) -> {
            if (++tags[0] == 3) {
                throw new IllegalStateException("simulated bug");
            }
        });
        byte[] in = html.getBytes(StandardCharsets.UTF_8);
        o.write(in, 0, 20);
        o.write(in, 20, in.length - 20);
        o.close();
        String out = sink.toString(StandardCharsets.UTF_8);
        // what was not out yet when it broke goes out with every "<" escaped
        assertTrue(out.endsWith("&lt;/noscript>&lt;p>c&lt;/p>"), out);
        assertFalse(out.contains("<script") || out.contains("<img"), out);
        org.jsoup.nodes.Document doc = org.jsoup.Jsoup.parseBodyFragment(out);
        assertTrue(doc.select("script, img").isEmpty(), out);
        assertTrue(doc.text().contains("_linkedin_partner_id"), "the rest is still served, as text: " + out);
    }

    // ---- rewriters reused from one response to the next ---------------------------------------

    /**
     * A rewriter serves one response after another: whatever the last one left it in (a script or
     * tag cut off, SVG open, plaintext, a head never ended, a tag over the cap, a failure, a nonce),
     * the next page comes out as from a gate that never served one.
     */
    @Test
    void aRewriterLeavesNothingOfOneResponseToTheNext() throws Exception {
        HtmlGate gate = HtmlGate.create(Fixture.CONFIG.trackers());
        String next = "<!doctype html><html><head><title>t</title>" + GA4 + "</head><body><p>x</p>" + LINKEDIN
                + "<img src=\"https://px.ads.linkedin.com/collect/?pid=1\"></body></html>";
        Page banner = Fixture.banner("<div data-consent-banner></div>");
        String fresh = gateOnce(HtmlGate.create(Fixture.CONFIG.trackers()), next, NONE, banner, Integer.MAX_VALUE);
        assertTrue(fresh.contains("gtag('consent','default'") && fresh.endsWith("</body><div data-consent-banner></div></html>")
                && fresh.contains("data-consent-src=\"https://px.ads.linkedin.com") && !fresh.contains("&lt;"), fresh);
        List<String> before = List.of("<!doctype html><html><head><script>var a = 1;",
                "<div><svg><style>", "<plaintext><script src=//snap.licdn.com/x.js>",
                "<!doctype html><html><head><meta charset=utf-8>",
                "<img alt=\"" + "a".repeat(Rewriter.CAP + 5), "<p><img src=\"//px.ads.linkedin.com/x",
                "<!doctype html><html><head><title>x</title><script src=x></script></head><body><template><noscript>");
        for (String b : before) {
            gateOnce(gate, b, ALL, new Page("<i>b</i>", Optional.of("n0nce")), 3);
            assertEquals(fresh, gateOnce(gate, next, NONE, banner, Integer.MAX_VALUE), "after " + b);
            assertEquals(fresh, gateOnce(gate, next, NONE, banner, 5), "after " + b + ", in pieces");
        }
        // one that failed inside is not reused; the next is served as fresh all the same
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputStream failing = gate.open(sink, StandardCharsets.UTF_8, NONE, banner);
        ((GateStream) failing).trace((b, from, to, end) -> {
            throw new IllegalStateException("simulated bug");
        });
        failing.write("<p>a</p>".getBytes(StandardCharsets.UTF_8));
        failing.close();
        assertTrue(sink.toString(StandardCharsets.UTF_8).contains("&lt;p>"), sink.toString(StandardCharsets.UTF_8));
        assertEquals(fresh, gateOnce(gate, next, NONE, banner, Integer.MAX_VALUE), "after a failure");
    }

    /** A stream kept after close cannot write into the response its rewriter serves next. */
    @Test
    void aClosedStreamRefusesWritesWhileItsRewriterServesAnother() throws Exception {
        HtmlGate gate = HtmlGate.create(Fixture.CONFIG.trackers());
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        OutputStream old = gate.open(first, StandardCharsets.UTF_8, NONE, Page.PLAIN);
        old.write("<p>one</p>".getBytes(StandardCharsets.UTF_8));
        old.close();
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        OutputStream now = gate.open(second, StandardCharsets.UTF_8, NONE, Page.PLAIN);
        now.write("<p>two".getBytes(StandardCharsets.UTF_8));
        assertThrows(java.io.IOException.class, () -> old.write("<script>leak()</script>".getBytes(StandardCharsets.UTF_8)));
        old.flush();
        old.close();
        now.write("</p>".getBytes(StandardCharsets.UTF_8));
        now.close();
        assertEquals("<p>one</p>", first.toString(StandardCharsets.UTF_8));
        assertEquals("<p>two</p>", second.toString(StandardCharsets.UTF_8));
    }

    private static String gateOnce(HtmlGate gate, String html, Decisions d, Page page, int chunk) {
        return new String(Fixture.gate(gate, html.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8, d, page,
                new int[] {chunk}), StandardCharsets.UTF_8);
    }

    /**
     * Threads sharing one gate: its spare rewriters and its table of judged URLs are shared, and
     * every page still comes out as a gate of its own would give it.
     */
    @Test
    void threadsSharingAGateEachGetTheirOwnPage() throws Exception {
        List<String> pages = new java.util.ArrayList<>();
        for (int i = 0; i < 24; i++) {
            pages.add("<!doctype html><html><head><title>" + i + "</title>" + (i % 2 == 0 ? GA4 : "") + "</head><body>"
                    + "<img src=\"https://px.ads.linkedin.com/collect/?pid=" + i + "&amp;fmt=gif\">"
                    + "<img src=\"https://cdn.example.org/" + i + ".png\" srcset=\"//cdn.example.org/" + i + "@2x.png 2x\">"
                    + (i % 3 == 0 ? LINKEDIN : "<script>var n = " + i + ";</script>") + "<p>" + i + "</p></body></html>");
        }
        Decisions[] who = {NONE, ALL, ANALYTICS, MARKETING};
        Page banner = Fixture.banner("<div data-consent-banner></div>");
        String[][] expected = new String[pages.size()][who.length];
        for (int p = 0; p < pages.size(); p++) {
            for (int d = 0; d < who.length; d++) {
                expected[p][d] = gateOnce(HtmlGate.create(Fixture.CONFIG.trackers()), pages.get(p), who[d], banner, 11);
            }
        }
        HtmlGate shared = HtmlGate.create(Fixture.CONFIG.trackers());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<?>> runs = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                runs.add(pool.submit(() -> {
                    java.util.Random r = new java.util.Random(seed);
                    for (int k = 0; k < 400; k++) {
                        int p = r.nextInt(pages.size());
                        int d = r.nextInt(who.length);
                        int chunk = 1 + r.nextInt(40);
                        assertEquals(expected[p][d], gateOnce(shared, pages.get(p), who[d], banner, chunk),
                                "page " + p + ", decisions " + d + ", chunks of " + chunk);
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> run : runs) {
                run.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Google's ad paths on its country domains, the apex of its tag host, LinkedIn's numbered pixel hosts. */
    @ParameterizedTest
    @ValueSource(strings = {"https://www.google.co.uk/pagead/1p-conversion/123456789/", "//www.google.de/pagead/x",
        "https://www.google.com.au/rmkt/collect/123/", "https://googletagmanager.com/gtag/js?id=G-ABC123",
        "https://googletagmanager.com/gtm.js?id=GTM-XXXX", "https://px4.ads.linkedin.com/collect/?pid=123456",
        "https://www.GOOGLE.fr/pagead/landing"})
    void catalogueHostsAsTheVendorsServeThem(String url) {
        String img = "<img src=\"" + url + "\">";
        assertTrue(run(img, NONE).contains("data-consent-src="), url);
        if (!url.contains("gtm.js")) { // the Tag Manager is no tracker of this site's: denied whatever the visitor says
            assertEquals(img, run(img, ALL), url + ", allowed");
        }
        assertFalse(Fixture.GATE.allows(url, NONE), url);
    }

    @Test
    void otherPathsOfGooglesCountryDomainsAreNoTracker() {
        assertFalse(Fixture.GATE.allows("https://www.google.de/maps/embed?pb=1", ALL), "Google Maps' embed");
        for (String url : List.of("https://www.google.de/intl/de/policies/", "https://www.google.co.uk/search?q=x",
                "https://www.google.example.org/pagead/x", "https://www.google.museum/pagead/x")) {
            String img = "<img src=\"" + url + "\">";
            assertEquals(img, run(img, NONE), url);
            assertTrue(Fixture.GATE.allows(url, NONE), url);
        }
        // a base on a country domain makes relative pagead URLs Google's
        assertTrue(run("<base href=\"https://www.google.nl/\"><img src=\"pagead/x\">", NONE).contains("data-consent-href"));
        assertTrue(Fixture.GATE.allows("/pagead/x", NONE), "relative: the site's own");
    }

    static final List<String> EAST_ASIAN = List.of("Shift_JIS", "windows-31j", "EUC-JP", "GBK", "GB18030", "Big5",
            "EUC-KR");

    /** No byte of a multi-byte character in these charsets is one the tokenizer reads. */
    @ParameterizedTest
    @ValueSource(strings = {"Shift_JIS", "windows-31j", "EUC-JP", "GBK", "GB18030", "Big5", "EUC-KR"})
    void legacyEastAsianCharsetsNeverDisguiseMarkup(String name) {
        Charset cs = Charset.forName(name);
        assertTrue(HtmlGate.supports(cs), name);
        String structural = " \t\n\f\r\"'<=>&/!-?";
        java.nio.charset.CharsetEncoder enc = cs.newEncoder();
        int multiByte = 0;
        // the BMP, where these charsets' repertoires lie (GB18030's other planes take four bytes of the
        // same ranges as its BMP ones)
        for (int cp = 0x80; cp <= 0xFFFF; cp++) {
            if (cp >= 0xD800 && cp <= 0xDFFF || !enc.canEncode((char) cp)) {
                continue;
            }
            byte[] b = String.valueOf((char) cp).getBytes(cs);
            if (b.length > 1) {
                multiByte++;
            }
            for (byte x : b) {
                assertTrue(x < 0 && x != 0 || structural.indexOf((char) x) < 0 && x != 0,
                        name + ": U+" + Integer.toHexString(cp) + " holds byte " + Integer.toHexString(x & 0xff));
            }
        }
        assertTrue(multiByte > 1000, name + ": " + multiByte + " multi-byte characters checked");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Shift_JIS", "windows-31j", "EUC-JP", "GBK", "GB18030", "Big5", "EUC-KR"})
    void legacyEastAsianPagesAreGatedAsUtf8IsInEveryChunking(String name) {
        Charset cs = Charset.forName(name);
        String text = cs.newEncoder().canEncode("\u30bd\u8868\u80fd") ? "\u30bd\u8868\u80fd \u5341" : "\ud55c\uad6d\uc5b4";
        String html = "<!doctype html><html><head><title>" + text + "</title>" + GA4 + "</head><body><p title=\"" + text
                + "\">" + text + "</p><img alt=\"" + text + "\" src=\"//px.ads.linkedin.com/x\">" + LINKEDIN
                + "<script>var s = '" + text + "\\\\';</script></body></html>";
        byte[] in = html.getBytes(cs);
        String expected = null;
        for (int chunk : new int[] {1 << 20, 1, 2, 3, 7}) {
            String out = new String(Fixture.gate(Fixture.GATE, in, cs, NONE, Fixture.banner("<b>ok</b>"),
                    new int[] {chunk}), cs);
            if (expected == null) {
                expected = out;
                assertTrue(out.contains("<p title=\"" + text + "\">" + text + "</p><img data-consent=\"linkedin-insight\" alt=\""
                        + text + "\" data-consent-src="), name + ": " + out);
                assertTrue(out.contains("<script type=\"text/plain\" data-consent=\"google-analytics\" async"), out);
                assertTrue(out.contains("<script>var s = '" + text + "\\\\';</script>"), "kept: " + out);
                assertTrue(out.endsWith("</body><b>ok</b></html>"), out);
            }
            assertEquals(expected, out, name + " in chunks of " + chunk);
        }
    }
}
