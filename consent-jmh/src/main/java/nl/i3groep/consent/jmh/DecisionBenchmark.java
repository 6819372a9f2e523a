package nl.i3groep.consent.jmh;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import nl.i3groep.consent.Decisions;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.config.ConsentConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-request decision for all six trackers of the example site, from the consent cookie's
 * value: a returning visitor (cache hit), a cookie not seen before (cache miss: signature check and
 * decode), no cookie, and a forged cookie.
 *
 * <p>Run: {@code mvn -B -q install -DskipTests && java -jar consent-jmh/target/benchmarks.jar DecisionBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DecisionBenchmark {

    private static final String[] TRACKERS =
            {"google-analytics", "google-ads", "linkedin-insight", "leadboxer", "oktopost", "session-cookies"};

    private Gatekeeper cached;
    private Gatekeeper uncached;
    private String cookie;
    private String forged;
    /** Distinct cookies, cycled, so that a key comes back only long after Caffeine evicted it. */
    private final String[] fresh = new String[4096];
    private int next;

    @Setup
    public void setUp() {
        ConsentConfig config = ConsentConfig.parse(ExampleSite.CONFIG, Map.of());
        cached = Gatekeeper.create(config);
        // a cache that keeps nothing (eviction is asynchronous, hence the many distinct cookies):
        // every call verifies and decodes, as for a visitor not seen before
        uncached = Gatekeeper.builder(config).cacheSize(0).build();
        cookie = cached.cookieValue(cached.consent(Map.of("analytics", true, "marketing", true),
                Map.of("oktopost", false)));
        for (int i = 0; i < fresh.length; i++) {
            fresh[i] = cached.cookieValue(cached.consent(Map.of("analytics", true, "marketing", true), Map.of()));
        }
        char c = cookie.charAt(30);
        forged = cookie.substring(0, 30) + (c == 'A' ? 'B' : 'A') + cookie.substring(31);
        if (!cached.decide(cookie, false).allows("google-analytics") || cached.decide(forged, false).decided()) {
            throw new IllegalStateException("the benchmark's cookies do not mean what they should");
        }
    }

    @Benchmark
    public int cacheHit() {
        return allSix(cached.decide(cookie, false));
    }

    @Benchmark
    public int cacheMiss() {
        next = (next + 1) & (fresh.length - 1);
        return allSix(uncached.decide(fresh[next], false));
    }

    @Benchmark
    public int noCookie() {
        return allSix(cached.decide(null, false));
    }

    @Benchmark
    public int forgedCookie() {
        return allSix(uncached.decide(forged, false));
    }

    private static int allSix(Decisions d) {
        int allowed = 0;
        for (String id : TRACKERS) {
            if (d.allows(id)) {
                allowed++;
            }
        }
        return allowed;
    }
}
