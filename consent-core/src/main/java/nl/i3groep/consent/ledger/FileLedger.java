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
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store: append-only JSON lines in a directory, one file per calendar month (UTC) of
 * the decision, {@code ledger-2026-11.jsonl}. One line is one record in the form of
 * {@link ConsentLedger#export}.
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
 * locked ({@code ledger.lock}).
 */
public final class FileLedger implements ConsentLedger {

    private static final Logger LOG = LoggerFactory.getLogger(FileLedger.class);
    private static final Pattern SEGMENT = Pattern.compile("ledger-(\\d{4})-(\\d{2})\\.jsonl");
    private static final String NEXT = "ledger.next";
    private static final String LOCK = "ledger.lock";
    private static final boolean WINDOWS = System.getProperty("os.name", "").startsWith("Windows");

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final List<String> recovered;

    /** Held while lines are written and while files are replaced; before {@link #syncLock}. */
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Map<YearMonth, FileChannel> appending = new TreeMap<>();
    private long nextSequence;
    private boolean closed;

    private final ReentrantLock syncLock = new ReentrantLock();
    private final Condition synced = syncLock.newCondition();
    private long written;
    private long forced;
    private boolean syncing;
    private Map<Path, FileChannel> dirty = new HashMap<>();
    private LedgerException broken;
    private long forces;

    private FileLedger(Path dir, FileChannel lockChannel, FileLock lock, long nextSequence, List<String> recovered) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.nextSequence = nextSequence;
        this.written = nextSequence - 1;
        this.forced = nextSequence - 1;
        this.recovered = List.copyOf(recovered);
    }

    /**
     * Opens the ledger in {@code dir}, creating the directory if need be, and recovers from a crash.
     *
     * @throws LedgerException when the directory cannot be used or another process has it open
     */
    public static FileLedger open(Path dir) {
        Objects.requireNonNull(dir, "dir");
        Path directory = dir.toAbsolutePath().normalize();
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
                throw new LedgerException("the consent ledger in " + directory
                        + " is already open (in this or another process); one ledger directory per process");
            }
            try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(directory, "*.tmp")) {
                for (Path p : leftovers) {
                    // a replacement that a crash interrupted before its rename: the original stands
                    Files.delete(p);
                }
            }
            List<String> recovered = new ArrayList<>();
            long max = 0;
            for (Path segment : segments(directory).values()) {
                max = Math.max(max, recover(segment, recovered));
            }
            long next = Math.max(max + 1, readNext(directory));
            return new FileLedger(directory, lockChannel, lock, next, recovered);
        } catch (IOException | UncheckedIOException e) {
            closeQuietly(lockChannel);
            throw new LedgerException("cannot open the consent ledger in " + directory + ": " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(lockChannel);
            throw e;
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
            usable();
            long sequence = nextSequence;
            Map<YearMonth, ByteArrayBuilder> lines = new LinkedHashMap<>();
            for (ConsentRecord r : records) {
                ConsentRecord n = r.numbered(sequence++);
                numbered.add(n);
                lines.computeIfAbsent(month(n.time()), m -> new ByteArrayBuilder()).add(RecordJson.line(n));
            }
            Map<Path, FileChannel> touched = write(lines);
            nextSequence = sequence;
            last = sequence - 1;
            syncLock.lock();
            try {
                written = last;
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
                Map<Path, FileChannel> channels = dirty;
                dirty = new HashMap<>();
                IOException failure = null;
                syncLock.unlock();
                try {
                    force(channels);
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
                    ConsentRecord r = parseOrNull(text);
                    if (r != null && r.consentId().equals(consentId)) {
                        found.add(r);
                    }
                }
            });
        }
        found.sort(Comparator.comparingLong(ConsentRecord::sequence));
        return found;
    }

    /** Every record, in order of sequence: for tests and tools, it reads everything. */
    List<ConsentRecord> records() {
        List<ConsentRecord> all = new ArrayList<>();
        for (Path segment : segments(dir).values()) {
            scanQuietly(segment, (line, text) -> {
                ConsentRecord r = parseOrNull(text);
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

    /** What {@link #open} found wrong and repaired or skipped, as logged. */
    List<String> recovered() {
        return recovered;
    }

    @Override
    public int erase(String consentId) {
        Objects.requireNonNull(consentId, "consentId");
        String quoted = RecordJson.JSON.getNodeFactory().textNode(consentId).toString();
        return exclusive(() -> {
            boolean remembered = false;
            int removed = 0;
            for (Map.Entry<YearMonth, Path> e : segments(dir).entrySet()) {
                int[] matches = {0};
                scan(e.getValue(), (line, text) -> {
                    if (text.contains(quoted)) {
                        matches[0]++;
                    }
                });
                if (matches[0] > 0) {
                    if (!remembered) {
                        writeNext();
                        remembered = true;
                    }
                    removed += rewrite(e.getKey(), e.getValue(), r -> !r.consentId().equals(consentId));
                }
            }
            return removed;
        });
    }

    @Override
    public int purge(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        return exclusive(() -> {
            boolean remembered = false;
            int removed = 0;
            for (Map.Entry<YearMonth, Path> e : segments(dir).entrySet()) {
                Instant start = e.getKey().atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
                if (!start.isBefore(cutoff)) {
                    break;
                }
                if (!remembered) {
                    writeNext();
                    remembered = true;
                }
                removed += rewrite(e.getKey(), e.getValue(), r -> !r.time().isBefore(cutoff));
            }
            return removed;
        });
    }

    /**
     * Replaces a file by its records that {@code keep} accepts (deleting it when none is left);
     * returns how many went. Unreadable lines go too. Runs {@link #exclusive}.
     */
    private int rewrite(YearMonth month, Path file, Predicate<ConsentRecord> keep) throws IOException {
        FileChannel current = appending.remove(month);
        closeQuietly(current);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        int[] counts = {0, 0};
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING); OutputStream stream = Channels.newOutputStream(out)) {
            OutputStream buffered = new java.io.BufferedOutputStream(stream, 1 << 16);
            scan(file, (line, text) -> {
                ConsentRecord r = parseOrNull(text);
                if (r == null) {
                    LOG.warn("dropping the unreadable line {}:{} while rewriting it", file, line);
                } else if (keep.test(r)) {
                    counts[0]++;
                    buffered.write(text.getBytes(StandardCharsets.UTF_8));
                    buffered.write('\n');
                } else {
                    counts[1]++;
                }
            });
            buffered.flush();
            out.force(true);
        }
        if (counts[1] == 0) {
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
        Path tmp = dir.resolve(NEXT + ".tmp");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap((nextSequence + "\n").getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) {
                out.write(b);
            }
            out.force(true);
        }
        Files.move(tmp, dir.resolve(NEXT), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(dir);
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
            usable();
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
        syncLock.lock();
        try {
            while (syncing) {
                synced.awaitUninterruptibly();
            }
            syncing = true;
            channels = dirty;
            dirty = new HashMap<>();
        } finally {
            syncLock.unlock();
        }
        LedgerException failure = null;
        try {
            force(channels);
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
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            LedgerException failure = forceWritten("on close");
            closed = true;
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
        return "FileLedger[" + dir + "]";
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
     * Checks one file after a crash: cuts off a torn last line, reports unreadable ones; returns
     * the highest sequence number in it.
     */
    private static long recover(Path file, List<String> recovered) throws IOException {
        long[] max = {0};
        long end = scan(file, (line, text) -> {
            try {
                max[0] = Math.max(max[0], RecordJson.parse(text).sequence());
            } catch (IllegalArgumentException e) {
                String problem = "unreadable consent ledger line " + file + ":" + line + " skipped: "
                        + e.getMessage();
                LOG.warn(problem);
                recovered.add(problem);
            }
        });
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            long size = channel.size();
            if (size > end) {
                long line = countLines(file) + 1;
                String problem = "torn consent ledger line " + file + ":" + line + " (" + (size - end)
                        + " bytes without a newline, never acknowledged) cut off";
                LOG.warn(problem);
                recovered.add(problem);
                channel.truncate(end);
                channel.force(true);
            }
        }
        return max[0];
    }

    private static long countLines(Path file) throws IOException {
        long[] n = {0};
        scan(file, (line, text) -> n[0] = line);
        return n[0];
    }

    private static ConsentRecord parseOrNull(String text) {
        try {
            return RecordJson.parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
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
