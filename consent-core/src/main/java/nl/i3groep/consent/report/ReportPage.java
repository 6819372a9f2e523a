package nl.i3groep.consent.report;

import java.util.List;
import java.util.Locale;
import nl.i3groep.consent.report.ConsentReport.Counts;
import nl.i3groep.consent.report.ConsentReport.Row;
import nl.i3groep.consent.report.ConsentReport.Subject;

/**
 * The consent report as one HTML page that opens anywhere, from a mail attachment too: charts as
 * inline SVG, styles inline, no script, nothing fetched.
 */
final class ReportPage {

    /** Granted, refused, withdrawn, GPC: the order of {@link Counts}' components. */
    private static final String[] NAMES = {"granted", "refused", "withdrawn", "GPC"};
    private static final String[] COLOURS = {"#2e7d32", "#9e9e9e", "#e65100", "#1565c0"};
    private static final int WIDTH = 760;
    private static final int HEIGHT = 240;
    private static final int LEFT = 48;
    private static final int RIGHT = 12;
    private static final int TOP = 16;
    private static final int BOTTOM = 44;

    private ReportPage() {
    }

    static String render(ConsentReport report, String title) {
        StringBuilder out = new StringBuilder(16_384);
        String unit = report.period() == ConsentReport.Period.DAY ? "day" : "week";
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(escape(title)).append("</title>\n<style>\n")
                .append("body{font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;color:#1f2328;")
                .append("margin:2rem auto;max-width:800px;padding:0 1rem}\n")
                .append("h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:2rem 0 .5rem}\n")
                .append("p.meta{color:#57606a;margin:0 0 1rem}\n")
                .append(".legend span{display:inline-block;margin-right:1rem}")
                .append(".legend i{display:inline-block;width:.8em;height:.8em;margin-right:.3em;vertical-align:-.05em}\n")
                .append("table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}")
                .append("th,td{padding:.2rem .5rem;text-align:right;border-bottom:1px solid #d0d7de}")
                .append("th:first-child,td:first-child{text-align:left}\n")
                .append("svg text{font:11px system-ui,sans-serif;fill:#57606a}\n")
                .append("</style>\n</head>\n<body>\n<h1>").append(escape(title)).append("</h1>\n")
                .append("<p class=\"meta\">Consent decisions per ").append(unit).append(", time zone ")
                .append(escape(report.zone().getId()));
        report.since().ifPresent(s -> out.append(", from ").append(s));
        out.append(". A decision counts once for each purpose and tracker it decides.</p>\n");
        out.append("<p class=\"legend\">");
        for (int k = 0; k < NAMES.length; k++) {
            out.append("<span><i style=\"background:").append(COLOURS[k]).append("\"></i>").append(NAMES[k])
                    .append("</span>");
        }
        out.append("</p>\n");
        if (report.rows().isEmpty()) {
            out.append("<p>The ledger holds no decisions").append(report.since().isPresent() ? " in this time" : "")
                    .append(".</p>\n");
        }
        for (Subject subject : report.subjects()) {
            List<Row> rows = report.rows().stream().filter(r -> r.subject().equals(subject)).toList();
            out.append("<h2>").append(subject.kind() == Subject.Kind.PURPOSE ? "Purpose " : "Tracker ")
                    .append(escape(subject.id())).append("</h2>\n");
            chart(out, subject, rows);
            table(out, unit, rows);
        }
        out.append("</body>\n</html>\n");
        return out.toString();
    }

