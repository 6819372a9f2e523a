package nl.i3groep.consent.ledger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** A ledger in memory, for tests and demos: gone with the JVM. */
public final class MemoryLedger implements ConsentLedger {

    private final List<ConsentRecord> records = new ArrayList<>();
    private final AtomicLong sequence = new AtomicLong();

    @Override
    public synchronized ConsentRecord append(ConsentRecord record) {
        ConsentRecord numbered = record.numbered(sequence.incrementAndGet());
        records.add(numbered);
        return numbered;
    }

    @Override
    public synchronized List<ConsentRecord> find(String consentId) {
        return records.stream().filter(r -> r.consentId().equals(consentId)).toList();
    }

    @Override
    public synchronized int erase(String consentId) {
        int before = records.size();
        records.removeIf(r -> r.consentId().equals(consentId));
        return before - records.size();
    }

    @Override
    public synchronized int purge(Instant cutoff) {
        int before = records.size();
        records.removeIf(r -> r.time().isBefore(cutoff));
        return before - records.size();
    }

    /** Every record, in order of appending. */
    public synchronized List<ConsentRecord> all() {
        return new ArrayList<>(records);
    }
}
