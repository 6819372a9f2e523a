package nl.i3groep.consent.ledger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.Objects;
import java.util.function.Consumer;
import nl.i3groep.consent.config.ConsentConfig;

/**
 * Where every decision is written down, so that the site can demonstrate each consent, show a
 * visitor what is held, erase it on request, and keep nothing longer than the retention period.
 *
 * <p>Open the store a configuration names with {@link #open(ConsentConfig.LedgerSettings)}; or build
 * one directly: {@link FileLedger}, {@link JdbcLedger}, {@link MemoryLedger}.
 *
 * <p>The records form a chain: each carries a MAC over its content and the MAC of the record before,
 * keyed with the ledger key, so that a record edited, removed or moved in the file or the table
 * breaks the chain where it happened; {@link #verify()} walks it. Erasing a record leaves a sealed
 * tombstone in its place (its number and MAC, nothing about the visitor); a purge leaves a sealed
 * checkpoint that the chain continues from; a sealed head names the newest record, so that a
 * ledger cut short shows too. Anyone holding the key can forge all of it: keep the key apart from
 * the ledger's store.
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
     * Opens the store {@code settings} names for a tool beside the running site: the file store
     * {@linkplain FileLedger#openReadOnly read-only} (the site holds its lock, and erases and purges
     * when asked), the JDBC store as {@link #open} does. A memory store lives in the site's process
     * alone: refused.
     *
     * @throws LedgerException when the store cannot be opened; the message says which and why
     */
    static ConsentLedger openReadOnly(ConsentConfig.LedgerSettings settings) {
        return Ledgers.openReadOnly(settings);
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
     * Hands every record held to {@code action}, oldest first (the file store goes month by month of
     * the decision), without holding them all in memory. Reads the whole ledger: a tool's job, as
     * for the {@linkplain nl.i3groep.consent.report.ConsentReport consent report}.
     *
     * @throws LedgerException when the store cannot be read
     */
    void forEachRecord(Consumer<? super ConsentRecord> action);

    /**
     * What the ledger holds on one consent id, as JSON for the visitor who asks, with the full text
     * of every notice the records name:
     * <pre>{"consentId":"…","records":[{"seq":1,"consentId":"…","time":"2026-11-24T17:00:00Z",
     *   "policyVersion":"2024-05","purposes":{"analytics":true},"trackers":{},"source":"BANNER",
     *   "notice":"sha256:…"}],"notices":{"sha256:…":{"language":"nl","policyVersion":"2024-05",
     *   "texts":{…},"trackers":[…]}}}</pre>
     * {@code records} is empty when nothing is held.
     */
    default String export(String consentId) {
        Objects.requireNonNull(consentId, "consentId");
        List<ConsentRecord> records = find(consentId);
        Map<String, Notice> notices = new TreeMap<>();
        for (ConsentRecord r : records) {
            r.notice().ifPresent(hash -> notice(hash).ifPresent(n -> notices.put(hash, n)));
        }
        return RecordJson.export(consentId, records, notices);
    }

    /**
     * Keeps a notice, once: storing one already held does nothing. Returns its hash, which records
     * then name. Returns only once the notice is stored as durably as a record.
     *
     * @throws LedgerException when it could not be stored
     */
    String keep(Notice notice);

    /** The notice of a hash, if the ledger holds it. */
    Optional<Notice> notice(String hash);

    /**
     * Walks the chain from its start (or the checkpoint of the last purge) to its head, recomputing
     * every MAC, and reports the first broken link. Reads the whole ledger: a tool's job, not a
     * request's.
     *
     * @throws LedgerException when the store cannot be read
     */
    Verification verify();

    /**
     * Removes the records of one consent id, each leaving a sealed tombstone that keeps the chain
     * verifiable; returns how many there were.
     */
    int erase(String consentId);

    /**
     * Removes the records older than {@code cutoff}; returns how many there were. The chain then
     * starts from a sealed checkpoint naming the last link removed; an old record numbered after a
     * kept one (a clock that went back) leaves a tombstone.
     */
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
