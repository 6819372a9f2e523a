package nl.i3groep.consent.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import nl.i3groep.consent.Decisions;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.config.ConsentConfig;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

class BannerTest {

    private static String json() {
        return SiteConfig.json();
    }

    private static Gatekeeper gatekeeper(String json) {
        return Gatekeeper.create(ConsentConfig.parse(json, Map.of()));
    }

    @Test
    void smallEnoughToTravelWithEveryPage() throws IOException {
        // the banner, its script, and the placeholder of a video
        Gatekeeper g = gatekeeper(json().replace("\"trackers\": {", "\"purposes\": {\"media\": {}},\n  \"trackers\": {\n"
                + "    \"youtube\": { \"purpose\": \"media\" },"));
        Banner banner = new Banner(g.config());
        String html = banner.forUndecided("/consent", "/page", "nl", g.decide(null, true), false)
                + banner.placeholders("/consent", "nl").get("youtube");
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
            gz.write(html.getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(html.contains("data-consent-embed"), html);
        assertTrue(zipped.size() < 8 * 1024, zipped.size() + " bytes gzipped");
    }

    @Test
    void theNoticeChangesWithAnyTextThePolicyVersionOrTheTrackers() throws IOException {
        Banner base = new Banner(gatekeeper(json()).config());
        String hash = base.shown(notice(base, "nl")).orElseThrow().hash();
        assertEquals(hash, notice(new Banner(gatekeeper(json()).config()), "nl"), "the same configuration, the same notice");
        Banner text = new Banner(gatekeeper(json().replace("\"privacyPolicyUrl\": \"/privacyverklaring\" }",
                "\"privacyPolicyUrl\": \"/privacyverklaring\", \"texts\": {\"nl\": {\"intro\": \"Wij meten anders.\"}} }"))
                .config());
        Banner policy = new Banner(gatekeeper(json().replace("\"2024-05\"", "\"2024-06\"")).config());
        Banner trackers = new Banner(gatekeeper(json().replace("\"trackers\": {", "\"trackers\": {\n"
                + "    \"hotjar\": { \"purpose\": \"analytics\", \"vendor\": \"Hotjar\", \"company\": \"Hotjar\","
                + " \"hosts\": [\"static.hotjar.com\"] },")).config());
        for (Banner changed : List.of(text, policy, trackers)) {
            assertNotEquals(hash, notice(changed, "nl"));
        }
        assertEquals(notice(base, "en"), notice(text, "en"), "an nl text leaves the en notice as it was");
        assertEquals("Wij meten anders.", text.shown(notice(text, "nl")).orElseThrow().texts().get("intro"));
    }

    /** The notice hash the banner's form carries, for a visitor who has not decided. */
    private static String notice(Banner banner, String language) throws IOException {
        Document d = Jsoup.parse(banner.forUndecided("/consent", "/", language, gatekeeper(json()).decide(null, false),
                false));
        return d.selectFirst("input[name=notice]").attr("value");
    }

    @Test
    void asciiOnlySoThatEveryPageCharsetCarriesIt() throws IOException {
        Gatekeeper g = gatekeeper(json());
        Banner banner = new Banner(g.config());
        for (String language : List.of("nl", "en")) {
            String html = banner.forUndecided("/consent", "/caf\u00e9?q=\u201cx\u201d", language, g.decide(null, false), false);
            assertTrue(html.chars().allMatch(c -> c < 0x80), html);
            Document d = Jsoup.parse(html);
            assertTrue(d.text().contains(language.equals("nl") ? "\u201cCookie-instellingen\u201d" : "\u201cCookie settings\u201d"),
                    d.text());
            assertEquals("/caf\u00e9?q=\u201cx\u201d", d.selectFirst("input[name=return]").attr("value"));
        }
    }

    @Test
    void theUndecidedBannerIsTheSameBuiltOnceOrAgain() throws IOException {
        Gatekeeper g = gatekeeper(json());
        Banner banner = new Banner(g.config());
        for (boolean gpc : new boolean[] {false, true}) {
            String first = banner.forUndecided("/ctx/consent", "/a?b=<c>", "en", g.decide(null, gpc), false);
            String again = banner.forUndecided("/ctx/consent", "/a?b=<c>", "en", g.decide(null, gpc), false);
            String fresh = new Banner(g.config()).markup("/ctx/consent", "/a?b=<c>", "en", g.decide(null, gpc), false);
            assertEquals(first, again);
            assertTrue(first.startsWith(fresh), "the cached banner is the banner as built for this request");
            assertEquals(gpc, first.contains("data-consent-gpc"));
        }
    }

    @Test
    void noEvalNoStringBuiltCodeNoOtherHosts() throws IOException {
        String js = new String(Banner.class.getResourceAsStream("banner.js").readAllBytes(), StandardCharsets.UTF_8);
        for (String banned : List.of("eval(", "new Function", "Function(", "setTimeout('", "setTimeout(\"",
                "setInterval(", "document.write", "http://", "https://", "import(")) {
            assertFalse(js.contains(banned), banned);
        }
    }

    @Test
    void everyChoiceIsAFormThatWorksWithoutJavaScript() throws IOException {
        Gatekeeper g = gatekeeper(json());
        Document d = Jsoup.parse(new Banner(g.config()).markup("/ctx/consent", "/ctx/page?a=1", null,
                g.decide(null, false), false));
        Element form = d.selectFirst("[data-consent-banner] form");
        assertEquals("post", form.attr("method"));
        assertEquals("/ctx/consent", form.attr("action"));
        assertEquals("/ctx/page?a=1", form.selectFirst("input[name=return]").val());
        for (String action : List.of("accept-all", "reject-all", "save")) {
            Element b = form.selectFirst("button[data-consent-action=" + action + "]");
            assertEquals("submit", b.attr("type"), action);
            assertEquals(action, b.val());
        }
        assertTrue(form.selectFirst("details > summary[data-consent-action=settings]") != null);
        assertTrue(form.select("input[name=purpose][checked]").stream()
                .allMatch(i -> i.val().equals("necessary")), "nothing but necessary is on in advance");
        assertEquals(5, form.select("input[name=tracker]").size(), "a switch per non-necessary tracker");
    }

    /** The tracker switches of the settings, by tracker: checked, disabled. */
    private static Map<String, List<Boolean>> trackerSwitches(Banner banner, nl.i3groep.consent.Decisions decisions) {
        Document d = Jsoup.parse(banner.markup("/consent", "/", "en", decisions, false));
        Map<String, List<Boolean>> switches = new java.util.TreeMap<>();
        for (Element i : d.select("input[name=tracker]")) {
            switches.put(i.val(), List.of(i.hasAttr("checked"), i.hasAttr("disabled")));
        }
        return switches;
    }

    @Test
    void everyTrackerSwitchShowsWhatSavingSaves() throws IOException {
        Gatekeeper g = gatekeeper(json());
        Banner banner = new Banner(g.config());
        List<Boolean> off = List.of(false, false);
        List<Boolean> on = List.of(true, false);
        assertEquals(Map.of("google-analytics", off, "google-ads", off, "linkedin-insight", off, "leadboxer", off,
                "oktopost", off), trackerSwitches(banner, g.decide(null, false)), "undecided: all off");
        // marketing granted but LinkedIn switched off; analytics refused
        String cookie = g.cookieValue(g.consent(Map.of("analytics", false, "marketing", true),
                Map.of("linkedin-insight", false)));
        assertEquals(Map.of("google-analytics", off, "google-ads", on, "linkedin-insight", off, "leadboxer", on,
                "oktopost", on), trackerSwitches(banner, g.decide(cookie, false)), "decided: as decided");
        List<Boolean> locked = List.of(false, true);
        assertEquals(Map.of("google-analytics", off, "google-ads", locked, "linkedin-insight", locked, "leadboxer", locked,
                "oktopost", locked), trackerSwitches(banner, g.decide(cookie, true)), "under GPC marketing is off and locked");
    }

    @Test
    void aDecidedVisitorsSettingsLinkToTheirOwnRecords() throws IOException {
        Gatekeeper g = gatekeeper(json());
        Banner banner = new Banner(g.config());
        String cookie = g.cookieValue(g.consent(Map.of("analytics", true), Map.of()));
        Element link = Jsoup.parse(banner.markup("/ctx/consent", "/", "en", g.decide(cookie, false), true))
                .selectFirst("a[href=/ctx/consent/records][download]");
        assertEquals("Download my consent history", link == null ? null : link.text());
        assertTrue(Jsoup.parse(banner.markup("/ctx/consent", "/", "en", g.decide(null, false), false))
                .select("a[href$=/records]").isEmpty(), "nothing to download before a decision");
    }

    @Test
    void theFirstLayerNamesTheCompaniesAndThePurposesAndNoLabelRepeatsItsGroup() throws IOException {
        Gatekeeper g = gatekeeper(json());
        Banner banner = new Banner(g.config());
        Map<String, String> who = Map.of(
                "nl", "trackers van Google, LinkedIn, LeadBoxer en Oktopost voor statistieken en marketing.",
                "en", "trackers from Google, LinkedIn, LeadBoxer and Oktopost for analytics and marketing.");
        for (String language : List.of("nl", "en")) {
            Document d = Jsoup.parse(banner.markup("/consent", "/", language, g.decide(null, false), false));
            String intro = d.selectFirst("#i3c-intro").text();
            assertTrue(intro.contains(who.get(language)), intro);
            for (Element group : d.select("fieldset")) {
                String legend = group.selectFirst("legend").text();
                String label = group.selectFirst("label:has(input[name=purpose])").text();
                assertFalse(label.isBlank() || label.equalsIgnoreCase(legend), legend + " / " + label);
            }
        }
        // a site's own tracker is named by the company the configuration gives it, else by its vendor
        String custom = json().replace("\"session-cookies\":", "\"hotjar\": { \"purpose\": \"analytics\", \"vendor\":"
                + " \"Hotjar\", \"company\": \"Contentsquare\", \"hosts\": [\"*.hotjar.com\"] },\n\"session-cookies\":");
        String intro = Jsoup.parse(new Banner(gatekeeper(custom).config()).markup("/consent", "/", "en",
                gatekeeper(custom).decide(null, false), false)).selectFirst("#i3c-intro").text();
        assertTrue(intro.contains("Google, LinkedIn, LeadBoxer, Oktopost and Contentsquare for"), intro);
    }

    @Test
    void speaksTheVisitorsLanguageAndTheSitesWords() throws IOException {
        Gatekeeper g = gatekeeper(json());
        Banner banner = new Banner(g.config());
        assertEquals("en", banner.language("en-GB,en;q=0.9,nl;q=0.5"));
        assertEquals("nl", banner.language("nl-NL,nl;q=0.9,en;q=0.8"));
        assertEquals("nl", banner.language("de-DE"), "neither: the configured default");
        assertEquals("nl", banner.language(null));
        for (String malformed : List.of(";", ",", ";q=1", "nl;q=NaN")) {
            assertEquals("nl", banner.language(malformed), malformed);
        }
        assertEquals("en", banner.language("en,;"));
        Decisions undecided = g.decide(null, false);
        assertTrue(banner.markup("/consent", "/", "en", undecided, false).contains("Accept all"));
        assertTrue(banner.markup("/consent", "/", "nl", undecided, false).contains("Alles weigeren"));

        String own = SiteConfigsJson.withBanner(json(),
                "{\"defaultLanguage\":\"en\",\"texts\":{\"nl\":{\"title\":\"Mag het?\"}}}");
        Banner custom = new Banner(gatekeeper(own).config());
        assertEquals("en", custom.language("de-DE"));
        assertTrue(custom.markup("/consent", "/", "nl", undecided, false).contains("Mag het?"));
    }

    @Test
    void underGpcMarketingIsOffAndTheBannerSaysWhy() throws IOException {
        Gatekeeper g = gatekeeper(json());
        Document d = Jsoup.parse(new Banner(g.config()).markup("/consent", "/", "nl", g.decide(null, true), false));
        assertTrue(d.selectFirst("[data-consent-gpc]").text().contains("Global Privacy Control"));
        assertTrue(d.selectFirst("input[name=purpose][value=marketing]").hasAttr("disabled"));
    }

    /** Swaps the banner block of a configuration. */
    static final class SiteConfigsJson {
        static String withBanner(String json, String banner) {
            return json.replaceFirst("\"banner\": \\{[^}]*\\}", "\"banner\": " + banner.replace("$", "\\$"));
        }
    }
}
