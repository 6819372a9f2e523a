package nl.i3groep.consent.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import nl.i3groep.consent.ConsentState;
import nl.i3groep.consent.SiteConfigs;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.ledger.ConsentRecord;
import nl.i3groep.consent.ledger.ConsentRecord.Source;
import nl.i3groep.consent.ledger.MemoryLedger;
import nl.i3groep.consent.report.ConsentReport.Counts;
import nl.i3groep.consent.report.ConsentReport.Period;
import nl.i3groep.consent.report.ConsentReport.Subject;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConsentReportTest {

    /** A Monday. */
    static final Instant MONDAY = Instant.parse("2026-11-30T10:00:00Z");
    static final Subject ANALYTICS = new Subject(Subject.Kind.PURPOSE, "analytics");
    static final Subject MARKETING = new Subject(Subject.Kind.PURPOSE, "marketing");
    static final Subject GA = new Subject(Subject.Kind.TRACKER, "google-analytics");
    static final Subject LINKEDIN = new Subject(Subject.Kind.TRACKER, "linkedin-insight");

    final ConsentConfig config = SiteConfigs.example();
    final MemoryLedger ledger = new MemoryLedger();
    final String a = ConsentState.newConsentId();

    static ConsentRecord record(String id, Instant time, Source source, Map<String, Boolean> purposes,
            Map<String, Boolean> trackers) {
        return new ConsentRecord(0, id, time, "2024-05", purposes, trackers, source);
    }

    @BeforeEach
    void decisions() {
        Instant tuesday = MONDAY.plusSeconds(86_400);
        // a grants both, then takes marketing back the next day, then withdraws all the week after
        ledger.append(record(a, MONDAY, Source.BANNER, Map.of("analytics", true, "marketing", true), Map.of()));
        ledger.append(record(ConsentState.newConsentId(), MONDAY.plusSeconds(60), Source.BANNER,
                Map.of("analytics", false, "marketing", false), Map.of()));
        ledger.append(record(a, tuesday, Source.FORM, Map.of("analytics", true, "marketing", false), Map.of()));
        // granted, but the browser's GPC denied marketing (GPC objects to it, not to analytics)
        ledger.append(record(ConsentState.newConsentId(), tuesday.plusSeconds(60), Source.GPC,
                Map.of("analytics", true, "marketing", true), Map.of()));
        // analytics granted with Google Analytics refined away
        ledger.append(record(ConsentState.newConsentId(), tuesday.plusSeconds(120), Source.API,
                Map.of("analytics", true, "marketing", false), Map.of("google-analytics", false)));
        ledger.append(record(a, MONDAY.plusSeconds(7 * 86_400), Source.WITHDRAWAL,
                Map.of("analytics", false, "marketing", false), Map.of()));
    }

    ConsentReport report(Period period) {
        return ConsentReport.of(config, ledger, period, ZoneOffset.UTC, Optional.empty());
    }

    static Counts counts(ConsentReport report, String period, Subject subject) {
        return report.rows().stream().filter(r -> r.period().equals(period) && r.subject().equals(subject))
                .map(ConsentReport.Row::counts).findFirst().orElseThrow(() -> new AssertionError(period + " " + subject));
    }

    @Test
    void countsEachDecisionPerPurposeAndTrackerByDay() {
        ConsentReport r = report(Period.DAY);
        assertEquals(List.of("2026-11-30", "2026-12-01", "2026-12-07"), r.periods());
        assertEquals(new Counts(1, 1, 0, 0), counts(r, "2026-11-30", ANALYTICS));
        assertEquals(new Counts(1, 1, 0, 0), counts(r, "2026-11-30", MARKETING));
        assertEquals(new Counts(3, 0, 0, 0), counts(r, "2026-12-01", ANALYTICS));
        assertEquals(new Counts(0, 1, 1, 1), counts(r, "2026-12-01", MARKETING), "refused, withdrawn by a, GPC");
        assertEquals(new Counts(2, 1, 0, 0), counts(r, "2026-12-01", GA), "the refinement refuses");
        assertEquals(new Counts(0, 1, 1, 1), counts(r, "2026-12-01", LINKEDIN), "a marketing tracker follows its purpose");
        assertEquals(new Counts(0, 0, 1, 0), counts(r, "2026-12-07", ANALYTICS), "a's withdrawal takes analytics back");
        assertEquals(new Counts(0, 1, 0, 0), counts(r, "2026-12-07", MARKETING), "marketing was no longer granted");
        assertTrue(r.subjects().stream().noneMatch(s -> s.id().equals("necessary") || s.id().equals("session-cookies")),
                "necessary is not decided: " + r.subjects());
        assertEquals(2.0 / 3, counts(r, "2026-12-01", GA).rate(), 1e-9);
    }

    @Test
    void groupsByIsoWeekAndCountsFromADayWithoutForgettingWhatCameBefore() {
        ConsentReport weeks = report(Period.WEEK);
        assertEquals(List.of("2026-W49", "2026-W50"), weeks.periods());
        assertEquals(new Counts(4, 1, 0, 0), counts(weeks, "2026-W49", ANALYTICS));
        assertEquals(new Counts(1, 2, 1, 1), counts(weeks, "2026-W49", MARKETING));

        ConsentReport since = ConsentReport.of(config, ledger, Period.DAY, ZoneOffset.UTC,
                Optional.of(LocalDate.parse("2026-12-07")));
        assertEquals(List.of("2026-12-07"), since.periods());
        assertEquals(new Counts(0, 0, 1, 0), counts(since, "2026-12-07", ANALYTICS),
                "the grant before the first day counted still makes this a withdrawal");
    }

    @Test
    void daysAreThoseOfTheZoneAsked() {
        MemoryLedger late = new MemoryLedger();
        late.append(record(a, Instant.parse("2026-11-30T23:30:00Z"), Source.BANNER, Map.of("analytics", true), Map.of()));
        assertEquals(List.of("2026-11-30"),
                ConsentReport.of(config, late, Period.DAY, ZoneOffset.UTC, Optional.empty()).periods());
        assertEquals(List.of("2026-12-01"), ConsentReport.of(config, late, Period.DAY,
                ZoneId.of("Europe/Amsterdam"), Optional.empty()).periods());
    }

    @Test
    void theTableHasALinePerRow() {
        ConsentReport r = report(Period.WEEK);
        List<String> lines = r.table().lines().toList();
        assertEquals(1 + r.rows().size(), lines.size(), r.table());
        assertTrue(lines.get(0).startsWith("week") && lines.get(0).contains("withdrawn"), lines.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.matches("2026-W49\\s+purpose marketing\\s+1\\s+2\\s+1\\s+1\\s+5\\s+20\\.0%")),
                r.table());
        assertTrue(ConsentReport.of(config, new MemoryLedger(), Period.DAY, ZoneOffset.UTC, Optional.empty()).table()
                .contains("(no decisions)"));
    }

    @Test
    void thePageIsSelfContainedWithAChartPerSubjectWhoseBarsAreTheCounts() {
        ConsentReport r = report(Period.DAY);
        Document page = Jsoup.parse(r.html("Consent at <example.nl>"));
        assertEquals("Consent at <example.nl>", page.title());
        assertTrue(page.select("script, link, img, iframe, object").isEmpty(), "nothing to fetch, nothing to run");
        assertTrue(page.select("[src], [href]").isEmpty(), "no external file");
        assertEquals(r.subjects().size(), page.select("svg").size());

        Element marketing = page.select("h2:contains(Purpose marketing)").first();
        Element svg = marketing.nextElementSibling();
        assertEquals("svg", svg.tagName());
        // one bar group per day; a rect per non-zero count: 2 + 3 + 1
        assertEquals(3, svg.select("g").size());
        assertEquals(6, svg.select("rect").size());
        assertEquals("2026-12-01: 0 granted, 1 refused, 1 withdrawn, 1 GPC (0.0% granted)",
                svg.select("g > title").get(1).text());
        Element table = svg.nextElementSibling();
        assertEquals("all 1 3 1 1 6 16.7%", table.select("tfoot tr").text());
    }

    @Test
    void chartScalesAreRoundNumbers() {
        assertEquals(4, ReportPage.niceCeiling(0));
        assertEquals(4, ReportPage.niceCeiling(3));
        assertEquals(8, ReportPage.niceCeiling(5));
        assertEquals(20, ReportPage.niceCeiling(17));
        assertEquals(120, ReportPage.niceCeiling(101));
        assertEquals(500, ReportPage.niceCeiling(425));
    }
}
