package nl.i3groep.consent.ledger;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import nl.i3groep.consent.ConsentState;

/**
 * One decision, as the ledger proves it: who (a random consent id, never an IP address or user
 * agent), when, under which policy, what was chosen, and how.
 *
 * @param sequence      the ledger's own number for the record, assigned on append; 0 before
 * @param consentId     the consent id the cookie carries
 * @param time          when the decision was taken
 * @param policyVersion the privacy statement it was taken under
 * @param purposes      per purpose: granted or refused
 * @param trackers      per tracker: refinements
 * @param source        how the decision reached the site
 * @param notice        the {@linkplain Notice#hash() hash} of the notice the visitor was shown;
 *                      empty where the decision did not come through the banner
 */
public record ConsentRecord(long sequence, String consentId, Instant time, String policyVersion,
        Map<String, Boolean> purposes, Map<String, Boolean> trackers, Source source, Optional<String> notice) {

    /** How a decision reached the site. */
    public enum Source {
        /** The banner, with JavaScript. */
        BANNER,
        /** The banner's form, without JavaScript. */
        FORM,
        /** The endpoint called by the site's own code. */
        API,
        /** A withdrawal ({@code DELETE}). */
        WITHDRAWAL,
        /** Denied because the browser sent Global Privacy Control. */
        GPC
    }

    public ConsentRecord {
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must not be negative");
        }
        Objects.requireNonNull(consentId, "consentId");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(policyVersion, "policyVersion");
        purposes = Collections.unmodifiableMap(new TreeMap<>(purposes));
        trackers = Collections.unmodifiableMap(new TreeMap<>(trackers));
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(notice, "notice");
    }

    /** A record that names no notice. */
    public ConsentRecord(long sequence, String consentId, Instant time, String policyVersion,
            Map<String, Boolean> purposes, Map<String, Boolean> trackers, Source source) {
        this(sequence, consentId, time, policyVersion, purposes, trackers, source, Optional.empty());
    }

    /** The record of a decision, not yet numbered, naming no notice. */
    public static ConsentRecord of(ConsentState state, Source source) {
        return of(state, source, Optional.empty());
    }

    /** The record of a decision taken after the notice of hash {@code notice}, not yet numbered. */
    public static ConsentRecord of(ConsentState state, Source source, Optional<String> notice) {
        return new ConsentRecord(0, state.consentId(), state.decidedAt(), state.policyVersion(), state.purposes(),
                state.trackers(), source, notice);
    }

    /** This record under the ledger's sequence number. */
    public ConsentRecord numbered(long sequence) {
        return new ConsentRecord(sequence, consentId, time, policyVersion, purposes, trackers, source, notice);
    }

    /** This record with its time as the ledgers keep it, to the microsecond. */
    ConsentRecord toMicros() {
        Instant micros = time.truncatedTo(ChronoUnit.MICROS);
        return micros.equals(time) ? this
                : new ConsentRecord(sequence, consentId, micros, policyVersion, purposes, trackers, source, notice);
    }
}
