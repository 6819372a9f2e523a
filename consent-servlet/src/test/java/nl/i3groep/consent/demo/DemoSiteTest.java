package nl.i3groep.consent.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/** The demo site serves its pages through the filter, with every stand-in tracker recognised. */
class DemoSiteTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private static HttpResponse<String> get(int port, String path, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyStandInTrackerIsInertUntilConsentAndLiveAfter() throws Exception {
        try (DemoSite site = DemoSite.start(0)) {
            for (String path : new String[] {"/", "/diensten", "/contact", "/privacyverklaring"}) {
                HttpResponse<String> r = get(site.port(), path, null);
                assertEquals(200, r.statusCode(), path);
                Document d = Jsoup.parse(r.body());
                assertTrue(d.selectFirst("[data-consent-banner]") != null, path);
                for (Element s : d.select("script")) {
                    boolean own = s.data().contains("gtag('consent','default'")
                            || !s.parents().select("[data-consent-banner]").isEmpty();
                    boolean tracker = !own && (s.outerHtml().contains("stand-in") || s.data().contains("gtag(")
                            || s.data().contains("_linkedin_partner_id"));
                    if (tracker) {
                        assertEquals("text/plain", s.attr("type"), path + ": " + s.outerHtml());
                    }
                }
                assertFalse(r.body().matches("(?s).*<img[^>]*\\ssrc=\"http://127\\.0\\.0\\.1:\\d+/stand-in.*"),
                        "a pixel still fetches on " + path);
                assertTrue(r.body().contains("data-consent-src=\"http://127.0.0.1:" + site.port() + "/stand-in/linkedin"));
            }

            HttpResponse<String> consent = CLIENT.send(HttpRequest.newBuilder(
                            URI.create("http://localhost:" + site.port() + "/consent"))
                    .header("Content-Type", "application/json").header("Origin", "http://localhost:" + site.port())
                    .POST(HttpRequest.BodyPublishers.ofString("{\"purposes\":{\"analytics\":true,\"marketing\":true}}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            String cookie = consent.headers().allValues("Set-Cookie").stream()
                    .filter(c -> c.startsWith("i3_consent=")).findFirst().orElseThrow().split(";")[0];
            Document d = Jsoup.parse(get(site.port(), "/", cookie).body());
            assertTrue(d.select("[data-consent-banner]").isEmpty());
            for (Element s : d.select("script")) {
                assertFalse("text/plain".equals(s.attr("type")), "still inert after accepting all: " + s.outerHtml());
            }

            assertTrue(site.received().isEmpty(), "the server itself fetched nothing");
            assertEquals(200, get(site.port(), "/stand-in/linkedin/collect?pid=1", null).statusCode());
            assertTrue(get(site.port(), "/stand-ins", null).body().contains("/linkedin/collect?pid=1"));
        }
    }
}
