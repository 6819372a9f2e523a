package nl.i3groep.consent.ledger;

import java.util.Objects;
import java.util.Optional;

/**
 * What {@link ConsentLedger#verify()} found: how many entries it walked, and the first broken link,
 * if any. A link breaks where a record was edited, removed or put out of place, where an erased
 * record's seal or the ledger's head does not hold, or where the ledger ends before its head.
 *
 * @param records  consent records whose MAC was recomputed and matched
 * @param erased   records erased since, whose tombstones carry a valid seal
 * @param from     the sequence number the chain starts after: 0, or the last one a purge removed
 * @param broken   the first broken link; empty when the chain holds from {@code from} to the head
 */
public record Verification(long records, long erased, long from, Optional<Break> broken) {

    public Verification {
        Objects.requireNonNull(broken, "broken");
    }

    /**
     * A broken link.
     *
     * @param sequence the sequence number of the entry where the chain stops holding
     * @param problem  what is wrong there, in words an operator can act on
     */
    public record Break(long sequence, String problem) {
        public Break {
            Objects.requireNonNull(problem, "problem");
        }
    }

    /** Whether every link holds. */
    public boolean intact() {
        return broken.isEmpty();
    }

    @Override
    public String toString() {
        String walked = records + " record(s), " + erased + " erased, after sequence " + from;
        return broken.map(b -> "BROKEN at " + b.sequence() + ": " + b.problem() + " (" + walked + " checked before)")
                .orElse("intact: " + walked);
    }
}
