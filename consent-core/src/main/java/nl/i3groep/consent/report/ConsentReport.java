package nl.i3groep.consent.report;

import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import nl.i3groep.consent.Purpose;
import nl.i3groep.consent.Tracker;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.ledger.ConsentLedger;
import nl.i3groep.consent.ledger.ConsentRecord;

/**
 * How visitors decided, per purpose and per tracker, by day or by week: the decisions the ledger
 * holds, each counted once for every purpose and tracker it decides.
 *
 * <p>A decision grants, refuses, withdraws or is denied by Global Privacy Control: <em>granted</em>
 * where it allows; <em>GPC</em> where it allowed but the browser's signal denied (the record's
 * source is {@code GPC} and the purpose is one GPC objects to); <em>withdrawn</em> where it denies
 * what the same visitor's previous decision allowed; <em>refused</em> where it denies otherwise. A
 * tracker's choice is its own refinement, else its purpose's. Necessary purposes and their trackers
 * are not decided and not counted; nor are purposes and trackers the configuration no longer names.
 * Erased and purged records are gone and count nowhere. Counts are decisions, not visitors: a
 * visitor who changes their mind twice in a week counts twice.
 *
 * @param period how decisions are grouped in time
 * @param zone   the time zone whose days and weeks they fall in
 * @param since  the first day counted, if not all; earlier decisions still tell what a later
 *               one withdraws
 * @param rows   per period (oldest first) and subject (purposes, then trackers, in configuration
 *               order): the counts, for periods with decisions only
 */
public record ConsentReport(Period period, ZoneId zone, Optional<LocalDate> since, List<Row> rows) {

    /** How decisions are grouped in time. */
    public enum Period {
        /** Calendar days: {@code 2026-11-30}. */
        DAY,
        /** ISO weeks, Monday first: {@code 2026-W49}. */
        WEEK;

        String label(LocalDate day) {
            return this == DAY ? day.toString()
                    : String.format(Locale.ROOT, "%d-W%02d", day.get(IsoFields.WEEK_BASED_YEAR),
                            day.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
        }
    }

    /** What a row counts: a purpose or a tracker, by its configured id. */
    public record Subject(Kind kind, String id) {
        /** A purpose or a tracker. */
        public enum Kind { PURPOSE, TRACKER }

        public Subject {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(id, "id");
        }

        @Override
        public String toString() {
            return kind.name().toLowerCase(Locale.ROOT) + " " + id;
        }
    }

    /** The decisions of one subject in one period. */
    public record Counts(int granted, int refused, int withdrawn, int gpc) {
        /** All decisions counted. */
        public int total() {
            return granted + refused + withdrawn + gpc;
        }

        /** The share that granted, 0 to 1; 0 where there were none. */
        public double rate() {
            return total() == 0 ? 0 : (double) granted / total();
        }
    }

    /** One subject in one period. */
    public record Row(String period, Subject subject, Counts counts) {
        public Row {
            Objects.requireNonNull(period, "period");
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(counts, "counts");
        }
    }

    public ConsentReport {
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(since, "since");
        rows = List.copyOf(rows);
    }

    /**
     * Reads every record of {@code ledger} once and counts them against the purposes and trackers of
     * {@code config}.
     *
     * @throws nl.i3groep.consent.ledger.LedgerException when the ledger cannot be read
     */
    public static ConsentReport of(ConsentConfig config, ConsentLedger ledger, Period period, ZoneId zone,
            Optional<LocalDate> since) {
        Objects.requireNonNull(ledger, "ledger");
        Tally tally = new Tally(config, period, zone, since);
        ledger.forEachRecord(tally::count);
        return tally.report();
    }

    /** The subjects that have rows, in the rows' order. */
    public List<Subject> subjects() {
        return rows.stream().map(Row::subject).distinct().toList();
    }

    /** The periods that have rows, oldest first. */
    public List<String> periods() {
        return rows.stream().map(Row::period).distinct().toList();
    }

