package nl.i3groep.consent.servlet;

import static nl.i3groep.consent.servlet.Http.get;
import static nl.i3groep.consent.servlet.Http.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.FilterConfig;
import java.io.File;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.ledger.MemoryLedger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The filter's meters, read from a Micrometer registry of the test's own (the global one is shared
 * by every test in the JVM), over real HTTP; and the filter without Micrometer on its class path.
 */
class MetricsTest {

    static Gatekeeper gatekeeper() {
        return Gatekeeper.create(ConsentConfig.load("classpath:consent.json"));
    }

    /** The sum of the counters of {@code name} with these tags (and any others). */
    static double count(SimpleMeterRegistry registry, String name, String... tags) {
        return registry.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
    }

    static HttpResponse<byte[]> postJson(int port, String json) throws Exception {
        return send(port, "POST", "/consent", "application/json", json.getBytes(StandardCharsets.UTF_8),
                "Origin", "http://127.0.0.1:" + port);
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void decisionsAndEndpointAnswersAreCountedByPurposeSourceAndStatus(Container c) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ConsentFilter filter = new ConsentFilter(gatekeeper(), new MemoryLedger(), new MicrometerMeters(registry));
        try (Container.Running r = c.start(Container.Registration.instance(filter), TestServlets.all())) {
            assertEquals(200, postJson(r.port(), "{\"purposes\":{\"analytics\":true,\"marketing\":false}}").statusCode());
            // GPC turns the marketing grant into a refusal, and the record's source says so
            assertEquals(200, send(r.port(), "POST", "/consent", "application/json",
                    "{\"purposes\":{\"analytics\":true,\"marketing\":true}}".getBytes(StandardCharsets.UTF_8),
                    "Origin", "http://127.0.0.1:" + r.port(), "Sec-GPC", "1").statusCode());
            assertEquals(400, postJson(r.port(), "{\"purposes\":").statusCode());
            assertEquals(403, get(r.port(), "/consent/records").statusCode());

            assertEquals(1, count(registry, "consent.decisions", "purpose", "analytics", "source", "api", "choice", "granted"),
                    registry.getMetersAsString());
            assertEquals(1, count(registry, "consent.decisions", "purpose", "marketing", "source", "api", "choice", "refused"));
            assertEquals(1, count(registry, "consent.decisions", "purpose", "marketing", "source", "gpc", "choice", "refused"));
            assertEquals(1, count(registry, "consent.decisions", "purpose", "analytics", "source", "gpc", "choice", "granted"));
            assertEquals(0, count(registry, "consent.decisions", "choice", "granted", "purpose", "marketing"));
            assertEquals(2, count(registry, "consent.endpoint.responses", "endpoint", "consent", "status", "200"));
            assertEquals(1, count(registry, "consent.endpoint.responses", "endpoint", "consent", "status", "400"));
            assertEquals(1, count(registry, "consent.endpoint.responses", "endpoint", "records", "status", "403"));
        }
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void everyGatedResponseIsTimedAndEveryFailClosedBodyCounted(Container c) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ConsentFilter filter = new ConsentFilter(gatekeeper(), new MemoryLedger(), new MicrometerMeters(registry));
        try (Container.Running r = c.start(Container.Registration.instance(filter), TestServlets.all())) {
            // first, as FailClosedTest has it: after other pages this one did not always make the gate fail
            get(r.port(), "/page?charset=" + FaultyCharset.NAME + "&chunk=50");
            assertEquals(1, count(registry, "consent.gate.failed.closed", "reason", "gate-error"), registry.getMetersAsString());
            Timer gate = registry.find("consent.gate").timer();
            assertNotNull(gate);
            assertEquals(1, gate.count(), "the failed page was gated, as far as it went");
            for (String path : List.of("/page", "/page?chunk=100", "/page?api=writer")) {
                assertEquals(200, get(r.port(), path).statusCode());
            }
            assertEquals(4, gate.count(), "one per gated page");
            assertTrue(gate.totalTime(TimeUnit.NANOSECONDS) > 0);
            assertEquals(200, get(r.port(), "/json").statusCode());
            assertEquals(4, gate.count(), "a JSON body does not pass the gate");
            assertEquals(1, count(registry, "consent.gate.failed.closed"), "control: the pages that passed did not count");

            get(r.port(), "/page?charset=UTF-16");
            get(r.port(), "/page?charset=UTF-8&encoding=compress");
            assertEquals(1, count(registry, "consent.gate.failed.closed", "reason", "charset"), registry.getMetersAsString());
            assertEquals(1, count(registry, "consent.gate.failed.closed", "reason", "encoding"));
        }
    }

