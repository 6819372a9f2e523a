package nl.i3groep.consent.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import nl.i3groep.consent.ledger.ConsentRecord.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The JDBC store against a real PostgreSQL, started for this class. */
class PostgresLedgerTest extends JdbcLedgerContract {

    private static PostgresServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = PostgresServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected ConsentLedger openEmpty() throws Exception {
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + JdbcLedger.TABLE + ", " + JdbcLedger.CHAIN + ", " + JdbcLedger.NOTICES);
        }
        return reopen();
    }

    @Override
    protected ConsentLedger reopen() {
        return JdbcLedger.open(server.url(), server.user(), null, LedgerKeys.KEYS);
    }

    @Override
    protected ConsentLedger reopen(List<nl.i3groep.consent.cookie.SigningKey> keys) {
        return JdbcLedger.open(server.url(), server.user(), null, keys);
    }

    @Override
    protected java.sql.Connection connect() throws java.sql.SQLException {
        return server.connect();
    }

    @Test
    void createsOneTableWithIndexesOnConsentIdAndTime() throws Exception {
        try (Connection c = server.connect(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT indexdef FROM pg_indexes WHERE tablename = 'consent_ledger'"
                        + " ORDER BY indexname")) {
            StringBuilder all = new StringBuilder();
            while (r.next()) {
                all.append(r.getString(1)).append('\n');
            }
            assertTrue(all.toString().contains("(consent_id)"), all.toString());
            assertTrue(all.toString().contains("(decided_at)"), all.toString());
        }
    }

    @Test
    void twoLedgersOnOneTableNumberAsOne() {
        try (ConsentLedger second = JdbcLedger.open(server.url(), server.user(), null, LedgerKeys.KEYS)) {
            ConsentRecord a = ledger.append(record(NOW, Source.BANNER));
            ConsentRecord b = second.append(record(NOW, Source.BANNER));
            ConsentRecord c = ledger.append(record(NOW, Source.BANNER));
            assertTrue(a.sequence() < b.sequence() && b.sequence() < c.sequence(), List.of(a, b, c).toString());
            assertEquals(List.of(b), ledger.find(b.consentId()));
            // one numbering over both servers' lanes, each lane's chain whole
            Verification v = second.verify();
            assertTrue(v.intact() && v.records() == 3, v.toString());
        }
    }

    @Test
    void aDatabaseThatRefusesFailsWithTheUrlAndWithoutThePassword() {
        String url = server.url().replace("/postgres", "/no_such_database");
        LedgerException e = assertThrows(LedgerException.class, () -> JdbcLedger.open(url, "postgres", "s3cret-pw", LedgerKeys.KEYS));
        assertTrue(e.getMessage().contains("no_such_database"), e.getMessage());
        assertTrue(!e.getMessage().contains("s3cret-pw"), e.getMessage());
    }

    @Test
    void aRecordTheTableCannotHoldFailsAndTheLedgerGoesOn() {
        ConsentRecord tooLong = new ConsentRecord(0, "x".repeat(65), NOW, "2024-05", java.util.Map.of(),
                java.util.Map.of(), Source.API);
        LedgerException e = assertThrows(LedgerException.class, () -> ledger.append(tooLong));
        assertTrue(e.getMessage().contains("append"), e.getMessage());
        ConsentRecord fine = ledger.append(record(NOW, Source.API));
        assertEquals(List.of(fine), ledger.find(fine.consentId()));
    }
}
