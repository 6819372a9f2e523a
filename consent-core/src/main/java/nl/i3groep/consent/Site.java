package nl.i3groep.consent;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nl.i3groep.consent.config.ConsentConfig;

/**
 * The configured site in the form the per-request path wants: trackers by index, and every
 * {@link Decision} and undecided {@link Decisions} built once, so that answering a request
 * allocates nothing.
 */
final class Site {

    final ConsentConfig config;
    final Tracker[] trackers;
    final List<Tracker> trackerList;
    private final Map<String, Integer> trackerIndex = new HashMap<>();
    private final Map<String, Purpose> purposes = new HashMap<>();
    private final Decision[][] decisions;
    /** [undecided reason][gpc ? 1 : 0]. */
    private final Decisions[][] undecided = new Decisions[Reason.values().length][2];

    Site(ConsentConfig config) {
        this.config = config;
        this.trackerList = config.trackers();
        this.trackers = trackerList.toArray(Tracker[]::new);
        for (Purpose p : config.purposes()) {
            purposes.put(p.id(), p);
        }
        decisions = new Decision[trackers.length][Reason.values().length];
        for (int i = 0; i < trackers.length; i++) {
            trackerIndex.put(trackers[i].id(), i);
            for (Reason r : Reason.values()) {
                decisions[i][r.ordinal()] = new Decision(trackers[i].id(), r);
            }
        }
        for (Reason why : List.of(Reason.NO_DECISION, Reason.EXPIRED, Reason.POLICY_CHANGED)) {
            for (int gpc = 0; gpc < 2; gpc++) {
                undecided[why.ordinal()][gpc] = new Decisions(this, null, reasons(null, why, gpc == 1), gpc == 1);
            }
        }
    }

    /** Index of a configured tracker, or -1. */
    int index(String trackerId) {
        Integer i = trackerIndex.get(trackerId);
        return i == null ? -1 : i;
    }

    Purpose purpose(String purposeId) {
        return purposes.get(purposeId);
    }

    Decision decision(int trackerIndex, Reason reason) {
        return decisions[trackerIndex][reason.ordinal()];
    }

    Decisions undecided(Reason why, boolean gpc) {
        return undecided[why.ordinal()][gpc ? 1 : 0];
    }

    Decisions decided(ConsentState state, boolean gpc) {
        return new Decisions(this, state, reasons(state, null, gpc), gpc);
    }

    /**
     * The rules, in order: a necessary tracker is allowed; without a valid decision everything else
     * is denied for that reason; the tracker's own choice beats its purpose's; a purpose never asked
     * about is not granted; GPC beats a grant of a purpose it objects to.
     */
    private Reason[] reasons(ConsentState state, Reason undecidedReason, boolean gpc) {
        Reason[] reasons = new Reason[trackers.length];
        for (int i = 0; i < trackers.length; i++) {
            Tracker t = trackers[i];
            Purpose p = t.purpose();
            if (p.necessary()) {
                reasons[i] = Reason.NECESSARY;
                continue;
            }
            if (state == null) {
                reasons[i] = undecidedReason;
                continue;
            }
            Boolean choice = state.trackers().get(t.id());
            if (choice == null) {
                choice = state.purposes().get(p.id());
            }
            if (choice == null) {
                reasons[i] = Reason.NO_DECISION;
            } else if (!choice) {
                reasons[i] = Reason.REFUSED;
            } else if (gpc && p.deniedByGpc()) {
                reasons[i] = Reason.GLOBAL_PRIVACY_CONTROL;
            } else {
                reasons[i] = Reason.GRANTED;
            }
        }
        return reasons;
    }
}
