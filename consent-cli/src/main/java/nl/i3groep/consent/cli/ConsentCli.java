package nl.i3groep.consent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import nl.i3groep.consent.config.ConfigException;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.ledger.ConsentLedger;
import nl.i3groep.consent.ledger.LedgerException;
import nl.i3groep.consent.ledger.Verification;
import nl.i3groep.consent.report.ConsentReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * The operator's tools for the ledger the site's filter writes, reading the same configuration file:
 * {@code java -jar consent-cli.jar --config consent.json verify}.
 *
 * <p>Exit status: 0 done; 1 {@code verify} found a broken link; 2 the command line is wrong; 3 the
 * configuration is wrong or the ledger cannot be opened or read.
 */
@Command(name = "consent", mixinStandardHelpOptions = true, versionProvider = ConsentCli.Version.class,
        description = "The operator's tools for the consent ledger the site's filter writes.",
        subcommands = {ConsentCli.Export.class, ConsentCli.Erase.class, ConsentCli.Purge.class,
                ConsentCli.Verify.class, ConsentCli.Report.class},
        footer = {"", "Exit status: 0 done, 1 verify found a broken link, 2 wrong command line,",
                "3 wrong configuration or the ledger cannot be opened."})
public final class ConsentCli implements Runnable {

    static final int BROKEN = 1;
    static final int FAILED = 3;

