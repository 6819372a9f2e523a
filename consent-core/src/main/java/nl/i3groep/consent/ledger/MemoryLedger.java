package nl.i3groep.consent.ledger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import nl.i3groep.consent.cookie.SigningKey;

/** A ledger in memory, for tests and demos: gone with the JVM, chained like the others. */
public final class MemoryLedger implements ConsentLedger {

    private final Chain chain;
    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, Notice> notices = new LinkedHashMap<>();
    private Optional<Entry.Anchor> start = Optional.empty();
    private Optional<Entry.Anchor> head = Optional.empty();
    private long sequence;
    private String tip = Chain.GENESIS;

    /** Chained under a key made for this ledger alone. */
    public MemoryLedger() {
        this.chain = Chain.ephemeral();
    }

    /** Chained under {@code keys}: the first makes new MACs, the others verify older ones. */
    public MemoryLedger(List<SigningKey> keys) {
        this.chain = new Chain(keys);
    }

    @Override
    public synchronized ConsentRecord append(ConsentRecord record) {
        return appendAll(List.of(record)).get(0);
    }

    @Override
    public synchronized List<ConsentRecord> appendAll(List<ConsentRecord> records) {
        List<ConsentRecord> numbered = new ArrayList<>(records.size());
        long next = sequence;
        for (ConsentRecord r : records) {
            numbered.add(r.toMicros().numbered(++next));
        }
        for (Entry.Kept k : chain.link(tip, numbered)) {
            entries.add(k);
            tip = k.mac();
        }
        sequence = next;
        if (!numbered.isEmpty()) {
            head = Optional.of(chain.anchor("head", sequence, tip));
        }
        return numbered;
    }

    @Override
    public synchronized List<ConsentRecord> find(String consentId) {
        return kept(r -> r.consentId().equals(consentId));
    }

    @Override
    public void forEachRecord(java.util.function.Consumer<? super ConsentRecord> action) {
        List<ConsentRecord> all;
        synchronized (this) {
            all = kept(r -> true);
        }
        all.forEach(action);
    }

    @Override
    public synchronized int erase(String consentId) {
        int erased = 0;
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i) instanceof Entry.Kept k && k.record().consentId().equals(consentId)) {
                entries.set(i, chain.erase(k));
                erased++;
            }
        }
        return erased;
    }

    @Override
    public synchronized int purge(Instant cutoff) {
        long keptFrom = entries.stream().filter(e -> e instanceof Entry.Kept k && !k.record().time().isBefore(cutoff))
                .mapToLong(Entry::sequence).min().orElse(sequence + 1);
        long last = keptFrom - 1;
        int purged = 0;
        if (last > start.map(Entry.Anchor::sequence).orElse(0L)) {
            String mac = entries.stream().filter(e -> e.sequence() == last).map(Entry::mac).findFirst().orElse(tip);
            start = Optional.of(chain.anchor("start", last, mac));
        }
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            boolean old = e instanceof Entry.Kept k && k.record().time().isBefore(cutoff);
            if (e.sequence() <= last) {
                entries.remove(i--);
                purged += old ? 1 : 0;
            } else if (old) {
                entries.set(i, chain.erase(e));
                purged++;
            }
        }
        return purged;
    }

    @Override
    public synchronized String keep(Notice notice) {
        String hash = notice.hash();
        notices.putIfAbsent(hash, notice);
        return hash;
    }

    @Override
    public synchronized Optional<Notice> notice(String hash) {
        return Optional.ofNullable(notices.get(Objects.requireNonNull(hash, "hash")));
    }

    @Override
    public synchronized Verification verify() {
        Chain.Walk walk = chain.new Walk(start, head, true, notices::containsKey);
        for (Entry e : entries) {
            if (!walk.next(e)) {
                break;
            }
        }
        return walk.result();
    }

    /** Every record, in order of appending. */
    public synchronized List<ConsentRecord> all() {
        return kept(r -> true);
    }

    private List<ConsentRecord> kept(Predicate<ConsentRecord> which) {
        List<ConsentRecord> found = new ArrayList<>();
        for (Entry e : entries) {
            if (e instanceof Entry.Kept k && which.test(k.record())) {
                found.add(k.record());
            }
        }
        return found;
    }
}
