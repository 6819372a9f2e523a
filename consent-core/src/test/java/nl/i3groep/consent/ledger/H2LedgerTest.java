package nl.i3groep.consent.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import nl.i3groep.consent.ledger.ConsentRecord.Source;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** The JDBC store against H2 in memory: the other dialect, and the {@code DataSource} way in. */
class H2LedgerTest extends JdbcLedgerContract {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private String url;

    @Override
    protected ConsentLedger openEmpty() {
        // kept while the JVM lives, so that a reopen finds it
        url = "jdbc:h2:mem:ledger" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
        return reopen();
    }

    @Override
    protected ConsentLedger reopen() {
        return JdbcLedger.open(url, "sa", "", LedgerKeys.KEYS);
    }

    @Override
    protected ConsentLedger reopen(List<nl.i3groep.consent.cookie.SigningKey> keys) {
        return JdbcLedger.open(url, "sa", "", keys);
    }

    @Override
    protected java.sql.Connection connect() throws java.sql.SQLException {
        return java.sql.DriverManager.getConnection(url, "sa", "");
    }

    @Test
    void worksOnADataSourceToo() {
        JdbcDataSource source = new JdbcDataSource();
        source.setURL(url);
        source.setUser("sa");
        source.setPassword("");
        try (ConsentLedger viaSource = JdbcLedger.open(source, LedgerKeys.KEYS)) {
            ConsentRecord a = ledger.append(record(NOW, Source.BANNER));
            ConsentRecord b = viaSource.append(record(a.consentId(), NOW.plusSeconds(1), Source.WITHDRAWAL));
            assertEquals(List.of(a, b), viaSource.find(a.consentId()));
            assertEquals(2, viaSource.erase(a.consentId()));
            assertEquals(List.of(), ledger.find(a.consentId()));
        }
    }
}
