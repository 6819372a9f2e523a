package nl.i3groep.consent.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import nl.i3groep.consent.Decisions;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.config.ConsentConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The fetch policy as a function of the site's declaration and the visitor's decisions. */
class CspTest {

    /** The directives that govern fetches, each of which the policy must hold. */
    static final List<String> FETCHES = List.of("default-src", "script-src", "style-src", "img-src", "font-src",
            "media-src", "connect-src", "frame-src", "worker-src", "object-src", "form-action");

    /** The test site, declaring a CDN, web fonts, reCAPTCHA under Google's own host, and videos that need consent. */
    static final Gatekeeper SITE;

    static {
        String json = SiteConfig.json().replace("\"trackers\": {",
                "\"purposes\": {\"video\": {\"deniedByGpc\": false}},\n"
                        + "\"thirdParties\": {\"cdn.example-cdn.net\": {\"purpose\": \"necessary\", \"for\": \"images\"},"
                        + " \"fonts.gstatic.com\": {\"purpose\": \"necessary\", \"for\": \"web fonts\"},"
                        + " \"www.google.com/recaptcha/\": {\"purpose\": \"necessary\", \"for\": \"the contact form's check\"},"
                        + " \"*.video-cdn.example\": {\"purpose\": \"video\", \"for\": \"embedded videos\"}},\n"
                        + "\"trackers\": {");
        SITE = Gatekeeper.create(ConsentConfig.parse(json, Map.of()));
    }

    static final String NECESSARY = "cdn.example-cdn.net fonts.gstatic.com www.google.com/recaptcha/";
    static final String GA = "www.googletagmanager.com googletagmanager.com www.google-analytics.com"
            + " *.google-analytics.com *.analytics.google.com";
    static final String ADS = "www.googletagmanager.com googletagmanager.com www.googleadservices.com *.doubleclick.net"
            + " www.google.com/rmkt/collect/ www.google.com/pagead/";
    static final String MARKETING = ADS + " snap.licdn.com *.ads.linkedin.com www.linkedin.com script.leadboxer.com"
            + " log.leadboxer.com ip.leadboxer.com kibana.leadboxer.com track.leadboxer.com pixel.leadboxer.com"
            + " static.oktopost.com okt.to";

    /** GPC objects to marketing (a sale or share of data), not to analytics. */
    @ParameterizedTest(name = "analytics {0}, marketing {1}, video {2}, GPC {3}")
    @CsvSource(delimiter = '|', textBlock = """
            false | false | false | false | NECESSARY
            true  | false | false | false | NECESSARY GA
            false | true  | false | false | NECESSARY MARKETING
            false | false | true  | false | NECESSARY *.video-cdn.example
            true  | true  | true  | false | NECESSARY GA MARKETING *.video-cdn.example
            true  | true  | true  | true  | NECESSARY GA *.video-cdn.example
            """)
    void everyFetchGoesOnlyToTheSiteItsAllowedPartiesAndItsAllowedTrackers(boolean analytics, boolean marketing,
            boolean video, boolean gpc, String expected) {
        Decisions d = SITE.decisionsFor(SITE.consent(Map.of("analytics", analytics, "marketing", marketing, "video", video),
                Map.of()), gpc);
        Set<String> want = new TreeSet<>();
        for (String part : expected.split(" ")) {
            String hosts = switch (part) {
                case "NECESSARY" -> NECESSARY;
                case "GA" -> GA;
                case "MARKETING" -> MARKETING;
                default -> part;
            };
            want.addAll(Arrays.asList(hosts.split(" ")));
        }
        String policy = Csp.policy("n0nce", Csp.allowedHosts(SITE.config().thirdParties(), SITE.trackers(), d));
        Map<String, List<String>> directives = directives(policy);
        for (String fetch : FETCHES) {
            List<String> sources = directives.get(fetch);
            assertEquals("'self'", sources.get(0), fetch + " in " + policy);
            Set<String> hosts = new TreeSet<>(sources.stream().filter(s -> !s.startsWith("'") && !s.endsWith(":")).toList());
            assertEquals(want, hosts, fetch + " in " + policy);
        }
        assertEquals(List.of("'self'"), directives.get("base-uri"), policy);
        assertTrue(directives.get("script-src").contains("'nonce-n0nce'"), policy);
    }

    /** What the browser fetches despite the policy, without a third party's host: inline styles, data: images, eval. */
    @Test
    void itRestrictsWhereNotHow() {
        Map<String, List<String>> d = directives(Csp.policy("n", Set.of()));
        assertTrue(d.get("style-src").contains("'unsafe-inline'"));
        assertTrue(d.get("img-src").containsAll(List.of("data:", "blob:")));
        assertTrue(d.get("script-src").contains("'unsafe-eval'"));
        assertTrue(!d.get("script-src").contains("'unsafe-inline'"), "inline scripts need the nonce");
    }

    /** Reports go to the endpoint by report-uri; by the Reporting API too where a browser sends those (secure pages). */
    @Test
    void violationsAreReportedToTheEndpoint() {
        Map<String, List<String>> plain = directives(Csp.policy("n", Set.of()) + Csp.reporting("/consent/report", false));
        assertEquals(List.of("/consent/report"), plain.get("report-uri"));
        assertTrue(!plain.containsKey("report-to"), "Chromium would then send nothing from a plain-HTTP page");
        Map<String, List<String>> secure = directives(Csp.policy("n", Set.of()) + Csp.reporting("/consent/report", true));
        assertEquals(List.of("/consent/report"), secure.get("report-uri"));
        assertEquals(List.of(Csp.REPORT_GROUP), secure.get("report-to"));
    }

    /** A policy's directives by name, each with its sources in order. */
    static Map<String, List<String>> directives(String policy) {
        Map<String, List<String>> d = new LinkedHashMap<>();
        for (String part : policy.split(";")) {
            String[] words = part.strip().split("\\s+");
            if (words.length > 0 && !words[0].isEmpty()) {
                d.putIfAbsent(words[0], List.of(words).subList(1, words.length));
            }
        }
        return d;
    }
}
