package nl.i3groep.consent.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import nl.i3groep.consent.SiteConfigs;
import nl.i3groep.consent.TestClock;
import nl.i3groep.consent.config.ConsentConfig;
import org.junit.jupiter.api.Test;

class UndeclaredHostsTest {

    private static final Instant START = Instant.parse("2026-12-01T10:00:00Z");

    static ConsentConfig site() {
        return SiteConfigs.exampleWith("thirdParties", "{\"cdn.example-cdn.net\": {\"purpose\": \"necessary\", \"for\": \"images\"},"
                + " \"*.fonts.example\": {\"purpose\": \"necessary\", \"for\": \"fonts\"}}");
    }

    @Test
    void declaredPartiesAndTrackersAreNotUndeclared() {
        UndeclaredHosts u = new UndeclaredHosts(site(), new TestClock(START));
        for (String known : List.of("cdn.example-cdn.net", "a.b.fonts.example", "fonts.example", "snap.licdn.com",
                "px4.ads.linkedin.com", "www.google.de", "stats.g.doubleclick.net", "assets.adobedtm.com", "CDN.Example-CDN.net.")) {
            assertFalse(u.seen(known, "img", "/"), known);
        }
        for (String undeclared : List.of("cdn2.example-cdn.net", "example-cdn.net", "evilfonts.example", "licdn.com.evil.example")) {
            assertTrue(u.seen(undeclared, "img", "/"), undeclared);
        }
        assertEquals(4, u.contacts().size());
    }

    @Test
    void eachHostKeepsHowItWasFetchedAFewPagesAndItsDays() {
        TestClock clock = new TestClock(START);
        UndeclaredHosts u = new UndeclaredHosts(site(), clock);
        for (int i = 0; i < 8; i++) {
            u.seen("tags.undeclared.example", i % 2 == 0 ? "script" : "connect", "/page/" + i);
        }
        clock.advance(Duration.ofDays(2));
        u.seen("tags.undeclared.example", "img", "/page/0");
        u.seen("other.example", "frame", "/");
        UndeclaredHosts.Contact c = u.contacts().get(0);
        assertEquals("tags.undeclared.example", c.host(), "most often first");
        assertEquals(Set.of("script", "connect", "img"), c.kinds());
        assertEquals(List.of("/page/0", "/page/1", "/page/2", "/page/3", "/page/4"), c.pages());
        assertEquals(9, c.count());
        assertEquals(Instant.parse("2026-12-01T10:00:00Z"), c.firstSeen());
        assertEquals(Instant.parse("2026-12-03T10:00:00Z"), c.lastSeen());
        List<Long> days = new ArrayList<>(Collections.nCopies(UndeclaredHosts.DAYS, 0L));
        days.set(UndeclaredHosts.DAYS - 3, 8L);
        days.set(UndeclaredHosts.DAYS - 1, 1L);
        assertEquals(days, c.perDay());
        clock.advance(Duration.ofDays(UndeclaredHosts.DAYS));
        assertEquals(Collections.nCopies(UndeclaredHosts.DAYS, 0L), u.contacts().get(0).perDay(), "old days drop out");
        assertEquals(9, u.contacts().get(0).count(), "the total stays");
    }

    /** However many hosts come (a flood of made-up reports), the report holds at most MAX_HOSTS. */
    @Test
    void memoryIsBounded() {
        UndeclaredHosts u = new UndeclaredHosts(site(), new TestClock(START));
        for (int i = 0; i < 50_000; i++) {
            u.seen("h" + i + ".flood.example", "img", "/p" + (i % 7));
        }
        assertTrue(u.size() <= UndeclaredHosts.MAX_HOSTS, "held " + u.size());
        assertTrue(u.contacts().size() <= UndeclaredHosts.MAX_HOSTS);
        assertTrue(u.contacts().stream().allMatch(c -> c.pages().size() <= UndeclaredHosts.MAX_PAGES));
    }
}
