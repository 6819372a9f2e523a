package nl.i3groep.consent.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import nl.i3groep.consent.ledger.ConsentRecord.Source;
import org.junit.jupiter.api.Test;

class MemoryLedgerTest extends LedgerContract {

    @Override
    protected ConsentLedger openEmpty() {
        return new MemoryLedger();
    }

    @Test
    void allListsEveryRecordInOrderOfAppending() {
        ConsentRecord a = ledger.append(record(NOW.plusSeconds(5), Source.BANNER));
        ConsentRecord b = ledger.append(record(NOW, Source.FORM));
        assertEquals(List.of(a, b), ((MemoryLedger) ledger).all());
    }
}
