package nl.i3groep.consent.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import nl.i3groep.consent.ConsentState;
import nl.i3groep.consent.ledger.ConsentRecord.Source;
import org.junit.jupiter.api.Test;

/** What a store that outlives the ledger object must do besides. */
abstract class DurableLedgerContract extends LedgerContract {

    /** The same store again, {@link #ledger} having been closed. */
    protected abstract ConsentLedger reopen() throws Exception;

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