    /** The report as a plain-text table, one line per row. */
    public String table() {
        StringBuilder out = new StringBuilder();
        int width = Math.max(7, rows.stream().mapToInt(r -> r.subject().toString().length()).max().orElse(0));
        String format = "%-10s  %-" + width + "s  %7s  %7s  %9s  %5s  %6s  %6s%n";
        out.append(String.format(Locale.ROOT, format, period == Period.DAY ? "day" : "week", "subject",
                "granted", "refused", "withdrawn", "gpc", "total", "rate"));
        for (Row r : rows) {
            Counts c = r.counts();
            out.append(String.format(Locale.ROOT, format, r.period(), r.subject(), c.granted(), c.refused(),
                    c.withdrawn(), c.gpc(), c.total(), percent(c.rate())));
        }
        if (rows.isEmpty()) {
            out.append("(no decisions)").append(System.lineSeparator());
        }
        return out.toString();
    }

    /**
     * The report as one self-contained HTML page: per subject a chart of its decisions per period
     * (inline SVG, no script, no external file) and a table of the counts.
     *
     * @param title the page's title and heading, the site's name for example
     */
    public String html(String title) {
        return ReportPage.render(this, title);
    }

    static String percent(double rate) {
        return String.format(Locale.ROOT, "%.1f%%", rate * 100);
    }

    /** Counts records as they come, oldest first. */
    private static final class Tally {
        private final Period period;
        private final ZoneId zone;
        private final Optional<LocalDate> since;
        private final List<Subject> subjects = new ArrayList<>();
        private final List<Purpose> purposeOf = new ArrayList<>();
        /** Per consent id: which subjects its last decision allowed. */
        private final Map<String, BitSet> allowed = new HashMap<>();
        /** Per period label (sorted: both forms sort as time does) and subject index: the counts. */
        private final TreeMap<String, int[][]> counts = new TreeMap<>();

        Tally(ConsentConfig config, Period period, ZoneId zone, Optional<LocalDate> since) {
            this.period = Objects.requireNonNull(period, "period");
            this.zone = Objects.requireNonNull(zone, "zone");
            this.since = Objects.requireNonNull(since, "since");
            for (Purpose p : config.purposes()) {
                if (!p.necessary()) {
                    subjects.add(new Subject(Subject.Kind.PURPOSE, p.id()));
                    purposeOf.add(p);
                }
            }
            for (Tracker t : config.trackers()) {
                if (!t.purpose().necessary()) {
                    subjects.add(new Subject(Subject.Kind.TRACKER, t.id()));
                    purposeOf.add(t.purpose());
                }
            }
        }

        void count(ConsentRecord r) {
            LocalDate day = LocalDate.ofInstant(r.time(), zone);
            boolean counted = since.map(s -> !day.isBefore(s)).orElse(true);
            int[][] slot = counted ? counts.computeIfAbsent(period.label(day), k -> new int[subjects.size()][4]) : null;
            BitSet before = allowed.get(r.consentId());
            BitSet now = new BitSet(subjects.size());
            boolean gpc = r.source() == ConsentRecord.Source.GPC;
            for (int i = 0; i < subjects.size(); i++) {
                Subject s = subjects.get(i);
                Boolean own = s.kind() == Subject.Kind.TRACKER ? r.trackers().get(s.id()) : null;
                Boolean choice = own != null ? own : r.purposes().get(purposeOf.get(i).id());
                if (choice == null) {
                    continue;
                }
                int kind;
                if (choice) {
                    boolean denied = gpc && purposeOf.get(i).deniedByGpc();
                    kind = denied ? 3 : 0;
                    now.set(i, !denied);
                } else {
                    kind = before != null && before.get(i) ? 2 : 1;
                }
                if (slot != null) {
                    slot[i][kind]++;
                }
            }
            allowed.put(r.consentId(), now);
        }

        ConsentReport report() {
            List<Row> rows = new ArrayList<>();
            for (Map.Entry<String, int[][]> e : counts.entrySet()) {
                for (int i = 0; i < subjects.size(); i++) {
                    int[] c = e.getValue()[i];
                    rows.add(new Row(e.getKey(), subjects.get(i), new Counts(c[0], c[1], c[2], c[3])));
                }
            }
            return new ConsentReport(period, zone, since, rows);
        }
    }
}
