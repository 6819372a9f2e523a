package nl.i3groep.consent.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import nl.i3groep.consent.config.ConsentConfig.LedgerSettings;
import nl.i3groep.consent.config.ConsentConfig.LedgerType;
import nl.i3groep.consent.ledger.ConsentRecord.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerFactoryTest {

    private static final Duration TWO_YEARS = Duration.ofDays(730);

    private static LedgerSettings settings(LedgerType type, Path path, String url, String password) {
        return new LedgerSettings(type, Optional.ofNullable(path), Optional.ofNullable(url), Optional.of("sa"),
                Optional.ofNullable(password), TWO_YEARS, LedgerKeys.KEYS);
    }

    @Test
    void fileOpensTheDirectoryItNames(@TempDir Path dir) throws Exception {
        Path where = dir.resolve("ledger");
        try (ConsentLedger ledger = ConsentLedger.open(settings(LedgerType.FILE, where, null, null))) {
            FileLedger file = assertInstanceOf(FileLedger.class, ledger);
            assertEquals(where.toAbsolutePath(), file.directory());
            ConsentRecord r = ledger.append(LedgerContract.record(LedgerContract.NOW, Source.BANNER));
            assertEquals(List.of(r), ledger.find(r.consentId()));
        }
        assertTrue(Files.exists(where.resolve("ledger-2026-11.jsonl")));
    }

    @Test
    void jdbcConnectsToTheUrlItNames() {
        String url = "jdbc:h2:mem:factory;DB_CLOSE_DELAY=-1";
        try (ConsentLedger ledger = ConsentLedger.open(settings(LedgerType.JDBC, null, url, ""))) {
            assertInstanceOf(JdbcLedger.class, ledger);
            ConsentRecord r = ledger.append(LedgerContract.record(LedgerContract.NOW, Source.GPC));
            assertEquals(List.of(r), ledger.find(r.consentId()));
        }
    }

    @Test
    void memoryIsMemory() {
        assertInstanceOf(MemoryLedger.class, ConsentLedger.open(settings(LedgerType.MEMORY, null, null, null)));
    }

    @Test
    void whatCannotBeOpenedFailsSayingWhatAndWhy() {
        LedgerException noDriver = assertThrows(LedgerException.class,
                () -> ConsentLedger.open(settings(LedgerType.JDBC, null, "jdbc:nosuchdb://host/db?password=pw1", "pw2")));
        assertTrue(noDriver.getMessage().contains("no JDBC driver") && noDriver.getMessage().contains("jdbc:nosuchdb://host/db"),
                noDriver.getMessage());
        assertFalse(noDriver.getMessage().contains("pw1") || noDriver.getMessage().contains("pw2"), noDriver.getMessage());

        LedgerException noUrl = assertThrows(LedgerException.class,
                () -> ConsentLedger.open(settings(LedgerType.JDBC, null, null, null)));
        assertTrue(noUrl.getMessage().contains("\"url\""), noUrl.getMessage());

        LedgerException noPath = assertThrows(LedgerException.class,
                () -> ConsentLedger.open(settings(LedgerType.FILE, null, null, null)));
        assertTrue(noPath.getMessage().contains("\"path\""), noPath.getMessage());
    }
}
