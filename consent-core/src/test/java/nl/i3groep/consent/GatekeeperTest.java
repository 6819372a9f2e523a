package nl.i3groep.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import nl.i3groep.consent.config.ConsentConfig;
import org.junit.jupiter.api.Test;

class GatekeeperTest {

    private static final List<String> NON_NECESSARY =
            List.of("google-analytics", "google-ads", "linkedin-insight", "leadboxer", "oktopost");

    private final TestClock clock = new TestClock(Instant.parse("2026-01-10T10:00:00Z"));
    private final Gatekeeper gatekeeper = Gatekeeper.builder(SiteConfigs.example()).clock(clock).build();

    private String cookie(Map<String, Boolean> purposes, Map<String, Boolean> trackers) {
        return gatekeeper.cookieValue(gatekeeper.consent(purposes, trackers));
    }

    private static void allDenied(Decisions d, Reason why) {
        for (String id : NON_NECESSARY) {
            assertFalse(d.allows(id), id);
            assertEquals(why, d.decision(id).reason(), id);
        }
        assertEquals(Reason.NECESSARY, d.decision("session-cookies").reason());
        assertTrue(d.allows("session-cookies"));
    }

    @Test
    void anEmbedLoadsOnceForOnePageAndNothingElseDoes() {
        Gatekeeper withVideo = Gatekeeper.create(nl.i3groep.consent.config.ConsentConfig.parse(SiteConfigs.withField(
                SiteConfigs.withField(SiteConfigs.json(), "purposes", "{\"media\": {}}"), "trackers",
                "{\"youtube\": {\"purpose\": \"media\"}, \"leadboxer\": {\"datasetId\": \"abc123\"}}"), Map.of()));
        Decisions none = withVideo.decide(null, false);
        Decisions once = none.loadingOnce("youtube");
        assertEquals(Reason.LOADED_ONCE, once.decision("youtube").reason());
        assertTrue(once.allows("youtube"));
        assertFalse(once.allows("leadboxer"));
        assertFalse(none.allows("youtube"), "the decisions it came from stay as they were");
        assertSame(none, none.loadingOnce("leadboxer"), "no embed");
        assertSame(none, none.loadingOnce("vimeo"), "not the site's");
        assertFalse(once.decided(), "not a decision");
    }

    @Test
    void withoutACookieOnlyNecessaryIsAllowed() {
        Decisions d = gatekeeper.decide(null, false);
        allDenied(d, Reason.NO_DECISION);
        assertFalse(d.decided());
        assertTrue(d.state().isEmpty());
        assertEquals(Map.of("necessary", true, "analytics", false, "marketing", false), d.purposes());
        allDenied(gatekeeper.decide("", false), Reason.NO_DECISION);
    }

    @Test
    void grantedPurposesAllowTheirTrackersAndOnlyThose() {
        Decisions d = gatekeeper.decide(cookie(Map.of("analytics", true), Map.of()), false);
        assertTrue(d.decided());
        assertEquals(Reason.GRANTED, d.decision("google-analytics").reason());
        assertTrue(d.allows("google-analytics"));
        for (String id : List.of("google-ads", "linkedin-insight", "leadboxer", "oktopost")) {
            assertEquals(Reason.REFUSED, d.decision(id).reason(), id);
        }
        assertTrue(d.allowsPurpose("analytics"));
        assertFalse(d.allowsPurpose("marketing"));
    }

    @Test
    void refusedPurposesDeny() {
        allDenied(gatekeeper.decide(cookie(Map.of("analytics", false, "marketing", false), Map.of()), false),
                Reason.REFUSED);
    }

    @Test
    void aTrackersOwnChoiceBeatsItsPurpose() {
        Decisions narrowed = gatekeeper.decide(
                cookie(Map.of("marketing", true), Map.of("linkedin-insight", false)), false);
        assertEquals(Reason.REFUSED, narrowed.decision("linkedin-insight").reason());
        assertEquals(Reason.GRANTED, narrowed.decision("oktopost").reason());

        Decisions single = gatekeeper.decide(
                cookie(Map.of("marketing", false), Map.of("leadboxer", true)), false);
        assertEquals(Reason.GRANTED, single.decision("leadboxer").reason());
        assertEquals(Reason.REFUSED, single.decision("oktopost").reason());
        assertFalse(single.allowsPurpose("marketing"));
    }

    @Test
    void globalPrivacyControlBeatsAMarketingGrant() {
        String all = cookie(Map.of("analytics", true, "marketing", true), Map.of());
        Decisions d = gatekeeper.decide(all, true);
        assertTrue(d.gpc());
        assertEquals(Reason.GRANTED, d.decision("google-analytics").reason(), "GPC does not object to analytics");
        for (String id : List.of("google-ads", "linkedin-insight", "leadboxer", "oktopost")) {
            assertEquals(Reason.GLOBAL_PRIVACY_CONTROL, d.decision(id).reason(), id);
        }
        assertFalse(d.allowsPurpose("marketing"));
        assertTrue(gatekeeper.decide(all, false).allows("linkedin-insight"));
    }

