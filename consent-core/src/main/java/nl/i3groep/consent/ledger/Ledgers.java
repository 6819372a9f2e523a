package nl.i3groep.consent.ledger;

import nl.i3groep.consent.config.ConsentConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Behind {@link ConsentLedger#open}: an interface cannot hold a private logger. */
final class Ledgers {

    static final Logger LOG = LoggerFactory.getLogger(ConsentLedger.class);

    private Ledgers() {
    }

    private static void keyed(ConsentConfig.LedgerSettings settings) {
        if (settings.keys().isEmpty() && settings.type() != ConsentConfig.LedgerType.MEMORY) {
            throw new LedgerException("ledger type " + settings.type().name().toLowerCase(java.util.Locale.ROOT)
                    + " needs \"keys\" to chain its records");
        }
    }

    static ConsentLedger openReadOnly(ConsentConfig.LedgerSettings settings) {
        keyed(settings);
        return switch (settings.type()) {
            case FILE -> FileLedger.openReadOnly(settings.path().orElseThrow(
                    () -> new LedgerException("ledger type file needs a \"path\"")), settings.keys());
            case JDBC -> open(settings);
            case MEMORY -> throw new LedgerException("ledger type memory lives in the site's process alone;"
                    + " there is nothing another process can read");
        };
    }

    static ConsentLedger open(ConsentConfig.LedgerSettings settings) {
        keyed(settings);
        return switch (settings.type()) {
            case FILE -> FileLedger.open(settings.path().orElseThrow(
                    () -> new LedgerException("ledger type file needs a \"path\"")), settings.keys());
            case JDBC -> JdbcLedger.open(settings.url().orElseThrow(
                    () -> new LedgerException("ledger type jdbc needs a \"url\"")),
                    settings.user().orElse(null), settings.password().orElse(null), settings.keys());
            case MEMORY -> settings.keys().isEmpty() ? new MemoryLedger() : new MemoryLedger(settings.keys());
        };
    }
}
