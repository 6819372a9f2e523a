package nl.i3groep.consent.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import nl.i3groep.consent.report.UndeclaredHosts;

/**
 * {@code POST <endpointPath>/report}: the fetch policy's violations, as browsers send them (the
 * {@code report-uri} format, {@code application/csp-report}, and the Reporting API's
 * {@code application/reports+json}), fed into the {@link UndeclaredHosts} report. Of a report only
 * the blocked host, the directive, the page's path and the time are kept. Bodies are bounded,
 * reports are rate-limited per client and in total, and a report about a page of another site is
 * refused; the answer is 204 or a 4xx with a JSON message, never a 5xx.
 */
final class ViolationReports {

    static final int MAX_BODY = 16 * 1024;
    /** Reports a client may send per minute, and all clients together. */
    static final int PER_CLIENT = 60, IN_TOTAL = 2000;
    /** Reports read from one body (the Reporting API batches them). */
    private static final int PER_BODY = 20;
    private static final Pattern HOST = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final UndeclaredHosts report;
    private final Clock clock;
    /** Reports per client in the current minute, by address. */
    private final Cache<String, AtomicLong> clients = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(java.time.Duration.ofMinutes(1)).build();
    private final AtomicLong total = new AtomicLong();
    private volatile long minute;

    ViolationReports(UndeclaredHosts report, Clock clock) {
        this.report = report;
        this.clock = clock;
    }

    void serve(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader("Cache-Control", "no-store");
        try {
            if (!request.getMethod().equalsIgnoreCase("POST")) {
                response.setHeader("Allow", "POST");
                throw new Refused(405, "send violation reports with POST");
            }
            String type = GatedResponse.mime(request.getHeader("Content-Type"));
            if (!type.equals("application/csp-report") && !type.equals("application/reports+json")
                    && !type.equals("application/json")) {
                throw new Refused(415, "send application/csp-report or application/reports+json, not "
                        + (type.isEmpty() ? "nothing" : type));
            }
            if (!admitted(request.getRemoteAddr())) {
                response.setHeader("Retry-After", "60");
                throw new Refused(429, "too many reports; try again in a minute");
            }
            JsonNode body = read(request);
            String site = request.getServerName().toLowerCase(Locale.ROOT);
            if (body.isArray()) { // the Reporting API: [{"type": "csp-violation", "body": {...}}, ...]
                int n = 0;
                for (JsonNode r : body) {
                    if (++n > PER_BODY) {
                        break;
                    }
                    if ("csp-violation".equals(r.path("type").asText()) && r.path("body").isObject()) {
                        JsonNode b = r.path("body");
                        take(site, text(b, "documentURL"), text(b, "blockedURL"), text(b, "effectiveDirective"));
                    }
                }
            } else if (body.path("csp-report").isObject()) { // report-uri
                JsonNode b = body.path("csp-report");
                String directive = text(b, "effective-directive");
                take(site, text(b, "document-uri"), text(b, "blocked-uri"),
                        directive.isEmpty() ? text(b, "violated-directive") : directive);
            } else {
                throw new Refused(400, "not a violation report: expected {\"csp-report\": {...}} or a list of reports");
            }
            response.setStatus(204);
        } catch (Refused e) {
            // the rest of a refused body read, or the connection closed, as the endpoint does
            ConsentEndpoint.discardBody(request, response);
            ConsentEndpoint.error(response, e.status, e.getMessage());
        } catch (IOException | RuntimeException e) { // a body cut off, a parser's surprise: the sender's fault
            ConsentEndpoint.discardBody(request, response);
            ConsentEndpoint.error(response, 400, "unreadable report");
        }
    }

    /** Counts one more report from {@code client}: false when it or all clients together are over their limit. */
    private boolean admitted(String client) {
        long now = clock.millis() / 60_000;
        if (now != minute) {
            minute = now;
            total.set(0);
        }
        if (total.incrementAndGet() > IN_TOTAL) {
            return false;
        }
        return clients.get(client == null ? "" : client, k -> new AtomicLong()).incrementAndGet() <= PER_CLIENT;
    }

    private static JsonNode read(HttpServletRequest request) throws IOException {
        if (request.getContentLengthLong() > MAX_BODY) {
            throw new Refused(413, "a report may be at most " + MAX_BODY + " bytes");
        }
        byte[] bytes;
        try (InputStream in = request.getInputStream()) {
            bytes = in.readNBytes(MAX_BODY + 1);
        }
        if (bytes.length > MAX_BODY) {
            throw new Refused(413, "a report may be at most " + MAX_BODY + " bytes");
        }
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null) {
                throw new Refused(400, "the body is empty");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new Refused(400, "the body is not JSON");
        }
    }

    /**
     * One violation: its page must be this site's (else the report is about another site's, and
     * refused); its blocked URL, where it names a host other than the site's, is an undeclared
     * contact unless the site knows the host.
     */
    private void take(String site, String page, String blocked, String directive) {
        URI pageUri = uri(page);
        if (pageUri == null || pageUri.getHost() == null || !pageUri.getHost().toLowerCase(Locale.ROOT).equals(site)) {
            throw new Refused(403, "the report is not about a page of this site");
        }
        URI blockedUri = uri(blocked);
        if (blockedUri == null || blockedUri.getHost() == null || blockedUri.getScheme() == null
                || !blockedUri.getScheme().toLowerCase(Locale.ROOT).matches("https?|wss?")) {
            return; // inline, eval, data: and the like name no host
        }
        String host = blockedUri.getHost().toLowerCase(Locale.ROOT);
        if (host.equals(site) || host.length() > 253 || !HOST.matcher(host).matches()) {
            return;
        }
        String path = pageUri.getRawPath() == null || pageUri.getRawPath().isEmpty() ? "/" : pageUri.getRawPath();
        report.seen(host, kind(directive), path.length() > 200 ? path.substring(0, 200) : path);
    }

    /** {@code script} of {@code script-src-elem}, {@code img} of {@code img-src}, {@code form} of {@code form-action}. */
    static String kind(String directive) {
        String d = directive.strip().toLowerCase(Locale.ROOT);
        int space = d.indexOf(' ');
        d = space < 0 ? d : d.substring(0, space);
        if (d.equals("form-action")) {
            return "form";
        }
        int src = d.indexOf("-src");
        String k = src < 0 ? d : d.substring(0, src);
        return k.matches("[a-z]{1,16}") ? k : "other";
    }

    private static URI uri(String s) {
        if (s.isEmpty() || s.length() > 2048) {
            return null;
        }
        try {
            return new URI(s);
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isTextual() ? v.asText() : "";
    }

    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        Refused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }
}
