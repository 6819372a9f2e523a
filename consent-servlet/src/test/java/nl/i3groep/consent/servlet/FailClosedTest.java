package nl.i3groep.consent.servlet;

import static nl.i3groep.consent.servlet.Http.get;
import static nl.i3groep.consent.servlet.Http.text;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.html.HtmlGate;
import nl.i3groep.consent.ledger.MemoryLedger;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A broken configuration, a broken rewriter, an unreadable body: the filter fails closed. */
class FailClosedTest {

    @ParameterizedTest
    @EnumSource(Container.class)
    void aBrokenConfigurationStopsTheSiteFromStarting(Container c, @TempDir Path dir) throws Exception {
        Path config = dir.resolve("consent.json");
        Files.writeString(config, SiteConfig.json()
                .replace("\"partnerId\": \"123456\"", "\"partnerId\": \"12ab\""));
        Container.Running r;
        try {
            r = c.start(Container.Registration.byClassName(config.toString()), TestServlets.all());
        } catch (Exception startFailed) {
            // Jetty refuses to start at all, naming the field
            assertTrue(String.valueOf(startFailed.getMessage()).contains("trackers.linkedin-insight.partnerId"),
                    startFailed.toString());
            return;
        }
        try (r) {
            // Tomcat starts, but marks the context failed and serves none of its pages
            assertFalse(r.available(), "the context must not serve pages unfiltered");
            assertNotEquals(200, get(r.port(), "/page").statusCode());
        }
    }

    @Test
    void initNamesTheFieldAtFault(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("consent.json");
        Files.writeString(config, SiteConfig.json()
                .replace("\"partnerId\": \"123456\"", "\"partnerId\": \"12ab\""));
        ServletException e = assertThrows(ServletException.class, () -> new ConsentFilter().init(config(config.toString())));
        assertTrue(e.getMessage().contains("trackers.linkedin-insight.partnerId"), e.getMessage());
        ServletException missing = assertThrows(ServletException.class, () -> new ConsentFilter().init(config(null)));
        assertTrue(missing.getMessage().contains("\"config\""), missing.getMessage());
    }