    @Test
    void globalPrivacyControlCanBeIgnoredBySiteChoice() {
        ConsentConfig ignoring = SiteConfigs.exampleWith("gpc", "\"ignore\"");
        Gatekeeper g = Gatekeeper.builder(ignoring).clock(clock).build();
        String all = g.cookieValue(g.consent(Map.of("analytics", true, "marketing", true), Map.of()));
        Decisions d = g.decide(all, true);
        assertFalse(d.gpc());
        assertTrue(d.allows("linkedin-insight"));
    }

    @Test
    void aVisitorsNextDecisionKeepsTheIdOfAGenuineCookieAndOnlyThat() {
        ConsentState first = gatekeeper.consent(Map.of("analytics", true), Map.of());
        String cookie = gatekeeper.cookieValue(first);
        assertEquals(Optional.of(first.consentId()), gatekeeper.continuingId(cookie));
        ConsentState changed = gatekeeper.consent(Map.of("marketing", true), Map.of(), gatekeeper.continuingId(cookie));
        assertEquals(first.consentId(), changed.consentId(), "a change continues the history");
        assertEquals(Map.of("analytics", false, "marketing", true), changed.purposes());
        assertEquals(first.consentId(), gatekeeper.withdrawal(gatekeeper.continuingId(cookie)).consentId());
        // a decision anew under a changed privacy statement is the same visitor's
        Gatekeeper newPolicy = Gatekeeper.builder(SiteConfigs.exampleWith("policyVersion", "\"2025-01\""))
                .clock(clock).build();
        assertEquals(Optional.of(first.consentId()), newPolicy.continuingId(cookie));

        char last = cookie.charAt(cookie.length() - 5);
        String forged = cookie.substring(0, cookie.length() - 5) + (last == 'A' ? 'B' : 'A') + cookie.substring(cookie.length() - 4);
        for (String none : java.util.Arrays.asList(null, "", forged, "x".repeat(5000))) {
            assertEquals(Optional.empty(), gatekeeper.continuingId(none), "a new history: " + none);
        }
        assertFalse(gatekeeper.consent(Map.of(), Map.of(), Optional.empty()).consentId().equals(first.consentId()));
        clock.advance(Duration.ofDays(365));
        assertEquals(Optional.empty(), gatekeeper.continuingId(cookie), "expired: a new history");
    }

    @Test
    void aDecisionExpiresAfterTheMaximumAge() {
        String all = cookie(Map.of("analytics", true, "marketing", true), Map.of());
        clock.advance(Duration.ofDays(365).minusSeconds(1));
        assertTrue(gatekeeper.decide(all, false).allows("google-analytics"));
        clock.advance(Duration.ofSeconds(1));
        Decisions d = gatekeeper.decide(all, false);
        allDenied(d, Reason.EXPIRED);
        assertFalse(d.decided());
    }

    @Test
    void aDecisionUnderAnotherPolicyVersionCountsForNothing() {
        String old = cookie(Map.of("analytics", true, "marketing", true), Map.of());
        Gatekeeper newPolicy = Gatekeeper.builder(SiteConfigs.exampleWith("policyVersion", "\"2025-01\""))
                .clock(clock).build();
        allDenied(newPolicy.decide(old, false), Reason.POLICY_CHANGED);

        Gatekeeper lenient = Gatekeeper.builder(ConsentConfig.parse(SiteConfigs.withField(
                SiteConfigs.withField(SiteConfigs.json(), "policyVersion", "\"2025-01\""),
                "reconsentOnPolicyChange", "false"), Map.of())).clock(clock).build();
        assertTrue(lenient.decide(old, false).allows("linkedin-insight"), "no reconsent asked: old consent holds");
    }

    @Test
    void forgedOrBrokenCookiesCountAsNoDecision() {
        String all = cookie(Map.of("analytics", true, "marketing", true), Map.of());
        char last = all.charAt(all.length() - 5);
        String tampered = all.substring(0, all.length() - 5) + (last == 'A' ? 'B' : 'A') + all.substring(all.length() - 4);
        allDenied(gatekeeper.decide(tampered, false), Reason.NO_DECISION);
        allDenied(gatekeeper.decide("not a cookie at all", false), Reason.NO_DECISION);
        allDenied(gatekeeper.decide("x".repeat(5000), false), Reason.NO_DECISION);
        allDenied(gatekeeper.decide(all.substring(0, 40), false), Reason.NO_DECISION);

        Gatekeeper otherSite = Gatekeeper.builder(ConsentConfig.parse(SiteConfigs.json(
                "[{\"id\":\"k2\",\"secret\":\"base64:" + SiteConfigs.base64("another-site-another-site-another-site")
                        + "\"}]"), Map.of())).clock(clock).build();
        String foreign = otherSite.cookieValue(otherSite.consent(Map.of("analytics", true, "marketing", true), Map.of()));
        allDenied(gatekeeper.decide(foreign, false), Reason.NO_DECISION);
    }

