package nl.i3groep.consent.ledger;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nl.i3groep.consent.cookie.SigningKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store: append-only JSON lines in a directory, one file per calendar month (UTC) of
 * the decision, {@code ledger-2026-11.jsonl}. One line is one record in the form of
 * {@link ConsentLedger#export}, with the key and MAC of its link in the chain; an erased record is a
 * line of its tombstone ({@code "erased":true}).
 *
 * <p>The chain's anchors are files of their own: {@code ledger.head} names the newest record forced
 * to disk, rewritten in place after each group force without a force of its own (it may lag behind
 * after a crash, never run ahead; a record durable before the head's page reached the disk is
 * accepted); {@code ledger.start} is the checkpoint of the last purge. Notices are lines of
 * {@code notices.jsonl}, each forced before a record can name it.
 *
 * <p>Durability: {@link #append} returns only after its line is forced to disk. Concurrent appends
 * share one force (group commit): each writes its line, then waits until a force that began after
 * its write has completed; whoever finds no force under way starts the next one. A failed force
 * makes the ledger refuse every further append (the page cache can no longer be trusted) until it
 * is reopened.
 *
 * <p>Recovery: on {@link #open}, bytes after the last newline of a file (a line torn by a crash, never
 * acknowledged) are logged at WARN with file and line and cut off, so that the next line starts
 * clean; a complete line that cannot be read is logged and skipped. Sequence numbers continue
 * after the highest ever given, also when erase or purge removed it ({@code ledger.next}).
 *
 * <p>Files are only ever appended to, except by {@link #erase} and {@link #purge}, which write a
 * new file beside the old and rename it over. {@link #find} and {@link #erase} read every file:
 * they serve rare requests of visitors, not page views. One process at a time: the directory is
 * locked ({@code ledger.lock}); a tool reads beside it through {@link #openReadOnly}, and asks the
 * holder to erase and purge through {@code requests/} (the holder watches it on a daemon thread,
 * {@code consent-ledger-requests}, until {@link #close}).
 */
public final class FileLedger implements ConsentLedger {

    private static final Logger LOG = LoggerFactory.getLogger(FileLedger.class);
    private static final Pattern SEGMENT = Pattern.compile("ledger-(\\d{4})-(\\d{2})\\.jsonl");
    private static final String NEXT = "ledger.next";
    private static final String LOCK = "ledger.lock";
    private static final String HEAD = "ledger.head";
    private static final String START = "ledger.start";
    private static final String NOTICES = "notices.jsonl";
    /** The head is rewritten in place, always this long, so that no old byte outlives a shorter head. */
    private static final int HEAD_BYTES = 256;
    private static final boolean WINDOWS = System.getProperty("os.name", "").startsWith("Windows");

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final List<String> recovered;
    private final Chain chain;
    /** Written only by the thread that holds the sync slot ({@code syncing}). */
    private FileChannel headChannel;
    private final Map<String, Notice> notices;

    /** Held while lines are written and while files are replaced; before {@link #syncLock}. */
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Map<YearMonth, FileChannel> appending = new TreeMap<>();
    private long nextSequence;
    private String tip;
    private Optional<Entry.Anchor> start;
    private boolean closed;
    /** Opened beside the process that writes: reads what is there, writes and locks nothing. */
    private final boolean readOnly;
    /** Beside the holder: how long erase and purge wait for it to take them. */
    Duration claimWithin = Duration.ofSeconds(30);
    /** The holder's service to tools beside it; null when read-only or when it cannot watch. */
    private Requests requests;

    private final ReentrantLock syncLock = new ReentrantLock();
    private final Condition synced = syncLock.newCondition();
    private long written;
    private long forced;
    private String writtenMac;
    private boolean headFailed;
    private boolean syncing;
    private Map<Path, FileChannel> dirty = new HashMap<>();
    private LedgerException broken;
    private long forces;

    private FileLedger(Path dir, FileChannel lockChannel, FileLock lock, Chain chain, Opened opened,
            FileChannel headChannel) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.chain = chain;
        this.headChannel = headChannel;
        this.nextSequence = opened.next;
        this.tip = opened.tip;
        this.start = opened.start;
        this.notices = opened.notices;
        this.written = opened.next - 1;
        this.forced = opened.next - 1;
        this.writtenMac = opened.tip;
        this.recovered = List.copyOf(opened.recovered);
        this.readOnly = lock == null;
    }

    /** What {@link #open} read from the directory. */
    private static final class Opened {
        final List<String> recovered = new ArrayList<>();
        final Map<String, Notice> notices = new HashMap<>();
        long next;
        long tipSequence;
        String tip = Chain.GENESIS;
        Optional<Entry.Anchor> start = Optional.empty();
    }

    /**
     * Opens the ledger in {@code dir}, creating the directory if need be, and recovers from a crash.
     *
     * @param keys the ledger keys: the first makes new MACs, the others verify older ones
     * @throws LedgerException when the directory cannot be used or another process has it open
     */
    public static FileLedger open(Path dir, List<SigningKey> keys) {
        Objects.requireNonNull(dir, "dir");
        Path directory = dir.toAbsolutePath().normalize();
        FileLedger ledger = openUnlessHeld(directory, new Chain(keys));
        if (ledger == null) {
            throw new LedgerException("the consent ledger in " + directory
                    + " is already open (in this or another process); one ledger directory per process");
        }
        return ledger;
    }

    /** {@link #open}; null when another ledger holds the directory. */
    private static FileLedger openUnlessHeld(Path directory, Chain chain) {
        FileChannel lockChannel = null;
        try {
            Files.createDirectories(directory);
            lockChannel = FileChannel.open(directory.resolve(LOCK), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                lockChannel.close();
                return null;
            }
            try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(directory, "*.tmp")) {
                for (Path p : leftovers) {
                    // a replacement that a crash interrupted before its rename: the original stands
                    Files.delete(p);
                }
            }
            Opened opened = new Opened();
            opened.start = readAnchor(directory.resolve(START));
            opened.start.ifPresent(s -> {
                opened.tipSequence = s.sequence();
                opened.tip = s.mac();
            });
            for (Path segment : segments(directory).values()) {
                recover(segment, opened);
            }
            // a head beyond the records keeps its place, so that what went missing stays missing
            long headed = readAnchor(directory.resolve(HEAD)).map(Entry.Anchor::sequence).orElse(0L);
            opened.next = Math.max(Math.max(opened.tipSequence, headed) + 1, readNext(directory));
            readNotices(directory.resolve(NOTICES), opened.notices);
            FileChannel head = FileChannel.open(directory.resolve(HEAD), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLedger ledger = new FileLedger(directory, lockChannel, lock, chain, opened, head);
            ledger.requests = Requests.serve(ledger, chain);
            return ledger;
        } catch (IOException | UncheckedIOException e) {
            closeQuietly(lockChannel);
            throw new LedgerException("cannot open the consent ledger in " + directory + ": " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(lockChannel);
            throw e;
        }
    }

    /**
     * Opens the ledger in {@code dir} for reading only, beside the process that has it open (the
     * site): no lock taken, nothing repaired or written. {@link #find}, {@link #export},
     * {@link #forEachRecord} and {@link #verify} read what is on disk; verify goes as far as the
     * head the writer has reached. {@link #erase} and {@link #purge}, which a visitor's request or
     * the operator's may need while the site runs, are done by the process that holds the directory:
     * the request goes to it under the ledger key, and the answer is its count. When no process
     * holds the directory, this one takes it for the moment and does them itself. Appends and
     * notices throw.
     *
     * @throws LedgerException when there is no readable ledger directory at {@code dir}
     */
    public static FileLedger openReadOnly(Path dir, List<SigningKey> keys) {
        Objects.requireNonNull(dir, "dir");
        Chain chain = new Chain(keys);
        Path directory = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(directory)) {
            throw new LedgerException("there is no consent ledger in " + directory + ": not a directory");
        }
        try {
            // no tip, no next number: a reader appends nothing, and verify reads the head afresh
            Opened opened = new Opened();
            opened.start = readAnchor(directory.resolve(START));
            opened.next = 1;
            readNotices(directory.resolve(NOTICES), opened.notices);
            return new FileLedger(directory, null, null, chain, opened, null);
        } catch (IOException | UncheckedIOException e) {
            throw new LedgerException("cannot read the consent ledger in " + directory + ": " + e, e);
        }
    }

    /** The directory of this ledger. */
    public Path directory() {
        return dir;
    }

    @Override
    public ConsentRecord append(ConsentRecord record) {
        Objects.requireNonNull(record, "record");
        return appendAll(List.of(record)).get(0);
    }

    @Override
    public List<ConsentRecord> appendAll(List<ConsentRecord> records) {
        if (records.isEmpty()) {
            return List.of();
        }
        List<ConsentRecord> numbered = new ArrayList<>(records.size());
        long last;
        writeLock.lock();
        try {
            writable();
            long sequence = nextSequence;
            for (ConsentRecord r : records) {
                numbered.add(r.toMicros().numbered(sequence++));
            }
            Map<YearMonth, ByteArrayBuilder> lines = new LinkedHashMap<>();
            String mac = tip;
            for (ConsentRecord n : numbered) {
                byte[] json = RecordJson.bytes(n);
                mac = chain.mac(mac, json);
                lines.computeIfAbsent(month(n.time()), m -> new ByteArrayBuilder())
                        .add(RecordJson.line(json, chain.key(), mac));
            }
            Map<Path, FileChannel> touched = write(lines);
            nextSequence = sequence;
            tip = mac;
            last = sequence - 1;
            syncLock.lock();
            try {
                written = last;
                writtenMac = mac;
                dirty.putAll(touched);
            } finally {
                syncLock.unlock();
            }
        } finally {
            writeLock.unlock();
        }
        awaitForced(last);
        return numbered;
    }

    /** Writes the lines of one append; on failure, takes back what was written. Under the write lock. */
    private Map<Path, FileChannel> write(Map<YearMonth, ByteArrayBuilder> lines) {
        Map<Path, FileChannel> touched = new LinkedHashMap<>();
        Map<Path, Long> before = new LinkedHashMap<>();
        // an interrupt during channel I/O closes the channel, which the other threads share
        boolean interrupted = Thread.interrupted();
        try {
            for (Map.Entry<YearMonth, ByteArrayBuilder> e : lines.entrySet()) {
                Path file = dir.resolve(fileName(e.getKey()));
                FileChannel channel = channel(e.getKey());
                before.put(file, channel.size());
                touched.put(file, channel);
                ByteBuffer buffer = e.getValue().buffer();
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
            return touched;
        } catch (IOException e) {
            // half a line left in a file would glue itself to the next one
            interrupted |= Thread.interrupted();
            for (Map.Entry<Path, Long> b : before.entrySet()) {
                try (FileChannel again = FileChannel.open(b.getKey(), StandardOpenOption.WRITE)) {
                    again.truncate(b.getValue());
                } catch (IOException t) {
                    e.addSuppressed(t);
                    fail(new LedgerException("cannot take back a failed write in " + dir
                            + "; the ledger refuses records until it is reopened", e));
                }
            }
            throw new LedgerException("cannot write to the consent ledger in " + dir + ": " + e, e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Forces files to disk. A channel closed by an interrupt (of this or another thread) is no
     * loss: the written pages belong to the file, so a fresh descriptor forces them.
     */
    private static void force(Map<Path, FileChannel> files) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            for (Map.Entry<Path, FileChannel> f : files.entrySet()) {
                try {
                    f.getValue().force(false);
                } catch (ClosedChannelException e) {
                    interrupted |= Thread.interrupted();
                    try (FileChannel again = FileChannel.open(f.getKey(), StandardOpenOption.WRITE)) {
                        again.force(false);
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Returns once every record up to {@code sequence} is forced to disk. */
    private void awaitForced(long sequence) {
        boolean interrupted = false;
        syncLock.lock();
        try {
            while (forced < sequence) {
                if (broken != null) {
                    throw new LedgerException("record not stored: " + broken.getMessage(), broken);
                }
                if (syncing) {
                    try {
                        synced.await();
                    } catch (InterruptedException e) {
                        // the record is written and will be forced; answering before that would lie
                        interrupted = true;
                    }
                    continue;
                }
                syncing = true;
                long target = written;
                String targetMac = writtenMac;
                Map<Path, FileChannel> channels = dirty;
                dirty = new HashMap<>();
                IOException failure = null;
                syncLock.unlock();
                try {
                    force(channels);
                    writeHead(target, targetMac);
                } catch (IOException e) {
                    failure = e;
                } finally {
                    syncLock.lock();
                }
                syncing = false;
                forces++;
                if (failure == null) {
                    forced = Math.max(forced, target);
                } else {
                    broken = new LedgerException("cannot force the consent ledger in " + dir + " to disk ("
                            + failure + "); it refuses records until it is reopened", failure);
                }
                synced.signalAll();
            }
        } finally {
            syncLock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void fail(LedgerException e) {
        syncLock.lock();
        try {
            if (broken == null) {
                broken = e;
            }
            synced.signalAll();
        } finally {
            syncLock.unlock();
        }
    }

    /** For what writes: refused when opened read-only. */
    private void writable() {
        if (readOnly) {
            throw new LedgerException("the consent ledger in " + dir + " is opened read-only");
        }
        usable();
    }

    private void usable() {
        if (closed) {
            throw new LedgerException("the consent ledger in " + dir + " is closed");
        }
        syncLock.lock();
        try {
            if (broken != null) {
                throw new LedgerException(broken.getMessage(), broken);
            }
        } finally {
            syncLock.unlock();
        }
    }

    /** The file a record of {@code month} goes to, opened for appending. Under the write lock. */
    private FileChannel channel(YearMonth month) throws IOException {
        FileChannel channel = appending.get(month);
        if (channel == null || !channel.isOpen()) {
            Path file = dir.resolve(fileName(month));
            boolean created = !Files.exists(file);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            if (created) {
                // a record forced into a file whose name is not yet durable would still be lost
                forceDirectory(dir);
            }
            appending.put(month, channel);
        }
        return channel;
    }

    @Override
    public List<ConsentRecord> find(String consentId) {
        Objects.requireNonNull(consentId, "consentId");
        String quoted = RecordJson.JSON.getNodeFactory().textNode(consentId).toString();
        List<ConsentRecord> found = new ArrayList<>();
        for (Path segment : segments(dir).values()) {
            scanQuietly(segment, (line, text) -> {
                if (text.contains(quoted)) {
                    ConsentRecord r = recordOrNull(text);
                    if (r != null && r.consentId().equals(consentId)) {
                        found.add(r);
                    }
                }
            });
        }
        found.sort(Comparator.comparingLong(ConsentRecord::sequence));
        return found;
    }

    /** Month by month, each month's records in order of sequence. */
    @Override
    public void forEachRecord(java.util.function.Consumer<? super ConsentRecord> action) {
        Objects.requireNonNull(action, "action");
        for (Path segment : segments(dir).values()) {
            scanQuietly(segment, (line, text) -> {
                ConsentRecord r = recordOrNull(text);
                if (r != null) {
                    action.accept(r);
                }
            });
        }
    }

    /** Every record, in order of sequence: for tests and tools, it reads everything. */
    List<ConsentRecord> records() {
        List<ConsentRecord> all = new ArrayList<>();
        for (Path segment : segments(dir).values()) {
            scanQuietly(segment, (line, text) -> {
                ConsentRecord r = recordOrNull(text);
                if (r != null) {
                    all.add(r);
                }
            });
        }
        all.sort(Comparator.comparingLong(ConsentRecord::sequence));
        return all;
    }

    /** How many group forces appends have made so far: fewer than appends when they share. */
    long forces() {
        syncLock.lock();
        try {
            return forces;
        } finally {
            syncLock.unlock();
        }
    }

    /**
     * Erase or purge from beside: by the process that holds the directory, or, when none does, by
     * this one holding it for the moment.
     */
    private int beside(Requests.Kind kind, String argument) {
        usable();
        FileLedger own = openUnlessHeld(dir, chain);
        if (own == null) {
            return Requests.ask(dir, chain, kind, argument, claimWithin);
        }
        try (own) {
            return kind == Requests.Kind.ERASE ? own.erase(argument) : own.purge(Instant.parse(argument));
        }
    }

    /** What {@link #open} found wrong and repaired or skipped, as logged. */
    List<String> recovered() {
        return recovered;
    }

    @Override
    public int erase(String consentId) {
        Objects.requireNonNull(consentId, "consentId");
        if (readOnly) {
            return beside(Requests.Kind.ERASE, consentId);
        }
        String quoted = RecordJson.JSON.getNodeFactory().textNode(consentId).toString();
        // the months are read before the write lock, so that visitors' decisions are stored while
        // they are; under it, only a month that changed since is read again
        Map<Path, Scanned> scanned = new HashMap<>();
        for (Path file : segments(dir).values()) {
            try {
                Object version = version(file);
                scanned.put(file, new Scanned(version, holds(file, quoted)));
            } catch (IOException e) {
                // read under the lock, where a failure counts
            }
            erasingScanned.accept(file);
        }
        return exclusive(() -> {
            boolean remembered = false;
            int removed = 0;
            for (Map.Entry<YearMonth, Path> e : segments(dir).entrySet()) {
                Scanned before = scanned.get(e.getValue());
                boolean holds = before != null && before.version().equals(version(e.getValue()))
                        ? before.holds() : holds(e.getValue(), quoted);
                if (holds) {
                    if (!remembered) {
                        writeNext();
                        remembered = true;
                    }
                    removed += rewrite(e.getKey(), e.getValue(), entry -> entry instanceof Entry.Kept k
                            && k.record().consentId().equals(consentId) ? chain.erase(k) : entry);
                }
            }
            return removed;
        });
    }

    /** A month as read before the write lock: which version of its file, and whether it held the id. */
    private record Scanned(Object version, boolean holds) {
    }

    /** For tests: called after erase read a month before taking the write lock. */
    java.util.function.Consumer<Path> erasingScanned = file -> { };

    /**
     * What changes when a month's file does: its length when appended to, its file (the key) when
     * rewritten and renamed over, the time in either case.
     */
    private static Object version(Path file) throws IOException {
        java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(file,
                java.nio.file.attribute.BasicFileAttributes.class);
        return List.of(a.size(), a.lastModifiedTime(), String.valueOf(a.fileKey()));
    }

    private static boolean holds(Path file, String quotedId) throws IOException {
        boolean[] found = {false};
        scan(file, (line, text) -> found[0] |= text.contains(quotedId));
        return found[0];
    }

    @Override
    public int purge(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        if (readOnly) {
            return beside(Requests.Kind.PURGE, cutoff.toString());
        }
        return exclusive(() -> {
            TreeMap<YearMonth, Path> old = new TreeMap<>();
            long keptFrom = nextSequence;
            for (Map.Entry<YearMonth, Path> e : segments(dir).entrySet()) {
                Instant monthStart = e.getKey().atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
                if (monthStart.isBefore(cutoff)) {
                    old.put(e.getKey(), e.getValue());
                } else {
                    // a later month holds nothing older than the cutoff, and its lines ascend; a tombstone
                    // there before the first record is passed over by verify once the checkpoint is past it
                    keptFrom = Math.min(keptFrom, firstKept(e.getValue()));
                }
            }
            if (old.isEmpty()) {
                return 0;
            }
            long[] min = {keptFrom};
            for (Path file : old.values()) {
                scan(file, (line, text) -> {
                    Entry entry = entryOrNull(text);
                    if (entry instanceof Entry.Kept k && !k.record().time().isBefore(cutoff)) {
                        min[0] = Math.min(min[0], k.sequence());
                    }
                });
            }
            long last = min[0] - 1;
            if (last > start.map(Entry.Anchor::sequence).orElse(0L)) {
                // the checkpoint first: a purge cut short leaves lines before it, which verify passes over
                // an erased record can sit in a later month before its first kept record
                List<Path> where = new ArrayList<>(old.values());
                segments(dir).values().stream().filter(p -> !old.containsValue(p)).forEach(where::add);
                Entry.Anchor checkpoint = chain.anchor("start", last, macOf(last, where));
                writeAnchor(START, checkpoint);
                start = Optional.of(checkpoint);
            }
            writeNext();
            int removed = 0;
            for (Map.Entry<YearMonth, Path> e : old.entrySet()) {
                int[] records = {0};
                rewrite(e.getKey(), e.getValue(), entry -> {
                    boolean expired = entry instanceof Entry.Kept k && k.record().time().isBefore(cutoff);
                    records[0] += expired ? 1 : 0;
                    return entry.sequence() <= last ? null : expired ? chain.erase(entry) : entry;
                });
                removed += records[0];
            }
            return removed;
        });
    }

    /** The MAC of record {@code sequence}, from the files it may be in; the tip when it is the newest. */
    private String macOf(long sequence, Iterable<Path> files) throws IOException {
        if (sequence == nextSequence - 1) {
            return tip;
        }
        String[] mac = {null};
        for (Path file : files) {
            if (mac[0] != null) {
                break;
            }
            scan(file, (line, text) -> {
                Entry entry = entryOrNull(text);
                if (entry != null && entry.sequence() == sequence) {
                    mac[0] = entry.mac();
                }
            });
        }
        if (mac[0] == null) {
            LOG.warn("record {} of the consent ledger in {} is missing; the purge's checkpoint cannot name its MAC,"
                    + " and verify will report the break", sequence, dir);
            return Chain.GENESIS;
        }
        return mac[0];
    }

    /** The sequence number of a file's first record (not erased): its lowest, since lines ascend. */
    private static long firstKept(Path file) throws IOException {
        try (java.io.BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = in.readLine()) != null;) {
                if (entryOrNull(line) instanceof Entry.Kept k) {
                    return k.sequence();
                }
            }
        }
        return Long.MAX_VALUE;
    }

    /**
     * Replaces a file by what {@code change} makes of each entry (null: gone), deleting it when
     * nothing is left; returns how many entries changed. Unreadable lines go too. Runs
     * {@link #exclusive}.
     */
    private int rewrite(YearMonth month, Path file, java.util.function.UnaryOperator<Entry> change) throws IOException {
        FileChannel current = appending.remove(month);
        closeQuietly(current);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        int[] counts = {0, 0, 0};
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING); OutputStream stream = Channels.newOutputStream(out)) {
            OutputStream buffered = new java.io.BufferedOutputStream(stream, 1 << 16);
            scan(file, (line, text) -> {
                Entry entry = entryOrNull(text);
                if (entry == null) {
                    LOG.warn("dropping the unreadable line {}:{} while rewriting it", file, line);
                    counts[2]++;
                    return;
                }
                Entry changed = change.apply(entry);
                if (changed != entry) {
                    counts[1]++;
                }
                if (changed != null) {
                    counts[0]++;
                    buffered.write(changed == entry ? (text + "\n").getBytes(StandardCharsets.UTF_8)
                            : RecordJson.line(changed));
                }
            });
            buffered.flush();
            out.force(true);
        }
        if (counts[1] + counts[2] == 0) {
            Files.delete(tmp);
        } else if (counts[0] == 0) {
            Files.delete(tmp);
            Files.delete(file);
        } else {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        forceDirectory(dir);
        return counts[1];
    }

    /** Remembers the next sequence number beyond the files, before records that carry it may go. */
    private void writeNext() throws IOException {
        replaceWhole(dir.resolve(NEXT), (nextSequence + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Replaces {@code file} by {@code content} whole or not at all: written beside it, forced,
     * renamed over it, and the rename forced with its directory.
     */
    static void replaceWhole(Path file, byte[] content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                out.write(b);
            }
            out.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(file.getParent());
    }

    private static long readNext(Path dir) throws IOException {
        Path file = dir.resolve(NEXT);
        if (!Files.exists(file)) {
            return 1;
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new LedgerException(file + " must hold the next sequence number, not \"" + text + "\"", e);
        }
    }

    /**
     * Runs {@code action} with appends held off and no force under way, after forcing what is
     * written (a rewrite reads it).
     */
    private <T> T exclusive(IoAction<T> action) {
        writeLock.lock();
        try {
            writable();
            LedgerException failure = forceWritten("to disk");
            if (failure != null) {
                throw failure;
            }
            try {
                // appends wait for the write lock, not for a force: what they need is done
                return action.run();
            } catch (IOException | UncheckedIOException e) {
                // a failed rewrite leaves the old file in place (the rename is the last step): usable still
                removeLeftovers();
                throw new LedgerException("cannot rewrite the consent ledger in " + dir + ": " + e, e);
            }
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Forces everything written so far. It claims the sync slot first, so that no waiter declares its
     * record forced before this force is done. On failure the ledger refuses records from then on;
     * the failure is returned for the caller to throw.
     */
    private LedgerException forceWritten(String when) {
        Map<Path, FileChannel> channels;
        long target;
        String targetMac;
        syncLock.lock();
        try {
            while (syncing) {
                synced.awaitUninterruptibly();
            }
            syncing = true;
            channels = dirty;
            dirty = new HashMap<>();
            target = written;
            targetMac = writtenMac;
        } finally {
            syncLock.unlock();
        }
        LedgerException failure = null;
        try {
            force(channels);
            writeHead(target, targetMac);
        } catch (IOException e) {
            failure = new LedgerException("cannot force the consent ledger in " + dir + " " + when + " (" + e
                    + "); it refuses records until it is reopened", e);
        } finally {
            syncLock.lock();
            try {
                syncing = false;
                if (failure == null) {
                    forced = Math.max(forced, written);
                } else if (broken == null) {
                    broken = failure;
                }
                synced.signalAll();
            } finally {
                syncLock.unlock();
            }
        }
        return failure;
    }

    private void removeLeftovers() {
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, "*.tmp")) {
            for (Path p : leftovers) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("cannot remove the leftovers of a failed rewrite in {}: {}", dir, e.toString());
        }
    }

    /** Forces what is written, closes the files and releases the directory. Idempotent. */
    @Override
    public void close() {
        if (requests != null) {
            // before the write lock: a request under way needs it to finish
            requests.close();
        }
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            if (readOnly) {
                closed = true;
                return;
            }
            LedgerException failure = forceWritten("on close");
            closed = true;
            try {
                headChannel.force(false);
            } catch (IOException e) {
                LOG.warn("cannot force the head of the consent ledger in {}: {}", dir, e.toString());
            }
            closeQuietly(headChannel);
            appending.values().forEach(FileLedger::closeQuietly);
            appending.clear();
            try {
                lock.release();
            } catch (IOException e) {
                LOG.debug("releasing {}", LOCK, e);
            }
            closeQuietly(lockChannel);
            if (failure != null) {
                throw failure;
            }
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "FileLedger[" + dir + (readOnly ? ", read-only]" : "]");
    }

    /**
     * Names record {@code sequence} as the newest forced, in place and without a force: a head lost
     * in a crash only lags. A head that cannot be written costs the proof of a cut-off end, not
     * the record: logged, not thrown. Holds the sync slot.
     */
    private void writeHead(long sequence, String mac) {
        if (sequence <= 0) {
            return;
        }
        byte[] json = anchorJson(chain.anchor("head", sequence, mac));
        ByteBuffer b = ByteBuffer.allocate(HEAD_BYTES);
        b.put(json, 0, Math.min(json.length, HEAD_BYTES - 1));
        while (b.position() < HEAD_BYTES - 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n').flip();
        boolean interrupted = Thread.interrupted();
        try {
            if (!headChannel.isOpen()) {
                headChannel = FileChannel.open(dir.resolve(HEAD), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            }
            long position = 0;
            while (b.hasRemaining()) {
                position += headChannel.write(b, position);
            }
            if (headFailed) {
                headFailed = false;
                LOG.info("the head of the consent ledger in {} is written again", dir);
            }
        } catch (IOException e) {
            if (!headFailed) {
                headFailed = true;
                LOG.warn("cannot write the head of the consent ledger in {} ({}); records are stored, "
                        + "but a cut-off end will not show until it is written again", dir, e.toString());
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static byte[] anchorJson(Entry.Anchor a) {
        return RecordJson.JSON.createObjectNode().put("seq", a.sequence()).put("mac", a.mac()).put("key", a.key())
                .put("seal", a.seal()).toString().getBytes(StandardCharsets.UTF_8);
    }

    /** An anchor file; empty when absent. One that cannot be read is there but wrong: verify says so. */
    private static Optional<Entry.Anchor> readAnchor(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String text = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (text.isEmpty()) {
            return Optional.empty(); // created on open, not yet written
        }
        try {
            com.fasterxml.jackson.databind.JsonNode o = RecordJson.JSON.readTree(text);
            return Optional.of(new Entry.Anchor(o.required("seq").asLong(), o.required("mac").textValue(),
                    o.required("key").textValue(), o.required("seal").textValue()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            LOG.warn("{} cannot be read: {}", file, e.getMessage());
            return Optional.of(new Entry.Anchor(Long.MAX_VALUE, "", "", "unreadable"));
        }
    }

    /** Replaces an anchor file whole: written beside, forced, renamed over. */
    private void writeAnchor(String name, Entry.Anchor anchor) throws IOException {
        replaceWhole(dir.resolve(name), (new String(anchorJson(anchor), StandardCharsets.UTF_8) + "\n")
                .getBytes(StandardCharsets.UTF_8));
    }

    private static void readNotices(Path file, Map<String, Notice> into) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        scan(file, (line, text) -> {
            try {
                com.fasterxml.jackson.databind.JsonNode o = RecordJson.JSON.readTree(text);
                String body = o.required("notice").toString();
                Notice notice = Notice.parse(body);
                // a notice edited in the file no longer has its hash, and is no longer found by it
                if (Notice.hash(notice.body()).equals(o.required("hash").textValue())) {
                    into.put(notice.hash(), notice);
                } else {
                    LOG.warn("the notice at {}:{} does not match its hash {}", file, line, o.get("hash"));
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
                LOG.warn("unreadable notice line {}:{} skipped: {}", file, line, e.getMessage());
            }
        });
    }

    @Override
    public String keep(Notice notice) {
        String hash = notice.hash();
        writeLock.lock();
        try {
            writable();
            if (!notices.containsKey(hash)) {
                com.fasterxml.jackson.databind.node.ObjectNode line = RecordJson.JSON.createObjectNode();
                line.put("hash", hash);
                line.set("notice", RecordJson.JSON.readTree(notice.body()));
                Path file = dir.resolve(NOTICES);
                boolean created = !Files.exists(file);
                try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND)) {
                    ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
                    while (b.hasRemaining()) {
                        out.write(b);
                    }
                    out.force(false);
                }
                if (created) {
                    forceDirectory(dir);
                }
                notices.put(hash, notice);
            }
            return hash;
        } catch (IOException e) {
            throw new LedgerException("cannot store a notice in the consent ledger in " + dir + ": " + e, e);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public Optional<Notice> notice(String hash) {
        Objects.requireNonNull(hash, "hash");
        writeLock.lock();
        try {
            return Optional.ofNullable(notices.get(hash));
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Walks every file in order of sequence number (the months merged, each file's lines checked to
     * ascend), from the checkpoint of the last purge to the head. Appends go on meanwhile; what they
     * add after the head was read is not looked at.
     */
    @Override
    public Verification verify() {
        Optional<Entry.Anchor> head;
        Optional<Entry.Anchor> from;
        long end;
        writeLock.lock();
        try {
            usable();
            if (readOnly) {
                // the writer's lines up to its head are complete; what it adds meanwhile is not looked at
                head = readAnchor(dir.resolve(HEAD));
                from = readAnchor(dir.resolve(START));
                end = head.map(Entry.Anchor::sequence).orElse(Long.MAX_VALUE);
            } else {
                LedgerException failure = forceWritten("before verifying");
                if (failure != null) {
                    throw failure;
                }
                head = readAnchor(dir.resolve(HEAD));
                from = readAnchor(dir.resolve(START));
                end = nextSequence - 1;
            }
        } catch (IOException e) {
            throw new LedgerException("cannot read the consent ledger in " + dir + ": " + e, e);
        } finally {
            writeLock.unlock();
        }
        Map<String, Notice> held = new HashMap<>();
        try {
            readNotices(dir.resolve(NOTICES), held);
        } catch (IOException e) {
            throw new LedgerException("cannot read the notices of the consent ledger in " + dir + ": " + e, e);
        }
        return walk(chain.new Walk(from, head, false, held::containsKey), segments(dir).values(), end);
    }

    private static Verification walk(Chain.Walk walk, Iterable<Path> files, long end) {
        // a file's own problems (a line unreadable or out of order) wait for their turn in the merge
        java.util.PriorityQueue<Lines> queue = new java.util.PriorityQueue<>(Comparator.comparingLong(Lines::key));
        List<Lines> open = new ArrayList<>();
        try {
            for (Path file : files) {
                Lines lines = new Lines(file);
                open.add(lines);
                if (lines.advance()) {
                    queue.add(lines);
                }
            }
            while (!queue.isEmpty()) {
                Lines lines = queue.poll();
                if (lines.current instanceof Verification.Break b) {
                    walk.broken(b.sequence(), b.problem());
                    break;
                }
                Entry entry = (Entry) lines.current;
                if (entry.sequence() > end) {
                    continue; // appended after verify began
                }
                if (!walk.next(entry)) {
                    break;
                }
                if (lines.advance()) {
                    queue.add(lines);
                }
            }
        } catch (NoSuchFileException e) {
            walk.broken(0, e.getFile() + " went away while it was read: verify again once erase or purge is done");
        } catch (IOException e) {
            throw new LedgerException("cannot read the consent ledger: " + e, e);
        } finally {
            for (Lines l : open) {
                l.close();
            }
        }
        return walk.result();
    }

    /**
     * One file's complete lines in the order of the file: each an entry, or the problem the line
     * is. Read one ahead, so that a line out of order is named before the merge hands on the one
     * written before it.
     */
    private static final class Lines {
        private final Path file;
        private final InputStream in;
        private final ByteArrayBuilder line = new ByteArrayBuilder();
        private long number;
        private Object ahead;
        private boolean started;
        /** An {@link Entry} or a {@link Verification.Break}. */
        Object current;

        Lines(Path file) throws IOException {
            this.file = file;
            this.in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        }

        long key() {
            return current instanceof Entry e ? e.sequence() : ((Verification.Break) current).sequence();
        }

        /** Moves to the next line; false at the end (a problem is the file's last). */
        boolean advance() throws IOException {
            if (!started) {
                started = true;
                ahead = read(0);
            }
            current = ahead;
            ahead = null;
            if (current instanceof Entry e) {
                ahead = read(e.sequence());
                if (ahead instanceof Verification.Break b && b.sequence() <= e.sequence()) {
                    current = b;
                }
            }
            return current != null;
        }

        /** The next complete line: an entry, a problem, or null at the end. */
        private Object read(long previous) throws IOException {
            line.reset();
            for (int b; (b = in.read()) >= 0;) {
                if (b != '\n') {
                    line.add((byte) b);
                    continue;
                }
                number++;
                Entry e = entryOrNull(line.string());
                if (e == null) {
                    return new Verification.Break(previous + 1, "the line " + file + ":" + number
                            + " is not a ledger entry");
                }
                if (e.sequence() <= previous) {
                    return new Verification.Break(e.sequence(), "record " + e.sequence()
                            + " is out of place: after record " + previous + " at " + file + ":" + number);
                }
                return e;
            }
            return null; // a line without its newline is being written, or torn: not yet a record
        }

        void close() {
            try {
                in.close();
            } catch (IOException e) {
                LOG.debug("closing {}", file, e);
            }
        }
    }

    static String fileName(YearMonth month) {
        return String.format("ledger-%04d-%02d.jsonl", month.getYear(), month.getMonthValue());
    }

    private static YearMonth month(Instant time) {
        return YearMonth.from(time.atZone(ZoneOffset.UTC));
    }

    /** The month files of {@code dir}, oldest first. */
    private static TreeMap<YearMonth, Path> segments(Path dir) {
        TreeMap<YearMonth, Path> segments = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "ledger-*.jsonl")) {
            for (Path p : files) {
                Matcher m = SEGMENT.matcher(p.getFileName().toString());
                if (m.matches()) {
                    int monthValue = Integer.parseInt(m.group(2));
                    if (monthValue >= 1 && monthValue <= 12) {
                        segments.put(YearMonth.of(Integer.parseInt(m.group(1)), monthValue), p);
                    }
                }
            }
        } catch (IOException e) {
            throw new LedgerException("cannot list the consent ledger in " + dir + ": " + e, e);
        }
        return segments;
    }

    /**
     * Checks one file after a crash: cuts off a torn last line, reports unreadable ones; moves the
     * tip to its newest entry.
     */
    private static void recover(Path file, Opened opened) throws IOException {
        long end = scan(file, (line, text) -> {
            try {
                Entry entry = RecordJson.entry(text);
                if (entry.sequence() > opened.tipSequence) {
                    opened.tipSequence = entry.sequence();
                    opened.tip = entry.mac();
                }
            } catch (IllegalArgumentException e) {
                String problem = "unreadable consent ledger line " + file + ":" + line + " skipped: "
                        + e.getMessage();
                LOG.warn(problem);
                opened.recovered.add(problem);
            }
        });
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            long size = channel.size();
            if (size > end) {
                long line = countLines(file) + 1;
                String problem = "torn consent ledger line " + file + ":" + line + " (" + (size - end)
                        + " bytes without a newline, never acknowledged) cut off";
                LOG.warn(problem);
                opened.recovered.add(problem);
                channel.truncate(end);
                channel.force(true);
            }
        }
    }

    private static long countLines(Path file) throws IOException {
        long[] n = {0};
        scan(file, (line, text) -> n[0] = line);
        return n[0];
    }

    private static Entry entryOrNull(String text) {
        try {
            return RecordJson.entry(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static ConsentRecord recordOrNull(String text) {
        return entryOrNull(text) instanceof Entry.Kept k ? k.record() : null;
    }

    /** Like {@link #scan}, for readers that run beside a rewrite: a file renamed away reads as empty. */
    private static void scanQuietly(Path file, LineVisitor visitor) {
        try {
            scan(file, visitor);
        } catch (NoSuchFileException e) {
            // purged or replaced meanwhile; a replacement is under the same name only for new readers
        } catch (IOException e) {
            throw new LedgerException("cannot read " + file + ": " + e, e);
        }
    }

    /**
     * Visits the complete lines of a file (those ending in a newline; a line being written or torn
     * has none yet) and returns the offset just after the last of them.
     */
    private static long scan(Path file, LineVisitor visitor) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            ByteArrayBuilder line = new ByteArrayBuilder();
            long offset = 0;
            long end = 0;
            long number = 0;
            int b;
            while ((b = in.read()) >= 0) {
                offset++;
                if (b == '\n') {
                    number++;
                    end = offset;
                    visitor.line(number, line.string());
                    line.reset();
                } else {
                    line.add((byte) b);
                }
            }
            return end;
        }
    }

    private static void forceDirectory(Path dir) throws IOException {
        if (WINDOWS) {
            return; // directories cannot be opened there; NTFS journals names itself
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing a consent ledger file", e);
            }
        }
    }

    @FunctionalInterface
    private interface LineVisitor {
        void line(long number, String text) throws IOException;
    }

    @FunctionalInterface
    private interface IoAction<T> {
        T run() throws IOException;
    }

    /** A growable byte array without {@code ByteArrayOutputStream}'s locking. */
    private static final class ByteArrayBuilder {
        private byte[] bytes = new byte[256];
        private int size;

        void add(byte b) {
            if (size == bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, size * 2);
            }
            bytes[size++] = b;
        }

        void add(byte[] more) {
            if (size + more.length > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(size * 2, size + more.length));
            }
            System.arraycopy(more, 0, bytes, size, more.length);
            size += more.length;
        }

        ByteBuffer buffer() {
            return ByteBuffer.wrap(bytes, 0, size);
        }

        String string() {
            return new String(bytes, 0, size, StandardCharsets.UTF_8);
        }

        void reset() {
            size = 0;
        }
    }
}
