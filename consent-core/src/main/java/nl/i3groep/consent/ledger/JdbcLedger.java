package nl.i3groep.consent.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import nl.i3groep.consent.cookie.SigningKey;
import nl.i3groep.consent.ledger.ConsentRecord.Source;

/**
 * A ledger in a relational database, through plain JDBC: PostgreSQL (and H2, for tests) are what it
 * is tested on. Several servers may share one table. The records form {@value #LANES} chains
 * (lanes) under one numbering, so that appends of several threads commit side by side; each record
 * names its lane and the number of the record before it in its lane. An append moves its lane's
 * head row from the number it read to the new one, in the same commit as the records, so that of
 * two servers appending at once one wins and the other reads the heads and chains again; a number
 * another server took fails the insert the same way. Appends of threads that find every lane busy
 * go in one commit. On PostgreSQL an append is one statement (a data-modifying {@code WITH});
 * elsewhere a transaction of an {@code UPDATE} and an {@code INSERT}.
 *
 * <p>The tables are created if absent:
 * <pre>
 * CREATE TABLE consent_ledger (
 *   seq            BIGINT PRIMARY KEY,
 *   consent_id     VARCHAR(64),             -- NULL once erased, as are the next six
 *   decided_at     TIMESTAMP WITH TIME ZONE,
 *   policy_version VARCHAR(64),
 *   purposes       VARCHAR(4000),           -- JSON object, {"analytics":true}
 *   trackers       VARCHAR(4000),           -- JSON object
 *   source         VARCHAR(16),             -- BANNER, FORM, API, WITHDRAWAL, GPC
 *   notice         VARCHAR(80),             -- the hash of the notice shown, or NULL
 *   key_id         VARCHAR(16) NOT NULL,    -- the ledger key of the MAC (of the seal, once erased)
 *   mac            VARCHAR(64) NOT NULL,    -- over the record and the MAC before it
 *   seal           VARCHAR(64),             -- set once erased
 *   lane           SMALLINT NOT NULL,       -- the chain it is in, 0 to 3
 *   prev           BIGINT NOT NULL);        -- the number of the record before it in its lane, 0 for none
 * CREATE INDEX consent_ledger_consent_id ON consent_ledger (consent_id);
 * CREATE INDEX consent_ledger_decided_at ON consent_ledger (decided_at);
 * CREATE TABLE consent_ledger_chain (      -- per lane n: 'head<i>n</i>', and 'start<i>n</i>' (the last purge's checkpoint)
 *   name VARCHAR(8) PRIMARY KEY, seq BIGINT NOT NULL, mac VARCHAR(64) NOT NULL,
 *   key_id VARCHAR(16) NOT NULL, seal VARCHAR(64) NOT NULL);
 * CREATE TABLE consent_notice (hash VARCHAR(80) PRIMARY KEY, body VARCHAR(1000000) NOT NULL);
 * </pre>
 * Times are kept to the microsecond (what both databases hold); {@link #append} returns the record
 * as stored.
 */
public final class JdbcLedger implements ConsentLedger {

