package nl.i3groep.consent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * For one request: may each tracker fire, and why. Immutable and cheap: built once per distinct
 * consent cookie and reused, so asking costs a hash lookup and allocates nothing.
 *
 * <p>Deny unless granted: a tracker the site did not configure is denied
 * ({@link Reason#UNKNOWN_TRACKER}), and so is every non-necessary tracker while the visitor has not
 * (validly) decided.
 */
public final class Decisions {

    private final Site site;
    private final ConsentState state;
    private final Reason[] reasons;
    private final boolean gpc;

    Decisions(Site site, ConsentState state, Reason[] reasons, boolean gpc) {
        this.site = site;
        this.state = state;
        this.reasons = reasons;
        this.gpc = gpc;
    }

    /** Whether the tracker with this id may fire. Unknown ids are denied. */
    public boolean allows(String trackerId) {
        int i = site.index(trackerId);
        return i >= 0 && reasons[i].allows();
    }

    /**
     * These decisions with the embed {@code trackerId} allowed for one page ({@link Reason#LOADED_ONCE});
     * unchanged where it is no embed of the site's, or allowed already.
     */
    public Decisions loadingOnce(String trackerId) {
        int i = site.index(trackerId);
        if (i < 0 || reasons[i].allows() || !site.trackers[i].embed()) {
            return this;
        }
        Reason[] once = reasons.clone();
        once[i] = Reason.LOADED_ONCE;
        return new Decisions(site, state, once, gpc);
    }

    /** Whether this tracker may fire. */
    public boolean allows(Tracker tracker) {
        return allows(tracker.id());
    }

    /** Whether the tracker with this id may fire, and why. */
    public Decision decision(String trackerId) {
        int i = site.index(trackerId);
        return i < 0 ? new Decision(trackerId, Reason.UNKNOWN_TRACKER) : site.decision(i, reasons[i]);
    }

    /** The decision for every tracker of the site, in configuration order. */
    public List<Decision> all() {
        List<Decision> all = new ArrayList<>(reasons.length);
        for (int i = 0; i < reasons.length; i++) {
            all.add(site.decision(i, reasons[i]));
        }
        return Collections.unmodifiableList(all);
    }

    /**
     * Whether a purpose is allowed as a whole: necessary, or granted and not objected to by GPC.
     * Unknown purposes are denied.
     */
    public boolean allowsPurpose(String purposeId) {
        Purpose p = site.purpose(purposeId);
        if (p == null) {
            return false;
        }
        if (p.necessary()) {
            return true;
        }
        return state != null && Boolean.TRUE.equals(state.purposes().get(purposeId)) && !(gpc && p.deniedByGpc());
    }

    /** Per purpose of the site, in configuration order: whether it is allowed. */
    public Map<String, Boolean> purposes() {
        Map<String, Boolean> purposes = new LinkedHashMap<>();
        for (Purpose p : site.config.purposes()) {
            purposes.put(p.id(), allowsPurpose(p.id()));
        }
        return Collections.unmodifiableMap(purposes);
    }

    /** Per tracker of the site, in configuration order: whether it may fire. */
    public Map<String, Boolean> trackers() {
        Map<String, Boolean> trackers = new LinkedHashMap<>();
        for (int i = 0; i < reasons.length; i++) {
            trackers.put(site.trackers[i].id(), reasons[i].allows());
        }
        return Collections.unmodifiableMap(trackers);
    }

    /** Whether the visitor has a valid, current decision. When not, the banner should ask. */
    public boolean decided() {
        return state != null;
    }

    /** The visitor's decision, when {@link #decided()}. */
    public Optional<ConsentState> state() {
        return Optional.ofNullable(state);
    }

    /** Whether the browser's Global Privacy Control signal is in force for this request. */
    public boolean gpc() {
        return gpc;
    }

    /** When the visitor's decision lapses, when {@link #decided()}. */
    public Optional<Instant> expiresAt() {
        return state().map(s -> s.decidedAt().plus(site.config.consentMaxAge()));
    }

    @Override
    public String toString() {
        return "Decisions[decided=" + decided() + ", gpc=" + gpc + ", " + all() + "]";
    }
}
