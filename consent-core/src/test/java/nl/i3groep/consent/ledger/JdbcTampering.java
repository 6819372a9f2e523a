package nl.i3groep.consent.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** What someone with write access to the tables could do, for the JDBC stores' tests. */
final class JdbcTampering {

    @FunctionalInterface
    interface Connect {
        Connection get() throws SQLException;
    }

    private static final String CONTENT = "consent_id, decided_at, policy_version, purposes, trackers, source, notice, "
            + "key_id, mac, seal";

    private final Connect connect;

    JdbcTampering(Connect connect) {
        this.connect = connect;
    }

    void editChoice(long seq) throws SQLException {
        update("UPDATE " + JdbcLedger.TABLE + " SET purposes = '{\"analytics\":false,\"marketing\":false}' WHERE seq = "
                + seq);
    }

    void delete(long seq) throws SQLException {
        update("DELETE FROM " + JdbcLedger.TABLE + " WHERE seq = " + seq);
    }

    /** Each row takes the other's content, MAC included, under its own number. */
    void swap(long a, long b) throws SQLException {
        try (Connection c = connect.get()) {
            c.setAutoCommit(false);
            String[] columns = CONTENT.split(", ");
            Object[][] rows = new Object[2][];
            long[] seqs = {a, b};
            for (int i = 0; i < 2; i++) {
                try (Statement s = c.createStatement();
                        ResultSet r = s.executeQuery("SELECT " + CONTENT + " FROM " + JdbcLedger.TABLE + " WHERE seq = " + seqs[i])) {
                    r.next();
                    rows[i] = new Object[columns.length];
                    for (int k = 0; k < columns.length; k++) {
                        rows[i][k] = r.getObject(k + 1);
                    }
                }
            }
            StringBuilder set = new StringBuilder();
            for (String column : columns) {
                set.append(set.length() == 0 ? "" : ", ").append(column).append(" = ?");
            }
            for (int i = 0; i < 2; i++) {
                try (PreparedStatement u = c.prepareStatement("UPDATE " + JdbcLedger.TABLE + " SET " + set + " WHERE seq = ?")) {
                    for (int k = 0; k < columns.length; k++) {
                        u.setObject(k + 1, rows[1 - i][k]);
                    }
                    u.setLong(columns.length + 1, seqs[i]);
                    u.executeUpdate();
                }
            }
            c.commit();
        }
    }

    void truncate(int count) throws SQLException {
        update("DELETE FROM " + JdbcLedger.TABLE + " WHERE seq > (SELECT MAX(seq) FROM " + JdbcLedger.TABLE + ") - " + count);
    }

    void editNotice(String hash) throws SQLException {
        update("UPDATE " + JdbcLedger.NOTICES + " SET body = REPLACE(body, 'Cookies', 'Koekjes') WHERE hash = '" + hash + "'");
    }

    private void update(String sql) throws SQLException {
        try (Connection c = connect.get(); Statement s = c.createStatement()) {
            if (s.executeUpdate(sql) < 1) {
                throw new AssertionError("changed nothing: " + sql);
            }
        }
    }
}