    @Test
    void ledgerFailuresAreCountedByOperation() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ConsentFilter filter = new ConsentFilter(gatekeeper(), new ConsentEndpointTest.BrokenLedger(),
                new MicrometerMeters(registry));
        try (Container.Running r = Container.JETTY.start(Container.Registration.instance(filter), TestServlets.all())) {
            assertEquals(1, count(registry, "consent.ledger.failures", "operation", "keep"), "the banner's notices at start-up");
            assertEquals(503, postJson(r.port(), "{\"purposes\":{\"analytics\":true}}").statusCode());
            assertEquals(1, count(registry, "consent.ledger.failures", "operation", "append"));
            assertEquals(1, count(registry, "consent.endpoint.responses", "endpoint", "consent", "status", "503"));
            assertEquals(0, count(registry, "consent.decisions"), "nothing recorded, nothing counted");
        }
    }

    /** With Micrometer present, the filter counts into its global registry, where Spring Boot puts its own. */
    @Test
    void withMicrometerTheGlobalRegistryIsUsed() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Metrics.addRegistry(registry);
        try {
            Meters meters = Meters.detect();
            assertTrue(meters instanceof MicrometerMeters, meters.toString());
            meters.ledgerFailed("probe-" + System.nanoTime());
            assertEquals(1, registry.find("consent.ledger.failures").counters().stream()
                    .filter(m -> m.getId().getTag("operation").startsWith("probe-")).count());
        } finally {
            Metrics.removeRegistry(registry);
        }
    }

    /**
     * A webapp without Micrometer: the filter's classes load, reflect (as a container's annotation
     * scan does) and start, and count nothing.
     */
    @Test
    void withoutMicrometerTheFilterStartsAndCountsNothing() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.contains("micrometer")) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        assertTrue(urls.size() < System.getProperty("java.class.path").split(File.pathSeparator).length,
                "control: Micrometer is on the test's class path");
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader webapp = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            assertTrue(loads(webapp, "nl.i3groep.consent.servlet.ConsentFilter"));
            assertTrue(!loads(webapp, "io.micrometer.core.instrument.Metrics"), "control: hidden");
            Thread.currentThread().setContextClassLoader(webapp);
            for (String name : List.of("ConsentFilter", "ConsentEndpoint", "GatedResponse", "Meters")) {
                Class.forName("nl.i3groep.consent.servlet." + name, true, webapp).getDeclaredMethods();
            }
            Class<?> filterClass = Class.forName("nl.i3groep.consent.servlet.ConsentFilter", true, webapp);
            Object filter = filterClass.getConstructor().newInstance();
            Class<?> configType = Class.forName(FilterConfig.class.getName(), true, webapp);
            Object config = Proxy.newProxyInstance(webapp, new Class<?>[] {configType}, (proxy, method, args) ->
                    switch (method.getName()) {
                        case "getInitParameter" -> "config".equals(args[0]) ? "classpath:consent.json" : null;
                        case "getFilterName" -> "consent";
                        default -> null;
                    });
            filterClass.getMethod("init", configType).invoke(filter, config);
            var metersMethod = filterClass.getDeclaredMethod("meters");
            metersMethod.setAccessible(true);
            Object meters = metersMethod.invoke(filter);
            Class<?> metersType = Class.forName("nl.i3groep.consent.servlet.Meters", true, webapp);
            var none = metersType.getField("NONE");
            none.setAccessible(true);
            assertSame(none.get(null), meters);
            filterClass.getMethod("destroy").invoke(filter);
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    private static boolean loads(ClassLoader loader, String name) {
        try {
            Class.forName(name, false, loader);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
