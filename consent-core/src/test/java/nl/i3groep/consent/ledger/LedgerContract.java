package nl.i3groep.consent.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import nl.i3groep.consent.ConsentState;
import nl.i3groep.consent.ledger.ConsentRecord.Source;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every store must do. A store's test extends this and says how to open a fresh, empty
 * ledger; {@link DurableLedgerContract} adds what only stores that outlive the JVM can show.
 */
abstract class LedgerContract {

    static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

    protected ConsentLedger ledger;

    /** A ledger with nothing in it, for one test. */
    protected abstract ConsentLedger openEmpty() throws Exception;

    @BeforeEach
    void openLedger() throws Exception {
        ledger = openEmpty();
    }

    @AfterEach
    void closeLedger() {
        if (ledger != null) {
            ledger.close();
        }
    }

    static ConsentRecord record(String consentId, Instant time, Source source) {
        return new ConsentRecord(0, consentId, time, "2024-05", Map.of("analytics", true, "marketing", false),
                Map.of("linkedin-insight", false), source);
    }

    static ConsentRecord record(Instant time, Source source) {
        return record(ConsentState.newConsentId(), time, source);
    }

    @Test
    void appendNumbersRecordsUniquelyAndFindReturnsThoseOfOneIdInOrder() {
        String a = ConsentState.newConsentId();
        ConsentRecord first = ledger.append(record(a, NOW, Source.BANNER));
        ConsentRecord other = ledger.append(record(NOW, Source.API));
        ConsentRecord second = ledger.append(record(a, NOW.plusSeconds(60), Source.WITHDRAWAL));

        assertTrue(first.sequence() > 0, "numbered on append: " + first);
        assertTrue(first.sequence() < other.sequence() && other.sequence() < second.sequence(),
                first.sequence() + ", " + other.sequence() + ", " + second.sequence());
        assertEquals(List.of(first, second), ledger.find(a));
        assertEquals(List.of(other), ledger.find(other.consentId()));
        assertEquals(List.of(), ledger.find(ConsentState.newConsentId()));
    }

    @Test
    void forEachRecordHandsOnEveryRecordHeldOnceOldestFirstAndNoErasedOne() {
        String erased = ConsentState.newConsentId();
        List<ConsentRecord> kept = new ArrayList<>();
        kept.add(ledger.append(record(NOW.minusSeconds(40L * 86_400), Source.BANNER))); // an earlier month
        ledger.append(record(erased, NOW, Source.API));
        kept.add(ledger.append(record(NOW.plusSeconds(1), Source.FORM)));
        kept.add(ledger.append(record(NOW.plusSeconds(2), Source.GPC)));
        assertEquals(1, ledger.erase(erased));

        List<ConsentRecord> seen = new ArrayList<>();
        ledger.forEachRecord(seen::add);
        assertEquals(kept, seen);
    }

    /** Grant, change, withdrawal: each keeps the visitor's consent id, so that one id is one history. */
    @Test
    void oneVisitorsDecisionsAreOneHistory() {
        nl.i3groep.consent.Gatekeeper g = nl.i3groep.consent.Gatekeeper.create(nl.i3groep.consent.SiteConfigs.example());
        ConsentState grant = g.consent(Map.of("analytics", true, "marketing", true), Map.of());
        ConsentState change = g.consent(Map.of("analytics", true), Map.of("google-analytics", true),
                g.continuingId(g.cookieValue(grant)));
        ConsentState withdrawal = g.withdrawal(g.continuingId(g.cookieValue(change)));
        ledger.append(ConsentRecord.of(grant, Source.BANNER));
        ledger.append(record(NOW, Source.API)); // another visitor
        ledger.append(ConsentRecord.of(change, Source.FORM));
        ledger.append(ConsentRecord.of(withdrawal, Source.WITHDRAWAL));

        List<ConsentRecord> history = ledger.find(grant.consentId());
        assertEquals(List.of(Source.BANNER, Source.FORM, Source.WITHDRAWAL), history.stream().map(ConsentRecord::source).toList());
        assertEquals(List.of(true, false, false), history.stream().map(r -> r.purposes().get("marketing")).toList());
        assertEquals(List.of(true, true, false), history.stream().map(r -> r.purposes().get("analytics")).toList());
    }

    @Test
    void keepsEveryFieldOfEverySource() {
        String id = ConsentState.newConsentId();
        List<ConsentRecord> appended = new ArrayList<>();
        int i = 0;
        for (Source source : Source.values()) {
            appended.add(ledger.append(new ConsentRecord(0, id, NOW.plusSeconds(i++), "policy-" + i,
                    Map.of("analytics", i % 2 == 0, "marketing", i % 3 == 0, "social-" + i, true),
                    i == 1 ? Map.of() : Map.of("google-ads", false, "oktopost", true), source)));
        }
        assertEquals(appended, ledger.find(id));
        ConsentRecord fromState = ConsentRecord.of(ConsentState.decide(NOW, "2024-05", Map.of("analytics", false),
                Map.of("google-analytics", true)), Source.GPC);
        assertEquals(fromState.numbered(ledger.append(fromState).sequence()), ledger.find(fromState.consentId()).get(0));
    }

