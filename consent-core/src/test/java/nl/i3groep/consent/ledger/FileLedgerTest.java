package nl.i3groep.consent.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import nl.i3groep.consent.ledger.ConsentRecord.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLedgerTest extends DurableLedgerContract {

    @TempDir
    Path dir;

    @Override
    protected ConsentLedger openEmpty() {
        return FileLedger.open(dir, LedgerKeys.KEYS);
    }

    @Override
    protected ConsentLedger reopen() {
        return FileLedger.open(dir, LedgerKeys.KEYS);
    }

    @Override
    protected ConsentLedger reopen(List<nl.i3groep.consent.cookie.SigningKey> keys) {
        return FileLedger.open(dir, keys);
    }

    /** The month file holding record {@code sequence}, and the record's line in it. */
    private Path fileOf(long sequence) throws Exception {
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.filter(f -> f.getFileName().toString().startsWith("ledger-")).toList()) {
                if (Files.readAllLines(p).stream().anyMatch(l -> l.startsWith("{\"seq\":" + sequence + ","))) {
                    return p;
                }
            }
        }
        throw new AssertionError("no line of record " + sequence);
    }

    private void rewriteLines(long sequence, java.util.function.UnaryOperator<List<String>> change) throws Exception {
        Path file = fileOf(sequence);
        Files.write(file, change.apply(new java.util.ArrayList<>(Files.readAllLines(file))));
    }

    private static int indexOf(List<String> lines, long sequence) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("{\"seq\":" + sequence + ",")) {
                return i;
            }
        }
        throw new AssertionError("no line of record " + sequence);
    }

    @Override
    protected void editChoice(long sequence) throws Exception {
        rewriteLines(sequence, lines -> {
            int i = indexOf(lines, sequence);
            String edited = lines.get(i).replace("\"analytics\":true", "\"analytics\":false");
            assertTrue(!edited.equals(lines.get(i)), lines.get(i));
            lines.set(i, edited);
            return lines;
        });
    }

    @Override
    protected void delete(long sequence) throws Exception {
        rewriteLines(sequence, lines -> {
            lines.remove(indexOf(lines, sequence));
            return lines;
        });
    }

    @Override
    protected void swap(long a, long b) throws Exception {
        rewriteLines(a, lines -> {
            java.util.Collections.swap(lines, indexOf(lines, a), indexOf(lines, b));
            return lines;
        });
    }

    @Override
    protected void truncate(int count) throws Exception {
        Path file = dir.resolve("ledger-2026-11.jsonl");
        List<String> lines = Files.readAllLines(file);
        Files.write(file, lines.subList(0, lines.size() - count));
    }

    @Override
    protected void editNotice(String hash) throws Exception {
        Path file = dir.resolve("notices.jsonl");
        String text = Files.readString(file);
        assertTrue(text.contains("Cookies"), text);
        Files.writeString(file, text.replace("Cookies", "Koekjes"));
    }

    private List<String> files() throws Exception {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesOneJsonLinePerRecordIntoOneFilePerMonth() throws Exception {
        ConsentRecord november = ledger.append(record(Instant.parse("2026-11-30T23:59:59Z"), Source.BANNER));
        ConsentRecord december = ledger.append(record(Instant.parse("2026-12-01T00:00:00Z"), Source.FORM));
        assertEquals(List.of("ledger-2026-11.jsonl", "ledger-2026-12.jsonl", "ledger.head", "ledger.lock", "requests"),
                files());
        List<String> lines = Files.readAllLines(dir.resolve("ledger-2026-11.jsonl"));
        assertEquals(1, lines.size());
        assertEquals(november, RecordJson.parse(lines.get(0)));
        assertTrue(lines.get(0).startsWith("{\"seq\":" + november.sequence() + ",\"consentId\":\""), lines.get(0));
        assertEquals(List.of(december), Files.readAllLines(dir.resolve("ledger-2026-12.jsonl")).stream()
                .map(RecordJson::parse).toList());
    }

    @Test
    void aTornLastLineIsReportedCutOffAndAppendingGoesOnCleanly() throws Exception {
        ConsentRecord a = ledger.append(record(NOW, Source.BANNER));
        ConsentRecord b = ledger.append(record(NOW, Source.BANNER));
        ledger.close();
        Path file = dir.resolve("ledger-2026-11.jsonl");
        Files.write(file, "{\"seq\":3,\"consentId\":\"abc".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);

        FileLedger reopened = FileLedger.open(dir, LedgerKeys.KEYS);
        ledger = reopened;
        assertEquals(1, reopened.recovered().size(), reopened.recovered().toString());
        String report = reopened.recovered().get(0);
        assertTrue(report.contains(file.toString() + ":3") && report.contains("torn"), report);
        ConsentRecord c = ledger.append(record(NOW, Source.API));
        assertEquals(b.sequence() + 1, c.sequence());
        assertEquals(List.of(a, b, c), reopened.records());
        assertEquals(3, Files.readAllLines(file).stream().map(RecordJson::parse).count());
    }

    @Test
    void anUnreadableLineInsideAFileIsReportedAndSkippedNotCut() throws Exception {
        ConsentRecord a = ledger.append(record(NOW, Source.BANNER));
        ledger.close();
        Path file = dir.resolve("ledger-2026-11.jsonl");
        Files.write(file, "\u0000\u0000garbage\n".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        FileLedger reopened = FileLedger.open(dir, LedgerKeys.KEYS);
        ledger = reopened;
        ConsentRecord b = ledger.append(record(NOW, Source.BANNER));
        assertTrue(reopened.recovered().get(0).contains(file + ":2"), reopened.recovered().toString());
        assertEquals(List.of(a, b), reopened.records());
        assertEquals(3, Files.readAllLines(file).size());
    }

    @Test
    void eraseAndPurgeReplaceFilesWholeAndLeaveNothingBehind() throws Exception {
        ConsentRecord old = ledger.append(record(Instant.parse("2024-01-10T00:00:00Z"), Source.BANNER));
        ConsentRecord keep = ledger.append(record(NOW, Source.BANNER));
        ConsentRecord gone = ledger.append(record(NOW, Source.FORM));
        assertEquals(1, ledger.erase(gone.consentId()));
        assertEquals(1, ledger.purge(Instant.parse("2025-01-01T00:00:00Z")));
        assertEquals(List.of("ledger-2026-11.jsonl", "ledger.head", "ledger.lock", "ledger.next", "ledger.start", "requests"),
                files());
        assertEquals(List.of(keep), ((FileLedger) ledger).records());
        assertEquals(List.of(), ledger.find(old.consentId()));
        ConsentRecord after = ledger.append(record(NOW, Source.API));
        assertEquals(List.of(keep, after), ((FileLedger) ledger).records());
    }

    /** What the operator's tool does while the site has the directory open. */
    @Test
    void aReaderBesideTheWriterSeesWhatIsStoredVerifiesItAndWritesNothing() throws Exception {
        ConsentRecord a = ledger.append(record(NOW, Source.BANNER));
        String hash = ledger.keep(new Notice("en", "2024-05", java.util.Map.of("title", "Cookies"), List.of()));
        ConsentRecord b = ledger.append(record(NOW.plusSeconds(1), Source.API));
        Path month = dir.resolve(FileLedger.fileName(java.time.YearMonth.of(2026, 11)));
        Files.writeString(month, "{\"seq\":9", StandardOpenOption.APPEND); // a line being written
        long size = Files.size(month);

        try (FileLedger reader = FileLedger.openReadOnly(dir, LedgerKeys.KEYS)) {
            assertEquals(List.of(a), reader.find(a.consentId()));
            assertTrue(reader.notice(hash).isPresent(), "notices are read");
            List<ConsentRecord> all = new java.util.ArrayList<>();
            reader.forEachRecord(all::add);
            assertEquals(List.of(a, b), all);
            Verification v = reader.verify();
            assertTrue(v.intact(), v.toString());
            assertEquals(2, v.records());
            for (org.junit.jupiter.api.function.Executable write : List.<org.junit.jupiter.api.function.Executable>of(
                    () -> reader.append(record(NOW, Source.API)),
                    () -> reader.keep(new Notice("nl", "2024-05", java.util.Map.of(), List.of())))) {
                LedgerException e = assertThrows(LedgerException.class, write);
                assertTrue(e.getMessage().contains("read-only"), e.getMessage());
            }
        }
        assertEquals(size, Files.size(month), "the reader repairs nothing: the writer's line is its own");
        assertEquals(List.of(a), ledger.find(a.consentId()), "the writer goes on");
    }

    /**
     * Erase reads the months before it takes the write lock: visitors' decisions are stored while
     * it does, and a month that changed meanwhile is read again.
     */
    @Test
    void decisionsAreStoredWhileAnEraseReadsTheMonths() throws Exception {
        String id = nl.i3groep.consent.ConsentState.newConsentId();
        ConsentRecord old = ledger.append(record(id, Instant.parse("2026-09-10T00:00:00Z"), Source.BANNER));
        ConsentRecord other = ledger.append(record(NOW.minusSeconds(60), Source.API));
        Path now = fileOf(other.sequence());
        List<ConsentRecord> during = new java.util.ArrayList<>();
        ((FileLedger) ledger).erasingScanned = file -> {
            if (!file.equals(now)) {
                return;
            }
            // from another thread, as visitors' requests: they must not wait for the erase
            var appends = java.util.concurrent.CompletableFuture.supplyAsync(() -> List.of(
                    ledger.append(record(NOW, Source.BANNER)), ledger.append(record(id, NOW.plusSeconds(1), Source.API))));
            try {
                during.addAll(appends.get(20, java.util.concurrent.TimeUnit.SECONDS));
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("the appends waited for the erase");
            } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
                throw new AssertionError(e);
            }
        };
        assertEquals(2, ledger.erase(id), "the old record, and the one stored in a month read before it came");
        assertEquals(2, during.size());
        assertEquals(List.of(), ledger.find(id));
        assertEquals(List.of(other, during.get(0)), ((FileLedger) ledger).records());
        Verification v = ledger.verify();
        assertTrue(v.intact(), v.toString());
    }

    /** A visitor's erasure, or the operator's purge, while the site runs: the site does them. */
    @Test
    void aReaderBesideTheWriterHasTheWriterEraseAndPurge() throws Exception {
        ConsentRecord old = ledger.append(record(Instant.parse("2024-01-10T00:00:00Z"), Source.BANNER));
        ConsentRecord a = ledger.append(record(NOW, Source.BANNER));
        ConsentRecord b = ledger.append(record(NOW.plusSeconds(1), Source.API));
        try (FileLedger reader = FileLedger.openReadOnly(dir, LedgerKeys.KEYS)) {
            assertEquals(1, reader.erase(a.consentId()));
            assertEquals(0, reader.erase(a.consentId()), "erased once");
            assertEquals(1, reader.purge(Instant.parse("2025-01-01T00:00:00Z")));
        }
        assertEquals(List.of(), ledger.find(a.consentId()), "the writer erased");
        assertEquals(List.of(), ledger.find(old.consentId()), "the writer purged");
        assertEquals(List.of(b), ((FileLedger) ledger).records());
        Verification v = ledger.verify();
        assertTrue(v.intact(), v.toString());
        assertEquals(List.of(), requests(), "the requests and their answers are gone");
        ConsentRecord after = ledger.append(record(NOW.plusSeconds(2), Source.API));
        assertEquals(List.of(b, after), ((FileLedger) ledger).records(), "the writer goes on");
    }

    @Test
    void aRequestUnderAKeyTheSiteDoesNotHaveIsRefusedAndErasesNothing() throws Exception {
        ConsentRecord a = ledger.append(record(NOW, Source.BANNER));
        try (FileLedger reader = FileLedger.openReadOnly(dir, List.of(LedgerKeys.SECOND))) {
            LedgerException e = assertThrows(LedgerException.class, () -> reader.erase(a.consentId()));
            assertTrue(e.getMessage().contains("refused") && e.getMessage().contains("MAC"), e.getMessage());
        }
        assertEquals(List.of(a), ledger.find(a.consentId()));
        assertEquals(List.of(), requests());
    }

    /** An answer whose tool stopped waiting, and a half-written file, go once they are old. */
    @Test
    void whatNobodyWillReadInRequestsGoesWhenOld() throws Exception {
        ConsentRecord a = ledger.append(record(NOW, Source.BANNER));
        ledger.close();
        Path requests = dir.resolve("requests");
        Files.createDirectories(requests);
        java.nio.file.attribute.FileTime hourAgo = java.nio.file.attribute.FileTime.from(
                Instant.now().minusSeconds(3600));
        for (String name : List.of("old.answer", "old.request.tmp", "new.answer")) {
            Files.writeString(requests.resolve(name), "{\"count\":1}");
            if (name.startsWith("old")) {
                Files.setLastModifiedTime(requests.resolve(name), hourAgo);
            }
        }
        ledger = FileLedger.open(dir, LedgerKeys.KEYS);
        try (FileLedger reader = FileLedger.openReadOnly(dir, LedgerKeys.KEYS)) {
            // answered after the holder's first look at the directory
            assertEquals(1, reader.erase(a.consentId()));
        }
        assertEquals(List.of("new.answer"), requests(), "a recent one may still be read");
    }

    @Test
    void aReaderWithNoWriterBesideItErasesItselfAndLetsGo() throws Exception {
        ConsentRecord a = ledger.append(record(NOW, Source.BANNER));
        ledger.close();
        try (FileLedger reader = FileLedger.openReadOnly(dir, LedgerKeys.KEYS)) {
            assertEquals(1, reader.erase(a.consentId()));
        }
        ledger = FileLedger.open(dir, LedgerKeys.KEYS);
        assertEquals(List.of(), ledger.find(a.consentId()));
        assertTrue(ledger.verify().intact());
    }

    @Test
    void aRequestThatNoHolderTakesIsWithdrawnAndDoesNothing() throws Exception {
        ConsentRecord a = ledger.append(record(NOW, Source.BANNER));
        ledger.close();
        // a holder that takes no requests, as a site of an earlier version
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(dir.resolve("ledger.lock"),
                StandardOpenOption.WRITE); java.nio.channels.FileLock held = channel.lock();
                FileLedger reader = FileLedger.openReadOnly(dir, LedgerKeys.KEYS)) {
            reader.claimWithin = java.time.Duration.ofMillis(300);
            LedgerException e = assertThrows(LedgerException.class, () -> reader.erase(a.consentId()));
            assertTrue(e.getMessage().contains("no process took") && e.getMessage().contains("nothing was done"),
                    e.getMessage());
            assertEquals(List.of(), requests(), "withdrawn");
        }
        ledger = FileLedger.open(dir, LedgerKeys.KEYS);
        assertEquals(List.of(a), ledger.find(a.consentId()));
    }

    @Test
    void aClaimLeftByAHolderThatDiedIsDoneWhenTheLedgerIsNextOpenedAndAStaleRequestIsRefused() throws Exception {
        ConsentRecord a = ledger.append(record(NOW, Source.BANNER));
        ConsentRecord b = ledger.append(record(NOW, Source.FORM));
        ledger.close();
        Chain chain = new Chain(LedgerKeys.KEYS);
        String hourAgo = Instant.now().minusSeconds(3600).toString();
        Path requests = dir.resolve("requests");
        for (String[] r : List.of(new String[] {"claimed", a.consentId()}, new String[] {"request", b.consentId()})) {
            Files.writeString(requests.resolve("old." + r[0]), "{\"erase\":\"" + r[1] + "\",\"at\":\"" + hourAgo
                    + "\",\"key\":\"l1\",\"mac\":\"" + chain.request("l1", hourAgo, Requests.Kind.ERASE, r[1]) + "\"}");
            try (java.nio.file.WatchService watch = dir.getFileSystem().newWatchService()) {
                requests.register(watch, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
                ledger = FileLedger.open(dir, LedgerKeys.KEYS);
                Path answer = requests.resolve("old.answer");
                awaitAnswer(watch, () -> Files.exists(answer));
                String text = Files.readString(answer);
                Files.delete(answer);
                if (r[0].equals("claimed")) {
                    assertEquals("{\"count\":1}", text, "a claim is done again, however old");
                    assertEquals(List.of(), ledger.find(a.consentId()));
                } else {
                    assertTrue(text.contains("error") && text.contains("old one"), text);
                    assertEquals(List.of(b), ledger.find(b.consentId()), "a stale request erases nothing");
                }
                ledger.close();
            }
        }
        ledger = FileLedger.open(dir, LedgerKeys.KEYS);
        assertEquals(List.of(), requests());
    }

    @Test
    void aHolderThatDiesWithTheRequestClaimedIsReportedAndTheClaimIsDoneAtTheNextOpen() throws Exception {
        ConsentRecord a = ledger.append(record(NOW, Source.BANNER));
        ledger.close();
        Path requests = dir.resolve("requests");
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(dir.resolve("ledger.lock"),
                StandardOpenOption.WRITE); java.nio.channels.FileLock held = channel.lock();
                java.nio.file.WatchService watch = dir.getFileSystem().newWatchService()) {
            requests.register(watch, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
            // a holder that claims the request as the real one does, and dies before it answers
            java.util.concurrent.CompletableFuture<Path> claimed = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    while (true) {
                        java.nio.file.WatchKey key = watch.take();
                        for (java.nio.file.WatchEvent<?> e : key.pollEvents()) {
                            String name = e.context().toString();
                            if (name.endsWith(".request")) {
                                Path request = requests.resolve(name);
                                Path claim = requests.resolve(name.replace(".request", ".claimed"));
                                try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(request,
                                        StandardOpenOption.READ, StandardOpenOption.WRITE);
                                        java.nio.channels.FileLock l = c.lock()) {
                                    Files.move(request, claim, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                                }
                                return claim;
                            }
                        }
                        key.reset();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (FileLedger reader = FileLedger.openReadOnly(dir, LedgerKeys.KEYS)) {
                LedgerException e = assertThrows(LedgerException.class, () -> reader.erase(a.consentId()));
                assertTrue(e.getMessage().contains("stopped before it answered"), e.getMessage());
            }
            Path claim = claimed.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(Files.exists(claim), "the claim stays");
        }
        try (java.nio.file.WatchService watch = dir.getFileSystem().newWatchService()) {
            requests.register(watch, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
            ledger = FileLedger.open(dir, LedgerKeys.KEYS);
            awaitAnswer(watch, () -> requests().stream().anyMatch(n -> n.endsWith(".answer")));
        }
        assertEquals(List.of(), ledger.find(a.consentId()), "done at the next open");
    }

    /** What a condition on requests/ needs: woken by its watch at each new file, at most 20 s between. */
    private static void awaitAnswer(java.nio.file.WatchService watch, java.util.concurrent.Callable<Boolean> answered)
            throws Exception {
        while (!answered.call()) {
            java.nio.file.WatchKey key = watch.poll(20, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(key != null, "answered");
            key.pollEvents();
            key.reset();
        }
    }

    private List<String> requests() throws Exception {
        try (Stream<Path> list = Files.list(dir.resolve("requests"))) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aReaderSeesAnEditedRecordWhereTheWriterWould() throws Exception {
        ConsentRecord a = ledger.append(record(NOW, Source.BANNER));
        ledger.append(record(NOW.plusSeconds(1), Source.API));
        try (FileLedger reader = FileLedger.openReadOnly(dir, LedgerKeys.KEYS)) {
            assertTrue(reader.verify().intact(), "control: intact before the edit");
        }
        editChoice(a.sequence());
        try (FileLedger reader = FileLedger.openReadOnly(dir, LedgerKeys.KEYS)) {
            Verification v = reader.verify();
            assertEquals(a.sequence(), v.broken().orElseThrow().sequence(), v.toString());
        }
    }

    @Test
    void aReaderNeedsAnExistingDirectory() {
        LedgerException e = assertThrows(LedgerException.class,
                () -> FileLedger.openReadOnly(dir.resolve("absent"), LedgerKeys.KEYS));
        assertTrue(e.getMessage().contains("no consent ledger"), e.getMessage());
    }

    @Test
    void oneDirectoryIsOpenOnceAndAClosedLedgerRefuses() {
        LedgerException twice = assertThrows(LedgerException.class, () -> FileLedger.open(dir, LedgerKeys.KEYS));
        assertTrue(twice.getMessage().contains("already open") && twice.getMessage().contains(dir.toString()),
                twice.getMessage());
        ledger.close();
        LedgerException closed = assertThrows(LedgerException.class, () -> ledger.append(record(NOW, Source.API)));
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        ledger = FileLedger.open(dir, LedgerKeys.KEYS);
    }

    @Test
    void aDirectoryThatCannotBeMadeFailsClearly() throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        LedgerException e = assertThrows(LedgerException.class, () -> FileLedger.open(file.resolve("ledger"), LedgerKeys.KEYS));
        assertTrue(e.getMessage().contains("cannot open the consent ledger in " + file.resolve("ledger")),
                e.getMessage());
    }

    @Test
    void concurrentAppendsShareForces() throws Exception {
        FileLedger file = (FileLedger) ledger;
        long before = file.forces();
        int threads = 8;
        int each = 500;
        Thread[] appenders = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            appenders[t] = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    ledger.append(record(NOW, Source.BANNER));
                }
            });
            appenders[t].start();
        }
        for (Thread t : appenders) {
            t.join();
        }
        long forces = file.forces() - before;
        assertEquals(threads * each, file.records().size());
        assertTrue(forces > 0 && forces < threads * each, forces + " forces for " + threads * each + " appends");
    }

    @Test
    void anInterruptedAppenderNeitherFailsNorBreaksTheLedgerForOthers() throws Exception {
        Thread.currentThread().interrupt();
        ConsentRecord a;
        try {
            a = ledger.append(record(NOW, Source.BANNER));
        } finally {
            assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
        }
        ConsentRecord[] b = new ConsentRecord[1];
        Thread other = new Thread(() -> b[0] = ledger.append(record(NOW, Source.FORM)));
        other.start();
        other.join();
        ledger.close();
        ledger = reopen();
        assertEquals(List.of(a, b[0]), ((FileLedger) ledger).records());
    }
}