    @Option(names = {"-c", "--config"}, paramLabel = "LOCATION", defaultValue = "${env:CONSENT_CONFIG:-consent.json}",
            description = "The filter's configuration: a file, or classpath:consent.json. "
                    + "Default: $CONSENT_CONFIG, else ${DEFAULT-VALUE}. env: secrets come from this environment.")
    String config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private ConsentCli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8)));
    }

    /** Runs one command line; returns the exit status. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        quietLogging();
        CommandLine line = new CommandLine(new ConsentCli());
        // a consent id may begin with "-": after the command's name, no token is an option it lacks
        line.setUnmatchedOptionsArePositionalParams(true);
        line.setPosixClusteredShortOptionsAllowed(false);
        line.setOut(out);
        line.setErr(err);
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ConfigException || e instanceof LedgerException || e instanceof DateTimeException
                    || e instanceof IOException || e instanceof java.io.UncheckedIOException) {
                cmd.getErr().println("consent: " + e.getMessage());
                return FAILED;
            }
            throw e;
        });
        return line.execute(args);
    }

    /** The core logs through SLF4J to java.util.logging: warnings only, one line each, on stderr. */
    private static void quietLogging() {
        if (System.getProperty("java.util.logging.config.file") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "consent: %4$s: %5$s%6$s%n");
            Logger.getLogger("").setLevel(Level.WARNING);
        }
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "name a command: export, erase, purge, verify or report");
    }

    ConsentConfig configuration() {
        return ConsentConfig.load(config);
    }

    /**
     * Opens the configured ledger beside the running site: a file ledger's erase and purge are then
     * done by the site that holds it, or by this tool when no site does.
     */
    ConsentLedger ledger(ConsentConfig c) {
        refuseMemory(c);
        return ConsentLedger.openReadOnly(c.ledger());
    }

    private void refuseMemory(ConsentConfig c) {
        if (c.ledger().type() == ConsentConfig.LedgerType.MEMORY) {
            throw new LedgerException(config + " names the memory ledger, which lives in the site's process alone:"
                    + " there is nothing this tool can open");
        }
    }

    /** A command on the records of one consent id. */
    abstract static class OneVisitor implements Callable<Integer> {
        @ParentCommand
        ConsentCli cli;

        @Parameters(paramLabel = "CONSENT_ID", description = "The id the visitor's consent cookie carries.")
        String consentId;
    }

    @Command(name = "export", description = "Prints what the ledger holds on one consent id, as JSON: "
            + "its records and the full text of the notices they name (what a visitor downloads).")
    static final class Export extends OneVisitor {
        @Override
        public Integer call() {
            try (ConsentLedger ledger = cli.ledger(cli.configuration())) {
                cli.spec.commandLine().getOut().println(ledger.export(consentId));
            }
            return 0;
        }
    }

    @Command(name = "erase", description = "Removes the records of one consent id (a visitor's request "
            + "to erase); each leaves a sealed tombstone that keeps the chain verifiable. A running site "
            + "that holds a file ledger does it when asked.")
    static final class Erase extends OneVisitor {
        @Override
        public Integer call() {
            try (ConsentLedger ledger = cli.ledger(cli.configuration())) {
                int erased = ledger.erase(consentId);
                cli.spec.commandLine().getOut().println(erased == 0 ? "no records of " + consentId
                        : "erased " + erased + " record(s) of " + consentId);
            }
            return 0;
        }
    }

    @Command(name = "purge", description = "Removes the records older than the configured retention "
            + "(ledger.retentionDays), or than --before; the chain goes on from a sealed checkpoint. "
            + "A running site that holds a file ledger does it when asked.")
    static final class Purge implements Callable<Integer> {
        @ParentCommand
        ConsentCli cli;

        @Option(names = "--before", paramLabel = "DATE|INSTANT",
                description = "Removes what is older than this: 2025-01-31 (start of the day, UTC) or 2025-01-31T12:00:00Z.")
        String before;

        @Override
        public Integer call() {
            ConsentConfig c = cli.configuration();
            Instant cutoff = before == null ? Instant.now().minus(c.ledger().retention()) : instant(before);
            try (ConsentLedger ledger = cli.ledger(c)) {
                int purged = ledger.purge(cutoff);
                cli.spec.commandLine().getOut().println("purged " + purged + " record(s) older than " + cutoff);
            }
            return 0;
        }

        private Instant instant(String text) {
            try {
                return text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant()
                        : Instant.parse(text);
            } catch (DateTimeException e) {
                throw new CommandLine.ParameterException(cli.spec.commandLine(),
                        "--before takes a date (2025-01-31) or an instant (2025-01-31T12:00:00Z), not " + text);
            }
        }
    }

    @Command(name = "verify", description = "Walks the ledger's MAC chain from its start (or the last "
            + "purge's checkpoint) to its head and reports the first broken link: a record edited, removed "
            + "or moved, an erased record's seal, a ledger cut short. Exit status 1 when it is broken.")
    static final class Verify implements Callable<Integer> {
        @ParentCommand
        ConsentCli cli;

        @Override
        public Integer call() {
            Verification v;
            try (ConsentLedger ledger = cli.ledger(cli.configuration())) {
                v = ledger.verify();
            }
            (v.intact() ? cli.spec.commandLine().getOut() : cli.spec.commandLine().getErr()).println(v);
            return v.intact() ? 0 : BROKEN;
        }
    }

    @Command(name = "report", description = "Consent rates per purpose and per tracker, by day or week: "
            + "decisions that granted, refused, withdrew, or were denied by Global Privacy Control. "
            + "Prints a table; --html also writes a self-contained page with charts.")
    static final class Report implements Callable<Integer> {
        @ParentCommand
        ConsentCli cli;

        @Option(names = "--by", paramLabel = "day|week", defaultValue = "week",
                description = "Groups decisions by day or by ISO week. Default: ${DEFAULT-VALUE}.")
        String by;

        @Option(names = "--since", paramLabel = "DATE", description = "Counts from this day on (2026-10-01).")
        LocalDate since;

        @Option(names = "--zone", paramLabel = "ZONE", defaultValue = "UTC",
                description = "The time zone of the days: Europe/Amsterdam. Default: ${DEFAULT-VALUE}.")
        ZoneId zone;

        @Option(names = "--html", paramLabel = "FILE", description = "Also writes the report as an HTML page here.")
        Path html;

        @Option(names = "--title", defaultValue = "Consent report",
                description = "The page's title. Default: ${DEFAULT-VALUE}.")
        String title;

        @Override
        public Integer call() throws IOException {
            ConsentReport.Period period = switch (by.toLowerCase(Locale.ROOT)) {
                case "day" -> ConsentReport.Period.DAY;
                case "week" -> ConsentReport.Period.WEEK;
                default -> throw new CommandLine.ParameterException(cli.spec.commandLine(),
                        "--by takes day or week, not " + by);
            };
            ConsentConfig c = cli.configuration();
            ConsentReport report;
            try (ConsentLedger ledger = cli.ledger(c)) {
                report = ConsentReport.of(c, ledger, period, zone, Optional.ofNullable(since));
            }
            PrintWriter out = cli.spec.commandLine().getOut();
            out.print(report.table());
            if (html != null) {
                Files.writeString(html, report.html(title), StandardCharsets.UTF_8);
                out.println("wrote " + html);
            }
            out.flush();
            return 0;
        }
    }

    /** The version the jar's manifest names. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ConsentCli.class.getPackage().getImplementationVersion();
            return new String[] {"consent-cli " + (v == null ? "(version unknown)" : v)};
        }
    }
}