    @Test
    void appendAllNumbersABatchInOrder() {
        String id = ConsentState.newConsentId();
        List<ConsentRecord> batch = List.of(record(id, NOW, Source.BANNER), record(id, NOW.plusSeconds(1), Source.FORM),
                record(id, NOW.plusSeconds(2), Source.WITHDRAWAL));
        List<ConsentRecord> numbered = ledger.appendAll(batch);
        assertEquals(3, numbered.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(batch.get(i).numbered(numbered.get(i).sequence()), numbered.get(i));
        }
        assertTrue(numbered.get(0).sequence() < numbered.get(1).sequence()
                && numbered.get(1).sequence() < numbered.get(2).sequence(), numbered.toString());
        assertEquals(numbered, ledger.find(id));
        assertEquals(List.of(), ledger.appendAll(List.of()));
    }

    @Test
    void exportsWhatIsHeldAsJson() throws Exception {
        ConsentRecord r = ledger.append(record(NOW, Source.FORM));
        ledger.append(record(NOW, Source.BANNER));
        JsonNode export = new ObjectMapper().readTree(ledger.export(r.consentId()));
        assertEquals(r.consentId(), export.get("consentId").textValue());
        assertEquals(1, export.get("records").size());
        JsonNode one = export.get("records").get(0);
        assertEquals(r.sequence(), one.get("seq").longValue());
        assertEquals(r.consentId(), one.get("consentId").textValue());
        assertEquals("2026-11-24T12:00:00Z", one.get("time").textValue());
        assertEquals("2024-05", one.get("policyVersion").textValue());
        assertTrue(one.get("purposes").get("analytics").booleanValue());
        assertEquals(false, one.get("purposes").get("marketing").booleanValue());
        assertEquals(false, one.get("trackers").get("linkedin-insight").booleanValue());
        assertEquals("FORM", one.get("source").textValue());
        assertEquals(r, RecordJson.parse(one.toString()));

        JsonNode none = new ObjectMapper().readTree(ledger.export("unknown"));
        assertEquals("unknown", none.get("consentId").textValue());
        assertEquals(0, none.get("records").size());
    }

    @Test
    void eraseRemovesEveryRecordOfOneIdAndNothingElse() {
        String id = ConsentState.newConsentId();
        ledger.append(record(id, NOW, Source.BANNER));
        ConsentRecord other = ledger.append(record(NOW, Source.BANNER));
        ledger.append(record(id, NOW.minus(Duration.ofDays(40)), Source.WITHDRAWAL));

        assertEquals(2, ledger.erase(id));
        assertEquals(List.of(), ledger.find(id));
        assertEquals(0, ledger.erase(id));
        assertEquals(List.of(other), ledger.find(other.consentId()));
    }

    @Test
    void purgeRemovesWhatIsStrictlyOlderThanTheCutoff() {
        ConsentRecord ancient = ledger.append(record(Instant.parse("2023-01-15T00:00:00Z"), Source.API));
        ConsentRecord sameMonthBefore = ledger.append(record(NOW.minusSeconds(1), Source.BANNER));
        ConsentRecord atCutoff = ledger.append(record(NOW, Source.BANNER));
        ConsentRecord after = ledger.append(record(NOW.plus(Duration.ofDays(45)), Source.FORM));

        assertEquals(2, ledger.purge(NOW));
        assertEquals(List.of(), ledger.find(ancient.consentId()));
        assertEquals(List.of(), ledger.find(sameMonthBefore.consentId()));
        assertEquals(List.of(atCutoff), ledger.find(atCutoff.consentId()));
        assertEquals(List.of(after), ledger.find(after.consentId()));
        assertEquals(0, ledger.purge(NOW));
    }

    @Test
    void purgeExpiredAppliesTheRetentionPeriod() {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        ConsentRecord expired = ledger.append(record(NOW.minus(Duration.ofDays(731)), Source.BANNER));
        ConsentRecord kept = ledger.append(record(NOW.minus(Duration.ofDays(729)), Source.BANNER));
        assertEquals(1, ledger.purgeExpired(Duration.ofDays(730), clock));
        assertEquals(List.of(), ledger.find(expired.consentId()));
        assertEquals(List.of(kept), ledger.find(kept.consentId()));
    }

    private void intact() {
        Verification v = ledger.verify();
        assertTrue(v.intact(), v.toString());
    }

    @Test
    void anEmptyLedgerAndEveryAppendVerify() {
        intact();
        ConsentRecord a = ledger.append(record(NOW, Source.BANNER));
        ledger.appendAll(List.of(record(NOW, Source.FORM), record(NOW.plusSeconds(1), Source.GPC)));
        Verification v = ledger.verify();
        assertTrue(v.intact(), v.toString());
        assertEquals(3, v.records());
        assertEquals(0, v.from());
        assertTrue(a.sequence() > 0);
    }

