package nl.i3groep.consent.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Each benchmark once, briefly, in this JVM: no figure, but their set-ups refuse to start where
 * what they would measure is not what they claim (a page not gated, a banner not found), and such
 * a check must not break unseen between the runs that measure. {@code LedgerBenchmark}, which
 * starts a PostgreSQL server of its own, is left to those runs.
 */
class BenchmarksTest {

    @Test
    void everyBenchmarkSetsUpAndRuns() throws Exception {
        List<Class<?>> measured = List.of(DecisionBenchmark.class, RewriteBenchmark.class, FilterBenchmark.class);
        long methods = measured.stream().flatMap(c -> Arrays.stream(c.getDeclaredMethods()))
                .filter(m -> m.isAnnotationPresent(Benchmark.class)).count();
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include("nl\\.i3groep\\.consent\\.jmh\\.(DecisionBenchmark|RewriteBenchmark|FilterBenchmark)\\.")
                .param("pageSize", "5k").forks(0).warmupIterations(0).measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(50)).shouldFailOnError(true).build()).run();
        assertEquals(methods, results.size(), "a result for every benchmark method");
    }
}
