package nl.i3groep.consent.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import nl.i3groep.consent.cookie.SigningKey;
import nl.i3groep.consent.ConsentState;
import nl.i3groep.consent.ledger.ConsentRecord.Source;
import org.junit.jupiter.api.Test;

/** What a store that outlives the ledger object must do besides. */
abstract class DurableLedgerContract extends LedgerContract {

    /** The same store again, {@link #ledger} having been closed. */
    protected abstract ConsentLedger reopen() throws Exception;

    /** The same store under other keys. */
    protected abstract ConsentLedger reopen(List<SigningKey> keys) throws Exception;

    /** Changes the analytics choice of record {@code sequence} in the store, behind the ledger's back. */
    protected abstract void editChoice(long sequence) throws Exception;

    /** Removes record {@code sequence} from the store. */
    protected abstract void delete(long sequence) throws Exception;

    /** Exchanges two records: their lines in the file, their contents under the same numbers in a table. */
    protected abstract void swap(long a, long b) throws Exception;

    /** Removes the newest {@code count} records, as a cut-off file or table would. */
    protected abstract void truncate(int count) throws Exception;

    /** Replaces the text of a stored notice. */
    protected abstract void editNotice(String hash) throws Exception;

    /** Five records, the ledger closed (so that the file store's head is on disk); their numbers. */
    private List<Long> fiveThenClosed() {
        List<Long> seqs = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            seqs.add(ledger.append(record(NOW.plusSeconds(i), Source.BANNER)).sequence());
        }
        ledger.close();
        return seqs;
    }

    private Verification verifyReopened() throws Exception {
        ledger = reopen();
        return ledger.verify();
    }

    private static void brokenAt(Verification v, long sequence, String words) {
        assertFalse(v.intact(), "tampering not seen: " + v);
        assertEquals(sequence, v.broken().get().sequence(), v.toString());
        assertTrue(v.broken().get().problem().contains(words), v.toString());
    }

    @Test
    void verifySeesAnEditedField() throws Exception {
        List<Long> s = fiveThenClosed();
        assertTrue(verifyReopened().intact(), "the control: untouched, it holds");
        ledger.close();
        editChoice(s.get(2));
        brokenAt(verifyReopened(), s.get(2), "does not match its MAC");
    }

    @Test
    void verifySeesARemovedRecord() throws Exception {
        List<Long> s = fiveThenClosed();
        delete(s.get(2));
        brokenAt(verifyReopened(), s.get(2), "missing");
    }

    @Test
    void verifySeesTwoRecordsSwapped() throws Exception {
        List<Long> s = fiveThenClosed();
        swap(s.get(1), s.get(2));
        brokenAt(verifyReopened(), s.get(1), "");
    }

    /**
     * Where verify reports a cut-off end: at the first record removed where numbers run without
     * gaps; where chains share the numbers, at the newest one, which the head names.
     */
    protected long cutOffReportedAt(long firstRemoved, long newestRemoved) {
        return firstRemoved;
    }

    @Test
    void verifySeesACutOffEnd() throws Exception {
        List<Long> s = fiveThenClosed();
        truncate(2);
        brokenAt(verifyReopened(), cutOffReportedAt(s.get(3), s.get(4)), "head");
    }

    @Test
    void verifySeesARemovedRecordAfterAPurge() throws Exception {
        ConsentRecord old = ledger.append(record(Instant.parse("2024-01-10T00:00:00Z"), Source.BANNER));
        ConsentRecord first = ledger.append(record(NOW, Source.BANNER));
        ledger.append(record(NOW.plusSeconds(1), Source.BANNER));
        assertEquals(1, ledger.purge(Instant.parse("2025-01-01T00:00:00Z")));
        ledger.close();
        assertTrue(verifyReopened().intact(), "the control: the purge's checkpoint holds");
        ledger.close();
        delete(first.sequence());
        brokenAt(verifyReopened(), first.sequence(), "missing");
        assertTrue(old.sequence() < first.sequence());
    }

    @Test
    void verifySeesAnEditedNotice() throws Exception {
        String hash = ledger.keep(new Notice("en", "2024-05", Map.of("title", "Cookies"), List.of()));
        ConsentRecord r = ledger.append(new ConsentRecord(0, ConsentState.newConsentId(), NOW, "2024-05",
                Map.of("analytics", true), Map.of(), Source.BANNER, Optional.of(hash)));
        ledger.close();
        assertTrue(verifyReopened().intact(), "the control");
        ledger.close();
        editNotice(hash);
        brokenAt(verifyReopened(), r.sequence(), "notice");
        assertEquals(Optional.empty(), ledger.notice(hash), "an edited notice is not passed off as the one shown");
    }

    @Test
    void theKeyRotatesAndOldRecordsStillVerify() throws Exception {
        ConsentRecord before = ledger.append(record(NOW, Source.BANNER));
        ledger.close();
        ledger = reopen(List.of(LedgerKeys.SECOND, LedgerKeys.FIRST));
        ConsentRecord after = ledger.append(record(NOW.plusSeconds(1), Source.FORM));
        assertEquals(1, ledger.erase(before.consentId()));
        Verification v = ledger.verify();
        assertTrue(v.intact(), v.toString());
        assertEquals(1, v.records());
        assertEquals(1, v.erased());
        ledger.append(record(NOW.plusSeconds(2), Source.API));
        ledger.close();
        ledger = reopen(List.of(LedgerKeys.FIRST));
        // the first link the old key alone cannot check is the tombstone the new key sealed
        brokenAt(ledger.verify(), before.sequence(), "unknown ledger key l2");
        assertTrue(after.sequence() > before.sequence());
    }

    @Test
    void recordsAndNumberingSurviveAReopen() throws Exception {
        ConsentRecord a = ledger.append(record(NOW, Source.BANNER));
        ConsentRecord b = ledger.append(record(NOW.plusSeconds(1), Source.API));
        ledger.close();
        ledger = reopen();
        assertEquals(List.of(a), ledger.find(a.consentId()));
        assertEquals(List.of(b), ledger.find(b.consentId()));
        ConsentRecord c = ledger.append(record(NOW.plusSeconds(2), Source.FORM));
        assertTrue(c.sequence() > b.sequence(), c.sequence() + " after " + b.sequence());
    }

    @Test
    void aNumberIsNeverGivenTwiceEvenAfterTheNewestRecordIsErased() throws Exception {
        String id = ConsentState.newConsentId();
        ledger.append(record(NOW, Source.BANNER));
        ConsentRecord newest = ledger.append(record(id, NOW, Source.WITHDRAWAL));
        assertEquals(1, ledger.erase(id));
        ledger.close();
        ledger = reopen();
        ConsentRecord next = ledger.append(record(NOW, Source.BANNER));
        assertTrue(next.sequence() > newest.sequence(), next.sequence() + " after " + newest.sequence());
    }
}
