package nl.i3groep.consent.ledger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import nl.i3groep.consent.config.ConsentConfig;

/**
 * Where every decision is written down, so that the site can demonstrate each consent, show a
 * visitor what is held, erase it on request, and keep nothing longer than the retention period.
 *
 * <p>Open the store a configuration names with {@link #open(ConsentConfig.LedgerSettings)}; or build
 * one directly: {@link FileLedger}, {@link JdbcLedger}, {@link MemoryLedger}.
 *
 * <p>Implementations are thread-safe. {@link #append} returns only once the record is stored as
 * durably as the store allows; a caller must not act on a decision (set the cookie) before.
 */
public interface ConsentLedger extends AutoCloseable {

    /**
     * Opens the store {@code settings} names: {@code file} (a directory, created if absent),
     * {@code jdbc} (schema created if absent) or {@code memory}.
     *
     * @throws LedgerException when the store cannot be opened; the message says which and why
     */
    static ConsentLedger open(ConsentConfig.LedgerSettings settings) {
        return Ledgers.open(settings);
    }

    /**
     * Stores a record and returns it with its sequence number.
     *
     * @throws LedgerException when the record could not be stored
     */
    ConsentRecord append(ConsentRecord record);

    /**
     * Stores several records, in order, and returns them numbered. A store may do this more cheaply
     * than one by one (one fsync, one transaction); on an exception, none or some may be stored.
     *
     * @throws LedgerException when the records could not be stored
     */
    default List<ConsentRecord> appendAll(List<ConsentRecord> records) {
        List<ConsentRecord> numbered = new ArrayList<>(records.size());
        for (ConsentRecord r : records) {
            numbered.add(append(r));
        }
        return numbered;
    }

    /** The records of one consent id, oldest first. */
    List<ConsentRecord> find(String consentId);

    /**
     * What the ledger holds on one consent id, as JSON for the visitor who asks:
     * <pre>{"consentId":"…","records":[{"seq":1,"consentId":"…","time":"2026-11-24T17:00:00Z",
     *   "policyVersion":"2024-05","purposes":{"analytics":true},"trackers":{},"source":"BANNER"}]}</pre>
     * {@code records} is empty when nothing is held.
     */
    default String export(String consentId) {
        Objects.requireNonNull(consentId, "consentId");
        return RecordJson.export(consentId, find(consentId));
    }

    /** Removes the records of one consent id; returns how many there were. */
    int erase(String consentId);

    /** Removes the records older than {@code cutoff}; returns how many there were. */
    int purge(Instant cutoff);

    /**
     * Applies a retention period: removes what is older than {@code retention} before now, and logs
     * at INFO how many records went. Call it daily (the servlet filter does).
     */
    default int purgeExpired(Duration retention) {
        return purgeExpired(retention, Clock.systemUTC());
    }

    /** {@link #purgeExpired(Duration)} with the time from {@code clock}. */
    default int purgeExpired(Duration retention, Clock clock) {
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention must be positive: " + retention);
        }
        Instant cutoff = clock.instant().minus(retention);
        int purged = purge(cutoff);
        Ledgers.LOG.info("purged {} consent records older than {}", purged, cutoff);
        return purged;
    }

    @Override
    default void close() {
    }
}