    @Test
    void aCookieDatedInTheFutureCountsForNothing() {
        clock.advance(Duration.ofHours(1));
        String fromTheFuture = cookie(Map.of("analytics", true), Map.of());
        Gatekeeper behind = Gatekeeper.builder(SiteConfigs.example())
                .clock(new TestClock(Instant.parse("2026-01-10T10:00:00Z"))).build();
        allDenied(behind.decide(fromTheFuture, false), Reason.NO_DECISION);
    }

    @Test
    void keysRotate_theFirstSignsAndAllVerify() {
        String k1Only = "[{\"id\":\"k1\",\"secret\":\"base64:" + SiteConfigs.KEY_K1 + "\"}]";
        Gatekeeper before = Gatekeeper.builder(ConsentConfig.parse(SiteConfigs.json(k1Only), Map.of()))
                .clock(clock).build();
        String signedWithK1 = before.cookieValue(before.consent(Map.of("analytics", true), Map.of()));
        assertTrue(gatekeeper.decide(signedWithK1, false).allows("google-analytics"), "k1 still verifies");

        String k2Only = "[{\"id\":\"k2\",\"secret\":\"base64:" + SiteConfigs.KEY_K2 + "\"}]";
        Gatekeeper after = Gatekeeper.builder(ConsentConfig.parse(SiteConfigs.json(k2Only), Map.of()))
                .clock(clock).build();
        String signedNow = gatekeeper.cookieValue(gatekeeper.consent(Map.of("analytics", true), Map.of()));
        assertTrue(after.decide(signedNow, false).allows("google-analytics"), "the first key (k2) signs");
        assertFalse(after.decide(signedWithK1, false).allows("google-analytics"), "k1 retired: no longer verifies");
    }

    @Test
    void anUnknownTrackerIsDenied() {
        Decisions d = gatekeeper.decide(cookie(Map.of("analytics", true, "marketing", true), Map.of()), false);
        assertFalse(d.allows("hotjar"));
        assertEquals(Reason.UNKNOWN_TRACKER, d.decision("hotjar").reason());
        assertFalse(d.allowsPurpose("video"));
    }

    @Test
    void aPurposeNotAskedAboutIsNotGranted() {
        ConsentConfig withVideo = ConsentConfig.parse(SiteConfigs.withField(SiteConfigs.withField(SiteConfigs.json(),
                "purposes", "{\"video\":{}}"), "trackers",
                "{\"vimeo\":{\"purpose\":\"video\"},\"oktopost\":{\"trackingId\":\"001abc\"}}"), Map.of());
        Gatekeeper g = Gatekeeper.builder(withVideo).clock(clock).build();
        ConsentState before = new ConsentState(ConsentState.newConsentId(), clock.instant(), "2024-05",
                Map.of("marketing", true), Map.of());
        Decisions d = g.decide(g.cookieValue(before), false);
        assertEquals(Reason.NO_DECISION, d.decision("vimeo").reason());
        assertEquals(Reason.GRANTED, d.decision("oktopost").reason());
    }

    @Test
    void consentRecordsEveryPurposeAndRejectsUnknownOnes() {
        ConsentState s = gatekeeper.consent(Map.of("analytics", true, "necessary", true), Map.of("oktopost", false));
        assertEquals(Map.of("analytics", true, "marketing", false), s.purposes());
        assertEquals(Map.of("oktopost", false), s.trackers());
        assertEquals("2024-05", s.policyVersion());
        assertEquals(clock.instant(), s.decidedAt());
        assertEquals(22, s.consentId().length());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> gatekeeper.consent(Map.of("advertising", true), Map.of())).getMessage().contains("advertising"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> gatekeeper.consent(Map.of(), Map.of("hotjar", true))).getMessage().contains("hotjar"));
        assertThrows(IllegalArgumentException.class, () -> gatekeeper.consent(Map.of("necessary", false), Map.of()));
    }

    @Test
    void withdrawalRefusesEverythingUnderANewId() {
        ConsentState granted = gatekeeper.consent(Map.of("analytics", true, "marketing", true), Map.of());
        ConsentState withdrawn = gatekeeper.withdrawal();
        assertFalse(withdrawn.consentId().equals(granted.consentId()));
        allDenied(gatekeeper.decide(gatekeeper.cookieValue(withdrawn), false), Reason.REFUSED);
    }

    @Test
    void theSameCookieGivesTheSameDecisionsObject() {
        String all = cookie(Map.of("analytics", true, "marketing", true), Map.of());
        Decisions first = gatekeeper.decide(all, false);
        assertSame(first, gatekeeper.decide(new String(all.toCharArray()), false), "cached, nothing rebuilt");
        assertSame(gatekeeper.decide(null, true), gatekeeper.decide("garbage", true));
    }

    @Test
    void decidingFromAStateMatchesDecidingFromItsCookie() {
        ConsentState s = gatekeeper.consent(Map.of("marketing", true), Map.of("oktopost", false));
        assertEquals(gatekeeper.decide(gatekeeper.cookieValue(s), true).all(), gatekeeper.decisionsFor(s, true).all());
        assertEquals(s.decidedAt().plus(Duration.ofDays(365)), gatekeeper.decisionsFor(s, false).expiresAt().orElseThrow());
    }
}
