package nl.i3groep.consent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import nl.i3groep.consent.ConsentState;
import nl.i3groep.consent.SiteConfigs;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.ledger.ConsentLedger;
import nl.i3groep.consent.ledger.ConsentRecord;
import nl.i3groep.consent.ledger.ConsentRecord.Source;
import nl.i3groep.consent.ledger.Notice;
import nl.i3groep.consent.ledger.PostgresServer;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, run as an operator runs it: a process of its own, on the site's configuration. */
class ConsentCliIT {

    static final Path JAR = Path.of(System.getProperty("consent.cli.jar", "target/consent-cli.jar"));
    static final String LEDGER_KEY = SiteConfigs.base64("the ledger key of the cli test, 32+ bytes");
    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant MONDAY = Instant.parse("2026-11-30T10:00:00Z");

    @TempDir
    Path dir;

    record Run(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** {@code java -jar consent-cli.jar args}, with the ledger key in the environment as a site would have it. */
    Run cli(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(java(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    Run run(List<String> command) throws Exception {
        assertTrue(Files.isRegularFile(JAR), "the jar is packaged first: " + JAR);
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("CONSENT_LEDGER_KEY", "base64:" + LEDGER_KEY);
        pb.environment().remove("CONSENT_CONFIG");
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the tool ends");
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The example site's configuration with {@code ledger} as its ledger, written to consent.json. */
    Path config(String ledgerJson) throws Exception {
        Path file = dir.resolve("consent.json");
        Files.writeString(file, SiteConfigs.withField(SiteConfigs.json(), "ledger", ledgerJson));
        return file;
    }

    static String keys() {
        return "[ { \"id\": \"l1\", \"secret\": \"env:CONSENT_LEDGER_KEY\" } ]";
    }

    /** What the site's filter writes: two visitors' decisions, a notice, one visitor's change of mind. */
    static String fill(ConsentLedger ledger) {
        String hash = ledger.keep(new Notice("nl", "2024-05", Map.of("title", "Cookies en trackers"), List.of(new Notice.Tracker("google-analytics", "Google Analytics", "Google", "analytics"))));
        // an id may begin with "-", and with "-c" looks like the option of the configuration
        String a = "-c" + ConsentState.newConsentId().substring(2);
        ledger.append(new ConsentRecord(0, a, MONDAY, "2024-05", Map.of("analytics", true, "marketing", true), Map.of(),
                Source.BANNER, java.util.Optional.of(hash)));
        ledger.append(new ConsentRecord(0, ConsentState.newConsentId(), MONDAY.plusSeconds(60), "2024-05",
                Map.of("analytics", false, "marketing", false), Map.of(), Source.BANNER));
        ledger.append(new ConsentRecord(0, a, MONDAY.plusSeconds(86_400), "2024-05",
                Map.of("analytics", true, "marketing", false), Map.of(), Source.FORM));
        return a;
    }

    static ConsentLedger open(Path config) {
        // what the filter does with the same file; the key from the environment the tool is given
        String key = "base64:" + LEDGER_KEY;
        ConsentConfig c = ConsentConfig.parse(readQuietly(config), Map.of("CONSENT_LEDGER_KEY", key));
        return ConsentLedger.open(c.ledger());
    }

    static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void readsTheFileLedgerBesideTheRunningSiteAndHasTheSiteEraseAndPurge() throws Exception {
        Path ledgerDir = dir.resolve("ledger");
        config("{ \"type\": \"file\", \"path\": \"" + ledgerDir + "\", \"keys\": " + keys() + " }");
        String a;
        try (ConsentLedger site = open(dir.resolve("consent.json"))) {
            a = fill(site);

            Run verify = cli("verify");
            assertEquals(0, verify.status(), verify.toString());
            assertTrue(verify.out().startsWith("intact: 3 record(s)"), verify.toString());

            Run export = cli("--config", "consent.json", "export", a);
            assertEquals(0, export.status(), export.toString());
            JsonNode json = JSON.readTree(export.out());
            assertEquals(a, json.get("consentId").asText());
            assertEquals(2, json.get("records").size());
            String hash = json.get("records").get(0).get("notice").asText();
            assertEquals("Cookies en trackers", json.get("notices").get(hash).get("texts").get("title").asText());

            Run report = cli("report", "--by", "day", "--html", "report.html", "--title", "example.nl");
            assertEquals(0, report.status(), report.toString());
            assertTrue(report.out().lines().anyMatch(l -> l.matches("2026-12-01\\s+purpose marketing\\s+0\\s+0\\s+1\\s+0\\s+1\\s+0\\.0%")),
                    report.toString());
            Document page = Jsoup.parse(dir.resolve("report.html").toFile(), "UTF-8");
            assertEquals("example.nl", page.title());
            assertFalse(page.select("svg").isEmpty(), "charts");
            assertTrue(page.select("script, [src], [href]").isEmpty(), "self-contained");

            // the site holds the file ledger: it does what the tool asks
            Run erase = cli("erase", a);
            assertEquals(0, erase.status(), erase.toString());
            assertEquals("erased 2 record(s) of " + a, erase.out().strip());
            assertEquals(List.of(), site.find(a), "erased by the site itself");
            assertEquals(0, JSON.readTree(cli("export", a).out()).get("records").size());
            Run after = cli("verify");
            assertEquals(0, after.status(), after.toString());
            assertTrue(after.out().startsWith("intact: 1 record(s), 2 erased"), after.toString());

            Run purge = cli("purge", "--before", "2026-12-01");
            assertEquals(0, purge.status(), purge.toString());
            assertEquals("purged 1 record(s) older than 2026-12-01T00:00:00Z", purge.out().strip());
            assertEquals(0, cli("verify").status(), "a purge leaves a verifiable chain");
            assertTrue(cli("report").out().contains("(no decisions)"));
            site.append(new ConsentRecord(0, a, MONDAY.plusSeconds(2 * 86_400), "2024-05", Map.of("analytics", true),
                    Map.of(), Source.API));
        }

        // no site: the tool holds the ledger for the moment itself
        Run erase = cli("erase", a);
        assertEquals(0, erase.status(), erase.toString());
        assertEquals("erased 1 record(s) of " + a, erase.out().strip());
        Run verify = cli("verify");
        assertEquals(0, verify.status(), verify.toString());
        assertTrue(verify.out().startsWith("intact: 0 record(s), 1 erased"), verify.toString());
    }

    static final int FAILED = 3;

    @Test
    void verifyNamesTheEditedRecordAndExitsOne() throws Exception {
        Path ledgerDir = dir.resolve("ledger");
        config("{ \"type\": \"file\", \"path\": \"" + ledgerDir + "\", \"keys\": " + keys() + " }");
        try (ConsentLedger site = open(dir.resolve("consent.json"))) {
            fill(site);
        }
        assertEquals(0, cli("verify").status(), "control: intact before the edit");
        Path month = ledgerDir.resolve("ledger-2026-11.jsonl");
        String text = Files.readString(month);
        String edited = text.replaceFirst("\"analytics\":false", "\"analytics\":true");
        assertFalse(edited.equals(text));
        Files.writeString(month, edited);

        Run verify = cli("verify");
        assertEquals(1, verify.status(), verify.toString());
        assertTrue(verify.err().startsWith("BROKEN at 2:"), verify.toString());
    }

    @Test
    void readsThePostgresLedgerWithTheDriverItCarries() throws Exception {
        try (PostgresServer pg = PostgresServer.start()) {
            config("{ \"type\": \"jdbc\", \"url\": \"" + pg.url() + "\", \"user\": \"" + pg.user()
                    + "\", \"keys\": " + keys() + " }");
            String a;
            try (ConsentLedger site = open(dir.resolve("consent.json"))) {
                a = fill(site);
                // the JDBC store is shared: the tool writes while the site runs
                Run erase = cli("erase", a);
                assertEquals(0, erase.status(), erase.toString());
                assertEquals(List.of(), site.find(a), "the site sees the erasure");
            }
            Run verify = cli("verify");
            assertEquals(0, verify.status(), verify.toString());
            assertTrue(verify.out().startsWith("intact: 1 record(s), 2 erased"), verify.toString());
            Run report = cli("report");
            assertTrue(report.out().lines().anyMatch(l -> l.matches("2026-W49\\s+purpose analytics\\s+0\\s+1\\s+0\\s+0\\s+1\\s+0\\.0%")),
                    report.toString());
        }
    }

    @Test
    void anotherDatabaseDriverGoesOnTheClassPath() throws Exception {
        Path h2 = Path.of(org.h2.Driver.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        config("{ \"type\": \"jdbc\", \"url\": \"jdbc:h2:file:" + dir.resolve("h2db") + "\", \"keys\": " + keys() + " }");
        try (ConsentLedger site = open(dir.resolve("consent.json"))) {
            fill(site);
        }
        Run verify = run(List.of(java(), "-cp", JAR + File.pathSeparator + h2, "nl.i3groep.consent.cli.ConsentCli",
                "verify"));
        assertEquals(0, verify.status(), verify.toString());
        assertTrue(verify.out().startsWith("intact: 3 record(s)"), verify.toString());
    }

    @Test
    void wrongInputIsNamedWithItsExitStatus() throws Exception {
        Run missing = cli("--config", "absent.json", "verify");
        assertEquals(FAILED, missing.status(), missing.toString());
        assertTrue(missing.err().contains("absent.json"), missing.toString());

        config("{ \"type\": \"file\", \"path\": \"ledger\", \"keys\": " + keys() + ", \"retentiondays\": 30 }");
        Run typo = cli("verify");
        assertEquals(FAILED, typo.status(), typo.toString());
        assertTrue(typo.err().contains("retentiondays"), typo.toString());

        config("{ \"type\": \"memory\" }");
        Run memory = cli("verify");
        assertEquals(FAILED, memory.status(), memory.toString());
        assertTrue(memory.err().contains("memory ledger"), memory.toString());

        config("{ \"type\": \"file\", \"path\": \"ledger\", \"keys\": " + keys() + " }");
        Run noCommand = cli();
        assertEquals(2, noCommand.status(), noCommand.toString());
        assertTrue(noCommand.err().contains("name a command"), noCommand.toString());
        Run badPeriod = cli("report", "--by", "month");
        assertEquals(2, badPeriod.status(), badPeriod.toString());
        assertTrue(badPeriod.err().contains("--by takes day or week"), badPeriod.toString());
        Run badDate = cli("purge", "--before", "yesterday");
        assertEquals(2, badDate.status(), badDate.toString());
        assertFalse(Files.exists(dir.resolve("ledger")), "nothing opened on a wrong command line");

        Run help = cli("--help");
        assertEquals(0, help.status(), help.toString());
        for (String command : List.of("export", "erase", "purge", "verify", "report")) {
            assertTrue(help.out().contains(command), command + " in " + help.out());
        }
    }
}
