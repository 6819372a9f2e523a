package nl.i3groep.consent.ledger;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import nl.i3groep.consent.ConsentState;
import nl.i3groep.consent.ledger.ConsentRecord.Source;

/**
 * The process {@link FileLedgerCrashTest} kills: appends to the file ledger in {@code args[0]} from
 * {@code args[1]} threads until killed, printing {@code <sequence> <consentId>} for each append
 * once it has returned, that is, once the ledger has acknowledged it.
 */
final class CrashChild {

    private CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        FileLedger ledger = FileLedger.open(Path.of(args[0]), LedgerKeys.KEYS);
        int threads = Integer.parseInt(args[1]);
        PrintStream out = System.out;
        Instant now = Instant.now();
        for (int t = 0; t < threads; t++) {
            Thread appender = new Thread(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (true) {
                    // spread over three months, so that one group commit may force several files
                    Instant time = now.minus(Duration.ofDays(random.nextInt(70)));
                    ConsentRecord r = ledger.append(LedgerContract.record(ConsentState.newConsentId(), time,
                            Source.values()[random.nextInt(Source.values().length)]));
                    synchronized (out) {
                        out.println(r.sequence() + " " + r.consentId());
                        out.flush();
                    }
                }
            });
            appender.start();
        }
    }
}
