package nl.i3groep.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import nl.i3groep.consent.config.ConsentConfig;

/** Whatever the visitor decided, when and under which policy: no tracker fires without a matching grant. */
class DecisionProperties {

    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final ConsentConfig CONFIG = SiteConfigs.example();
    private static final Gatekeeper GATEKEEPER = Gatekeeper.builder(CONFIG).clock(new TestClock(NOW)).build();

    @Provide
    Arbitrary<ConsentState> states() {
        Arbitrary<String> purposeIds = Arbitraries.of("analytics", "marketing", "video");
        Arbitrary<String> trackerIds = Arbitraries.of("google-analytics", "google-ads", "linkedin-insight",
                "leadboxer", "oktopost", "session-cookies", "hotjar");
        Arbitrary<Map<String, Boolean>> purposes = Arbitraries.maps(purposeIds, Arbitraries.of(true, false)).ofMaxSize(3);
        Arbitrary<Map<String, Boolean>> trackers = Arbitraries.maps(trackerIds, Arbitraries.of(true, false)).ofMaxSize(7);
        Arbitrary<Instant> decidedAt = Arbitraries.longs().between(-800, 10).map(d -> NOW.plus(Duration.ofDays(d)));
        Arbitrary<String> policy = Arbitraries.of("2024-05", "2024-05", "2023-01");
        return Combinators.combine(decidedAt, policy, purposes, trackers).as(ConsentState::decide);
    }

    @Property(tries = 5_000)
    void noTrackerFiresWithoutAMatchingGrant(@ForAll("states") ConsentState state, @ForAll boolean gpc,
            @ForAll boolean sendCookie) {
        Decisions d = GATEKEEPER.decide(sendCookie ? GATEKEEPER.cookieValue(state) : null, gpc);
        boolean valid = sendCookie
                && state.policyVersion().equals(CONFIG.policyVersion())
                && NOW.isBefore(state.decidedAt().plus(CONFIG.consentMaxAge()))
                && !state.decidedAt().isAfter(NOW.plus(Duration.ofMinutes(5)));
        for (Tracker t : CONFIG.trackers()) {
            boolean allowed = d.allows(t.id());
            if (t.purpose().necessary()) {
                assertTrue(allowed, t.id() + " is necessary");
                continue;
            }
            Boolean grant = state.trackers().containsKey(t.id()) ? state.trackers().get(t.id())
                    : state.purposes().get(t.purpose().id());
            boolean expected = valid && Boolean.TRUE.equals(grant) && !(gpc && t.purpose().deniedByGpc());
            assertEquals(expected, allowed, () -> t.id() + " for " + state + " gpc=" + gpc);
        }
        assertTrue(!d.allows("hotjar"), "an unknown tracker never fires");
    }
}
