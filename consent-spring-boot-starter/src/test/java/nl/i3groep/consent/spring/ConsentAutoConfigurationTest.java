package nl.i3groep.consent.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.ledger.ConsentLedger;
import nl.i3groep.consent.report.UndeclaredHosts;
import nl.i3groep.consent.servlet.ConsentFilter;
import nl.i3groep.consent.spring.site.OwnBeans;
import nl.i3groep.consent.spring.site.Site;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;

/** The starter in a real Spring Boot application, on a random port, over real HTTP. */
class ConsentAutoConfigurationTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String GA = "gtag/js?id=G-ABC123";

    private static ConfigurableApplicationContext site;

    @BeforeAll
    static void start() {
        site = start(Site.class);
    }

    @AfterAll
    static void stop() {
        site.close();
    }

    /** The signing key's {@code env:} secret, from a Spring property. */
    private static final String SIGNING_KEY =
            "CONSENT_SIGNING_KEY=base64:c3ByaW5nLXRlc3Qta2V5LXNwcmluZy10ZXN0LWtleS1zcHJpbmc=";

    /** A site of these sources on a free loopback port, not yet started. */
    private static SpringApplicationBuilder site(Class<?>... sources) {
        return new SpringApplicationBuilder(sources)
                .properties("server.port=0", "server.address=127.0.0.1", "spring.main.banner-mode=off");
    }

    private static ConfigurableApplicationContext start(Class<?> application, String... properties) {
        return site(application).properties(SIGNING_KEY).properties(properties).run();
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((ServletWebServerApplicationContext) context).getWebServer().getPort();
    }

    private static HttpResponse<String> get(ConfigurableApplicationContext context, String path, String... headers)
            throws IOException, InterruptedException {
        // as a browser asks for a page: Spring Boot answers an error in JSON to anyone else
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(context) + path))
                .header("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        if (headers.length > 0) {
            request.headers(headers);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> post(ConfigurableApplicationContext context, String path, String json)
            throws IOException, InterruptedException {
        String origin = "http://127.0.0.1:" + port(context);
        return CLIENT.send(HttpRequest.newBuilder(URI.create(origin + path))
                .header("Content-Type", "application/json").header("Origin", origin)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The visitor's cookie after a choice made at the endpoint. */
    private static String consent(ConfigurableApplicationContext context, String purposesJson) throws Exception {
        HttpResponse<String> r = post(context, "/consent", "{\"purposes\":" + purposesJson + "}");
        assertEquals(200, r.statusCode(), r.body());
        return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("i3_consent="))
                .map(c -> c.substring(0, c.indexOf(';'))).findFirst().orElseThrow();
    }

    private static Element analytics(String body) {
        return Jsoup.parse(body).select("script").stream()
                .filter(s -> s.attr("src").contains(GA) || s.attr("data-consent-src").contains(GA))
                .findFirst().orElseThrow(() -> new AssertionError("no analytics script in " + body));
    }

    private static boolean inert(Element script) {
        return "text/plain".equals(script.attr("type")) && script.attr("src").isEmpty();
    }

    @Test
    void aThymeleafPageIsGatedAndAsksForConsent() throws Exception {
        HttpResponse<String> r = get(site, "/page");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("<h1>Welkom</h1>"), "Thymeleaf rendered the page: " + r.body());
        assertTrue(r.body().contains("Café € ✓"));
        assertTrue(inert(analytics(r.body())), r.body());
        assertNotNull(Jsoup.parse(r.body()).selectFirst("[data-consent-banner]"), "the banner asks");
    }

    @Test
    void theEndpointRecordsAChoiceAndThePageFollowsIt() throws Exception {
        String cookie = consent(site, "{\"analytics\":true,\"marketing\":false}");
        HttpResponse<String> r = get(site, "/page", "Cookie", cookie);
        assertFalse(inert(analytics(r.body())), r.body());
        assertTrue(Jsoup.parse(r.body()).select("[data-consent-banner]").isEmpty(), "no banner once decided");

        HttpResponse<String> bad = post(site, "/consent", "{\"purposes\":");
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    }

    @Test
    void errorPagesAndAsyncAnswersAreGatedWhereWithoutTheFilterTheTrackerIsLive() throws Exception {
        ConfigurableApplicationContext unfiltered = start(Site.class, "consent.enabled=false");
        try {
            assertTrue(unfiltered.getBeansOfType(ConsentFilter.class).isEmpty());
            for (String path : List.of("/nowhere", "/fails", "/later")) {
                assertFalse(inert(analytics(get(unfiltered, path).body())), "the control: " + path + " is live");
            }
        } finally {
            unfiltered.close();
        }
        HttpResponse<String> notFound = get(site, "/nowhere");
        assertEquals(404, notFound.statusCode());
        assertTrue(notFound.body().contains("Something went wrong: <span>404</span>"), notFound.body());
        assertTrue(inert(analytics(notFound.body())), notFound.body());
        HttpResponse<String> failed = get(site, "/fails");
        assertEquals(500, failed.statusCode());
        assertTrue(inert(analytics(failed.body())), failed.body());
        HttpResponse<String> later = get(site, "/later");
        assertEquals(200, later.statusCode());
        assertTrue(later.body().contains("<h1>Later</h1>"), later.body());
        assertTrue(inert(analytics(later.body())), later.body());
    }

    @Test
    void theFilterComesBeforeEveryOtherFilter() {
        FilterRegistrationBean<?> consent =
                site.getBean(ConsentAutoConfiguration.REGISTRATION, FilterRegistrationBean.class);
        assertEquals(Ordered.HIGHEST_PRECEDENCE, consent.getOrder());
        List<String> before = new ArrayList<>();
        site.getBeansOfType(FilterRegistrationBean.class).forEach((name, registration) -> {
            if (registration.getOrder() < consent.getOrder()) {
                before.add(name);
            }
        });
        site.getBeansOfType(jakarta.servlet.Filter.class).forEach((name, filter) -> {
            if (filter instanceof Ordered o && o.getOrder() < consent.getOrder()) {
                before.add(name);
            }
        });
        assertEquals(List.of(), before);
    }

    @Test
    void theGatekeeperTheLedgerAndTheReportAreTheFiltersBeans() {
        FilterRegistrationBean<?> registration =
                site.getBean(ConsentAutoConfiguration.REGISTRATION, FilterRegistrationBean.class);
        ConsentFilter filter = (ConsentFilter) registration.getFilter();
        assertSame(site.getBean(UndeclaredHosts.class), filter.undeclaredHosts());
        assertEquals("2024-05", site.getBean(Gatekeeper.class).config().policyVersion());
    }

    @Test
    void aSitesOwnLedgerIsTheOneTheFilterRecordsIn() throws Exception {
        ConfigurableApplicationContext own = site(Site.class, OwnBeans.class).properties(SIGNING_KEY).run();
        try {
            Map<String, ConsentLedger> ledgers = own.getBeansOfType(ConsentLedger.class);
            assertEquals(List.of("siteLedger"), List.copyOf(ledgers.keySet()));
            consent(own, "{\"analytics\":false,\"marketing\":false}");
            AtomicInteger records = new AtomicInteger();
            ledgers.get("siteLedger").forEachRecord(r -> records.incrementAndGet());
            assertEquals(1, records.get());
        } finally {
            own.close();
        }
    }

    @Test
    void decisionsAreCountedInTheApplicationsMeterRegistry() throws Exception {
        MeterRegistry registry = site.getBean(MeterRegistry.class);
        double before = decisions(registry);
        consent(site, "{\"analytics\":true,\"marketing\":true}");
        assertTrue(decisions(registry) >= before + 1, "counted: " + decisions(registry) + " after " + before);
    }

    private static double decisions(MeterRegistry registry) {
        return registry.find("consent.decisions").counters().stream().mapToDouble(Counter::count).sum();
    }

    @Test
    void aWrongConfigurationStopsStartUpNamingWhatIsWrong() {
        Throwable missing = assertThrows(Throwable.class, () -> start(Site.class, "consent.config=classpath:nope.json"));
        assertTrue(messages(missing).contains("consent.config: classpath:nope.json does not exist"), messages(missing));
        Throwable broken = assertThrows(Throwable.class,
                () -> start(Site.class, "consent.config=classpath:broken-consent.json"));
        assertTrue(messages(broken).contains("trackers.linkedin-insight.partnerId"), messages(broken));
        Throwable noKey = assertThrows(Throwable.class, () -> site(Site.class).run());
        assertTrue(messages(noKey).contains("CONSENT_SIGNING_KEY"), messages(noKey));
    }

    private static String messages(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append('\n');
        }
        return all.toString();
    }
}
