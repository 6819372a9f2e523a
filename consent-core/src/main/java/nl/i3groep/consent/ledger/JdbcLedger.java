package nl.i3groep.consent.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import nl.i3groep.consent.ledger.ConsentRecord.Source;

/**
 * A ledger in a relational database, through plain JDBC: PostgreSQL (and H2, for tests) are what it
 * is tested on; the SQL is standard. Several servers may share one table: the database numbers the
 * records (an identity column), and an append is one auto-committed {@code INSERT}, as durable
 * as the database makes a commit.
 *
 * <p>The table is created if absent:
 * <pre>
 * CREATE TABLE consent_ledger (
 *   seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
 *   consent_id     VARCHAR(64)  NOT NULL,
 *   decided_at     TIMESTAMP WITH TIME ZONE NOT NULL,
 *   policy_version VARCHAR(64)  NOT NULL,
 *   purposes       VARCHAR(4000) NOT NULL,  -- JSON object, {"analytics":true}
 *   trackers       VARCHAR(4000) NOT NULL,  -- JSON object
 *   source         VARCHAR(16)  NOT NULL);  -- BANNER, FORM, API, WITHDRAWAL, GPC
 * CREATE INDEX consent_ledger_consent_id ON consent_ledger (consent_id);
 * CREATE INDEX consent_ledger_decided_at ON consent_ledger (decided_at);
 * </pre>
 * Times are kept to the microsecond (what both databases hold); {@link #append} returns the record
 * as stored.
 */
public final class JdbcLedger implements ConsentLedger {

    static final String TABLE = "consent_ledger";

    private static final String[] SCHEMA = {
        "CREATE TABLE IF NOT EXISTS " + TABLE + " ("
            + "seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
            + "consent_id VARCHAR(64) NOT NULL, "
            + "decided_at TIMESTAMP WITH TIME ZONE NOT NULL, "
            + "policy_version VARCHAR(64) NOT NULL, "
            + "purposes VARCHAR(4000) NOT NULL, "
            + "trackers VARCHAR(4000) NOT NULL, "
            + "source VARCHAR(16) NOT NULL)",
        "CREATE INDEX IF NOT EXISTS " + TABLE + "_consent_id ON " + TABLE + " (consent_id)",
        "CREATE INDEX IF NOT EXISTS " + TABLE + "_decided_at ON " + TABLE + " (decided_at)",
    };
    private static final String INSERT = "INSERT INTO " + TABLE
            + " (consent_id, decided_at, policy_version, purposes, trackers, source) VALUES (?, ?, ?, ?, ?, ?)";
    private static final String SELECT = "SELECT seq, consent_id, decided_at, policy_version, purposes, trackers, source"
            + " FROM " + TABLE + " WHERE consent_id = ? ORDER BY seq";

    private final Connections connections;
    private final String description;

    private JdbcLedger(Connections connections, String description) {
        this.connections = connections;
        this.description = description;
    }

    /**
     * Connects to {@code url} (the driver must be on the class path) with a small pool of its own,
     * and creates the table if absent.
     *
     * @param user     may be null (then the URL or the driver decides)
     * @param password may be null
     * @throws LedgerException when there is no driver for the URL or the database cannot be reached
     */
    public static JdbcLedger open(String url, String user, String password) {
        Objects.requireNonNull(url, "url");
        return init(UrlConnections.of(url, user, password), UrlConnections.describe(url));
    }

    /**
     * Uses connections from {@code dataSource} (pooled, one hopes), returning each after use, and
     * creates the table if absent. Closing the ledger leaves the data source alone.
     *
     * @throws LedgerException when the database cannot be reached
     */
    public static JdbcLedger open(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        return init(new Connections() {
            @Override
            public Connection get() throws SQLException {
                return dataSource.getConnection();
            }

            @Override
            public void release(Connection c, boolean healthy) {
                UrlConnections.closeQuietly(c);
            }

            @Override
            public void close() {
            }
        }, dataSource.toString());
    }

    private static JdbcLedger init(Connections connections, String description) {
        JdbcLedger ledger = new JdbcLedger(connections, description);
        try {
            ledger.createSchema();
        } catch (RuntimeException e) {
            connections.close();
            throw e;
        }
        return ledger;
    }

    private void createSchema() {
        run("create the table " + TABLE, c -> {
            for (String ddl : SCHEMA) {
                try (Statement s = c.createStatement()) {
                    s.execute(ddl);
                    commit(c);
                } catch (SQLException e) {
                    // another server creating it at the same moment loses a race inside the catalogue
                    rollback(c);
                    if (!tableUsable(c)) {
                        throw e;
                    }
                }
            }
            return null;
        });
    }

