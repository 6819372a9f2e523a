package nl.i3groep.consent.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Erase and purge of a file ledger, asked by a tool beside the process that holds it (the site): the
 * directory admits one writer, and a visitor's erasure should not wait for the site to stop.
 *
 * <p>The tool writes its request into {@code requests/} of the ledger directory ({@code <name>.tmp},
 * forced, renamed to {@code <name>.request}), with a MAC under the ledger key, so that only who holds
 * that key can ask, and with its time, so that an old request copied back does nothing. The holder
 * watches the directory. It claims a request by locking the file and renaming it to
 * {@code <name>.claimed}, does it through its own {@link FileLedger#erase} or {@link FileLedger#purge},
 * writes {@code <name>.answer} the same way and removes the claim. The tool withdraws a request that
 * nobody claims in time (it deletes it; when that fails, it was claimed); while a claim stays
 * locked, its holder is alive. A claim left by a holder that died is done when the ledger is next
 * opened: erase and purge done twice remove nothing more.
 */
final class Requests implements AutoCloseable {

    static final String DIR = "requests";
    /** How long a request stays good after it was made: a copy of it later is refused. */
    private static final Duration FRESH = Duration.ofMinutes(10);
    private static final Logger LOG = LoggerFactory.getLogger(FileLedger.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What a request asks: {@code erase} a consent id, or {@code purge} before an instant. */
    enum Kind { ERASE, PURGE }

    private final FileLedger ledger;
    private final Chain chain;
    private final Path dir;
    private final WatchService watch;
    private final Thread thread;

    private Requests(FileLedger ledger, Chain chain, Path dir, WatchService watch) {
        this.ledger = ledger;
        this.chain = chain;
        this.dir = dir;
        this.watch = watch;
        this.thread = new Thread(this::serve, "consent-ledger-requests");
        thread.setDaemon(true);
    }

    /**
     * Serves the requests of tools beside the holder of {@code ledger}, on a daemon thread, until
     * {@link #close}; null, logged, when the directory cannot be watched (the ledger works without).
     */
    static Requests serve(FileLedger ledger, Chain chain) {
        Path dir = ledger.directory().resolve(DIR);
        try {
            Files.createDirectories(dir);
            WatchService watch = dir.getFileSystem().newWatchService();
            dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            Requests requests = new Requests(ledger, chain, dir, watch);
            requests.thread.start();
            return requests;
        } catch (IOException | RuntimeException e) {
            LOG.warn("the consent ledger in {} takes no erase or purge from tools beside it: cannot watch {}: {}",
                    ledger.directory(), dir, e.toString());
            return null;
        }
    }

    private void serve() {
        try {
            // what came while no holder ran: claims of one that died first, then what waits
            sweep();
            each("*.claimed", true);
            each("*.request", false);
            while (true) {
                var key = watch.take();
                key.pollEvents();
                each("*.request", false);
                if (!key.reset()) {
                    LOG.warn("{} is gone: the consent ledger takes no more requests of tools", dir);
                    return;
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            // closed with the ledger
        } catch (IOException | RuntimeException e) {
            LOG.error("the consent ledger in {} stopped taking requests of tools: {}", ledger.directory(), e.toString(), e);
        }
    }

    private void each(String glob, boolean claimed) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob)) {
            for (Path file : files) {
                answer(file, claimed);
            }
        }
    }

    /**
     * Removes what nobody will read: an answer whose tool stopped waiting (it reads an answer as
     * soon as it is there), a file half written when its writer stopped. Only older ones than a
     * request stays good, so that nothing under way is touched.
     */
    private void sweep() throws IOException {
        Instant before = Instant.now().minus(FRESH);
        for (String glob : new String[] {"*.answer", "*.tmp"}) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob)) {
                for (Path file : files) {
                    try {
                        if (Files.getLastModifiedTime(file).toInstant().isBefore(before)) {
                            Files.deleteIfExists(file);
                            LOG.info("removed {}, which nobody read", file);
                        }
                    } catch (NoSuchFileException e) {
                        // gone meanwhile
                    }
                }
            }
        }
    }

    /** Claims, does and answers one request; {@code claimed}: left by a holder that died. */
    private void answer(Path file, boolean claimed) {
        String name = file.getFileName().toString();
        name = name.substring(0, name.lastIndexOf('.'));
        Path claim = dir.resolve(name + ".claimed");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock()) {
            if (lock == null) {
                return;
            }
            if (!claimed) {
                try {
                    // the lock moves with the file: the tool sees a locked claim, never an open one
                    Files.move(file, claim, StandardCopyOption.ATOMIC_MOVE);
                } catch (NoSuchFileException e) {
                    return; // withdrawn by the tool
                }
            }
            ObjectNode answer = RecordJson.JSON.createObjectNode();
            try {
                answer.put("count", run(content(channel), claimed));
            } catch (LedgerException e) {
                LOG.warn("refused or failed a request in {}: {}", dir, e.getMessage());
                answer.put("error", e.getMessage());
            }
            FileLedger.replaceWhole(dir.resolve(name + ".answer"), RecordJson.JSON.writeValueAsBytes(answer));
            Files.delete(claim);
        } catch (NoSuchFileException e) {
            // withdrawn before it could be opened
        } catch (IOException e) {
            LOG.warn("cannot answer the request {} in {}: {}", name, dir, e.toString());
        }
    }

    /**
     * Read through the channel that holds the lock: closing another channel on the same file would
     * release the lock too (POSIX locks belong to the process and the file).
     */
    private static byte[] content(FileChannel channel) throws IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) Math.min(channel.size(), 1 << 16));
        int n;
        do {
            n = channel.read(b, b.position());
        } while (n > 0 && b.hasRemaining());
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    private int run(byte[] bytes, boolean claimed) {
        JsonNode request;
        try {
            request = RecordJson.JSON.readTree(bytes);
        } catch (IOException e) {
            throw new LedgerException("the request is not JSON: " + e.getMessage(), e);
        }
        Kind kind = request.has("erase") ? Kind.ERASE : request.has("purge") ? Kind.PURGE : null;
        if (kind == null) {
            throw new LedgerException("the request names neither erase nor purge");
        }
        String argument = request.path(kind == Kind.ERASE ? "erase" : "purge").asText();
        String at = request.path("at").asText();
        String key = request.path("key").asText();
        if (!chain.knows(key) || !MessageDigest.isEqual(
                chain.request(key, at, kind, argument).getBytes(StandardCharsets.US_ASCII),
                request.path("mac").asText().getBytes(StandardCharsets.US_ASCII))) {
            throw new LedgerException("the request's MAC does not hold under the ledger keys of the site");
        }
        Instant made;
        try {
            made = Instant.parse(at);
        } catch (java.time.DateTimeException e) {
            throw new LedgerException("the request's time is no instant: " + at, e);
        }
        if (!claimed && Duration.between(made, Instant.now()).abs().compareTo(FRESH) > 0) {
            throw new LedgerException("the request was made at " + at + ", more than " + FRESH.toMinutes()
                    + " minutes from now: refused as a copy of an old one");
        }
        if (kind == Kind.ERASE) {
            int n = ledger.erase(argument);
            LOG.info("erased {} consent record(s) at the request of a tool", n);
            return n;
        }
        Instant cutoff;
        try {
            cutoff = Instant.parse(argument);
        } catch (java.time.DateTimeException e) {
            throw new LedgerException("purge takes an instant, not " + argument, e);
        }
        int n = ledger.purge(cutoff);
        LOG.info("purged {} consent record(s) older than {} at the request of a tool", n, cutoff);
        return n;
    }

    /**
     * Asks the holder of the ledger in {@code ledgerDir} to erase or purge and returns how many
     * records it removed. Waits {@code claimWithin} for a holder to take the request, then as long
     * as it works on it.
     *
     * @throws LedgerException when no holder took it in time (then nothing was done), the holder
     *     refused it or failed, or stopped before it answered
     */
    static int ask(Path ledgerDir, Chain chain, Kind kind, String argument, Duration claimWithin) {
        Path dir = ledgerDir.resolve(DIR);
        if (!Files.isDirectory(dir)) {
            throw new LedgerException("no process that holds the consent ledger in " + ledgerDir
                    + " takes requests of tools (" + dir + " is missing): open the ledger itself to "
                    + kind.name().toLowerCase(java.util.Locale.ROOT));
        }
        String name = HexFormat.of().formatHex(bytes(16));
        Path request = dir.resolve(name + ".request");
        Path claim = dir.resolve(name + ".claimed");
        Path answer = dir.resolve(name + ".answer");
        String at = Instant.now().toString();
        ObjectNode o = RecordJson.JSON.createObjectNode();
        o.put(kind == Kind.ERASE ? "erase" : "purge", argument);
        o.put("at", at);
        o.put("key", chain.key());
        o.put("mac", chain.request(chain.key(), at, kind, argument));
        try (WatchService watch = dir.getFileSystem().newWatchService()) {
            // watched before the request is there: no answer can come unseen
            dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE);
            FileLedger.replaceWhole(request, RecordJson.JSON.writeValueAsBytes(o));
            long deadline = System.nanoTime() + claimWithin.toNanos();
            boolean taken = false;
            while (true) {
                // the holder removes its claim after it answered: back to the caller once both are
                // done, so that the directory is as before; a claim answered and then left unlocked
                // is of a holder that died in between, and done already
                if (Files.exists(answer) && !alive(claim)) {
                    Files.deleteIfExists(claim);
                    return read(answer);
                }
                if (!taken && Files.exists(claim)) {
                    taken = true;
                }
                if (!taken && System.nanoTime() - deadline > 0) {
                    try {
                        Files.delete(request);
                        throw new LedgerException("no process took the request to "
                                + kind.name().toLowerCase(java.util.Locale.ROOT) + " in " + claimWithin.toSeconds()
                                + " s, so nothing was done: the consent ledger in " + ledgerDir
                                + " is held by a process that takes no requests (a site before consent 0.1.0?)");
                    } catch (NoSuchFileException e) {
                        taken = true; // claimed just now
                    }
                }
                if (taken && !alive(claim)) {
                    if (Files.exists(answer)) {
                        Files.deleteIfExists(claim);
                        return read(answer);
                    }
                    throw new LedgerException("the process that held the consent ledger in " + ledgerDir
                            + " stopped before it answered; the request stays in " + claim
                            + " and is done when the ledger is next opened");
                }
                // the events wake early; each turn reads the directory anew, and the second bounds how
                // long a holder that dies goes unnoticed
                var key = watch.poll(1, TimeUnit.SECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        } catch (IOException e) {
            throw new LedgerException("cannot ask the holder of the consent ledger in " + ledgerDir + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LedgerException("interrupted while waiting for the holder of the consent ledger in "
                    + ledgerDir + "; the request stays in " + dir, e);
        }
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** A claim is alive while its holder keeps it locked. */
    private static boolean alive(Path claim) throws IOException {
        try (FileChannel channel = FileChannel.open(claim, StandardOpenOption.READ)) {
            try (FileLock lock = channel.tryLock(0, Long.MAX_VALUE, true)) {
                return lock == null;
            } catch (OverlappingFileLockException e) {
                return true; // held in this very JVM
            }
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private static int read(Path answer) throws IOException {
        JsonNode a = RecordJson.JSON.readTree(Files.readAllBytes(answer));
        Files.delete(answer);
        if (a.has("error")) {
            throw new LedgerException("the site refused the request: " + a.path("error").asText());
        }
        return a.path("count").asInt();
    }

    /** Stops serving; waits for a request under way to be answered. */
    @Override
    public void close() {
        try {
            watch.close();
        } catch (IOException e) {
            LOG.debug("closing the watch of {}", dir, e);
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
