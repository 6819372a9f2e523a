package nl.i3groep.consent.ledger;

import java.sql.Connection;
import java.sql.SQLException;

/** The JDBC store's share of the contract: its tampering is done in SQL, over a connection of the test's own. */
abstract class JdbcLedgerContract extends DurableLedgerContract {

    /** A connection to the database the ledger is in. */
    protected abstract Connection connect() throws SQLException;

    private JdbcTampering tampering() {
        return new JdbcTampering(this::connect);
    }

    @Override
    protected void editChoice(long sequence) throws Exception {
        tampering().editChoice(sequence);
    }

    @Override
    protected void delete(long sequence) throws Exception {
        tampering().delete(sequence);
    }

    @Override
    protected void swap(long a, long b) throws Exception {
        tampering().swap(a, b);
    }

    @Override
    protected void truncate(int count) throws Exception {
        tampering().truncate(count);
    }

    @Override
    protected void editNotice(String hash) throws Exception {
        tampering().editNotice(hash);
    }
}