    private static boolean tableUsable(Connection c) {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT seq FROM " + TABLE + " WHERE 1 = 0")) {
            r.next();
            commit(c);
            return true;
        } catch (SQLException e) {
            rollback(c);
            return false;
        }
    }

    @Override
    public ConsentRecord append(ConsentRecord record) {
        Objects.requireNonNull(record, "record");
        return appendAll(List.of(record)).get(0);
    }

    /** One transaction and one round trip for all of them: all are stored or none. */
    @Override
    public List<ConsentRecord> appendAll(List<ConsentRecord> records) {
        if (records.isEmpty()) {
            return List.of();
        }
        List<ConsentRecord> stored = new ArrayList<>(records.size());
        for (ConsentRecord r : records) {
            Instant time = r.time().truncatedTo(ChronoUnit.MICROS);
            stored.add(time.equals(r.time()) ? r : new ConsentRecord(r.sequence(), r.consentId(), time,
                    r.policyVersion(), r.purposes(), r.trackers(), r.source()));
        }
        return run("append " + records.size() + " record(s)", c -> {
            boolean single = stored.size() == 1;
            boolean auto = c.getAutoCommit();
            if (!single && auto) {
                c.setAutoCommit(false);
            }
            try (PreparedStatement insert = c.prepareStatement(INSERT, Statement.RETURN_GENERATED_KEYS)) {
                for (ConsentRecord r : stored) {
                    insert.setString(1, r.consentId());
                    insert.setObject(2, r.time().atOffset(ZoneOffset.UTC));
                    insert.setString(3, r.policyVersion());
                    insert.setString(4, RecordJson.choices(r.purposes()));
                    insert.setString(5, RecordJson.choices(r.trackers()));
                    insert.setString(6, r.source().name());
                    if (!single) {
                        insert.addBatch();
                    }
                }
                if (single) {
                    insert.executeUpdate();
                } else {
                    insert.executeBatch();
                }
                List<ConsentRecord> numbered = new ArrayList<>(stored.size());
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    // the identity column comes first, whether a driver returns it alone or the whole row
                    while (keys.next()) {
                        numbered.add(stored.get(numbered.size()).numbered(keys.getLong(1)));
                    }
                }
                if (numbered.size() != stored.size()) {
                    throw new SQLException("the driver returned " + numbered.size() + " generated keys for "
                            + stored.size() + " rows");
                }
                if (!single || !auto) {
                    c.commit();
                }
                return numbered;
            } catch (SQLException | RuntimeException e) {
                rollback(c);
                throw e;
            } finally {
                if (!single && auto) {
                    c.setAutoCommit(true);
                }
            }
        });
    }

    @Override
    public List<ConsentRecord> find(String consentId) {
        Objects.requireNonNull(consentId, "consentId");
        return run("find the records of a consent id", c -> {
            List<ConsentRecord> found = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(SELECT)) {
                select.setString(1, consentId);
                try (ResultSet r = select.executeQuery()) {
                    while (r.next()) {
                        found.add(new ConsentRecord(r.getLong(1), r.getString(2),
                                r.getObject(3, OffsetDateTime.class).toInstant(), r.getString(4),
                                RecordJson.choices(r.getString(5)), RecordJson.choices(r.getString(6)),
                                Source.valueOf(r.getString(7))));
                    }
                }
            }
            commit(c);
            return found;
        });
    }

    @Override
    public int erase(String consentId) {
        Objects.requireNonNull(consentId, "consentId");
        return update("erase a consent id", "DELETE FROM " + TABLE + " WHERE consent_id = ?", consentId);
    }

    @Override
    public int purge(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        return update("purge old records", "DELETE FROM " + TABLE + " WHERE decided_at < ?",
                cutoff.atOffset(ZoneOffset.UTC));
    }

    private int update(String what, String sql, Object parameter) {
        return run(what, c -> {
            try (PreparedStatement delete = c.prepareStatement(sql)) {
                delete.setObject(1, parameter);
                int n = delete.executeUpdate();
                commit(c);
                return n;
            }
        });
    }

    /** Closes the connections this ledger opened itself (none from a data source). */
    @Override
    public void close() {
        connections.close();
    }

    @Override
    public String toString() {
        return "JdbcLedger[" + description + "]";
    }

    private <T> T run(String what, SqlAction<T> action) {
        Connection c;
        try {
            c = connections.get();
        } catch (SQLException e) {
            throw new LedgerException("cannot connect to the consent ledger at " + description + ": "
                    + e.getMessage(), e);
        }
        boolean healthy = false;
        try {
            T result = action.run(c);
            healthy = true;
            return result;
        } catch (SQLException e) {
            throw new LedgerException("cannot " + what + " in the consent ledger at " + description + ": "
                    + e.getMessage(), e);
        } finally {
            connections.release(c, healthy);
        }
    }

    /** Ends what a data source's connection without auto-commit started; nothing otherwise. */
    private static void commit(Connection c) throws SQLException {
        if (!c.getAutoCommit()) {
            c.commit();
        }
    }

    private static void rollback(Connection c) {
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
            }
        } catch (SQLException e) {
            // the connection is discarded as unhealthy anyway
        }
    }

    @FunctionalInterface
    private interface SqlAction<T> {
        T run(Connection c) throws SQLException;
    }

    /** Where connections come from and go back to. */
    interface Connections {
        Connection get() throws SQLException;

        void release(Connection c, boolean healthy);

        void close();
    }
}
