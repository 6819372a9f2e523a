package nl.i3groep.consent.servlet;

import static nl.i3groep.consent.servlet.Http.get;
import static nl.i3groep.consent.servlet.Http.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.ledger.MemoryLedger;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** With {@code "csp": "enforce"}: a per-response nonce on every script kept or inserted, and every fetch only to allowed hosts. */
class ContentSecurityPolicyTest {

    private static final Pattern NONCE = Pattern.compile("'nonce-([A-Za-z0-9+/=]+)'");

    private static Container.Running start(Container c) throws Exception {
        return start(c, "enforce");
    }

    private static Container.Running start(Container c, String csp) throws Exception {
        String json = SiteConfig.json()
                .replace("\"csp\": \"off\"", "\"csp\": \"" + csp + "\"");
        Gatekeeper gatekeeper = Gatekeeper.create(ConsentConfig.parse(json, Map.of()));
        return c.start(Container.Registration.instance(new ConsentFilter(gatekeeper, new MemoryLedger())),
                TestServlets.all());
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void aNonceOnEveryLiveScriptAndOnlyAllowedHosts(Container c) throws Exception {
        try (Container.Running r = start(c)) {
            HttpResponse<byte[]> undecided = get(r.port(), "/page");
            String policy = undecided.headers().firstValue("Content-Security-Policy").orElseThrow();
            Map<String, List<String>> d = CspTest.directives(policy);
            for (String fetch : CspTest.FETCHES) {
                assertTrue(d.containsKey(fetch), "every kind of fetch is governed: " + fetch + " in " + policy);
                assertEquals("'self'", d.get(fetch).get(0), policy);
            }
            assertTrue(d.get("script-src").get(1).startsWith("'nonce-"), policy);
            for (String host : List.of("googletagmanager", "licdn", "leadboxer", "oktopost")) {
                assertFalse(policy.contains(host), host + " is denied, so not in " + policy);
            }
            String nonce = nonce(policy);
            assertEveryLiveScriptCarries(Jsoup.parse(text(undecided)), nonce);
            assertNotEquals(nonce, nonce(get(r.port(), "/page").headers().firstValue("Content-Security-Policy")
                    .orElseThrow()), "a new nonce per response");

            HttpResponse<byte[]> consent = Http.send(r.port(), "POST", "/consent", "application/json",
                    "{\"purposes\":{\"analytics\":true,\"marketing\":false}}".getBytes(StandardCharsets.UTF_8),
                    "Origin", "http://127.0.0.1:" + r.port());
            HttpResponse<byte[]> analytics = get(r.port(), "/page", "Cookie", "i3_consent=" + Http.consentCookie(consent));
            String allowed = analytics.headers().firstValue("Content-Security-Policy").orElseThrow();
            assertTrue(allowed.contains("www.googletagmanager.com") && allowed.contains("*.google-analytics.com"), allowed);
            assertFalse(allowed.contains("licdn"), allowed);
            assertEveryLiveScriptCarries(Jsoup.parse(text(analytics)), nonce(allowed));
        }
    }

    /** A worker fetches under its script's policy, not the page's (Chromium shows it: FetchPolicyInChromiumTest). */
    @ParameterizedTest
    @EnumSource(Container.class)
    void aWorkersScriptComesWithThePolicyOfTheDecision(Container c) throws Exception {
        try (Container.Running r = start(c)) {
            for (String[] fetch : List.of(new String[] {"Sec-Fetch-Dest", "worker"},
                    new String[] {"Sec-Fetch-Dest", "sharedworker"}, new String[] {"Sec-Fetch-Dest", "serviceworker"},
                    new String[] {"Service-Worker", "script"})) {
                HttpResponse<byte[]> script = get(r.port(), "/worker.js", fetch);
                String policy = script.headers().firstValue("Content-Security-Policy")
                        .orElseThrow(() -> new AssertionError(String.join(": ", fetch) + ": no policy"));
                assertTrue(CspTest.directives(policy).keySet().containsAll(CspTest.FETCHES), policy);
                assertFalse(policy.contains("google-analytics"), "analytics is denied: " + policy);
                assertTrue(script.headers().allValues("Vary").stream().anyMatch(v -> v.contains("Cookie")),
                        script.headers().toString());
                assertEquals(TestServlets.WorkerScript.BODY, text(script), "the script passes as it is");
            }
            assertTrue(get(r.port(), "/worker.js", "Sec-Fetch-Dest", "script").headers()
                    .firstValue("Content-Security-Policy").isEmpty(), "a page's script runs under the page's policy");

            HttpResponse<byte[]> consent = Http.send(r.port(), "POST", "/consent", "application/json",
                    "{\"purposes\":{\"analytics\":true,\"marketing\":false}}".getBytes(StandardCharsets.UTF_8),
                    "Origin", "http://127.0.0.1:" + r.port());
            String allowed = get(r.port(), "/worker.js", "Sec-Fetch-Dest", "worker", "Cookie",
                    "i3_consent=" + Http.consentCookie(consent)).headers().firstValue("Content-Security-Policy").orElseThrow();
            assertTrue(allowed.contains("*.google-analytics.com"), allowed);
            assertFalse(allowed.contains("licdn"), allowed);
        }
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void theApplicationsOwnPolicyIsKeptAndAdmitsTheNonce(Container c) throws Exception {
        try (Container.Running r = start(c)) {
            HttpResponse<byte[]> page = get(r.port(), "/own-csp");
            List<String> policies = page.headers().allValues("Content-Security-Policy");
            assertEquals(2, policies.size(), policies.toString());
            String own = policies.stream().filter(p -> p.contains("object-src 'none'")).findFirst().orElseThrow();
            String ours = policies.stream().filter(p -> p.contains("form-action")).findFirst().orElseThrow();
            assertEquals(nonce(ours), nonce(own), "the application's policy admits the filter's nonce: " + own);
            assertTrue(own.contains("script-src") && own.contains("'self'") && own.contains("'nonce-app123'"), own);
            // its own script must pass both policies, so it carries the filter's nonce instead of its own
            assertEveryLiveScriptCarries(Jsoup.parse(text(page)), nonce(ours));
            assertTrue(text(page).contains("window.app = 1"), text(page));
        }
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void reportOnlySendsThePolicyOnlyToBeReported(Container c) throws Exception {
        try (Container.Running r = start(c, "report-only")) {
            HttpResponse<byte[]> page = get(r.port(), "/page");
            assertTrue(page.headers().firstValue("Content-Security-Policy").isEmpty(), page.headers().toString());
            String policy = page.headers().firstValue("Content-Security-Policy-Report-Only").orElseThrow();
            assertTrue(CspTest.directives(policy).keySet().containsAll(CspTest.FETCHES), policy);
            assertEquals(List.of("/consent/report"), CspTest.directives(policy).get("report-uri"), policy);
            assertEveryLiveScriptCarries(Jsoup.parse(text(page)), nonce(policy));
        }
    }

    /** Every live inline script carries the nonce; an external one none, so that the policy judges it by its host. */
    private static void assertEveryLiveScriptCarries(Document d, String nonce) {
        int live = 0;
        for (Element s : d.select("script")) {
            if (!"text/plain".equals(s.attr("type"))) {
                live++;
                assertEquals(s.hasAttr("src") ? "" : nonce, s.attr("nonce"), "live script: " + s.outerHtml());
            }
        }
        assertTrue(live > 0, "the page has live scripts (the site's own, the banner)");
    }

    private static String nonce(String policy) {
        Matcher m = NONCE.matcher(policy);
        assertTrue(m.find(), policy);
        return m.group(1);
    }
}
