package nl.i3groep.consent.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import nl.i3groep.consent.ConsentState;
import nl.i3groep.consent.ledger.ConsentRecord.Source;
import org.junit.jupiter.api.Test;

class MemoryLedgerTest {

    private final MemoryLedger ledger = new MemoryLedger();

    private static ConsentRecord record(String time, Source source) {
        return ConsentRecord.of(ConsentState.decide(Instant.parse(time), "2024-05", Map.of("analytics", true),
                Map.of()), source);
    }

    @Test
    void appendsNumberedRecordsAndFindsThemById() {
        ConsentRecord a = ledger.append(record("2026-01-01T00:00:00Z", Source.BANNER));
        ConsentRecord b = ledger.append(record("2026-01-02T00:00:00Z", Source.FORM));
        assertEquals(1, a.sequence());
        assertEquals(2, b.sequence());
        assertEquals(List.of(a), ledger.find(a.consentId()));
        assertEquals(Source.FORM, ledger.find(b.consentId()).get(0).source());
    }

    @Test
    void erasesOneIdAndPurgesWhatIsOld() {
        ConsentRecord old = ledger.append(record("2023-01-01T00:00:00Z", Source.API));
        ConsentRecord recent = ledger.append(record("2026-01-01T00:00:00Z", Source.WITHDRAWAL));
        assertEquals(1, ledger.purge(Instant.parse("2024-01-01T00:00:00Z")));
        assertTrue(ledger.find(old.consentId()).isEmpty());
        assertEquals(1, ledger.erase(recent.consentId()));
        assertEquals(0, ledger.erase(recent.consentId()));
        assertTrue(ledger.all().isEmpty());
    }
}
