package nl.i3groep.consent.ledger;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL server: a new cluster in a temporary directory, on a free port, trusting
 * local connections; stopped and deleted on {@link #close}. Needs the server binaries
 * ({@code PG_BIN}, else {@code /usr/lib/postgresql/15/bin}, else the newest
 * {@code /usr/lib/postgresql/N/bin}); fails, never skips, without them. As root it runs them as the
 * {@code postgres} user ({@code initdb} refuses root). Public for consent-jmh's LedgerBenchmark,
 * which takes it from this module's test jar.
 */
public final class PostgresServer implements AutoCloseable {

    private final Path bin;
    private final Path data;
    private final int port;
    private final boolean asPostgres;

    private PostgresServer(Path bin, Path data, int port, boolean asPostgres) {
        this.bin = bin;
        this.data = data;
        this.port = port;
        this.asPostgres = asPostgres;
    }

    public static PostgresServer start() throws IOException, InterruptedException {
        Path bin = binaries();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path data = Files.createTempDirectory("consent-pg-");
        PostgresServer server = null;
        try {
            if (root) {
                run(List.of("chown", "postgres:postgres", data.toString()), null);
            }
            int port = freePort();
            server = new PostgresServer(bin, data, port, root);
            server.pg(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust", "-U", "postgres",
                    "-E", "UTF8", "--no-sync"));
            // -w waits until the server accepts connections: no polling, no sleeping
            server.pg(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l",
                    data.resolve("server.log").toString(), "-w", "-t", "60", "-o",
                    "-p " + port + " -k " + data + " -c listen_addresses=127.0.0.1", "start"));
            return server;
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (server != null) {
                server.close();
            } else {
                delete(data);
            }
            throw e;
        }
    }

    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    public String user() {
        return "postgres";
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), user(), null);
    }

    @Override
    public void close() {
        try {
            pg(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"));
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("stopping the test PostgreSQL in " + data + ": " + e);
        } finally {
            delete(data);
        }
    }

    private static Path binaries() {
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("PG_BIN");
        if (env != null && !env.isBlank()) {
            candidates.add(Path.of(env));
        }
        candidates.add(Path.of("/usr/lib/postgresql/15/bin"));
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            versions.map(v -> v.resolve("bin")).sorted(Comparator.reverseOrder()).forEach(candidates::add);
        } catch (IOException e) {
            // none installed
        }
        for (Path c : candidates) {
            if (Files.isExecutable(c.resolve("initdb")) && Files.isExecutable(c.resolve("pg_ctl"))) {
                return c;
            }
        }
        throw new IllegalStateException("the PostgreSQL tests need the server binaries (initdb, pg_ctl) and found"
                + " none in " + candidates + ": install the Debian package postgresql (apt-get install postgresql)"
                + " or set PG_BIN to the directory that holds them");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void pg(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgres) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        run(full, data.resolve("server.log"));
    }

    /**
     * Runs a command to its end, its output to a file (a started server would hold a pipe open);
     * on failure the message carries that output and {@code serverLog}.
     */
    private static void run(List<String> command, Path serverLog) throws IOException, InterruptedException {
        Path log = Files.createTempFile("consent-pg-", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 120 s");
            }
            if (p.exitValue() != 0) {
                String output = Files.readString(log, StandardCharsets.UTF_8);
                if (serverLog != null && Files.exists(serverLog)) {
                    output += "\nserver log:\n" + Files.readString(serverLog, StandardCharsets.UTF_8);
                }
                throw new IllegalStateException(String.join(" ", command) + " failed with exit code " + p.exitValue()
                        + ":\n" + output);
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("cannot delete " + dir + ": " + e);
        }
    }
}
