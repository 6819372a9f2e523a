package nl.i3groep.consent.servlet;

import nl.i3groep.consent.Decisions;
import nl.i3groep.consent.ledger.ConsentRecord;
import org.slf4j.LoggerFactory;

/**
 * What the filter counts: Micrometer's meters where Micrometer is on the class path, else nothing.
 * The filter's own classes never name a Micrometer type, so that a webapp without Micrometer loads
 * them (a container may reflect on a filter's methods) and pays for no measuring.
 */
interface Meters {

    /** Counts nothing, times nothing. */
    Meters NONE = new Meters() {
    };

    /**
     * Micrometer's global registry, where Micrometer is on the class path of the filter; else
     * {@link #NONE}. Spring Boot adds the registries it configures to the global one.
     */
    static Meters detect() {
        try {
            Class.forName("io.micrometer.core.instrument.Metrics", false, Meters.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return NONE;
        }
        try {
            return (Meters) Class.forName("nl.i3groep.consent.servlet.MicrometerMeters")
                    .getDeclaredMethod("global").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            LoggerFactory.getLogger(ConsentFilter.class).warn("Micrometer is on the class path but cannot be used"
                    + " ({}); the consent filter records no metrics", e.toString());
            return NONE;
        }
    }

    /** Whether {@link #gated} wants the time: else no clock is read per write. */
    default boolean timing() {
        return false;
    }

    /** A decision recorded in the ledger, and what it now allows. */
    default void decision(ConsentRecord record, Decisions now) {
    }

    /** An answer of one of the filter's endpoints ({@code consent}, {@code banner}, {@code records}, …). */
    default void answered(String endpoint, int status) {
    }

    /** The ledger failed at {@code operation} ({@code append}, {@code read}, {@code keep}, {@code purge}). */
    default void ledgerFailed(String operation) {
    }

    /**
     * A body that went out under the fail-closed policy or with its markup escaped, once per
     * response, for the first {@code reason}.
     */
    default void failedClosed(String reason) {
    }

    /** The time a response's body spent in the gate, once it is finished. */
    default void gated(long nanos) {
    }
}
