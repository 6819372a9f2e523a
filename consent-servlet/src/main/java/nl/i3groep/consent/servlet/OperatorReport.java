package nl.i3groep.consent.servlet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.report.UndeclaredHosts;

/**
 * {@code GET <endpointPath>/undeclared} (JSON) and {@code <endpointPath>/undeclared.html} (a page
 * with a chart per host of the last days, no external files): the report of undeclared hosts, for
 * the site's operators. There only when {@code report.secret} is configured; it then takes
 * {@code Authorization: Bearer <secret>}, compared in constant time, and answers anything else
 * with 401 and nothing more.
 */
final class OperatorReport {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final ConsentConfig.ReportSettings settings;
    private final UndeclaredHosts report;

    OperatorReport(ConsentConfig.ReportSettings settings, UndeclaredHosts report) {
        this.settings = settings;
        this.report = report;
    }

    void serve(HttpServletRequest request, HttpServletResponse response, boolean html) throws IOException {
        response.setHeader("Cache-Control", "no-store");
        String auth = request.getHeader("Authorization");
        String token = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).strip() : null;
        if (!settings.opens(token)) {
            response.setHeader("WWW-Authenticate", "Bearer");
            write(response, 401, "application/json", "{\"status\":401,\"error\":\"unauthorized\"}");
            return;
        }
        if (!request.getMethod().equalsIgnoreCase("GET") && !request.getMethod().equalsIgnoreCase("HEAD")) {
            response.setHeader("Allow", "GET, HEAD");
            write(response, 405, "application/json", "{\"status\":405,\"error\":\"read the report with GET\"}");
            return;
        }
        List<UndeclaredHosts.Contact> contacts = report.contacts();
        if (html) {
            // nothing of the page may load or run: it shows what visitors' browsers reported
            response.setHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
            write(response, 200, "text/html;charset=UTF-8", page(contacts));
        } else {
            write(response, 200, "application/json", json(contacts));
        }
    }

    static String json(List<UndeclaredHosts.Contact> contacts) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode hosts = root.putArray("hosts");
        for (UndeclaredHosts.Contact c : contacts) {
            ObjectNode h = hosts.addObject();
            h.put("host", c.host());
            c.kinds().stream().sorted().forEach(h.putArray("kinds")::add);
            c.pages().forEach(h.putArray("pages")::add);
            h.put("count", c.count());
            h.put("firstSeen", c.firstSeen().toString());
            h.put("lastSeen", c.lastSeen().toString());
            c.perDay().forEach(h.putArray("perDay")::add);
        }
        return JSON.writeValueAsString(root);
    }

    /** A table of the hosts, each with a bar per day of the last {@link UndeclaredHosts#DAYS}, drawn as inline SVG. */
    static String page(List<UndeclaredHosts.Contact> contacts) {
        StringBuilder sb = new StringBuilder("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>Hosts nobody declared</title><style>body{font:14px/1.4 system-ui,sans-serif;margin:2em}"
                + "table{border-collapse:collapse}td,th{padding:.3em .8em;border-bottom:1px solid #ccc;text-align:left;"
                + "vertical-align:top}rect{fill:#2457a6}</style></head><body><h1>Hosts nobody declared</h1>"
                + "<p>What this site's pages contacted, or tried to, that is neither the site's, a declared third"
                + " party's nor a tracker's. Declare what the site means to use in <code>thirdParties</code>; remove"
                + " what loads the rest.</p>");
        if (contacts.isEmpty()) {
            return sb.append("<p>None so far.</p></body></html>").toString();
        }
        sb.append("<table><tr><th>host</th><th>as</th><th>count</th><th>last ").append(UndeclaredHosts.DAYS)
                .append(" days</th><th>first seen</th><th>last seen</th><th>on pages</th></tr>");
        for (UndeclaredHosts.Contact c : contacts) {
            sb.append("<tr><td>").append(escape(c.host())).append("</td><td>")
                    .append(escape(String.join(", ", c.kinds().stream().sorted().toList()))).append("</td><td>")
                    .append(c.count()).append("</td><td>").append(chart(c.perDay())).append("</td><td>")
                    .append(c.firstSeen()).append("</td><td>").append(c.lastSeen()).append("</td><td>");
            for (String p : c.pages()) {
                sb.append(escape(p)).append("<br>");
            }
            sb.append("</td></tr>");
        }
        return sb.append("</table></body></html>").toString();
    }

    private static String chart(List<Long> perDay) {
        long max = Math.max(1, perDay.stream().mapToLong(Long::longValue).max().orElse(1));
        int w = 6;
        int h = 24;
        StringBuilder sb = new StringBuilder("<svg role=\"img\" width=\"" + perDay.size() * w + "\" height=\"" + h
                + "\" aria-label=\"contacts per day: " + perDay + "\">");
        for (int i = 0; i < perDay.size(); i++) {
            long bar = perDay.get(i) == 0 ? 0 : Math.max(1, perDay.get(i) * h / max);
            sb.append("<rect x=\"").append(i * w).append("\" y=\"").append(h - bar).append("\" width=\"").append(w - 1)
                    .append("\" height=\"").append(bar).append("\"><title>").append(perDay.get(i)).append("</title></rect>");
        }
        return sb.append("</svg>").toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static void write(HttpServletResponse response, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType(type);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
