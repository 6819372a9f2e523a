package nl.i3groep.consent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import nl.i3groep.consent.CookiePattern;
import nl.i3groep.consent.Purpose;
import nl.i3groep.consent.SiteConfigs;
import nl.i3groep.consent.Tracker;
import nl.i3groep.consent.config.ConsentConfig.CspMode;
import nl.i3groep.consent.config.ConsentConfig.GpcMode;
import nl.i3groep.consent.config.ConsentConfig.LedgerType;
import nl.i3groep.consent.config.ConsentConfig.SameSite;
import nl.i3groep.consent.config.ConsentConfig.Secure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConsentConfigTest {

    private static final String K = "[{\"id\":\"k1\",\"secret\":\"base64:" + SiteConfigs.KEY_K1 + "\"}]";
    /** The default ledger (a file), which needs keys of its own. */
    private static final String LEDGER = ",\"ledger\":{\"keys\":[{\"id\":\"l1\",\"secret\":\"base64:"
            + SiteConfigs.KEY_K1 + "\"}]}";

    /** A minimal valid configuration with the given trackers block. */
    private static String minimal(String trackers) {
        return "{\"policyVersion\":\"v1\",\"signingKeys\":" + K + LEDGER + ",\"trackers\":" + trackers + "}";
    }

    private static ConfigException fails(String json) {
        return assertThrows(ConfigException.class, () -> ConsentConfig.parse(json, Map.of()));
    }

    private static void failsAt(String json, String path, String words) {
        ConfigException e = fails(json);
        assertEquals(path, e.path(), e.getMessage());
        assertTrue(e.getMessage().contains(path.isEmpty() ? "" : path + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(words), () -> "'" + words + "' not in: " + e.getMessage());
    }

    @Test
    void readsTheContractExample() {
        ConsentConfig c = SiteConfigs.example();
        assertEquals("2024-05", c.policyVersion());
        assertTrue(c.reconsentOnPolicyChange());
        assertEquals(Duration.ofDays(365), c.consentMaxAge());
        assertEquals("i3_consent", c.cookie().name());
        assertEquals(Secure.AUTO, c.cookie().secure());
        assertEquals(SameSite.LAX, c.cookie().sameSite());
        assertEquals(Optional.empty(), c.cookie().domain());
        assertEquals(List.of("k2", "k1"), c.signingKeys().stream().map(k -> k.id()).toList());
        assertEquals(GpcMode.HONOR, c.gpc());
        assertEquals(CspMode.OFF, c.csp());
        assertEquals("/consent", c.endpointPath());
        assertEquals(Optional.of("/privacyverklaring"), c.banner().privacyPolicyUrl());
        assertEquals(List.of("google-analytics", "google-ads", "linkedin-insight", "leadboxer", "oktopost",
                "session-cookies"), c.trackers().stream().map(Tracker::id).toList());
        assertEquals(LedgerType.MEMORY, c.ledger().type());
        assertEquals(Duration.ofDays(730), c.ledger().retention());
    }

    @Test
    void completesBuiltInTrackersFromTheCatalogue() {
        ConsentConfig c = SiteConfigs.example();
        Tracker ga = c.tracker("google-analytics").orElseThrow();
        assertEquals(Purpose.ANALYTICS, ga.purpose());
        assertEquals(Optional.of("G-ABC123"), ga.accountId());
        assertTrue(ga.hosts().contains("www.google-analytics.com"));
        assertTrue(ga.inlineMarkers().contains("G-ABC123"));
        assertTrue(ga.ownsCookie("_ga_ABC123"));
        assertTrue(ga.snippet().contains("gtag/js?id=G-ABC123"));
        assertTrue(ga.inject());

        Tracker li = c.tracker("linkedin-insight").orElseThrow();
        assertEquals(Purpose.MARKETING, li.purpose());
        assertTrue(li.hosts().contains("snap.licdn.com"));
        assertTrue(li.inlineMarkers().contains("_linkedin_partner_id"));
        assertTrue(li.snippet().contains("_linkedin_partner_id=\"123456\""));
        assertTrue(li.ownsCookie("li_fat_id"));

        Tracker session = c.tracker("session-cookies").orElseThrow();
        assertEquals(Purpose.NECESSARY, session.purpose());
        assertEquals(List.of(new CookiePattern("JSESSIONID")), session.cookies());
        assertFalse(session.inject());

        assertTrue(c.tracker("leadboxer").orElseThrow().snippet().contains("dataset=abc123"));
        assertTrue(c.tracker("oktopost").orElseThrow().snippet().contains("_oktrk('create','001abc')"));
        assertTrue(c.tracker("google-ads").orElseThrow().inlineMarkers().contains("AW-123456789"));
    }

    @Test
    void defaultsApplyWhereTheFileIsSilent() {
        ConsentConfig c = ConsentConfig.parse(minimal("{}"), Map.of());
        assertTrue(c.reconsentOnPolicyChange());
        assertEquals(Duration.ofDays(365), c.consentMaxAge());
        assertEquals("i3_consent", c.cookie().name());
        assertEquals(GpcMode.HONOR, c.gpc());
        assertEquals(CspMode.REPORT_ONLY, c.csp(), "reported until the site has declared what its pages fetch");
        assertEquals("/consent", c.endpointPath());
        assertTrue(c.banner().enabled());
        assertEquals("nl", c.banner().defaultLanguage());
        assertTrue(c.banner().settingsControl(), "a way back to the settings on every decided page");
        assertFalse(ConsentConfig.parse("{\"policyVersion\":\"v1\",\"signingKeys\":" + K + LEDGER + ",\"trackers\":{},"
                + "\"banner\":{\"settingsControl\":false}}", Map.of()).banner().settingsControl());
        assertEquals(LedgerType.FILE, c.ledger().type());
        assertEquals(List.of(Purpose.NECESSARY, Purpose.ANALYTICS, Purpose.MARKETING), c.purposes());
        assertTrue(c.trackers().isEmpty());
    }

    @Test
    void theLedgerKeysRotateAndComeFromTheEnvironmentLikeTheSigningKeys() {
        String json = "{\"policyVersion\":\"v1\",\"signingKeys\":" + K + ",\"trackers\":{},\"ledger\":{\"keys\":["
                + "{\"id\":\"l2\",\"secret\":\"env:LEDGER_KEY\"},{\"id\":\"l1\",\"secret\":\"base64:"
                + SiteConfigs.KEY_K2 + "\"}]}}";
        ConsentConfig c = ConsentConfig.parse(json, Map.of("LEDGER_KEY", "base64:" + SiteConfigs.KEY_K1));
        assertEquals(List.of("l2", "l1"), c.ledger().keys().stream().map(k -> k.id()).toList());
        assertEquals("k1-secret-k1-secret-k1-secret-k1-secret",
                new String(c.ledger().keys().get(0).secret(), StandardCharsets.UTF_8));
        assertFalse(c.ledger().toString().contains("k1-secret"), c.ledger().toString());
        ConfigException unset = fails(json);
        assertEquals("ledger.keys[0].secret", unset.path(), unset.getMessage());
        // the file ledger is the default, and its keys are not: a configuration without them names them
        ConfigException none = fails("{\"policyVersion\":\"v1\",\"signingKeys\":" + K + ",\"trackers\":{}}");
        assertEquals("ledger.keys", none.path(), none.getMessage());
        assertTrue(ConsentConfig.parse("{\"policyVersion\":\"v1\",\"signingKeys\":" + K
                + ",\"trackers\":{},\"ledger\":{\"type\":\"memory\"}}", Map.of()).ledger().keys().isEmpty());
    }

    @Test
    void readsSecretsFromTheEnvironment() {
        String json = minimal("{}").replace("base64:" + SiteConfigs.KEY_K1, "env:CONSENT_KEY");
        byte[] raw = "a-raw-secret-of-more-than-32-bytes!".getBytes(StandardCharsets.UTF_8);
        ConsentConfig c = ConsentConfig.parse(json, Map.of("CONSENT_KEY", new String(raw, StandardCharsets.UTF_8)));
        assertEquals(new String(raw, StandardCharsets.UTF_8),
                new String(c.signingKeys().get(0).secret(), StandardCharsets.UTF_8));
        ConsentConfig b64 = ConsentConfig.parse(json, Map.of("CONSENT_KEY", "base64:" + SiteConfigs.KEY_K1));
        assertEquals("k1-secret-k1-secret-k1-secret-k1-secret",
                new String(b64.signingKeys().get(0).secret(), StandardCharsets.UTF_8));
    }

    @Test
    void customTrackersAndPurposes() {
        ConsentConfig c = ConsentConfig.parse("{\"policyVersion\":\"v1\",\"signingKeys\":" + K + LEDGER
                + ",\"purposes\":{\"video\":{\"deniedByGpc\":false}},"
                + "\"trackers\":{\"wistia\":{\"purpose\":\"video\",\"vendor\":\"Wistia\",\"hosts\":[\"Fast.Wistia.net\"],"
                + "\"cookies\":[\"vuid\",\"_wistia_*\"],\"inlineMarkers\":[\"Wistia.Player\"],"
                + "\"snippet\":\"<script src=\\\"https://fast.wistia.net/api/player.js\\\"></script>\"}}}", Map.of());
        Tracker wistia = c.tracker("wistia").orElseThrow();
        assertEquals("video", wistia.purpose().id());
        assertEquals(List.of("fast.wistia.net"), wistia.hosts());
        assertTrue(wistia.ownsCookie("_wistia_x"));
        assertTrue(wistia.inject());
        assertTrue(c.purpose("video").isPresent());
    }

    @Test
    void mediaAndSocialEmbedsAreBuiltInTrackersOfThePurposeTheSiteNames() {
        ConsentConfig c = ConsentConfig.parse("{\"policyVersion\":\"v1\",\"signingKeys\":" + K + LEDGER
                + ",\"purposes\":{\"media\":{}},\"trackers\":{\"youtube\":{\"purpose\":\"media\"},"
                + "\"google-maps\":{\"purpose\":\"media\",\"embed\":false},"
                + "\"spotify\":{\"purpose\":\"media\",\"hosts\":[\"open.spotify.com\"],\"embed\":true}}}", Map.of());
        Tracker youtube = c.tracker("youtube").orElseThrow();
        assertTrue(youtube.embed());
        assertEquals("Google", youtube.company());
        assertTrue(youtube.hosts().contains("www.youtube-nocookie.com"), youtube.hosts().toString());
        assertFalse(c.tracker("google-maps").orElseThrow().embed(), "the site may do without the placeholder");
        assertTrue(c.tracker("spotify").orElseThrow().embed());
        assertFalse(c.tracker("spotify").orElseThrow().purpose().necessary());
    }

    @Test
    void aSiteAddsToOrReplacesTheFactsOfABuiltInTracker() {
        ConsentConfig added = ConsentConfig.parse(minimal(
                "{\"oktopost\":{\"trackingId\":\"001abc\",\"hosts\":[\"go.example.nl\"],\"cookies\":[\"okt_*\"]}}"),
                Map.of());
        Tracker okt = added.tracker("oktopost").orElseThrow();
        assertTrue(okt.hosts().containsAll(List.of("static.oktopost.com", "okt.to", "go.example.nl")));
        assertTrue(okt.ownsCookie("okt_1"));

        ConsentConfig replaced = ConsentConfig.parse(minimal(
                "{\"leadboxer\":{\"datasetId\":\"abc\",\"replaceDefaults\":true,\"cookies\":[\"_otui\"],"
                        + "\"hosts\":[\"script.leadboxer.com\"],\"inject\":false}}"), Map.of());
        Tracker lb = replaced.tracker("leadboxer").orElseThrow();
        assertFalse(lb.ownsCookie("ip4"), "the unconfirmed ip4 is gone once replaced");
        assertTrue(lb.ownsCookie("_otui"));
        assertEquals(List.of("script.leadboxer.com"), lb.hosts());
        assertFalse(lb.inject());
    }

    @Test
    void tagManagerNeedsAPurpose() {
        failsAt(minimal("{\"google-tag-manager\":{\"containerId\":\"GTM-ABCD12\"}}"),
                "trackers.google-tag-manager.purpose", "required");
        ConsentConfig c = ConsentConfig.parse(minimal(
                "{\"google-tag-manager\":{\"containerId\":\"GTM-ABCD12\",\"purpose\":\"marketing\"}}"), Map.of());
        assertEquals(Purpose.MARKETING, c.tracker("google-tag-manager").orElseThrow().purpose());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"google-analytic":{"measurementId":"G-ABC123"}}          | trackers.google-analytic                  | unknown tracker
            {"google-analytics":{}}                                    | trackers.google-analytics.measurementId   | required
            {"google-analytics":{"measurementId":"G-abc<script>"}}     | trackers.google-analytics.measurementId   | is not a Google Analytics id
            {"google-ads":{"conversionId":"123456789"}}                | trackers.google-ads.conversionId          | is not a Google Ads id
            {"linkedin-insight":{"partnerId":"12ab"}}                  | trackers.linkedin-insight.partnerId       | is not a LinkedIn id
            {"linkedin-insight":{"partnerId":123456}}                  | trackers.linkedin-insight.partnerId       | must be a string
            {"leadboxer":{"datasetId":"abc","colour":"red"}}           | trackers.leadboxer.colour                 | unknown field
            {"oktopost":{"trackingId":"001abc","purpose":"analytics"}} | trackers.oktopost.purpose                 | is fixed
            {"wistia":{"purpose":"video"}}                             | trackers.wistia.purpose                   | unknown purpose "video"
            {"youtube":{}}                                             | trackers.youtube.purpose                  | under which visitors allow YouTube
            {"wistia":{"purpose":"analytics","hosts":["no spaces.nl"]}}| trackers.wistia.hosts[0]                  | not a host
            {"vimeo":{"purpose":"analytics","cookies":["*"]}}          | trackers.vimeo.cookies[0]                 | every cookie
            {"vimeo":{"purpose":"analytics","cookies":["a b"]}}        | trackers.vimeo.cookies[0]                 | not a cookie name
            {"vimeo":{"purpose":"analytics","inlineMarkers":["ga"]}}   | trackers.vimeo.inlineMarkers[0]           | at least 4 characters
            {"Vimeo":{"purpose":"analytics"}}                          | trackers.Vimeo                            | a tracker id
            {"vimeo":"analytics"}                                      | trackers.vimeo                            | must be an object
            """)
    void trackerErrorsNameTheField(String trackers, String path, String words) {
        failsAt(minimal(trackers), path, words);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            "policyVersion": "v1 with spaces"                      | policyVersion               | printable ASCII
            "policyVersion": 7                                     | policyVersion               | must be a string
            "consentMaxAgeDays": 0                                 | consentMaxAgeDays           | from 1 to 730
            "consentMaxAgeDays": 731                               | consentMaxAgeDays           | from 1 to 730
            "consentMaxAgeDays": 1.5                               | consentMaxAgeDays           | whole number
            "reconsentOnPolicyChange": "yes"                       | reconsentOnPolicyChange     | true or false
            "gpc": "obey"                                          | gpc                         | "honor", "ignore"
            "csp": "on"                                            | csp                         | "off", "report-only", "enforce"
            "endpointPath": "consent"                              | endpointPath                | absolute path
            "cookie": {"name": "bad name"}                         | cookie.name                 | not a valid cookie name
            "cookie": {"secure": "sometimes"}                      | cookie.secure               | "auto", "always"
            "cookie": {"sameSite": "None"}                         | cookie.sameSite             | requires "secure": "always"
            "cookie": {"domain": "not a domain"}                   | cookie.domain               | not a domain
            "cookie": {"nmae": "x"}                                | cookie.nmae                 | unknown field
            "banner": {"defaultLanguage": "de"}                    | banner.defaultLanguage      | "nl" or "en"
            "banner": {"privacyPolicyUrl": "javascript:alert(1)"}  | banner.privacyPolicyUrl     | http(s) URL
            "banner": {"texts": {"fr": {}}}                        | banner.texts.fr             | "nl" and "en" only
            "banner": {"settingsControl": "auto"}                  | banner.settingsControl      | true or false
            "purposes": {"analytics": {}}                          | purposes.analytics          | built-in purpose
            "purposes": {"video": {"gpc": true}}                   | purposes.video.gpc          | unknown field
            "ledger": {"type": "s3"}                               | ledger.type                 | "file", "jdbc", "memory"
            "ledger": {"type": "jdbc"}                             | ledger.url                  | required
            "ledger": {"type": "jdbc", "url": "postgres://x"}      | ledger.url                  | jdbc: URL
            "ledger": {"type": "memory", "retentionDays": 0}       | ledger.retentionDays        | from 1 to 36500
            "ledger": {"type": "file"}                             | ledger.keys                 | required
            "ledger": {"type": "jdbc", "url": "jdbc:h2:mem:x"}     | ledger.keys                 | required
            "ledger": {"type": "file", "keys": []}                 | ledger.keys                 | at least one key
            "ledger": {"keys": [{"id": "l1", "secret": "abc"}]}    | ledger.keys[0].secret       | "env:NAME"
            "colour": "blue"                                       | colour                      | unknown field
            """)
    void fieldErrorsNameTheField(String field, String path, String words) {
        String name = field.substring(1, field.indexOf('"', 1));
        String value = field.substring(field.indexOf(':') + 1).trim();
        failsAt(SiteConfigs.withField(SiteConfigs.json(), name, value), path, words);
    }

    @Test
    void requiredTopLevelFields() {
        failsAt("{\"signingKeys\":" + K + LEDGER + ",\"trackers\":{}}", "policyVersion", "required");
        failsAt("{\"policyVersion\":\"v1\",\"trackers\":{}}", "signingKeys", "required");
        failsAt("{\"policyVersion\":\"v1\",\"signingKeys\":" + K + LEDGER + "}", "trackers", "required");
    }

    @Test
    void signingKeyErrorsNameTheKey() {
        String shortKey = SiteConfigs.base64("only-31-bytes-of-secret-here!!!");
        failsAt(minimal("{}").replace(SiteConfigs.KEY_K1, shortKey), "signingKeys[0].secret", "31 bytes; at least 32");
        failsAt(minimal("{}").replace("base64:" + SiteConfigs.KEY_K1, "plain-text-secret-of-plenty-of-bytes"),
                "signingKeys[0].secret", "must be \"env:NAME\" or \"base64:");
        failsAt(minimal("{}").replace("base64:" + SiteConfigs.KEY_K1, "base64:!!!not-base64!!!"),
                "signingKeys[0].secret", "not base64");
        failsAt(minimal("{}").replace("base64:" + SiteConfigs.KEY_K1, "env:NOT_SET_HERE"),
                "signingKeys[0].secret", "NOT_SET_HERE is not set");
        failsAt(minimal("{}").replace("\"k1\"", "\"k 1\""), "signingKeys[0].id", "[A-Za-z0-9_-]");
        failsAt(minimal("{}").replace(K, "[]"), "signingKeys", "at least one key");
        failsAt(minimal("{}").replace(K, K.replace("]", "," + K.substring(1))), "signingKeys[1].id", "already has the id k1");
    }

    @Test
    void theSecretIsNeverInTheMessage() {
        String secret = "plain-text-secret-of-plenty-of-bytes";
        ConfigException e = fails(minimal("{}").replace("base64:" + SiteConfigs.KEY_K1, secret));
        assertFalse(e.getMessage().contains(secret));
        assertFalse(SiteConfigs.example().toString().contains(SiteConfigs.KEY_K1));
        assertFalse(SiteConfigs.example().signingKeys().get(0).toString().contains("k2-secret"));
    }

    @Test
    void malformedJsonNamesWhereItBroke() {
        ConfigException e = fails("{\"policyVersion\":\"v1\",\"trackers\":{\"oktopost\":{\"trackingId\":}}}");
        assertTrue(e.getMessage().contains("malformed JSON at line 1"), e.getMessage());
        assertEquals("trackers.oktopost.trackingId", e.path());
        failsAt("[1,2]", "", "must be a JSON object");
        failsAt("", "", "must be a JSON object");
        ConfigException dup = fails(minimal("{}").replace("{\"policyVersion\"", "{\"gpc\":\"honor\",\"gpc\":\"ignore\",\"policyVersion\""));
        assertTrue(dup.getMessage().contains("gpc"), dup.getMessage());
    }

    @Test
    void loadsFromAFileAndFromTheClassPath(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("consent.json");
        Files.writeString(file, SiteConfigs.json());
        ConsentConfig fromFile = ConsentConfig.load(file.toString());
        assertEquals(6, fromFile.trackers().size());
        ConsentConfig fromClassPath = ConsentConfig.load("classpath:consent-test.json");
        assertEquals("test-1", fromClassPath.policyVersion());
        failsAt("", "", "must be a JSON object");
        ConfigException missing = assertThrows(ConfigException.class,
                () -> ConsentConfig.load(dir.resolve("absent.json").toString()));
        assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
        ConfigException missingResource = assertThrows(ConfigException.class,
                () -> ConsentConfig.load("classpath:absent.json"));
        assertTrue(missingResource.getMessage().contains("no such resource"), missingResource.getMessage());
    }

    /** A minimal configuration with a {@code thirdParties} block. */
    private static String withParties(String parties) {
        return "{\"policyVersion\":\"v1\",\"signingKeys\":" + K + LEDGER + ",\"trackers\":{},\"thirdParties\":" + parties + "}";
    }

    @Test
    void readsTheThirdPartiesTheSiteDeclares() {
        ConsentConfig c = ConsentConfig.parse(withParties("{\"cdn.example-cdn.net\":{\"purpose\":\"necessary\",\"for\":\"images\"},"
                + "\"www.google.com/recaptcha/\":{\"purpose\":\"necessary\",\"for\":\" the form's check \"},"
                + "\"*.video-cdn.example\":{\"purpose\":\"marketing\",\"for\":\"videos\"}}"), Map.of());
        assertEquals(List.of(new nl.i3groep.consent.ThirdParty("cdn.example-cdn.net", "", Purpose.NECESSARY, "images"),
                new nl.i3groep.consent.ThirdParty("www.google.com", "/recaptcha/", Purpose.NECESSARY, "the form's check"),
                new nl.i3groep.consent.ThirdParty("*.video-cdn.example", "", Purpose.MARKETING, "videos")), c.thirdParties());
        assertEquals(List.of(), ConsentConfig.parse(minimal("{}"), Map.of()).thirdParties(), "none unless declared");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"cdn.example.net": {"for": "images"}}                                       | thirdParties.cdn.example.net.purpose | required
            {"cdn.example.net": {"purpose": "necessary"}}                                | thirdParties.cdn.example.net.for     | required
            {"cdn.example.net": {"purpose": "video", "for": "x"}}                        | thirdParties.cdn.example.net.purpose | unknown purpose
            {"cdn.example.net": {"purpose": "necessary", "for": ""}}                     | thirdParties.cdn.example.net.for     | 1 to 100
            {"cdn.example.net": {"purpose": "necessary", "for": "x", "kind": "img"}}     | thirdParties.cdn.example.net.kind    | unknown
            {"CDN.example.net": {"purpose": "necessary", "for": "x"}}                    | thirdParties.CDN.example.net         | not a host
            {"localhost": {"purpose": "necessary", "for": "x"}}                          | thirdParties.localhost               | not a host
            {"cdn.example.net/img": {"purpose": "necessary", "for": "x"}}                | thirdParties.cdn.example.net/img     | ends in /
            {"snap.licdn.com": {"purpose": "necessary", "for": "x"}}                     | thirdParties.snap.licdn.com          | linkedin-insight
            {"*.licdn.com": {"purpose": "necessary", "for": "x"}}                        | thirdParties.*.licdn.com             | linkedin-insight
            {"px4.ads.linkedin.com": {"purpose": "necessary", "for": "x"}}               | thirdParties.px4.ads.linkedin.com    | linkedin-insight
            {"www.google.com": {"purpose": "necessary", "for": "x"}}                     | thirdParties.www.google.com          | google-ads
            {"*.google.de": {"purpose": "necessary", "for": "x"}}                        | thirdParties.*.google.de             | google-ads
            {"www.google.nl/pagead/": {"purpose": "necessary", "for": "x"}}              | thirdParties.www.google.nl/pagead/   | google-ads
            {"cdn.segment.com": {"purpose": "necessary", "for": "x"}}                    | thirdParties.cdn.segment.com         | segment
            """)
    void aThirdPartyIsDeclaredWholeAndIsNoTrackersHost(String parties, String path, String words) {
        failsAt(withParties(parties), path, words);
    }

    @Test
    void theTagManagersAndTheDataPlatformNeedTheirPurposeNamed() {
        for (String t : List.of("\"adobe-launch\":{\"embedPath\":\"abc123def456/abc123def456/launch-EN1234abcd.min.js\"",
                "\"tealium\":{\"profile\":\"acme/main/prod\"", "\"segment\":{\"writeKey\":\"AbCdEf123456\"")) {
            String id = t.substring(1, t.indexOf('"', 1));
            failsAt(minimal("{" + t + "}}"), "trackers." + id + ".purpose", "may load any tag");
            Tracker tracker = ConsentConfig.parse(minimal("{" + t + ",\"purpose\":\"marketing\"}}"), Map.of())
                    .tracker(id).orElseThrow();
            assertEquals(Purpose.MARKETING, tracker.purpose());
            assertTrue(tracker.snippet().contains(tracker.accountId().orElseThrow()), tracker.snippet());
        }
        failsAt(minimal("{\"tealium\":{\"profile\":\"acme\",\"purpose\":\"marketing\"}}"), "trackers.tealium.profile",
                "not a Tealium iQ id");
    }

    @Test
    void theReportsSecretComesFromTheEnvironmentAndIsNeverShown() {
        String json = "{\"policyVersion\":\"v1\",\"signingKeys\":" + K + LEDGER + ",\"trackers\":{},\"report\":{\"secret\":\"env:R\"}}";
        String token = "a-long-enough-report-token-42";
        ConsentConfig c = ConsentConfig.parse(json, Map.of("R", token));
        assertTrue(c.report().opens(token));
        assertFalse(c.report().opens(token + "x"));
        assertFalse(c.report().opens(null));
        assertFalse(c.toString().contains(token), c.toString());
        assertFalse(ConsentConfig.parse(minimal("{}"), Map.of()).report().opens(""), "off unless configured");
        ConfigException literal = assertThrows(ConfigException.class,
                () -> ConsentConfig.parse(json.replace("env:R", token), Map.of()));
        assertEquals("report.secret", literal.path());
        assertFalse(literal.getMessage().contains(token), "the secret is not echoed");
        failsAt(json, "report.secret", "not set");
        assertEquals("report.secret", assertThrows(ConfigException.class,
                () -> ConsentConfig.parse(json, Map.of("R", "short"))).path());
        failsAt(json.replace("{\"secret\":\"env:R\"}", "{}"), "report.secret", "required");
    }

    @Test
    void undeclaredHostsAreReportedUnlessTheSiteBlocksThem() {
        assertEquals(ConsentConfig.UndeclaredMode.REPORT, ConsentConfig.parse(minimal("{}"), Map.of()).undeclared());
        assertEquals(ConsentConfig.UndeclaredMode.BLOCK, SiteConfigs.exampleWith("undeclared", "\"block\"").undeclared());
        failsAt(SiteConfigs.withField(SiteConfigs.json(), "undeclared", "\"drop\""), "undeclared", "report");
    }
}