    @Test
    void theChainHoldsAfterEraseAndPurgeAndGoesOn() {
        String erased = ConsentState.newConsentId();
        ledger.append(record(Instant.parse("2024-01-10T00:00:00Z"), Source.BANNER));
        ledger.append(record(erased, NOW, Source.BANNER));
        ledger.append(record(NOW, Source.FORM));
        ledger.append(record(erased, NOW.plusSeconds(5), Source.WITHDRAWAL));
        // a clock that went back: an old decision numbered after kept ones
        ConsentRecord late = ledger.append(record(Instant.parse("2024-02-01T00:00:00Z"), Source.API));
        ConsentRecord last = ledger.append(record(NOW.plusSeconds(9), Source.API));

        assertEquals(2, ledger.erase(erased));
        Verification afterErase = ledger.verify();
        assertTrue(afterErase.intact(), afterErase.toString());
        assertEquals(4, afterErase.records());
        assertEquals(2, afterErase.erased());

        assertEquals(2, ledger.purge(Instant.parse("2025-01-01T00:00:00Z")));
        assertEquals(List.of(), ledger.find(late.consentId()));
        Verification afterPurge = ledger.verify();
        assertTrue(afterPurge.intact(), afterPurge.toString());
        assertEquals(last.sequence() - 4, afterPurge.from(), "the checkpoint names the last record removed");
        assertEquals(2, afterPurge.records());

        ledger.append(record(NOW.plusSeconds(10), Source.BANNER));
        intact();
        assertEquals(3, ledger.purge(NOW.plus(Duration.ofDays(365))), "everything, tombstones aside");
        intact();
        ConsentRecord after = ledger.append(record(NOW.plus(Duration.ofDays(400)), Source.BANNER));
        Verification v = ledger.verify();
        assertTrue(v.intact(), v.toString());
        assertEquals(1, v.records());
        assertEquals(after.sequence() - 1, v.from());
    }

    @Test
    void aNoticeIsKeptOnceAndTheExportShowsItsFullText() throws Exception {
        Notice notice = new Notice("nl", "2024-05", Map.of("title", "Cookies", "intro", "Wij gebruiken trackers."),
                List.of(new Notice.Tracker("google-analytics", "Google Analytics", "Google", "analytics")));
        String hash = ledger.keep(notice);
        assertEquals(notice.hash(), hash);
        assertEquals(hash, ledger.keep(new Notice("nl", "2024-05", Map.of("intro", "Wij gebruiken trackers.",
                "title", "Cookies"), notice.trackers())), "the same notice, texts in another order");
        assertEquals(Optional.of(notice), ledger.notice(hash));
        assertEquals(Optional.empty(), ledger.notice("sha256:" + "0".repeat(64)));

        ConsentRecord shown = ledger.append(new ConsentRecord(0, ConsentState.newConsentId(), NOW, "2024-05",
                Map.of("analytics", true), Map.of(), Source.BANNER, Optional.of(hash)));
        assertEquals(List.of(shown), ledger.find(shown.consentId()));
        JsonNode export = new ObjectMapper().readTree(ledger.export(shown.consentId()));
        assertEquals(hash, export.get("records").get(0).get("notice").textValue());
        JsonNode text = export.get("notices").get(hash);
        assertEquals("Wij gebruiken trackers.", text.get("texts").get("intro").textValue());
        assertEquals("Google", text.get("trackers").get(0).get("company").textValue());
        assertEquals(hash, Notice.hash(text.toString()), "anyone can recompute the hash from the export");
        intact();
    }

    @Test
    void concurrentAppendsLoseNoneAndDuplicateNone() throws Exception {
        int threads = 8;
        int each = 10_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<String> ids = new ArrayList<>();
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String id = ConsentState.newConsentId();
                ids.add(id);
                Callable<List<Long>> appender = () -> {
                    List<Long> sequences = new ArrayList<>(each);
                    for (int i = 0; i < each; i++) {
                        sequences.add(ledger.append(record(id, NOW.plusSeconds(i), Source.BANNER)).sequence());
                    }
                    return sequences;
                };
                results.add(pool.submit(appender));
            }
            Set<Long> all = new HashSet<>();
            for (int t = 0; t < threads; t++) {
                List<Long> acknowledged = results.get(t).get();
                all.addAll(acknowledged);
                List<Long> stored = ledger.find(ids.get(t)).stream().map(ConsentRecord::sequence).toList();
                assertEquals(acknowledged, stored, "thread " + t + ": what was acknowledged is what is stored");
            }
            assertEquals(threads * each, all.size(), "sequence numbers are unique");
            intact();
        } finally {
            pool.shutdownNow();
        }
    }
}
