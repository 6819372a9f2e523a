package nl.i3groep.consent.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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

    /** An address of this machine that is not loopback: where a neighbour would connect. */
    private static java.util.Optional<java.net.InetAddress> outward() throws Exception {
        return java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
                .filter(n -> {
                    try {
                        return n.isUp() && !n.isLoopback();
                    } catch (java.net.SocketException e) {
                        return false;
                    }
                })
                .flatMap(n -> java.util.Collections.list(n.getInetAddresses()).stream())
                .filter(a -> a instanceof java.net.Inet4Address && !a.isLoopbackAddress())
                .findFirst();
    }

    private static boolean accepts(java.net.InetAddress address, int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(address, port), 2000);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void listensOnLoopbackUnlessToldOtherwise() throws Exception {
        java.net.InetAddress outward = outward().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(outward != null, "this machine has no address but loopback");
        try (DemoSite everywhere = DemoSite.start("0.0.0.0", 0, DemoSite.Trackers.STAND_INS, true)) {
            assertTrue(accepts(outward, everywhere.port()), "the control: told to, it is reached at " + outward);
        }
        try (DemoSite site = DemoSite.start(0)) {
            assertTrue(accepts(java.net.InetAddress.getLoopbackAddress(), site.port()));
            assertFalse(accepts(outward, site.port()), "reached from " + outward + " without being told to listen there");
        }
    }

    @Test
    void everyStandInTrackerIsInertUntilConsentAndLiveAfter() throws Exception {
        try (DemoSite site = DemoSite.start(0)) {
            for (String path : new String[] {"/", "/diensten", "/contact", "/privacyverklaring"}) {
                HttpResponse<String> r = get(site.port(), path, null);
                assertEquals(200, r.statusCode(), path);
                assertGated(r.body(), site.port(), path);
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

    /** The banner is there and every stand-in tracker, script or pixel, is inert. */
    private static void assertGated(String body, int port, String path) {
        Document d = Jsoup.parse(body);
        assertTrue(d.selectFirst("[data-consent-banner]") != null, path);
        for (Element s : trackerScripts(d)) {
            assertEquals("text/plain", s.attr("type"), path + ": " + s.outerHtml());
        }
        assertFalse(body.matches("(?s).*<img[^>]*\\ssrc=\"http://127\\.0\\.0\\.1:\\d+/stand-in.*"),
                "a pixel still fetches on " + path);
        assertTrue(body.contains("data-consent-src=\"http://127.0.0.1:" + port + "/stand-in/linkedin"), path);
    }

    /** The page's tracker scripts: those loading from a stand-in or holding a vendor's install code. */
    private static List<Element> trackerScripts(Document d) {
        List<Element> trackers = new ArrayList<>();
        for (Element s : d.select("script")) {
            boolean own = s.data().contains("gtag('consent','default'")
                    || !s.parents().select("[data-consent-banner]").isEmpty();
            if (!own && (s.outerHtml().contains("stand-in") || s.data().contains("gtag(")
                    || s.data().contains("_linkedin_partner_id"))) {
                trackers.add(s);
            }
        }
        return trackers;
    }

    @Test
    void theLongArticleIsAboutFiftyKilobytesAndGatedOnlyBehindTheFilter() throws Exception {
        try (DemoSite filtered = DemoSite.start(0); DemoSite bare = DemoSite.start(0, DemoSite.Trackers.STAND_INS, false)) {
            HttpResponse<byte[]> plain = CLIENT.send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + bare.port() + "/artikel")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, plain.statusCode());
            int size = plain.body().length;
            assertTrue(Math.abs(size - DemoSite.ARTICLE_SIZE) <= 500, "the article has " + size + " bytes");
            String html = new String(plain.body(), StandardCharsets.UTF_8);
            String standIn = "http://127.0.0.1:" + bare.port() + "/stand-in/";
            for (String vendor : new String[] {"google/gtag/js?id=G-", "oktopost/oktrk.js", "linkedin/li.lms-analytics",
                "linkedin/collect/?pid=", "google-ads/pagead/", "leadboxer/?dataset="}) {
                assertTrue(html.contains(standIn + vendor), "the article lacks the tracker " + vendor);
            }

            // without the filter: no banner, no endpoint, every tracker as the page installs it
            Document d = Jsoup.parse(html);
            assertTrue(d.select("[data-consent-banner]").isEmpty());
            assertEquals(404, get(bare.port(), "/consent", null).statusCode());
            List<Element> scripts = trackerScripts(d);
            // gtag.js and its two inline configs, Oktopost, LinkedIn's two, Leadboxer
            assertEquals(7, scripts.size(), scripts.toString());
            for (Element s : scripts) {
                assertFalse("text/plain".equals(s.attr("type")), s.outerHtml());
            }
            assertFalse(html.contains("data-consent-src"), "a pixel was made inert without the filter");

            // behind the filter: the same article, gated
            HttpResponse<String> gated = get(filtered.port(), "/artikel", null);
            assertEquals(200, gated.statusCode());
            assertGated(gated.body(), filtered.port(), "/artikel");
            assertTrue(gated.body().contains("Testen met vijf mensen"), "the article's own text is served");
        }
    }
}
