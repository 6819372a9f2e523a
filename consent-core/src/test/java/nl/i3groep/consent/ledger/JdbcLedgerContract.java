package nl.i3groep.consent.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import nl.i3groep.consent.ledger.ConsentRecord.Source;
import org.junit.jupiter.api.Test;

/** The JDBC store's share of the contract: its tampering is done in SQL, over a connection of the test's own. */
abstract class JdbcLedgerContract extends DurableLedgerContract {

    private static final Instant OLD = Instant.parse("2024-01-10T00:00:00Z");

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

    @Override
    protected long cutOffReportedAt(long firstRemoved, long newestRemoved) {
        return newestRemoved;
    }

    /** The numbers of the records in each lane, by lane. */
    private TreeMap<Integer, List<Long>> lanes() throws SQLException {
        TreeMap<Integer, List<Long>> lanes = new TreeMap<>();
        try (Connection c = connect(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT lane, seq FROM " + JdbcLedger.TABLE + " ORDER BY seq")) {
            while (r.next()) {
                lanes.computeIfAbsent(r.getInt(1), l -> new ArrayList<>()).add(r.getLong(2));
            }
        }
        return lanes;
    }

    /**
     * Appends from eight threads at once, every other record an old one, through a second ledger on
     * the same tables whose first seven pairs of writes are each in flight at once, in two lanes:
     * whatever the threads' timing, two lanes take three records or more (one lane holds at most
     * one of each pair, and the other three lanes cannot share the other seven writes two apiece).
     * The numbers given.
     */
    private List<Long> appendConcurrently() throws Exception {
        int threads = 8;
        int each = 40;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        PairedConnections paired = new PairedConnections(this::connect);
        try (JdbcLedger writer = JdbcLedger.open(paired, LedgerKeys.KEYS)) {
            paired.arm(7);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<Long>>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                work.add(pool.submit(() -> {
                    go.await();
                    List<Long> seqs = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        seqs.add(writer.append(record(i % 2 == 0 ? OLD.plusSeconds(i) : NOW.plusSeconds(i),
                                Source.BANNER)).sequence());
                    }
                    return seqs;
                }));
            }
            go.countDown();
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> f : work) {
                all.addAll(f.get());
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentAppendsCommitInSeveralLanesThatVerifyAndPurgeAsOne() throws Exception {
        List<Long> numbers = appendConcurrently();
        Set<Long> distinct = new HashSet<>(numbers);
        assertEquals(numbers.size(), distinct.size(), "a number given twice");
        TreeMap<Integer, List<Long>> lanes = lanes();
        assertTrue(lanes.size() >= 2, "appends at once took one lane only: " + lanes.keySet());
        Verification v = ledger.verify();
        assertTrue(v.intact(), v.toString());
        assertEquals(numbers.size(), v.records());

        assertEquals(numbers.size() / 2, ledger.purge(Instant.parse("2025-01-01T00:00:00Z")));
        Verification purged = ledger.verify();
        assertTrue(purged.intact(), purged.toString());
        assertEquals(numbers.size() / 2, purged.records());

        // a record put in no lane breaks the lane it left, where it was
        List<Long> biggest = lanes().values().stream().max(java.util.Comparator.comparing(List::size)).orElseThrow();
        long moved = biggest.get(0);
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE " + JdbcLedger.TABLE + " SET lane = " + (JdbcLedger.LANES + 3) + " WHERE seq = " + moved);
        }
        Verification out = ledger.verify();
        assertFalse(out.intact(), "a record moved out of its lane not seen: " + out);
        assertEquals(moved, out.broken().get().sequence(), out.toString());
    }

    @Test
    void tamperingInAnyLaneIsSeen() throws Exception {
        appendConcurrently();
        List<List<Long>> lanes = lanes().values().stream().filter(l -> l.size() >= 3).toList();
        assertTrue(lanes.size() >= 2, "appends at once took one lane only (of three records or more): " + lanes());
        // the lane whose first record is numbered last: its breaks are not the first a walk of all would meet;
        // the record removed has one after it in its lane
        List<Long> lane = lanes.stream().max(java.util.Comparator.comparing(l -> l.get(0))).orElseThrow();
        long removed = lane.get(lane.size() / 2);
        long edited = lanes.stream().mapToLong(l -> l.get(0)).min().orElseThrow();
        assertTrue(edited < removed && !lane.contains(edited), edited + " in another lane, before " + removed);
        assertTrue(ledger.verify().intact(), "the control");
        tampering().delete(removed);
        Verification v = ledger.verify();
        assertFalse(v.intact(), "a removed record not seen: " + v);
        assertEquals(removed, v.broken().get().sequence(), v.toString());
        assertTrue(v.broken().get().problem().contains("missing"), v.toString());
        tampering().editChoice(edited);
        Verification both = ledger.verify();
        assertEquals(edited, both.broken().get().sequence(), "the first break of all lanes: " + both);
        assertTrue(both.broken().get().problem().contains("does not match its MAC"), both.toString());
    }

    @Test
    void aTableOfTheEarlierSingleChainIsRefusedWithWhatToDo() throws Exception {
        ledger.close();
        ledger = null;
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE " + JdbcLedger.TABLE);
            s.execute("DROP TABLE " + JdbcLedger.CHAIN);
            // as the single chain made it
            s.execute("CREATE TABLE " + JdbcLedger.TABLE + " (seq BIGINT PRIMARY KEY, consent_id VARCHAR(64), "
                    + "decided_at TIMESTAMP WITH TIME ZONE, policy_version VARCHAR(64), purposes VARCHAR(4000), "
                    + "trackers VARCHAR(4000), source VARCHAR(16), notice VARCHAR(80), key_id VARCHAR(16) NOT NULL, "
                    + "mac VARCHAR(64) NOT NULL, seal VARCHAR(64))");
        }
        LedgerException e = assertThrows(LedgerException.class, this::reopen);
        assertTrue(e.getMessage().contains("earlier version") && e.getMessage().contains("column lane"), e.getMessage());
    }
}
