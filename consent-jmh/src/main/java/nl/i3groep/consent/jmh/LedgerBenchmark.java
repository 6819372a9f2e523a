package nl.i3groep.consent.jmh;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import nl.i3groep.consent.ConsentState;
import nl.i3groep.consent.cookie.SigningKey;
import nl.i3groep.consent.ledger.ConsentLedger;
import nl.i3groep.consent.ledger.ConsentRecord;
import nl.i3groep.consent.ledger.ConsentRecord.Source;
import nl.i3groep.consent.ledger.FileLedger;
import nl.i3groep.consent.ledger.JdbcLedger;
import nl.i3groep.consent.ledger.PostgresServer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Durable appends per second: the file store (each append forced to disk; concurrent appends share
 * a force) and the JDBC store against a real PostgreSQL (each append a commit, started for the run
 * in a temporary directory, as the core tests do). One thread, four threads, and batches of ten
 * ({@code appendAll}: one force, one transaction); scores are records per second.
 *
 * <p>Run: {@code mvn -B -q install -DskipTests && java -jar consent-jmh/target/benchmarks.jar
 * LedgerBenchmark -f 1 -wi 2 -i 3 -w 2s -r 3s}
 * (needs PostgreSQL's server binaries: {@code PG_BIN}, else {@code /usr/lib/postgresql/N/bin};
 * {@code -p store=file} for the file store alone)
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class LedgerBenchmark {

    private static final int BATCH = 10;
    private static final List<SigningKey> KEYS = List.of(new SigningKey("bench",
            "a ledger key of thirty-two bytes or more".getBytes(java.nio.charset.StandardCharsets.UTF_8)));

    @Param({"file", "jdbc"})
    public String store;

    private ConsentLedger ledger;
    private Path directory;
    private PostgresServer postgres;

    @Setup(Level.Trial)
    public void open() throws Exception {
        switch (store) {
            case "file" -> {
                directory = Files.createTempDirectory("consent-jmh-ledger-");
                ledger = FileLedger.open(directory, KEYS);
            }
            case "jdbc" -> {
                postgres = PostgresServer.start();
                ledger = JdbcLedger.open(postgres.url(), postgres.user(), null, KEYS);
            }
            default -> throw new IllegalArgumentException("store: file or jdbc, not " + store);
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        if (ledger != null) {
            ledger.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        if (directory != null) {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            } catch (IOException e) {
                System.err.println("cannot delete " + directory + ": " + e);
            }
        }
    }

    private static ConsentRecord record() {
        return new ConsentRecord(0, ConsentState.newConsentId(), Instant.now(), "2024-05",
                Map.of("analytics", true, "marketing", false), Map.of(), Source.BANNER);
    }

    @Benchmark
    @Threads(1)
    public ConsentRecord append() {
        return ledger.append(record());
    }

    @Benchmark
    @Threads(4)
    public ConsentRecord append4Threads() {
        return ledger.append(record());
    }

    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(BATCH)
    public List<ConsentRecord> appendBatchOf10() {
        List<ConsentRecord> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            batch.add(record());
        }
        return ledger.appendAll(batch);
    }
}