    static final String TABLE = "consent_ledger";
    static final String CHAIN = "consent_ledger_chain";
    static final String NOTICES = "consent_notice";

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JdbcLedger.class);
    private static final String[] SCHEMA = {
        "CREATE TABLE IF NOT EXISTS " + TABLE + " ("
            + "seq BIGINT PRIMARY KEY, "
            + "consent_id VARCHAR(64), "
            + "decided_at TIMESTAMP WITH TIME ZONE, "
            + "policy_version VARCHAR(64), "
            + "purposes VARCHAR(4000), "
            + "trackers VARCHAR(4000), "
            + "source VARCHAR(16), "
            + "notice VARCHAR(80), "
            + "key_id VARCHAR(16) NOT NULL, "
            + "mac VARCHAR(64) NOT NULL, "
            + "seal VARCHAR(64), "
            + "lane SMALLINT NOT NULL, "
            + "prev BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS " + TABLE + "_consent_id ON " + TABLE + " (consent_id)",
        "CREATE INDEX IF NOT EXISTS " + TABLE + "_decided_at ON " + TABLE + " (decided_at)",
        "CREATE TABLE IF NOT EXISTS " + CHAIN + " (name VARCHAR(8) PRIMARY KEY, seq BIGINT NOT NULL, "
            + "mac VARCHAR(64) NOT NULL, key_id VARCHAR(16) NOT NULL, seal VARCHAR(64) NOT NULL)",
        "CREATE TABLE IF NOT EXISTS " + NOTICES + " (hash VARCHAR(80) PRIMARY KEY, body VARCHAR(1000000) NOT NULL)",
    };
    private static final String COLUMNS = "seq, consent_id, decided_at, policy_version, purposes, trackers, source, "
            + "notice, key_id, mac, lane, prev";
    private static final String INSERT = "INSERT INTO " + TABLE + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            + " ?, ?)";
    private static final String MOVE_HEAD = "UPDATE " + CHAIN + " SET seq = ?, mac = ?, key_id = ?, seal = ?"
            + " WHERE name = ? AND seq = ?";
    private static final String FIELDS = "seq, consent_id, decided_at, policy_version, purposes, trackers, source,"
            + " notice, key_id, mac, seal";
    private static final String SELECT = "SELECT " + FIELDS + " FROM " + TABLE;
    /**
     * Chains that take appends side by side, each with its head and start row: a commit waits for
     * the one before it in its chain only, so that concurrent appends commit concurrently (and
     * share PostgreSQL's flushes of its log) as they would without a chain.
     */
    static final int LANES = 4;
    /** Rows per statement: PostgreSQL takes at most 65,535 parameters in one. */
    private static final int CHUNK = 500;
    private static final int ATTEMPTS = 20;

    private final Connections connections;
    private final String description;
    private final Chain chain;
    private boolean postgres;
    private final Set<String> notices = ConcurrentHashMap.newKeySet();

    /**
     * Guards the queue and the lanes: a caller who finds a lane idle writes everything queued on
     * it, in one commit, and wakes the others whose records it wrote (group commit, as the file
     * store's); one who finds none waits for a commit, whose writer may have taken its records.
     */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition written = lock.newCondition();
    private final List<Pending> queue = new ArrayList<>();
    private final boolean[] busy = new boolean[LANES];
    /** Where this ledger looks for an idle lane first: servers sharing the table start apart. */
    private final int firstLane = java.util.concurrent.ThreadLocalRandom.current().nextInt(LANES);
    /**
     * Each lane's head as this ledger last wrote or read it; null when it must be read. Only the
     * lane's writer's.
     */
    private final Entry.Anchor[] tips = new Entry.Anchor[LANES];
    /** The highest number this ledger gave or saw in a head: the lanes share one numbering. */
    private final java.util.concurrent.atomic.AtomicLong issued = new java.util.concurrent.atomic.AtomicLong();

    private JdbcLedger(Connections connections, String description, Chain chain) {
        this.connections = connections;
        this.description = description;
        this.chain = chain;
    }

    /**
     * Connects to {@code url} (the driver must be on the class path) with a small pool of its own,
     * and creates the tables if absent.
     *
     * @param user     may be null (then the URL or the driver decides)
     * @param password may be null
     * @param keys     the ledger keys: the first makes new MACs, the others verify older ones
     * @throws LedgerException when there is no driver for the URL or the database cannot be reached
     */
    public static JdbcLedger open(String url, String user, String password, List<SigningKey> keys) {
        Objects.requireNonNull(url, "url");
        Chain chain = new Chain(keys);
        return init(UrlConnections.of(url, user, password), UrlConnections.describe(url), chain);
    }

    /**
     * Uses connections from {@code dataSource} (pooled, one hopes), returning each after use, and
     * creates the tables if absent. Closing the ledger leaves the data source alone.
     *
     * @throws LedgerException when the database cannot be reached
     */
    public static JdbcLedger open(DataSource dataSource, List<SigningKey> keys) {
        Objects.requireNonNull(dataSource, "dataSource");
        Chain chain = new Chain(keys);
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
        }, dataSource.toString(), chain);
    }

    private static JdbcLedger init(Connections connections, String description, Chain chain) {
        JdbcLedger ledger = new JdbcLedger(connections, description, chain);
        try {
            ledger.createSchema();
        } catch (RuntimeException e) {
            connections.close();
            throw e;
        }
        return ledger;
    }

    private void createSchema() {
        run("create the tables", c -> {
            postgres = "PostgreSQL".equals(c.getMetaData().getDatabaseProductName());
            for (String ddl : SCHEMA) {
                try (Statement s = c.createStatement()) {
                    s.execute(ddl);
                    commit(c);
                } catch (SQLException e) {
                    // another server creating it at the same moment loses a race inside the catalogue
                    rollback(c);
                    if (!usable(c, "SELECT seq FROM " + TABLE + " WHERE 1 = 0")
                            || !usable(c, "SELECT seq FROM " + CHAIN + " WHERE 1 = 0")
                            || !usable(c, "SELECT hash FROM " + NOTICES + " WHERE 1 = 0")) {
                        throw e;
                    }
                }
            }
            if (!usable(c, "SELECT mac FROM " + TABLE + " WHERE 1 = 0")) {
                throw new SQLException("the table " + TABLE + " has no column mac: it was made before the ledger was "
                        + "chained; rename it, and copy its rows into the new one through the API if they are needed");
            }
            if (!usable(c, "SELECT lane, prev FROM " + TABLE + " WHERE 1 = 0")) {
                throw new SQLException("the table " + TABLE + " has no column lane: it was made by an earlier version "
                        + "of the ledger, with one chain; rename it and " + CHAIN + ", and copy its rows into the new "
                        + "one through the API if they are needed");
            }
            for (String name : anchorNames()) {
                if (anchor(c, name, false).isEmpty()) {
                    Entry.Anchor genesis = chain.anchor(name, 0, Chain.GENESIS);
                    try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + CHAIN
                            + " (name, seq, mac, key_id, seal) VALUES (?, ?, ?, ?, ?)")) {
                        insert.setString(1, name);
                        insert.setLong(2, 0);
                        insert.setString(3, genesis.mac());
                        insert.setString(4, genesis.key());
                        insert.setString(5, genesis.seal());
                        insert.executeUpdate();
                        commit(c);
                    } catch (SQLException e) {
                        rollback(c);
                        if (anchor(c, name, false).isEmpty()) {
                            throw e;
                        }
                    }
                }
            }
            return null;
        });
    }

    private static List<String> anchorNames() {
        List<String> names = new ArrayList<>();
        for (int lane = 0; lane < LANES; lane++) {
            names.add(head(lane));
            names.add(start(lane));
        }
        return names;
    }

    /** The name of a lane's head row, also the kind of its seal. */
    private static String head(int lane) {
        return "head" + lane;
    }

    /** The name of a lane's start row (the last purge's checkpoint), also the kind of its seal. */
    private static String start(int lane) {
        return "start" + lane;
    }

    private static boolean usable(Connection c, String probe) {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(probe)) {
            r.next();
            commit(c);
            return true;
        } catch (SQLException e) {
            rollback(c);
            return false;
        }
    }

    private static Optional<Entry.Anchor> anchor(Connection c, String name, boolean forUpdate) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT seq, mac, key_id, seal FROM " + CHAIN
                + " WHERE name = ?" + (forUpdate ? " FOR UPDATE" : ""))) {
            select.setString(1, name);
            try (ResultSet r = select.executeQuery()) {
                return r.next() ? Optional.of(anchor(r)) : Optional.empty();
            }
        }
    }

    /** The anchor of a row whose first columns are {@code seq, mac, key_id, seal}. */
    private static Entry.Anchor anchor(ResultSet r) throws SQLException {
        return new Entry.Anchor(r.getLong(1), r.getString(2), r.getString(3), r.getString(4));
    }

    @Override
    public ConsentRecord append(ConsentRecord record) {
        Objects.requireNonNull(record, "record");
        return appendAll(List.of(record)).get(0);
    }

    /**
     * Chained after the head and committed with it, together with what other threads queued
     * meanwhile: all of one call are stored, or none (unless it is larger than one statement takes).
     */
    @Override
    public List<ConsentRecord> appendAll(List<ConsentRecord> records) {
        if (records.isEmpty()) {
            return List.of();
        }
        List<ConsentRecord> stored = new ArrayList<>(records.size());
        for (ConsentRecord r : records) {
            // refused alone, before it shares a commit with others' records
            fits(r);
            stored.add(r.toMicros());
        }
        Pending mine = new Pending(stored);
        lock.lock();
        try {
            queue.add(mine);
            while (mine.numbered == null && mine.failure == null) {
                int lane = mine.taken ? -1 : idleLane();
                if (lane < 0) {
                    written.awaitUninterruptibly();
                    continue;
                }
                busy[lane] = true;
                List<Pending> batch = new ArrayList<>(queue);
                queue.clear();
                batch.forEach(p -> p.taken = true);
                lock.unlock();
                try {
                    write(lane, batch);
                } finally {
                    lock.lock();
                    busy[lane] = false;
                    written.signalAll();
                }
            }
        } finally {
            lock.unlock();
        }
        if (mine.failure != null) {
            throw new LedgerException(mine.failure.getMessage(), mine.failure);
        }
        return mine.numbered;
    }

    /** An idle lane, the first one looked at if it is: a lone caller always writes on the same. Under the lock. */
    private int idleLane() {
        for (int i = 0; i < LANES; i++) {
            int lane = (firstLane + i) % LANES;
            if (!busy[lane]) {
                return lane;
            }
        }
        return -1;
    }

    private static void fits(ConsentRecord r) {
        String problem = r.consentId().length() > 64 ? "its consent id is longer than 64 characters"
                : r.policyVersion().length() > 64 ? "its policy version is longer than 64 characters"
                : RecordJson.choices(r.purposes()).length() > 4000 ? "its purposes are longer than 4000 characters"
                : RecordJson.choices(r.trackers()).length() > 4000 ? "its trackers are longer than 4000 characters"
                : r.notice().map(String::length).orElse(0) > 80 ? "its notice is longer than 80 characters" : null;
        if (problem != null) {
            throw new LedgerException("cannot append a record the table cannot hold: " + problem);
        }
    }

    /** Records queued by one caller, and what became of them: written by the writer, read after {@link #lock}. */
    private static final class Pending {
        final List<ConsentRecord> records;
        /** In a writer's batch. */
        boolean taken;
        List<ConsentRecord> numbered;
        LedgerException failure;

        Pending(List<ConsentRecord> records) {
            this.records = records;
        }
    }

    /** Writes the queued records in chunks; each caller learns the fate of its own. Only the writer. */
    private void write(int lane, List<Pending> batch) {
        List<ConsentRecord> all = new ArrayList<>();
        batch.forEach(p -> all.addAll(p.records));
        List<ConsentRecord> numbered = new ArrayList<>(all.size());
        LedgerException failure = null;
        try {
            for (int from = 0; from < all.size(); from += CHUNK) {
                numbered.addAll(writeChunk(lane, all.subList(from, Math.min(all.size(), from + CHUNK))));
            }
        } catch (LedgerException e) {
            failure = e;
        } catch (RuntimeException e) {
            // every caller in the batch waits for its answer: none may be left without one
            failure = new LedgerException("cannot append to the consent ledger at " + description + ": " + e, e);
        }
        int at = 0;
        for (Pending p : batch) {
            int end = at + p.records.size();
            if (end <= numbered.size()) {
                p.numbered = List.copyOf(numbered.subList(at, end));
            } else {
                p.failure = failure;
            }
            at = end;
        }
    }

    private List<ConsentRecord> writeChunk(int lane, List<ConsentRecord> records) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try {
                List<ConsentRecord> numbered = run("append " + records.size() + " record(s)", c -> {
                    if (tips[lane] == null) {
                        tips[lane] = readHeads(c, lane);
                        commit(c);
                    }
                    Entry.Anchor tip = tips[lane];
                    int size = records.size();
                    // after the lane's head, and after every number this ledger gave on any lane
                    long seq = issued.updateAndGet(i -> Math.max(i, tip.sequence()) + size) - size;
                    List<ConsentRecord> n = new ArrayList<>(size);
                    for (ConsentRecord r : records) {
                        n.add(r.numbered(++seq));
                    }
                    List<Entry.Kept> linked = chain.link(tip.mac(), n);
                    Entry.Anchor head = chain.anchor(head(lane), seq, linked.get(linked.size() - 1).mac());
                    if (!(postgres ? insertAtOnce(c, lane, tip, linked, head)
                            : insertInTransaction(c, lane, tip, linked, head))) {
                        return null;
                    }
                    tips[lane] = head;
                    return n;
                });
                if (numbered != null) {
                    return numbered;
                }
                // another server moved the head, or took the number: read the heads, chain again
                tips[lane] = null;
            } catch (LedgerException e) {
                tips[lane] = null;
                throw e;
            }
        }
        throw new LedgerException("cannot append to the consent ledger at " + description + ": the head moved "
                + ATTEMPTS + " times while appending (other servers appending without pause?)");
    }

    /** The head of {@code lane}; raises {@link #issued} to the highest number any head names. */
    private Entry.Anchor readHeads(Connection c, int lane) throws SQLException {
        Entry.Anchor mine = null;
        long highest = 0;
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT seq, mac, key_id, seal, name FROM "
                + CHAIN + " WHERE name LIKE 'head%'")) {
            while (r.next()) {
                highest = Math.max(highest, r.getLong(1));
                if (r.getString(5).equals(head(lane))) {
                    mine = anchor(r);
                }
            }
        }
        if (mine == null) {
            throw new SQLException("the row '" + head(lane) + "' of " + CHAIN + " is missing");
        }
        issued.accumulateAndGet(highest, Math::max);
        return mine;
    }

    /**
     * One statement: the head moves only from where it was read, and the rows go in only if it did.
     * The rows come as arrays, so that the statement's text is the same for any number of them and
     * PostgreSQL plans it once per connection.
     */
    private static final String INSERT_AT_ONCE = "WITH h AS (" + MOVE_HEAD + " RETURNING seq) INSERT INTO " + TABLE
            + " (" + COLUMNS + ") SELECT s, c, CAST(t AS TIMESTAMPTZ), p, pu, tr, so, n, k, m, CAST(? AS SMALLINT), pv"
            + " FROM unnest(CAST(? AS BIGINT[]), CAST(? AS VARCHAR[]), CAST(? AS VARCHAR[]), CAST(? AS VARCHAR[]),"
            + " CAST(? AS VARCHAR[]), CAST(? AS VARCHAR[]), CAST(? AS VARCHAR[]), CAST(? AS VARCHAR[]), CAST(? AS VARCHAR[]),"
            + " CAST(? AS VARCHAR[]), CAST(? AS BIGINT[])) AS v(s, c, t, p, pu, tr, so, n, k, m, pv)"
            + " WHERE EXISTS (SELECT 1 FROM h)";

    /** A single record, the usual append, as plain parameters: no arrays to build and take apart. */
    private static final String INSERT_ONE = "WITH h AS (" + MOVE_HEAD + " RETURNING seq) INSERT INTO " + TABLE
            + " (" + COLUMNS + ") SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM h)";

    private boolean insertAtOnce(Connection c, int lane, Entry.Anchor tip, List<Entry.Kept> linked, Entry.Anchor head)
            throws SQLException {
        int n = linked.size();
        if (n == 1) {
            try (PreparedStatement insert = c.prepareStatement(INSERT_ONE)) {
                row(insert, moveHead(insert, 1, lane, head, tip.sequence()), linked.get(0), lane, tip.sequence());
                return committed(c, insert, 1);
            }
        }
        Long[] seq = new Long[n];
        Long[] prev = new Long[n];
        String[][] text = new String[9][n];
        for (int i = 0; i < n; i++) {
            Entry.Kept k = linked.get(i);
            ConsentRecord r = k.record();
            seq[i] = r.sequence();
            prev[i] = i == 0 ? tip.sequence() : seq[i - 1];
            text[0][i] = r.consentId();
            text[1][i] = r.time().toString();
            text[2][i] = r.policyVersion();
            text[3][i] = RecordJson.choices(r.purposes());
            text[4][i] = RecordJson.choices(r.trackers());
            text[5][i] = r.source().name();
            text[6][i] = r.notice().orElse(null);
            text[7][i] = k.key();
            text[8][i] = k.mac();
        }
        try (PreparedStatement insert = c.prepareStatement(INSERT_AT_ONCE)) {
            int p = moveHead(insert, 1, lane, head, tip.sequence());
            insert.setInt(p++, lane);
            insert.setArray(p++, c.createArrayOf("int8", seq));
            for (String[] column : text) {
                insert.setArray(p++, c.createArrayOf("varchar", column));
            }
            insert.setArray(p++, c.createArrayOf("int8", prev));
            return committed(c, insert, n);
        }
    }

    /** Runs the statement that moves the head and inserts {@code n} rows; false when another server came first. */
    private static boolean committed(Connection c, PreparedStatement insert, int n) throws SQLException {
        int rows;
        try {
            rows = insert.executeUpdate();
        } catch (SQLException e) {
            rollback(c);
            if (conflict(e)) {
                return false;
            }
            throw e;
        }
        commit(c);
        return rows == n;
    }

    private boolean insertInTransaction(Connection c, int lane, Entry.Anchor tip, List<Entry.Kept> linked,
            Entry.Anchor head) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement move = c.prepareStatement(MOVE_HEAD); PreparedStatement insert = c.prepareStatement(INSERT)) {
            moveHead(move, 1, lane, head, tip.sequence());
            if (move.executeUpdate() != 1) {
                c.rollback();
                return false;
            }
            long prev = tip.sequence();
            for (Entry.Kept k : linked) {
                row(insert, 1, k, lane, prev);
                prev = k.sequence();
                insert.addBatch();
            }
            insert.executeBatch();
            c.commit();
            return true;
        } catch (SQLException e) {
            rollback(c);
            if (conflict(e)) {
                return false;
            }
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** A number another server took first: integrity constraint violation, or a serialization failure. */
    private static boolean conflict(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("23") || state.equals("40001"));
    }

    private static int moveHead(PreparedStatement s, int p, int lane, Entry.Anchor head, long from) throws SQLException {
        s.setLong(p++, head.sequence());
        s.setString(p++, head.mac());
        s.setString(p++, head.key());
        s.setString(p++, head.seal());
        s.setString(p++, head(lane));
        s.setLong(p++, from);
        return p;
    }

    private static int row(PreparedStatement s, int p, Entry.Kept k, int lane, long prev) throws SQLException {
        ConsentRecord r = k.record();
        s.setLong(p++, r.sequence());
        s.setString(p++, r.consentId());
        s.setObject(p++, r.time().atOffset(ZoneOffset.UTC));
        s.setString(p++, r.policyVersion());
        s.setString(p++, RecordJson.choices(r.purposes()));
        s.setString(p++, RecordJson.choices(r.trackers()));
        s.setString(p++, r.source().name());
        s.setString(p++, r.notice().orElse(null));
        s.setString(p++, k.key());
        s.setString(p++, k.mac());
        s.setInt(p++, lane);
        s.setLong(p++, prev);
        return p;
    }

    /** The entry of a row of {@link #SELECT}. */
    private static Entry entry(ResultSet r) throws SQLException {
        if (r.getString(11) != null) {
            return new Entry.Erased(r.getLong(1), r.getString(9), r.getString(10), r.getString(11));
        }
        return new Entry.Kept(new ConsentRecord(r.getLong(1), r.getString(2),
                r.getObject(3, OffsetDateTime.class).toInstant(), r.getString(4), RecordJson.choices(r.getString(5)),
                RecordJson.choices(r.getString(6)), Source.valueOf(r.getString(7)), Optional.ofNullable(r.getString(8))),
                r.getString(9), r.getString(10));
    }

    @Override
    public List<ConsentRecord> find(String consentId) {
        Objects.requireNonNull(consentId, "consentId");
        return run("find the records of a consent id", c -> {
            List<ConsentRecord> found = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(SELECT
                    + " WHERE consent_id = ? AND seal IS NULL ORDER BY seq")) {
                select.setString(1, consentId);
                try (ResultSet r = select.executeQuery()) {
                    while (r.next()) {
                        found.add(((Entry.Kept) entry(r)).record());
                    }
                }
            }
            commit(c);
            return found;
        });
    }

    @Override
    public void forEachRecord(java.util.function.Consumer<? super ConsentRecord> action) {
        Objects.requireNonNull(action, "action");
        run("read the ledger", c -> transaction(c, () -> {
            try (Statement s = c.createStatement()) {
                s.setFetchSize(1000); // PostgreSQL streams through a cursor only outside auto-commit
                try (ResultSet r = s.executeQuery(SELECT + " WHERE seal IS NULL ORDER BY seq")) {
                    while (r.next()) {
                        action.accept(((Entry.Kept) entry(r)).record());
                    }
                }
            }
            return null;
        }));
    }

    @Override
    public int erase(String consentId) {
        Objects.requireNonNull(consentId, "consentId");
        return run("erase a consent id", c -> transaction(c, () -> {
            List<Entry> erased = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(SELECT + " WHERE consent_id = ? AND seal IS NULL")) {
                select.setString(1, consentId);
                try (ResultSet r = select.executeQuery()) {
                    while (r.next()) {
                        erased.add(chain.erase(entry(r)));
                    }
                }
            }
            tombstones(c, erased);
            return erased.size();
        }));
    }

    /** Replaces rows by their tombstones: number and MAC kept, nothing of the visitor. */
    private static void tombstones(Connection c, List<Entry> erased) throws SQLException {
        if (erased.isEmpty()) {
            return;
        }
        try (PreparedStatement update = c.prepareStatement("UPDATE " + TABLE + " SET consent_id = NULL, "
                + "decided_at = NULL, policy_version = NULL, purposes = NULL, trackers = NULL, source = NULL, "
                + "notice = NULL, key_id = ?, seal = ? WHERE seq = ? AND mac = ?")) {
            for (Entry e : erased) {
                Entry.Erased x = (Entry.Erased) e;
                update.setString(1, x.key());
                update.setString(2, x.seal());
                update.setLong(3, x.sequence());
                update.setString(4, x.mac());
                update.addBatch();
            }
            update.executeBatch();
        }
    }

    /**
     * One transaction: in each lane the checkpoint moves to the record before the oldest one kept
     * (or to the newest, where none is kept), what it passes goes, and an old record numbered after
     * a kept one becomes a tombstone. The start rows are locked meanwhile (not the heads: appends
     * go on, and what they add lies after what is looked at here).
     */
    @Override
    public int purge(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        OffsetDateTime at = cutoff.atOffset(ZoneOffset.UTC);
        return run("purge old records", c -> transaction(c, () -> {
            int purged = 0;
            for (int lane = 0; lane < LANES; lane++) {
                String name = start(lane);
                Entry.Anchor start = anchor(c, name, true).orElseThrow(() -> new SQLException("the row '" + name
                        + "' of " + CHAIN + " is missing"));
                purged += purgeLane(c, lane, start, at);
            }
            List<Entry> late = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(SELECT + " WHERE seal IS NULL AND decided_at < ?")) {
                select.setObject(1, at);
                try (ResultSet r = select.executeQuery()) {
                    while (r.next()) {
                        late.add(chain.erase(entry(r)));
                    }
                }
            }
            tombstones(c, late);
            return purged + late.size();
        }));
    }

    /** Moves the lane's checkpoint past its old records and removes them; how many were not yet erased. */
    private int purgeLane(Connection c, int lane, Entry.Anchor start, OffsetDateTime cutoff) throws SQLException {
        long last;
        try (PreparedStatement kept = c.prepareStatement("SELECT prev FROM " + TABLE + " WHERE seq = (SELECT MIN(seq)"
                + " FROM " + TABLE + " WHERE lane = ? AND seal IS NULL AND decided_at >= ?)")) {
            kept.setInt(1, lane);
            kept.setObject(2, cutoff);
            try (ResultSet r = kept.executeQuery()) {
                last = r.next() ? r.getLong(1) : -1;
            }
        }
        if (last < 0) {
            // none kept: up to the newest old one (not the head, which an append may have moved since)
            try (PreparedStatement old = c.prepareStatement("SELECT MAX(seq) FROM " + TABLE
                    + " WHERE lane = ? AND (seal IS NOT NULL OR decided_at < ?)")) {
                old.setInt(1, lane);
                old.setObject(2, cutoff);
                try (ResultSet r = old.executeQuery()) {
                    r.next();
                    last = r.getLong(1);
                }
            }
        }
        if (last <= start.sequence()) {
            return 0;
        }
        String mac = null;
        try (PreparedStatement select = c.prepareStatement("SELECT mac FROM " + TABLE + " WHERE seq = ? AND lane = ?")) {
            select.setLong(1, last);
            select.setInt(2, lane);
            try (ResultSet r = select.executeQuery()) {
                mac = r.next() ? r.getString(1) : null;
            }
        }
        if (mac == null) {
            LOG.warn("record {} of the consent ledger at {} is missing; the purge's checkpoint cannot name its"
                    + " MAC, and verify will report the break", last, description);
            mac = Chain.GENESIS;
        }
        Entry.Anchor checkpoint = chain.anchor(start(lane), last, mac);
        try (PreparedStatement move = c.prepareStatement("UPDATE " + CHAIN
                + " SET seq = ?, mac = ?, key_id = ?, seal = ? WHERE name = ?")) {
            move.setLong(1, checkpoint.sequence());
            move.setString(2, checkpoint.mac());
            move.setString(3, checkpoint.key());
            move.setString(4, checkpoint.seal());
            move.setString(5, start(lane));
            move.executeUpdate();
        }
        int purged;
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + TABLE
                + " WHERE lane = ? AND seq <= ? AND seal IS NULL")) {
            delete.setInt(1, lane);
            delete.setLong(2, last);
            purged = delete.executeUpdate();
        }
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + TABLE + " WHERE lane = ? AND seq <= ?")) {
            delete.setInt(1, lane);
            delete.setLong(2, last);
            delete.executeUpdate();
        }
        return purged;
    }

    @Override
    public String keep(Notice notice) {
        String hash = notice.hash();
        if (notices.contains(hash)) {
            return hash;
        }
        run("store a notice", c -> {
            if (noticeBody(c, hash).isEmpty()) {
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + NOTICES + " (hash, body) VALUES (?, ?)")) {
                    insert.setString(1, hash);
                    insert.setString(2, notice.body());
                    insert.executeUpdate();
                    commit(c);
                } catch (SQLException e) {
                    rollback(c);
                    // another server storing the same notice at the same moment
                    if (!conflict(e)) {
                        throw e;
                    }
                }
            }
            return null;
        });
        notices.add(hash);
        return hash;
    }

    @Override
    public Optional<Notice> notice(String hash) {
        Objects.requireNonNull(hash, "hash");
        return run("read a notice", c -> noticeBody(c, hash)).flatMap(body -> {
            if (!Notice.hash(body).equals(hash)) {
                LOG.warn("the notice {} in {} does not match its hash", hash, NOTICES);
                return Optional.empty();
            }
            return Optional.of(Notice.parse(body));
        });
    }

    private static Optional<String> noticeBody(Connection c, String hash) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT body FROM " + NOTICES + " WHERE hash = ?")) {
            select.setString(1, hash);
            try (ResultSet r = select.executeQuery()) {
                Optional<String> body = r.next() ? Optional.of(r.getString(1)) : Optional.empty();
                commit(c);
                return body;
            }
        }
    }

    /** The whole table in one snapshot, with the head and start as of that snapshot. */
    @Override
    public Verification verify() {
        return run("verify the ledger", c -> {
            int isolation = c.getTransactionIsolation();
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                return transaction(c, () -> {
                    Set<String> held = new HashSet<>();
                    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT hash, body FROM " + NOTICES)) {
                        while (r.next()) {
                            if (Notice.hash(r.getString(2)).equals(r.getString(1))) {
                                held.add(r.getString(1));
                            }
                        }
                    }
                    return walkLanes(c, held);
                });
            } finally {
                c.setTransactionIsolation(isolation);
            }
        });
    }

    /** Every lane's walk, in one pass over the table in order of lane and number; merged. */
    private Verification walkLanes(Connection c, Set<String> held) throws SQLException {
        List<Verification> results = new ArrayList<>();
        Chain.Walk[] walks = new Chain.Walk[LANES];
        for (int lane = 0; lane < LANES; lane++) {
            Optional<Entry.Anchor> start = anchor(c, start(lane), false);
            Optional<Entry.Anchor> head = anchor(c, head(lane), false);
            if (start.isEmpty() || head.isEmpty()) {
                String name = start.isEmpty() ? start(lane) : head(lane);
                results.add(new Verification(0, 0, 0, Optional.of(new Verification.Break(0, "the row '" + name + "' of "
                        + CHAIN + " is missing: removed, so that a cut-off chain would not show"))));
            } else {
                walks[lane] = chain.new Walk(start(lane), start, head(lane), head, " (lane " + lane + ")", true,
                        held::contains);
            }
        }
        Optional<Verification.Break> stray = Optional.empty();
        try (Statement s = c.createStatement()) {
            s.setFetchSize(1000); // PostgreSQL streams through a cursor only outside auto-commit
            try (ResultSet r = s.executeQuery("SELECT " + FIELDS + ", lane, prev FROM " + TABLE + " ORDER BY lane, seq")) {
                while (r.next()) {
                    long seq = r.getLong(1);
                    int lane = r.getInt(12);
                    if (lane < 0 || lane >= LANES) {
                        if (stray.isEmpty() || seq < stray.get().sequence()) {
                            stray = Optional.of(new Verification.Break(seq, "record " + seq
                                    + " is in no lane of the ledger: written around it"));
                        }
                        continue;
                    }
                    Chain.Walk walk = walks[lane];
                    if (walk == null) {
                        continue;
                    }
                    try {
                        walk.next(entry(r), r.getLong(13));
                    } catch (RuntimeException unreadable) {
                        walk.broken(seq, "row " + seq + " cannot be read: " + unreadable.getMessage());
                    }
                }
            }
        }
        for (Chain.Walk walk : walks) {
            if (walk != null) {
                results.add(walk.result());
            }
        }
        stray.ifPresent(b -> results.add(new Verification(0, 0, 0, Optional.of(b))));
        return merged(results);
    }

    /** The lanes' walks as one: what they checked, and the break with the lowest number. */
    private static Verification merged(List<Verification> lanes) {
        long records = 0;
        long erased = 0;
        long from = 0;
        Optional<Verification.Break> broken = Optional.empty();
        for (Verification v : lanes) {
            records += v.records();
            erased += v.erased();
            from = Math.max(from, v.from());
            if (v.broken().isPresent() && (broken.isEmpty() || v.broken().get().sequence() < broken.get().sequence())) {
                broken = v.broken();
            }
        }
        return new Verification(records, erased, from, broken);
    }

    /** Runs {@code body} in one transaction of {@code c}, committed, or rolled back on failure. */
    private static <T> T transaction(Connection c, SqlBody<T> body) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            T result = body.run();
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            rollback(c);
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    @FunctionalInterface
    private interface SqlBody<T> {
        T run() throws SQLException;
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