    /** Stacked bars, one per period; a bar's title says its counts (a tooltip, without script). */
    private static void chart(StringBuilder out, Subject subject, List<Row> rows) {
        int max = rows.stream().mapToInt(r -> r.counts().total()).max().orElse(0);
        int top = niceCeiling(max);
        int plotWidth = WIDTH - LEFT - RIGHT;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(HEIGHT).append("\" width=\"100%\" role=\"img\" aria-label=\"")
                .append(escape("decisions on " + subject + " per period")).append("\">\n");
        for (int g = 0; g <= 4; g++) {
            double y = TOP + plotHeight - plotHeight * g / 4.0;
            out.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT).append("\" y1=\"")
                    .append(fmt(y)).append("\" y2=\"").append(fmt(y)).append("\" stroke=\"")
                    .append(g == 0 ? "#57606a" : "#d0d7de").append("\"/>")
                    .append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(fmt(y + 4))
                    .append("\" text-anchor=\"end\">").append(top * g / 4).append("</text>\n");
        }
        int n = rows.size();
        double slot = (double) plotWidth / Math.max(n, 1);
        double bar = Math.max(1, Math.min(48, slot * 0.7));
        int every = Math.max(1, (int) Math.ceil(n / 12.0));
        for (int i = 0; i < n; i++) {
            Row r = rows.get(i);
            Counts c = r.counts();
            int[] parts = {c.granted(), c.refused(), c.withdrawn(), c.gpc()};
            double x = LEFT + slot * i + (slot - bar) / 2;
            double y = TOP + plotHeight;
            out.append("<g><title>").append(escape(r.period())).append(": ").append(c.granted())
                    .append(" granted, ").append(c.refused()).append(" refused, ").append(c.withdrawn())
                    .append(" withdrawn, ").append(c.gpc()).append(" GPC (")
                    .append(ConsentReport.percent(c.rate())).append(" granted)</title>");
            for (int k = 0; k < parts.length; k++) {
                if (parts[k] == 0 || top == 0) {
                    continue;
                }
                double h = (double) plotHeight * parts[k] / top;
                y -= h;
                out.append("<rect x=\"").append(fmt(x)).append("\" y=\"").append(fmt(y)).append("\" width=\"")
                        .append(fmt(bar)).append("\" height=\"").append(fmt(h)).append("\" fill=\"")
                        .append(COLOURS[k]).append("\"/>");
            }
            out.append("</g>\n");
            if (i % every == 0) {
                out.append("<text x=\"").append(fmt(x + bar / 2)).append("\" y=\"").append(HEIGHT - BOTTOM + 16)
                        .append("\" text-anchor=\"middle\">").append(escape(r.period())).append("</text>\n");
            }
        }
        out.append("</svg>\n");
    }

    private static void table(StringBuilder out, String unit, List<Row> rows) {
        out.append("<table>\n<thead><tr><th>").append(unit).append("</th>");
        for (String name : NAMES) {
            out.append("<th>").append(name).append("</th>");
        }
        out.append("<th>total</th><th>granted share</th></tr></thead>\n<tbody>\n");
        int[] sum = new int[4];
        for (Row r : rows) {
            Counts c = r.counts();
            int[] parts = {c.granted(), c.refused(), c.withdrawn(), c.gpc()};
            out.append("<tr><td>").append(escape(r.period())).append("</td>");
            for (int k = 0; k < parts.length; k++) {
                out.append("<td>").append(parts[k]).append("</td>");
                sum[k] += parts[k];
            }
            out.append("<td>").append(c.total()).append("</td><td>").append(ConsentReport.percent(c.rate()))
                    .append("</td></tr>\n");
        }
        Counts all = new Counts(sum[0], sum[1], sum[2], sum[3]);
        out.append("</tbody>\n<tfoot><tr><th>all</th>");
        for (int k = 0; k < sum.length; k++) {
            out.append("<th>").append(sum[k]).append("</th>");
        }
        out.append("<th>").append(all.total()).append("</th><th>").append(ConsentReport.percent(all.rate()))
                .append("</th></tr></tfoot>\n</table>\n");
    }

    /** The top of a chart's scale: four gridlines of a round, whole step, the smallest that reaches {@code max}. */
    static int niceCeiling(int max) {
        long unit = 1;
        while (true) {
            for (double m : new double[] {1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8}) {
                double step = m * unit;
                if (step == Math.rint(step) && step * 4 >= max) {
                    return (int) Math.min(Integer.MAX_VALUE, (long) step * 4);
                }
            }
            unit *= 10;
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
