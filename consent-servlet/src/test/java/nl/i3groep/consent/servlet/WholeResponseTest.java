package nl.i3groep.consent.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.ledger.MemoryLedger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A gated page leaves the container as the page would without the filter: whole, with its
 * length, where it fits the response's buffer. A browser that gets a page in pieces paints the
 * first piece before the rest arrives; when the rest makes the page scroll, what was painted moves
 * (a layout shift a slow phone shows). The control is the same container and servlets behind a
 * filter that does nothing.
 */
class WholeResponseTest {

    private static final Map<Container, Container.Running> GATED = new EnumMap<>(Container.class);
    private static final Map<Container, Container.Running> CONTROL = new EnumMap<>(Container.class);

    @BeforeAll
    static void start() throws Exception {
        for (Container c : Container.values()) {
            Gatekeeper gatekeeper = Gatekeeper.create(ConsentConfig.load("classpath:consent.json"));
            GATED.put(c, c.start(Container.Registration.instance(new ConsentFilter(gatekeeper, new MemoryLedger())),
                    TestServlets.all()));
            CONTROL.put(c, c.start(Container.Registration.instance((request, response, chain) -> chain.doFilter(request,
                    response)), TestServlets.all()));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (Container.Running r : GATED.values()) {
            r.close();
        }
        for (Container.Running r : CONTROL.values()) {
            r.close();
        }
    }

    /** The answer to a GET on a kept-alive connection, read by hand: its framing is what is looked at. */
    private static Http.Answer get(Container.Running server, String path) throws Exception {
        try (Http.Connection c = new Http.Connection(server.port())) {
            c.head("GET " + path + " HTTP/1.1");
            return c.read();
        }
    }

    /** Sent with its length: whole, the length known before the first byte went (not chunked). */
    private static boolean whole(Http.Answer a) {
        return a.headers().containsKey("content-length") && !a.headers().containsKey("transfer-encoding");
    }

    /** Buffers of 32 KB (Jetty's own size), 64 KB, and the container's own (Jetty's fits the page, Tomcat's 8 KB does not). */
    @ParameterizedTest(name = "{0} {1}, buffer {2}")
    @CsvSource({"JETTY, stream, 32768", "JETTY, writer, 32768", "TOMCAT, stream, 32768", "TOMCAT, writer, 32768",
        "JETTY, stream, 65536", "TOMCAT, writer, 65536", "JETTY, stream, ", "JETTY, writer, "})
    void aPageThatFitsTheBufferGoesOutWholeWithItsLength(Container container, String api, Integer buffer) throws Exception {
        String path = "/page?api=" + api + (buffer == null ? "" : "&buffer=" + buffer);
        Http.Answer control = get(CONTROL.get(container), path);
        assertTrue(whole(control), "the control: the container sends this page whole: " + control.headers());
        Http.Answer gated = get(GATED.get(container), path);
        assertTrue(gated.body().contains("data-consent-banner"), "gated, with the banner");
        assertTrue(whole(gated), "whole, as without the filter: " + gated.headers());
        assertEquals(gated.body().getBytes(StandardCharsets.UTF_8).length, Long.parseLong(gated.headers().get("content-length")),
                "its length");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"JETTY", "TOMCAT"})
    void aPageTheApplicationFlushesIsStillSentAsItGoes(Container container) throws Exception {
        // the application's flush is its own: the filter does not hold back what it flushed
        String path = "/page?buffer=65536&chunk=300";
        assertFalse(whole(get(CONTROL.get(container), path)), "the control: sent as it goes");
        Http.Answer gated = get(GATED.get(container), path);
        assertFalse(whole(gated), "sent as it goes: " + gated.headers());
        assertTrue(gated.body().contains("data-consent-banner"), "gated, with the banner");
    }
}
