package nl.i3groep.consent.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.ledger.MemoryLedger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The operator's report of undeclared hosts: off without a secret, and only for its bearer. */
class OperatorReportTest {

    private static final String SECRET = "op-report-0123456789abcdef-XYZ";

    private static ConsentFilter filter(boolean withSecret) throws Exception {
        String json = SiteConfig.json();
        if (withSecret) {
            json = json.replace("\"ledger\":", "\"report\": {\"secret\": \"env:CONSENT_REPORT_SECRET\"},\n  \"ledger\":");
        }
        return new ConsentFilter(Gatekeeper.create(ConsentConfig.parse(json, Map.of("CONSENT_REPORT_SECRET", SECRET))),
                new MemoryLedger());
    }

    private static void seen(Container.Running r, String page, String blocked) throws Exception {
        String body = "{\"csp-report\": {\"document-uri\": \"http://127.0.0.1:" + r.port() + page + "\", \"blocked-uri\": \""
                + blocked + "\", \"effective-directive\": \"script-src-elem\"}}";
        assertEquals(204, Http.send(r.port(), "POST", "/consent/report", "application/csp-report",
                body.getBytes(StandardCharsets.UTF_8)).statusCode());
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void withoutASecretThereIsNoReportToRead(Container c) throws Exception {
        try (Container.Running r = c.start(Container.Registration.instance(filter(false)), TestServlets.all())) {
            HttpResponse<byte[]> res = Http.get(r.port(), "/consent/undeclared", "Authorization", "Bearer " + SECRET);
            // the application's answer for a path of its own: the filter's endpoint is not there
            assertFalse(new String(res.body(), StandardCharsets.UTF_8).contains("\"hosts\""), res.toString());
            assertTrue(res.statusCode() != 200 || !res.headers().firstValue("Content-Type").orElse("").contains("json"));
        }
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void itsBearerReadsItAsJsonAndAsAPageAndNobodyElse(Container c) throws Exception {
        try (Container.Running r = c.start(Container.Registration.instance(filter(true)), TestServlets.all())) {
            // a path may hold & and ' (a browser encodes < and quotes, and a report that does not is refused)
            seen(r, "/nieuws/a&amp;b'c", "https://tags.undeclared-tm.example/tm.js");
            for (String[] wrong : new String[][] {{}, {"Authorization", "Bearer nope"}, {"Authorization", SECRET},
                    {"Authorization", "Bearer " + SECRET + "x"}, {"Authorization", "Basic " + SECRET}}) {
                HttpResponse<byte[]> res = Http.get(r.port(), "/consent/undeclared", wrong);
                assertEquals(401, res.statusCode(), String.join(" ", wrong));
                assertEquals("{\"status\":401,\"error\":\"unauthorized\"}", new String(res.body(), StandardCharsets.UTF_8));
                assertEquals("Bearer", res.headers().firstValue("WWW-Authenticate").orElse(""));
            }
            HttpResponse<byte[]> json = Http.get(r.port(), "/consent/undeclared", "Authorization", "Bearer " + SECRET);
            assertEquals(200, json.statusCode());
            JsonNode host = new ObjectMapper().readTree(json.body()).path("hosts").get(0);
            assertEquals("tags.undeclared-tm.example", host.path("host").asText());
            assertEquals("script", host.path("kinds").get(0).asText());
            assertEquals(1, host.path("count").asLong());
            assertEquals(1, host.path("perDay").get(host.path("perDay").size() - 1).asLong(), "today's");

            HttpResponse<byte[]> page = Http.get(r.port(), "/consent/undeclared.html", "Authorization", "Bearer " + SECRET);
            String html = new String(page.body(), StandardCharsets.UTF_8);
            assertEquals(200, page.statusCode());
            assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
            assertTrue(html.contains("tags.undeclared-tm.example") && html.contains("<svg"), html);
            assertTrue(html.contains("/nieuws/a&amp;amp;b'c<br>") && !html.contains("<script"),
                    "what visitors' browsers sent is text: " + html);
            assertEquals("default-src 'none'; style-src 'unsafe-inline'",
                    page.headers().firstValue("Content-Security-Policy").orElse(""));
            assertFalse(html.contains("data-consent-banner"), "the filter inserts nothing into its own page");
            assertEquals(401, Http.get(r.port(), "/consent/undeclared.html").statusCode());
        }
    }
}
