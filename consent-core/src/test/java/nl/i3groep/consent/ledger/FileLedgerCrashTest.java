package nl.i3groep.consent.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An acknowledged append survives the death of the JVM: a child process appends and reports each
 * acknowledgement; it is killed with SIGKILL after a random number of them; the reopened ledger
 * must hold every acknowledged record and open cleanly. Many rounds on one directory, so that
 * numbering must also continue across the crashes.
 */
class FileLedgerCrashTest {

    private static final int ROUNDS = 20;
    private static final Pattern ACK = Pattern.compile("(\\d+) ([A-Za-z0-9_-]{22})");

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedAppendSurvivesAKill() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Map<Long, String> acknowledged = new HashMap<>();
        int torn = 0;
        for (int round = 0; round < ROUNDS; round++) {
            String where = "round " + round + " (seed " + seed + ")";
            int killAfter = 1 + random.nextInt(400);
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(), dir.toString(),
                    String.valueOf(1 + random.nextInt(4)))
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try (BufferedReader acks = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
                int read = 0;
                String line;
                while (read < killAfter && (line = acks.readLine()) != null) {
                    read += ack(line, acknowledged, where) ? 1 : 0;
                }
                assertEquals(killAfter, read, where + ": the child ended before it was killed");
                // SIGKILL through the handle: Process.destroyForcibly would also close our end of the pipe,
                // and the acknowledgements still in it are to be checked too
                assertTrue(child.toHandle().destroyForcibly(), where + ": SIGKILL not sent");
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), where + ": the child outlived SIGKILL");
                assertEquals(137, child.exitValue(), where + ": killed by SIGKILL");
                // what it printed before dying was acknowledged too; a line cut by the kill is not an ack
                while ((line = acks.readLine()) != null) {
                    ack(line, acknowledged, where);
                }
            } finally {
                child.destroyForcibly();
            }

            try (FileLedger reopened = FileLedger.open(dir, LedgerKeys.KEYS)) {
                for (String problem : reopened.recovered()) {
                    assertTrue(problem.startsWith("torn consent ledger line"), where + ": " + problem);
                    torn++;
                }
                List<ConsentRecord> records = reopened.records();
                Map<Long, String> stored = new HashMap<>();
                for (ConsentRecord r : records) {
                    assertEquals(null, stored.put(r.sequence(), r.consentId()),
                            where + ": sequence " + r.sequence() + " given twice");
                }
                for (Map.Entry<Long, String> a : acknowledged.entrySet()) {
                    assertEquals(a.getValue(), stored.get(a.getKey()),
                            where + ": acknowledged record " + a.getKey() + " lost");
                }
                ConsentRecord probe = reopened.append(LedgerContract.record(LedgerContract.NOW,
                        ConsentRecord.Source.API));
                assertTrue(records.stream().allMatch(r -> r.sequence() < probe.sequence()),
                        where + ": numbering continues after the highest");
                acknowledged.put(probe.sequence(), probe.consentId());
                Verification verified = reopened.verify();
                assertTrue(verified.intact(), where + ": the chain holds over a crash: " + verified);
            }
        }
        assertTrue(acknowledged.size() > ROUNDS * 2, "acknowledgements: " + acknowledged.size());
        System.out.println("crash test: " + acknowledged.size() + " acknowledged records over " + ROUNDS
                + " kills, " + torn + " torn lines cut off (seed " + seed + ")");
    }

    /** Takes one acknowledgement line; false for a line the kill cut short. */
    private static boolean ack(String line, Map<Long, String> acknowledged, String where) {
        Matcher m = ACK.matcher(line);
        if (!m.matches()) {
            return false;
        }
        String before = acknowledged.put(Long.parseLong(m.group(1)), m.group(2));
        assertEquals(null, before, where + ": sequence " + m.group(1) + " acknowledged twice");
        return true;
    }
}
