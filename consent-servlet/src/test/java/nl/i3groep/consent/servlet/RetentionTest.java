package nl.i3groep.consent.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.ledger.ConsentLedger;
import nl.i3groep.consent.ledger.ConsentRecord;
import nl.i3groep.consent.ledger.MemoryLedger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Contract §8: records are kept for the retention period and then purged, by the filter itself from start-up on. */
class RetentionTest {

    /** A memory ledger that says when a purge has run, and with what cutoff. */
    static final class WatchedLedger implements ConsentLedger {
        final MemoryLedger records = new MemoryLedger();
        final CompletableFuture<Instant> purged = new CompletableFuture<>();

        @Override
        public ConsentRecord append(ConsentRecord record) {
            return records.append(record);
        }

        @Override
        public List<ConsentRecord> find(String consentId) {
            return records.find(consentId);
        }

        @Override
        public void forEachRecord(java.util.function.Consumer<? super ConsentRecord> action) {
            records.forEachRecord(action);
        }

        @Override
        public int erase(String consentId) {
            return records.erase(consentId);
        }

        @Override
        public int purge(Instant cutoff) {
            int n = records.purge(cutoff);
            purged.complete(cutoff);
            return n;
        }

        @Override
        public String keep(nl.i3groep.consent.ledger.Notice notice) {
            return records.keep(notice);
        }

        @Override
        public java.util.Optional<nl.i3groep.consent.ledger.Notice> notice(String hash) {
            return records.notice(hash);
        }

        @Override
        public nl.i3groep.consent.ledger.Verification verify() {
            return records.verify();
        }
    }

    private static ConsentRecord record(String id, Instant time) {
        return new ConsentRecord(0, id, time, "2024-05", Map.of("analytics", true), Map.of(), ConsentRecord.Source.API);
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void recordsPastTheRetentionPeriodArePurgedFromStartUp(Container c) throws Exception {
        ConsentConfig config = ConsentConfig.load("classpath:consent.json");
        WatchedLedger ledger = new WatchedLedger();
        Instant now = Instant.now();
        ledger.append(record("old", now.minus(Duration.ofDays(731))));
        ledger.append(record("recent", now.minus(Duration.ofDays(729))));
        try (Container.Running r = c.start(Container.Registration.instance(
                new ConsentFilter(Gatekeeper.create(config), ledger)), TestServlets.all())) {
            Instant cutoff = ledger.purged.get(20, TimeUnit.SECONDS);
            Duration kept = Duration.between(cutoff, Instant.now());
            assertTrue(kept.compareTo(config.ledger().retention()) >= 0
                    && kept.compareTo(config.ledger().retention().plusMinutes(1)) < 0, "kept " + kept);
            assertEquals(List.of(), ledger.find("old"));
            assertEquals(1, ledger.find("recent").size());
        }
    }
}
