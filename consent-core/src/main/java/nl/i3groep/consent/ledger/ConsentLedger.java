package nl.i3groep.consent.ledger;

import java.time.Instant;
import java.util.List;

/**
 * Where every decision is written down, so that the site can demonstrate each consent, show a
 * visitor what is held, erase it on request, and keep nothing longer than the retention period.
 *
 * <p>Implementations are thread-safe. {@link #append} returns only once the record is stored as
 * durably as the store allows; a caller must not act on a decision (set the cookie) before.
 */
public interface ConsentLedger extends AutoCloseable {

    /**
     * Stores a record and returns it with its sequence number.
     *
     * @throws LedgerException when the record could not be stored
     */
    ConsentRecord append(ConsentRecord record);

    /** The records of one consent id, oldest first. */
    List<ConsentRecord> find(String consentId);

    /** Removes the records of one consent id; returns how many there were. */
    int erase(String consentId);

    /** Removes the records older than {@code cutoff}; returns how many there were. */
    int purge(Instant cutoff);

    @Override
    default void close() {
    }
}
