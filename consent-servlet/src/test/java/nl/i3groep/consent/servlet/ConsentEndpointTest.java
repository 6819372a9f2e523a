package nl.i3groep.consent.servlet;

import static nl.i3groep.consent.servlet.Http.get;
import static nl.i3groep.consent.servlet.Http.send;
import static nl.i3groep.consent.servlet.Http.setCookies;
import static nl.i3groep.consent.servlet.Http.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.ledger.ConsentLedger;
import nl.i3groep.consent.ledger.ConsentRecord;
import nl.i3groep.consent.ledger.LedgerException;
import nl.i3groep.consent.ledger.MemoryLedger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code /consent} endpoint of the contract's §6, in Jetty 12 and Tomcat 11 over real HTTP. */
class ConsentEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    record Target(String name, int port, MemoryLedger ledger, int brokenPort) {
        @Override
        public String toString() {
            return name;
        }

        String origin() {
            return "http://127.0.0.1:" + port;
        }
    }

    private static final List<Container.Running> RUNNING = new ArrayList<>();
    private static final List<Target> TARGETS = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        ConsentConfig config = ConsentConfig.load("classpath:consent.json");
        for (Container c : Container.values()) {
            MemoryLedger ledger = new MemoryLedger();
            Container.Running site = c.start(Container.Registration.instance(
                    new ConsentFilter(Gatekeeper.create(config), ledger)), TestServlets.all());
            Container.Running broken = c.start(Container.Registration.instance(
                    new ConsentFilter(Gatekeeper.create(config), new BrokenLedger())), TestServlets.all());
            RUNNING.add(site);
            RUNNING.add(broken);
            TARGETS.add(new Target(c.name(), site.port(), ledger, broken.port()));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (Container.Running r : RUNNING) {
            r.close();
        }
    }

    static Stream<Target> targets() {
        return TARGETS.stream();
    }

    private static HttpResponse<byte[]> postJson(Target t, String json, String... headers) throws Exception {
        List<String> all = new ArrayList<>(List.of("Origin", t.origin()));
        all.addAll(List.of(headers));
        return send(t.port(), "POST", "/consent", "application/json", json.getBytes(StandardCharsets.UTF_8),
                all.toArray(String[]::new));
    }

    private static JsonNode json(HttpResponse<byte[]> r) throws Exception {
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.headers().toString());
        return JSON.readTree(r.body());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void getAnswersTheCurrentState(Target t) throws Exception {
        HttpResponse<byte[]> r = get(t.port(), "/consent");
        assertEquals(200, r.statusCode());
        JsonNode s = json(r);
        assertFalse(s.get("decided").booleanValue());
        assertTrue(s.get("consentId").isNull());
        assertEquals("2024-05", s.get("policyVersion").textValue());
        assertFalse(s.get("gpc").booleanValue());
        assertEquals(JSON.readTree("{\"necessary\":true,\"analytics\":false,\"marketing\":false}"), s.get("purposes"));
        assertTrue(s.get("trackers").get("session-cookies").booleanValue());
        assertFalse(s.get("trackers").get("google-analytics").booleanValue());
        assertEquals(6, s.get("trackers").size());
        assertTrue(s.get("expiresAt").isNull());
        assertTrue(json(get(t.port(), "/consent", "Sec-GPC", "1")).get("gpc").booleanValue());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void postRecordsThenSetsTheCookieAndAnswersTheNewState(Target t) throws Exception {
        int before = t.ledger().all().size();
        HttpResponse<byte[]> r = postJson(t, "{\"purposes\":{\"analytics\":true,\"marketing\":true},"
                + "\"trackers\":{\"linkedin-insight\":false}}");
        assertEquals(200, r.statusCode(), text(r));
        JsonNode s = json(r);
        assertTrue(s.get("decided").booleanValue());
        assertTrue(s.get("trackers").get("oktopost").booleanValue());
        assertFalse(s.get("trackers").get("linkedin-insight").booleanValue());
        assertTrue(s.get("expiresAt").isTextual());
        String cookie = setCookies(r).stream().filter(c -> c.startsWith("i3_consent=")).findFirst().orElseThrow();
        for (String attribute : List.of("Path=/", "Max-Age=31536000", "HttpOnly", "SameSite=Lax")) {
            assertTrue(cookie.contains(attribute), attribute + " in " + cookie);
        }
        assertFalse(cookie.contains("Secure"), "plain http: no Secure with secure=auto");

        List<ConsentRecord> records = t.ledger().find(s.get("consentId").textValue());
        assertEquals(before + 1, t.ledger().all().size());
        assertEquals(1, records.size());
        assertEquals(Map.of("analytics", true, "marketing", true), records.get(0).purposes());
        assertEquals(ConsentRecord.Source.API, records.get(0).source());

        String value = Http.consentCookie(r);
        JsonNode after = json(get(t.port(), "/consent", "Cookie", "i3_consent=" + value));
        assertEquals(s.get("consentId"), after.get("consentId"));
        assertTrue(after.get("decided").booleanValue());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void aGrantOverriddenByGlobalPrivacyControlIsRecordedAsSuch(Target t) throws Exception {
        JsonNode s = json(postJson(t, "{\"purposes\":{\"analytics\":true,\"marketing\":true}}", "Sec-GPC", "1"));
        assertTrue(s.get("gpc").booleanValue());
        assertFalse(s.get("purposes").get("marketing").booleanValue(), "GPC keeps marketing off");
        assertTrue(s.get("purposes").get("analytics").booleanValue());
        assertEquals(ConsentRecord.Source.GPC, t.ledger().find(s.get("consentId").textValue()).get(0).source());
        JsonNode plain = json(postJson(t, "{\"purposes\":{\"analytics\":true,\"marketing\":false}}", "Sec-GPC", "1"));
        assertEquals(ConsentRecord.Source.API, t.ledger().find(plain.get("consentId").textValue()).get(0).source(),
                "nothing overridden: the visitor's own refusal");
    }

    /** Grant, change, withdrawal, and a form's choice: one consent id, the visitor's history in the ledger. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void oneVisitorKeepsOneConsentIdAndTheLedgerHoldsTheirHistory(Target t) throws Exception {
        HttpResponse<byte[]> grant = send(t.port(), "POST", "/consent", "application/json",
                "{\"purposes\":{\"analytics\":true,\"marketing\":true}}".getBytes(StandardCharsets.UTF_8), "Origin", t.origin());
        String cookie = Http.consentCookie(grant);
        String id = json(grant).get("consentId").textValue();
        HttpResponse<byte[]> change = send(t.port(), "POST", "/consent", "application/json",
                "{\"purposes\":{\"analytics\":true}}".getBytes(StandardCharsets.UTF_8), "Origin", t.origin(),
                "Cookie", "i3_consent=" + cookie);
        assertEquals(id, json(change).get("consentId").textValue(), "a change");
        String form = Http.consentCookie(send(t.port(), "POST", "/consent", "application/x-www-form-urlencoded",
                "action=reject-all".getBytes(StandardCharsets.US_ASCII), "Origin", t.origin(),
                "Cookie", "i3_consent=" + Http.consentCookie(change)));
        HttpResponse<byte[]> withdrawal = send(t.port(), "DELETE", "/consent", null, null, "Origin", t.origin(),
                "Cookie", "i3_consent=" + form);
        assertEquals(id, json(withdrawal).get("consentId").textValue(), "a withdrawal");
        assertEquals(List.of(ConsentRecord.Source.API, ConsentRecord.Source.API, ConsentRecord.Source.FORM,
                ConsentRecord.Source.WITHDRAWAL), t.ledger().find(id).stream().map(ConsentRecord::source).toList());
        // the visitor's own records, for their cookie only
        HttpResponse<byte[]> records = get(t.port(), "/consent/records", "Cookie", "i3_consent=" + form);
        assertEquals(200, records.statusCode(), text(records));
        assertTrue(records.headers().firstValue("Content-Disposition").orElse("").startsWith("attachment"));
        JsonNode export = json(records);
        assertEquals(id, export.get("consentId").textValue());
        assertEquals(4, export.get("records").size(), "grant, change, form, withdrawal: " + export);
        assertEquals(json(get(t.port(), "/consent/records", "Cookie", "i3_consent=" + form)), export, "the same, asked again");
        assertError(get(t.port(), "/consent/records"), 403, "valid");
        assertError(get(t.port(), "/consent/records", "Cookie", "i3_consent=" + form.substring(0, form.length() - 3) + "AAA"),
                403, "valid");
        assertError(send(t.port(), "POST", "/consent/records", "application/json", "{}".getBytes(StandardCharsets.UTF_8),
                "Origin", t.origin(), "Cookie", "i3_consent=" + form), 405, "POST");
        // no cookie, or a forged one: a history of its own
        assertNotEquals(id, json(send(t.port(), "POST", "/consent", "application/json",
                "{\"purposes\":{}}".getBytes(StandardCharsets.UTF_8), "Origin", t.origin(),
                "Cookie", "i3_consent=" + cookie.substring(0, cookie.length() - 3) + "AAA")).get("consentId").textValue());
    }

    /** What the banner of a page carries as the notice it shows, in the language asked for. */
    private static String noticeOnPage(Target t, String language) throws Exception {
        String page = text(get(t.port(), "/page", "Accept-Language", language));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("name=\"notice\" value=\"(sha256:[0-9a-f]{64})\"")
                .matcher(page);
        assertTrue(m.find(), "the banner's form names its notice");
        return m.group(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void eachDecisionNamesTheNoticeTheVisitorWasShownAndTheExportHoldsItsText(Target t) throws Exception {
        String nl = noticeOnPage(t, "nl");
        String en = noticeOnPage(t, "en");
        assertNotEquals(nl, en, "the texts differ, so do their notices");
        // the banner's script sends it with the choice; the form without script too
        String cookie = Http.consentCookie(postJson(t, "{\"purposes\":{\"analytics\":true},\"source\":\"banner\","
                + "\"notice\":\"" + en + "\"}"));
        HttpResponse<byte[]> form = send(t.port(), "POST", "/consent", "application/x-www-form-urlencoded",
                ("action=reject-all&return=%2F&notice=" + nl.replace(":", "%3A")).getBytes(StandardCharsets.US_ASCII),
                "Origin", t.origin(), "Cookie", "i3_consent=" + cookie);
        assertEquals(303, form.statusCode(), text(form));
        String id = json(get(t.port(), "/consent", "Cookie", "i3_consent=" + cookie)).get("consentId").textValue();
        assertEquals(List.of(Optional.of(en), Optional.of(nl)), t.ledger().find(id).stream().map(ConsentRecord::notice)
                .toList());
        assertEquals("Cookies and trackers", t.ledger().notice(en).orElseThrow().texts().get("title"));

        JsonNode export = json(get(t.port(), "/consent/records", "Cookie", "i3_consent=" + Http.consentCookie(form)));
        assertEquals("Cookies en trackers", export.get("notices").get(nl).get("texts").get("title").textValue());
        assertEquals("2024-05", export.get("notices").get(en).get("policyVersion").textValue());
        assertTrue(export.get("notices").get(nl).get("trackers").toString().contains("LinkedIn"), export.toString());

        // a notice the site never showed is refused, and nothing is recorded
        int before = t.ledger().all().size();
        assertError(postJson(t, "{\"purposes\":{\"analytics\":true},\"notice\":\"sha256:" + "0".repeat(64) + "\"}"),
                400, "not one this site has shown");
        assertError(postJson(t, "{\"purposes\":{},\"notice\":7}"), 400, "notice");
        assertEquals(before, t.ledger().all().size());
        assertTrue(t.ledger().verify().intact(), t.ledger().verify().toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void theNoJavaScriptFormComesBackToThePage(Target t) throws Exception {
        HttpResponse<byte[]> r = send(t.port(), "POST", "/consent", "application/x-www-form-urlencoded",
                "action=save&purpose=analytics&return=%2Fpage%3Fx%3D1".getBytes(StandardCharsets.US_ASCII),
                "Origin", t.origin());
        assertEquals(303, r.statusCode(), text(r));
        assertTrue(r.headers().firstValue("Location").orElseThrow().endsWith("/page?x=1"));
        String cookie = Http.consentCookie(r);
        JsonNode s = json(get(t.port(), "/consent", "Cookie", "i3_consent=" + cookie));
        assertTrue(s.get("purposes").get("analytics").booleanValue());
        assertFalse(s.get("purposes").get("marketing").booleanValue());
        assertEquals(ConsentRecord.Source.FORM, t.ledger().find(s.get("consentId").textValue()).get(0).source());

        // the banner's form (refine) saves each tracker as its switch was shown: a purpose on with one of
        // its trackers on grants that one; nothing changed saves nothing
        String shown = Http.consentCookie(send(t.port(), "POST", "/consent", "application/x-www-form-urlencoded",
                "action=save&refine=1&purpose=marketing&tracker=leadboxer&return=%2F".getBytes(StandardCharsets.US_ASCII),
                "Origin", t.origin()));
        JsonNode trackers = json(get(t.port(), "/consent", "Cookie", "i3_consent=" + shown)).get("trackers");
        assertEquals(Map.of("google-analytics", false, "google-ads", false, "linkedin-insight", false, "leadboxer", true,
                "oktopost", false), Map.of("google-analytics", trackers.get("google-analytics").booleanValue(),
                "google-ads", trackers.get("google-ads").booleanValue(),
                "linkedin-insight", trackers.get("linkedin-insight").booleanValue(),
                "leadboxer", trackers.get("leadboxer").booleanValue(), "oktopost", trackers.get("oktopost").booleanValue()));
        String unchanged = Http.consentCookie(send(t.port(), "POST", "/consent", "application/x-www-form-urlencoded",
                "action=save&refine=1&return=%2F".getBytes(StandardCharsets.US_ASCII), "Origin", t.origin()));
        JsonNode none = json(get(t.port(), "/consent", "Cookie", "i3_consent=" + unchanged)).get("trackers");
        none.fields().forEachRemaining(e -> assertEquals(e.getKey().equals("session-cookies"), e.getValue().booleanValue(),
                e.getKey()));

        // an embed's "always allow": that purpose added, every other choice kept as the cookie holds it
        String allowed = Http.consentCookie(send(t.port(), "POST", "/consent", "application/x-www-form-urlencoded",
                "action=allow&purpose=analytics&return=%2Fvideo".getBytes(StandardCharsets.US_ASCII), "Origin", t.origin(),
                "Cookie", "i3_consent=" + shown));
        JsonNode after = json(get(t.port(), "/consent", "Cookie", "i3_consent=" + allowed));
        assertEquals(json(get(t.port(), "/consent", "Cookie", "i3_consent=" + shown)).get("consentId"), after.get("consentId"),
                "the same visitor");
        assertEquals(List.of(true, true, true, false), List.of(after.get("purposes").get("analytics").booleanValue(),
                after.get("purposes").get("marketing").booleanValue(), after.get("trackers").get("leadboxer").booleanValue(),
                after.get("trackers").get("linkedin-insight").booleanValue()), after.toString());
        assertError(send(t.port(), "POST", "/consent", "application/x-www-form-urlencoded",
                "action=allow&purpose=necessary".getBytes(StandardCharsets.US_ASCII), "Origin", t.origin()), 400, "allow");
        assertError(send(t.port(), "POST", "/consent", "application/x-www-form-urlencoded",
                "action=allow".getBytes(StandardCharsets.US_ASCII), "Origin", t.origin()), 400, "allow");
        assertError(send(t.port(), "POST", "/consent", "application/x-www-form-urlencoded",
                "action=once&tracker=leadboxer".getBytes(StandardCharsets.US_ASCII), "Origin", t.origin()), 400, "embeds");

        HttpResponse<byte[]> offsite = send(t.port(), "POST", "/consent", "application/x-www-form-urlencoded",
                "action=reject-all&return=%2F%2Fevil.example%2F".getBytes(StandardCharsets.US_ASCII),
                "Origin", t.origin());
        assertEquals(303, offsite.statusCode());
        assertFalse(offsite.headers().firstValue("Location").orElseThrow().contains("evil"), "never sent elsewhere");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void deleteWithdrawsAndExpiresTheTrackersCookies(Target t) throws Exception {
        String granted = Http.consentCookie(postJson(t, "{\"purposes\":{\"analytics\":true,\"marketing\":true}}"));
        HttpResponse<byte[]> r = send(t.port(), "DELETE", "/consent", null, null, "Origin", t.origin(),
                "Cookie", "i3_consent=" + granted + "; _ga=GA1.1.1; _gcl_au=1.1; li_fat_id=x");
        assertEquals(200, r.statusCode(), text(r));
        JsonNode s = json(r);
        assertTrue(s.get("decided").booleanValue());
        assertFalse(s.get("purposes").get("analytics").booleanValue());
        assertFalse(s.get("purposes").get("marketing").booleanValue());
        List<String> set = setCookies(r);
        for (String name : List.of("_ga", "_gcl_au", "li_fat_id")) {
            assertTrue(set.stream().anyMatch(c -> c.startsWith(name + "=;") && c.contains("Max-Age=0")), name + ": " + set);
        }
        assertEquals(List.of(ConsentRecord.Source.API, ConsentRecord.Source.WITHDRAWAL),
                t.ledger().find(s.get("consentId").textValue()).stream().map(ConsentRecord::source).toList(),
                "the grant and its withdrawal, one history");
        String withdrawn = Http.consentCookie(r);
        assertFalse(json(get(t.port(), "/consent", "Cookie", "i3_consent=" + withdrawn))
                .get("trackers").get("google-analytics").booleanValue());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void badInputGetsAClearErrorAndChangesNothing(Target t) throws Exception {
        int before = t.ledger().all().size();
        assertError(postJson(t, "{\"purposes\":{\"analytics\":tru"), 400, "malformed JSON");
        assertError(postJson(t, "[]"), 400, "JSON object");
        assertError(postJson(t, "{\"purposes\":{\"advertising\":true}}"), 400, "unknown purpose: advertising");
        assertError(postJson(t, "{\"purposes\":{},\"trackers\":{\"hotjar\":true}}"), 400, "unknown tracker: hotjar");
        assertError(postJson(t, "{\"purposes\":{\"analytics\":\"yes\"}}"), 400, "true or false");
        assertError(postJson(t, "{\"purposes\":{\"necessary\":false}}"), 400, "cannot be refused");
        assertError(postJson(t, "{\"purpose\":{}}"), 400, "unknown field");
        assertError(postJson(t, "{\"purposes\":{\"analytics\":true},\"pad\":\"" + "x".repeat(9000) + "\"}"), 413, "8192");
        assertError(send(t.port(), "POST", "/consent", "text/plain", "analytics".getBytes(StandardCharsets.UTF_8),
                "Origin", t.origin()), 415, "application/json");
        assertError(send(t.port(), "POST", "/consent", "application/x-www-form-urlencoded",
                "action=maybe".getBytes(StandardCharsets.UTF_8), "Origin", t.origin()), 400, "accept-all");
        assertError(send(t.port(), "POST", "/consent", "application/x-www-form-urlencoded",
                "action=save&purpose=advertising".getBytes(StandardCharsets.UTF_8), "Origin", t.origin()),
                400, "unknown purpose: advertising");
        assertError(send(t.port(), "POST", "/consent", "application/x-www-form-urlencoded",
                "action=save&purpose=analytics&refine=1&tracker=hotjar".getBytes(StandardCharsets.UTF_8),
                "Origin", t.origin()), 400, "unknown tracker: hotjar");
        assertError(send(t.port(), "PUT", "/consent", "application/json", "{}".getBytes(StandardCharsets.UTF_8)),
                405, "PUT");
        assertEquals(before, t.ledger().all().size(), "nothing recorded");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void anotherSiteCannotDecideForTheVisitor(Target t) throws Exception {
        byte[] body = "{\"purposes\":{\"analytics\":true,\"marketing\":true}}".getBytes(StandardCharsets.UTF_8);
        assertError(send(t.port(), "POST", "/consent", "application/json", body, "Origin", "https://evil.example"),
                403, "cross-site");
        assertError(send(t.port(), "POST", "/consent", "application/json", body, "Origin", "null"), 403, "cross-site");
        assertError(send(t.port(), "POST", "/consent", "application/json", body, "Sec-Fetch-Site", "cross-site"),
                403, "cross-site");
        assertError(send(t.port(), "POST", "/consent", "application/json", body, "Referer", "https://evil.example/x"),
                403, "cross-site");
        assertError(send(t.port(), "DELETE", "/consent", null, null, "Origin", "https://evil.example"), 403, "cross-site");
        assertEquals(200, send(t.port(), "POST", "/consent", "application/json", body,
                "Sec-Fetch-Site", "same-origin").statusCode());
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void theCookieIsAsConfigured(Container c) throws Exception {
        String json = SiteConfig.json()
                .replace("\"consentMaxAgeDays\": 365", "\"consentMaxAgeDays\": 30")
                .replace("{ \"name\": \"i3_consent\", \"secure\": \"auto\", \"sameSite\": \"Lax\", \"domain\": null }",
                        "{ \"name\": \"site_consent\", \"secure\": \"always\", \"sameSite\": \"Strict\", "
                                + "\"domain\": \"example.nl\" }");
        Gatekeeper gatekeeper = Gatekeeper.create(ConsentConfig.parse(json, Map.of()));
        try (Container.Running r = c.start(Container.Registration.instance(
                new ConsentFilter(gatekeeper, new MemoryLedger())), TestServlets.all())) {
            HttpResponse<byte[]> answer = send(r.port(), "POST", "/consent", "application/json",
                    "{\"purposes\":{\"analytics\":true}}".getBytes(StandardCharsets.UTF_8),
                    "Origin", "http://127.0.0.1:" + r.port());
            assertEquals(200, answer.statusCode(), text(answer));
            String cookie = setCookies(answer).stream().filter(v -> v.startsWith("site_consent=")).findFirst()
                    .orElseThrow(() -> new AssertionError(setCookies(answer).toString()));
            for (String attribute : List.of("Path=/", "Max-Age=2592000", "HttpOnly", "SameSite=Strict",
                    "Domain=example.nl", "Secure")) {
                assertTrue(cookie.contains(attribute), attribute + " in " + cookie);
            }
            String value = cookie.substring("site_consent=".length(), cookie.indexOf(';'));
            JsonNode state = json(get(r.port(), "/consent", "Cookie", "site_consent=" + value));
            assertTrue(state.get("decided").booleanValue(), "the filter reads the cookie by its configured name");
            assertFalse(json(get(r.port(), "/consent", "Cookie", "i3_consent=" + value)).get("decided").booleanValue());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void behindATlsProxyTheSiteIsItsForwardedOrigin(Target t) throws Exception {
        String body = "{\"purposes\":{\"analytics\":true}}";
        try (Http.Connection c = new Http.Connection(t.port())) {
            c.head("POST /consent HTTP/1.1", "Origin: https://www.example.nl", "Content-Type: application/json",
                    "Content-Length: " + body.length());
            c.write(body);
            assertEquals(403, c.read().status(), "without forwarded headers the origin is the container's own");
            c.head("POST /consent HTTP/1.1", "Origin: https://www.example.nl", "Content-Type: application/json",
                    "Content-Length: " + body.length(), "X-Forwarded-Proto: https", "X-Forwarded-Host: www.example.nl");
            c.write(body);
            Http.Answer answer = c.read();
            assertEquals(200, answer.status(), answer.body());
            String cookie = answer.headers().get("set-cookie");
            assertTrue(cookie.startsWith("i3_consent=") && cookie.contains("; Secure"), cookie);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void aRefusedRequestLeavesItsConnectionToTheNext(Target t) throws Exception {
        String body = "{\"purposes\":{\"analytics\":true,\"marketing\":true}}";
        try (Http.Connection c = new Http.Connection(t.port())) {
            for (String[] refused : List.of(new String[] {"POST", "Origin: https://evil.example", "403"},
                    new String[] {"PUT", "Origin: " + t.origin(), "405"})) {
                // the client sends the body only when the server reads it, so a server that answers without reading
                // it is seen at once, not only when the body happens to arrive after the answer
                c.head(refused[0] + " /consent HTTP/1.1", refused[1], "Content-Type: application/json",
                        "Content-Length: " + body.length(), "Expect: 100-continue");
                assertEquals(100, c.read().status(), refused[0] + ": the server reads the body it refuses");
                c.write(body);
                Http.Answer answer = c.read();
                assertEquals(Integer.parseInt(refused[2]), answer.status(), answer.body());
                assertFalse("close".equalsIgnoreCase(answer.headers().get("connection")), answer.headers().toString());
            }
            c.head("GET /consent HTTP/1.1");
            assertEquals(200, c.read().status(), "the next request on the same connection is answered");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void aChunkedBodyOverTheLimitIsRefusedToo(Target t) throws Exception {
        int before = t.ledger().all().size();
        String padded = "{\"purposes\":{\"analytics\":true},\"pad\":\"" + "x".repeat(9000) + "\"}";
        try (Http.Connection c = new Http.Connection(t.port())) {
            c.head("POST /consent HTTP/1.1", "Origin: " + t.origin(), "Content-Type: application/json",
                    "Transfer-Encoding: chunked");
            c.write(Integer.toHexString(padded.length()) + "\r\n" + padded + "\r\n0\r\n\r\n");
            Http.Answer answer = c.read();
            assertEquals(413, answer.status(), answer.body());
            assertTrue(answer.body().contains("8192"), answer.body());
        }
        assertEquals(before, t.ledger().all().size(), "nothing recorded");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void aBodyTooLargeToReadClosesItsConnection(Target t) throws Exception {
        try (Http.Connection c = new Http.Connection(t.port())) {
            c.head("POST /consent HTTP/1.1", "Origin: " + t.origin(), "Content-Type: application/json",
                    "Content-Length: 100000", "Expect: 100-continue");
            Http.Answer answer = c.read();
            if (answer.status() == 100) {
                answer = c.read(); // Tomcat's default: 100 Continue before the filter runs
            }
            assertEquals(413, answer.status(), answer.body());
            assertEquals("close", answer.headers().get("connection"), answer.headers().toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void noConsentWithoutItsProof(Target t) throws Exception {
        HttpResponse<byte[]> r = send(t.brokenPort(), "POST", "/consent", "application/json",
                "{\"purposes\":{\"analytics\":true}}".getBytes(StandardCharsets.UTF_8),
                "Origin", "http://127.0.0.1:" + t.brokenPort());
        assertError(r, 503, "could not be recorded");
        assertTrue(setCookies(r).stream().noneMatch(c -> c.startsWith("i3_consent=")), "no cookie without a record");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void noVisitorInputCausesA500(Target t) throws Exception {
        List<String> bodies = List.of("", "{", "null", "\"x\"", "{\"purposes\":null}", "{\"purposes\":[]}",
                "{\"purposes\":{\"analytics\":true},\"source\":7}", "{\"purposes\":{\"a\":{}}}", "\u0000\u00ff",
                "{\"purposes\":{\"analytics\":true,\"analytics\":false}}");
        for (String b : bodies) {
            int status = postJson(t, b).statusCode();
            assertTrue(status >= 400 && status < 500, b + " gave " + status);
        }
        for (String cookie : List.of("i3_consent=", "i3_consent=%%%", "i3_consent=" + "A".repeat(5000), "i3_consent=\"x\"")) {
            assertEquals(200, get(t.port(), "/consent", "Cookie", cookie).statusCode(), cookie);
            assertEquals(200, get(t.port(), "/page", "Cookie", cookie).statusCode(), cookie);
        }
        for (String language : List.of(";", "en,;", ";q=1", ",", "nl;q=NaN,en;q=x")) {
            assertEquals(200, get(t.port(), "/page", "Accept-Language", language).statusCode(), language);
            assertEquals(200, get(t.port(), "/consent/banner", "Accept-Language", language).statusCode(), language);
        }
        String bogus = "; charset=bogus-99";
        assertEquals(200, send(t.port(), "GET", "/consent/banner?return=/x", "text/plain" + bogus, null).statusCode());
        assertEquals(200, send(t.port(), "POST", "/consent", "application/json" + bogus,
                "{\"purposes\":{}}".getBytes(StandardCharsets.UTF_8), "Origin", t.origin()).statusCode());
        int form = send(t.port(), "POST", "/consent", "application/x-www-form-urlencoded" + bogus,
                "action=reject-all".getBytes(StandardCharsets.UTF_8), "Origin", t.origin()).statusCode();
        assertTrue(form == 303 || form == 415, "form with a bogus charset gave " + form);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void manyDeniedTrackerCookiesDoNotOverflowTheAnswer(Target t) throws Exception {
        // each would get an expiry for the host and for every parent domain
        StringBuilder cookies = new StringBuilder("Cookie: _ga=1");
        for (int i = 0; i < 150; i++) {
            cookies.append("; _ga_X").append(i).append("=1");
        }
        cookies.append("; _gat_").append("y".repeat(3000)).append("=1");
        try (Http.Connection c = new Http.Connection(t.port())) {
            c.write("GET /page HTTP/1.1\r\nHost: a.b.c.d.e.example.nl:" + t.port() + "\r\n" + cookies + "\r\n\r\n");
            Http.Answer answer = c.read();
            assertEquals(200, answer.status(), answer.body());
            assertTrue(answer.body().contains("Welkom"), answer.body());
            assertTrue(answer.headers().getOrDefault("set-cookie", "").contains("Max-Age=0"),
                    "as many as fit are expired: " + answer.headers());
        }
    }

    private static void assertError(HttpResponse<byte[]> r, int status, String words) throws Exception {
        assertEquals(status, r.statusCode(), text(r));
        JsonNode e = json(r);
        assertEquals(status, e.get("status").intValue());
        assertTrue(e.get("error").textValue().contains(words), "'" + words + "' not in " + e);
    }

    /** A ledger whose store is down. */
    static final class BrokenLedger implements ConsentLedger {
        @Override
        public ConsentRecord append(ConsentRecord record) {
            throw new LedgerException("disk full", null);
        }

        @Override
        public List<ConsentRecord> find(String consentId) {
            return List.of();
        }

        @Override
        public void forEachRecord(java.util.function.Consumer<? super ConsentRecord> action) {
            throw new LedgerException("disk full", null);
        }

        @Override
        public int erase(String consentId) {
            return 0;
        }

        @Override
        public int purge(java.time.Instant cutoff) {
            return 0;
        }

        @Override
        public String keep(nl.i3groep.consent.ledger.Notice notice) {
            throw new LedgerException("disk full", null);
        }

        @Override
        public java.util.Optional<nl.i3groep.consent.ledger.Notice> notice(String hash) {
            return java.util.Optional.empty();
        }

        @Override
        public nl.i3groep.consent.ledger.Verification verify() {
            throw new LedgerException("disk full", null);
        }
    }
}
