package nl.i3groep.consent.ledger;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Connections handed out in pairs, for the first {@code pairs} pairs once armed: each caller waits
 * until a second one asks too. The ledger takes a lane before it asks for a connection, so two
 * appends that meet here are in flight at once, in two lanes, however fast the database and
 * however few the cores (on two, eight threads against an in-memory H2 may otherwise run one
 * after another, all in one lane).
 */
final class PairedConnections implements DataSource {

    /** A connection to the database: the test's own. */
    interface Source {
        Connection get() throws SQLException;
    }

    private final Source source;
    private final CyclicBarrier pair = new CyclicBarrier(2);
    /** Callers still to be paired: none until armed (opening the ledger asks for a connection too). */
    private final AtomicInteger unpaired = new AtomicInteger();

    PairedConnections(Source source) {
        this.source = source;
    }

    /** From now on, the next {@code pairs} pairs of callers meet before they get a connection. */
    void arm(int pairs) {
        unpaired.set(2 * pairs);
    }

    @Override
    public Connection getConnection() throws SQLException {
        if (unpaired.getAndDecrement() > 0) {
            try {
                pair.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                throw new SQLException("no second append came to pair with: " + e, e);
            }
        }
        return source.get();
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
    }

    @Override
    public void setLoginTimeout(int seconds) {
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() {
        return Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return false;
    }
}