    /**
     * The real gate, failing from the inside: the page's charset ({@link FaultyCharset}) throws
     * where the gate decodes its first attribute value with a character reference, the LinkedIn
     * pixel's {@code src}, after the scripts before it were decided. The gate escapes the rest and
     * logs the failure once, with its cause.
     */
    @ParameterizedTest
    @EnumSource(Container.class)
    void aFailureInsideTheRewriterStillServesThePageWithNothingLive(Container c) throws Exception {
        Gatekeeper gatekeeper = Gatekeeper.create(ConsentConfig.load("classpath:consent.json"));
        ConsentFilter filter = new ConsentFilter(gatekeeper, new MemoryLedger());
        Logger gateLog = Logger.getLogger(HtmlGate.class.getName());
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        gateLog.addHandler(handler);
        try (Container.Running r = c.start(Container.Registration.instance(filter), TestServlets.all())) {
            for (String chunk : new String[] {"0", "1", "50"}) {
                logged.clear();
                HttpResponse<byte[]> page = get(r.port(), "/page?charset=" + FaultyCharset.NAME + "&chunk=" + chunk);
                assertEquals(200, page.statusCode());
                String body = new String(page.body(), StandardCharsets.ISO_8859_1);
                assertTrue(body.contains("Welkom"), "the page is still served: " + body);
                Document d = Jsoup.parse(body);
                assertFalse(d.select("script").isEmpty(), body);
                d.select("script").forEach(s -> assertTrue(
                        s.attr("type").equals("text/plain") || s.attr("src").equals("/static/site.js")
                                || s.data().contains("gtag('consent','default'"), "live after the failure: " + s));
                assertEquals("text/plain", d.select("script[data-consent=linkedin-insight]").attr("type"),
                        "decided before the failure: " + body);
                assertTrue(d.select("img").isEmpty() && body.contains("&lt;img"), "the pixel is text: " + body);
                assertTrue(body.contains("&lt;script defer src=\"//script.leadboxer.com"), "escaped after the failure: " + body);

                List<LogRecord> errors = logged.stream().filter(l -> l.getLevel() == Level.SEVERE).toList();
                assertEquals(1, errors.size(), "logged once per response: " + logged);
                // the JDK reports a coder that throws as a CoderMalfunctionError, the exception its cause
                Throwable cause = errors.get(0).getThrown();
                assertTrue(cause instanceof java.nio.charset.CoderMalfunctionError
                        && cause.getCause().getMessage().contains("faulty charset"), "with its cause: " + cause);
            }
        } finally {
            gateLog.removeHandler(handler);
        }
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void aBodyTheFilterCannotReadIsServedUnderAFailClosedPolicy(Container c) throws Exception {
        Gatekeeper gatekeeper = Gatekeeper.create(ConsentConfig.load("classpath:consent.json"));
        try (Container.Running r = c.start(Container.Registration.instance(
                new ConsentFilter(gatekeeper, new MemoryLedger())), TestServlets.all())) {
            // a charset it cannot read, also when the application commits before the body's first byte,
            // or a stateful one, whose escape sequences switch what every byte means;
            // an encoding no browser undoes either (declared, the bytes left plain: the filter must not look)
            // a UTF-16 byte-order mark, which overrides the declared charset;
            // no type, which a browser may sniff
            assertAll(Stream.of("/page?charset=UTF-16", "/page?charset=UTF-16&commit=true", "/page?charset=ISO-2022-JP",
                    "/page?charset=UTF-8&encoding=compress",
                    "/page?charset=UTF-8&bom=utf-16le", "/page?charset=UTF-8&type=none").map(path -> () -> {
                // a charset Java decodes is gated as well, through a decoded copy written back in it
                boolean decoded = path.contains("UTF-16") || path.contains("2022") || path.contains("bom=")
                        || path.contains("type=none"); // a body of no type that begins as HTML is gated too
                HttpResponse<byte[]> page = get(r.port(), path);
                assertEquals(200, page.statusCode());
                String csp = page.headers().firstValue("Content-Security-Policy")
                        .orElseThrow(() -> new AssertionError(path + ": no policy in " + page.headers()));
                assertTrue(csp.startsWith("default-src 'self'"), csp);
                assertFalse(csp.contains("licdn") || csp.contains("googletagmanager") || csp.contains("leadboxer"), csp);
                String body = new String(page.body(), path.contains("bom=")
                        ? java.nio.charset.StandardCharsets.UTF_16
                        : Charset.forName(path.replaceAll(".*charset=([^&]+).*", "$1")));
                assertTrue(body.contains("Welkom"), path + ": the page is served: " + body);
                assertEquals(!decoded, body.contains("<script async src=\"https://www.googletagmanager.com"),
                        path + (decoded ? ": gated" : ": passed unexamined") + ", under the policy: " + body);
                assertEquals(decoded, body.contains("type=\"text/plain\""), path + ": " + body);
            }));
        }
    }

    /**
     * HTML said only after the body began as text: what the container still holds is taken back and
     * gated; once it has sent the response, its type went out as text and stays so.
     */
    @ParameterizedTest
    @EnumSource(Container.class)
    void htmlSaidAfterTheBodyBeganIsGatedWhileTheContainerHoldsIt(Container c) throws Exception {
        Gatekeeper gatekeeper = Gatekeeper.create(ConsentConfig.load("classpath:consent.json"));
        try (Container.Running r = c.start(Container.Registration.instance(
                new ConsentFilter(gatekeeper, new MemoryLedger())), TestServlets.all())) {
            for (String api : List.of("stream", "writer")) {
                for (String charset : List.of("UTF-8", "windows-1252")) {
                    String path = "/page?type=late&api=" + api + "&charset=" + charset;
                    HttpResponse<byte[]> page = get(r.port(), path);
                    assertEquals(200, page.statusCode());
                    assertTrue(page.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"), path);
                    String body = new String(page.body(), Charset.forName(charset));
                    assertTrue(body.contains("Welkom") && body.contains("data-consent-banner"), path + ": " + body);
                    assertFalse(body.contains("<script async src=\"https://www.googletagmanager.com"), path + ": " + body);
                    assertEquals(1, body.split("<!DOCTYPE html>", -1).length - 1, path + ": once: " + body);
                    assertTrue(page.headers().allValues("Content-Security-Policy").isEmpty(), path + ": not fail-closed");
                }
            }
            // flushed as it is written: the text went out as text
            HttpResponse<byte[]> sent = get(r.port(), "/page?type=late&chunk=64");
            assertTrue(sent.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"),
                    sent.headers().toString());
        }
    }

    /** XHTML, which browsers parse as XML, is gated by XML's reading, under the fail-closed policy as well. */
    @ParameterizedTest
    @EnumSource(Container.class)
    void xhtmlIsGatedAndServedUnderTheFailClosedPolicyToo(Container c) throws Exception {
        Gatekeeper gatekeeper = Gatekeeper.create(ConsentConfig.load("classpath:consent.json"));
        try (Container.Running r = c.start(Container.Registration.instance(
                new ConsentFilter(gatekeeper, new MemoryLedger())), TestServlets.all())) {
            HttpResponse<byte[]> page = get(r.port(), "/page?charset=UTF-8&type=application/xhtml%2Bxml");
            assertEquals(200, page.statusCode());
            assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'self'"),
                    page.headers().toString());
            String body = new String(page.body(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(body.contains("Welkom"), body);
            assertFalse(body.contains("<script async src=\"https://www.googletagmanager.com"), "gated: " + body);
            assertFalse(body.contains("data-consent-banner"), "no banner in XML: " + body);
        }
    }

    /**
     * Registered for {@code REQUEST} alone, as Spring Boot maps a filter by default: the
     * container's error page is not filtered, so it goes out under the fail-closed policy, after
     * a {@code sendError} and after an exception alike.
     */
    @ParameterizedTest
    @EnumSource(Container.class)
    void anErrorPageTheFilterDoesNotSeeIsServedUnderAFailClosedPolicy(Container c) throws Exception {
        Gatekeeper gatekeeper = Gatekeeper.create(ConsentConfig.load("classpath:consent.json"));
        try (Container.Running r = c.start(Container.Registration.instance(
                new ConsentFilter(gatekeeper, new MemoryLedger())).requestOnly(), TestServlets.all())) {
            for (String path : List.of("/status?do=error", "/status?do=fail")) {
                HttpResponse<byte[]> page = get(r.port(), path);
                assertEquals(path.endsWith("error") ? 404 : 500, page.statusCode(), path);
                assertTrue(text(page).contains("Niet gevonden"), path + ": the site's error page: " + text(page));
                assertTrue(text(page).contains("<script async src=\"https://www.googletagmanager.com"),
                        path + ": not rewritten, the filter does not see it: " + text(page));
                String csp = String.join(", ", page.headers().allValues("Content-Security-Policy"));
                assertTrue(csp.startsWith("default-src 'self'"), path + ": " + page.headers());
                assertFalse(csp.contains("licdn") || csp.contains("googletagmanager") || csp.contains("leadboxer"), csp);
            }
            HttpResponse<byte[]> ok = get(r.port(), "/page");
            assertTrue(ok.headers().allValues("Content-Security-Policy").isEmpty(), "a page the filter gated needs none");
        }
    }

    private static FilterConfig config(String location) {
        return new FilterConfig() {
            @Override
            public String getFilterName() {
                return "consent";
            }

            @Override
            public ServletContext getServletContext() {
                return null;
            }

            @Override
            public String getInitParameter(String name) {
                return "config".equals(name) ? location : null;
            }

            @Override
            public Enumeration<String> getInitParameterNames() {
                return Collections.enumeration(location == null ? java.util.List.of() : java.util.List.of("config"));
            }
        };
    }
}
