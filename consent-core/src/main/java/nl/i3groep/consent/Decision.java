package nl.i3groep.consent;

import java.util.Objects;

/**
 * Whether one tracker may fire on this request, and why.
 *
 * @param trackerId the tracker asked about
 * @param reason    why it may or may not fire
 */
public record Decision(String trackerId, Reason reason) {

    public Decision {
        Objects.requireNonNull(trackerId, "trackerId");
        Objects.requireNonNull(reason, "reason");
    }

    /** Whether the tracker may fire. */
    public boolean allowed() {
        return reason.allows();
    }
}
