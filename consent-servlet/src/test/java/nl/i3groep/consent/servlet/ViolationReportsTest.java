package nl.i3groep.consent.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.ledger.MemoryLedger;
import nl.i3groep.consent.report.UndeclaredHosts;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code POST /consent/report}, in Jetty and Tomcat: what browsers report, and what others may send. */
class ViolationReportsTest {

    private static HttpResponse<byte[]> report(Container.Running r, String type, String body) throws Exception {
        return Http.send(r.port(), "POST", "/consent/report", type, body.getBytes(StandardCharsets.UTF_8));
    }

    /** A report-uri report of a page on the test server (127.0.0.1, as the client calls it). */
    private static String cspReport(String page, String blocked, String directive) {
        return "{\"csp-report\": {\"document-uri\": \"" + page + "\", \"referrer\": \"\", \"violated-directive\": \"" + directive
                + "\", \"effective-directive\": \"" + directive + "\", \"original-policy\": \"default-src 'self'\","
                + " \"disposition\": \"report\", \"blocked-uri\": \"" + blocked + "\", \"status-code\": 200}}";
    }

    private static ConsentFilter filter() {
        return new ConsentFilter(Gatekeeper.create(ConsentConfig.load("classpath:consent.json")), new MemoryLedger());
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void whatBrowsersReportListsTheHostsNobodyDeclared(Container c) throws Exception {
        ConsentFilter filter = filter();
        try (Container.Running r = c.start(Container.Registration.instance(filter), TestServlets.all())) {
            String page = "http://127.0.0.1:" + r.port() + "/nieuws/1?utm_source=mail&email=a%40b.nl";
            assertEquals(204, report(r, "application/csp-report",
                    cspReport(page, "https://tags.undeclared-tm.example/tm.js?x=1", "script-src-elem")).statusCode());
            // the Reporting API's batch, as Chromium sends it
            String batch = "[{\"age\": 10, \"type\": \"csp-violation\", \"url\": \"" + page + "\", \"user_agent\": \"x\","
                    + " \"body\": {\"documentURL\": \"" + page + "\", \"blockedURL\": \"https://pixel.undeclared.example/p.gif\","
                    + " \"effectiveDirective\": \"img-src\", \"disposition\": \"enforce\"}},"
                    + " {\"type\": \"deprecation\", \"body\": {}}]";
            assertEquals(204, report(r, "application/reports+json", batch).statusCode());
            // not undeclared: a tracker's host (refused as it should be), inline code, the site itself
            for (String known : List.of("https://px.ads.linkedin.com/collect", "https://www.google-analytics.com/g/collect",
                    "https://cdn.segment.com/analytics.js", "inline", "eval", "data", "http://127.0.0.1:" + r.port() + "/x")) {
                assertEquals(204, report(r, "application/csp-report", cspReport(page, known, "script-src")).statusCode(), known);
            }
            List<UndeclaredHosts.Contact> contacts = filter.undeclaredHosts().contacts();
            assertEquals(List.of("pixel.undeclared.example", "tags.undeclared-tm.example"),
                    contacts.stream().map(UndeclaredHosts.Contact::host).sorted().toList(), contacts.toString());
            UndeclaredHosts.Contact tm = contacts.stream().filter(x -> x.host().startsWith("tags.")).findFirst().orElseThrow();
            assertEquals(Set.of("script"), tm.kinds());
            assertEquals(List.of("/nieuws/1"), tm.pages(), "the path alone: nothing of the visitor");
            assertEquals(1, tm.count());
        }
    }

    /**
     * A refusal sent while the client still sends is lost when the connection closes with its bytes
     * unread (the client sees no answer at all): the rest of an oversized report is read first.
     */
    @ParameterizedTest
    @EnumSource(Container.class)
    void anOversizedReportIsReadToItsEndAndRefusedOnAConnectionThatCarriesTheNext(Container c) throws Exception {
        ConsentFilter filter = filter();
        try (Container.Running r = c.start(Container.Registration.instance(filter), TestServlets.all());
                Http.Connection connection = new Http.Connection(r.port())) {
            String report = cspReport("http://127.0.0.1:" + r.port() + "/", "https://a.example/" + "x".repeat(20_000),
                    "img-src");
            // the client sends the body only when the server reads it
            connection.head("POST /consent/report HTTP/1.1", "Content-Type: application/csp-report",
                    "Content-Length: " + report.length(), "Expect: 100-continue");
            assertEquals(100, connection.read().status(), "the server reads the report it refuses");
            connection.write(report);
            Http.Answer answer = connection.read();
            assertEquals(413, answer.status(), answer.body());
            assertTrue(answer.body().contains("\"error\""), answer.body());
            if (c == Container.TOMCAT) {
                // Tomcat ends the connection after every 413, by design, once it has read the body
                assertEquals("close", answer.headers().get("connection"), answer.headers().toString());
                return;
            }
            assertTrue(!"close".equalsIgnoreCase(answer.headers().get("connection")), answer.headers().toString());
            connection.head("GET /consent HTTP/1.1");
            assertEquals(200, connection.read().status(), "the next request on the same connection is answered");
        }
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void whatIsNoReportGetsAFourHundredAndNeverAFiveHundred(Container c) throws Exception {
        ConsentFilter filter = filter();
        try (Container.Running r = c.start(Container.Registration.instance(filter), TestServlets.all())) {
            String page = "http://127.0.0.1:" + r.port() + "/";
            assertEquals(400, report(r, "application/csp-report", "{\"csp-report\": ").statusCode(), "malformed");
            assertEquals(400, report(r, "application/csp-report", "{\"other\": 1}").statusCode(), "no report");
            assertEquals(400, report(r, "application/csp-report", "").statusCode(), "empty");
            assertEquals(413, report(r, "application/csp-report", cspReport(page, "https://a.example/" + "x".repeat(20_000),
                    "img-src")).statusCode(), "oversized");
            assertEquals(415, report(r, "text/plain", cspReport(page, "https://a.example/", "img-src")).statusCode());
            assertEquals(405, Http.get(r.port(), "/consent/report").statusCode());
            // about a page of another site: someone else's reports, or made up
            HttpResponse<byte[]> cross = report(r, "application/csp-report",
                    cspReport("https://evil.example/page", "https://a.example/x", "img-src"));
            assertEquals(403, cross.statusCode());
            assertTrue(new String(cross.body(), StandardCharsets.UTF_8).contains("\"error\""), "a JSON message");
            Random random = new Random(7);
            for (int i = 0; i < 40; i++) {
                byte[] junk = new byte[random.nextInt(300)];
                random.nextBytes(junk);
                int status = Http.send(r.port(), "POST", "/consent/report", i % 2 == 0 ? "application/csp-report"
                        : "application/reports+json", junk).statusCode();
                assertTrue(status == 204 || status >= 400 && status < 500, "status " + status);
            }
            assertEquals(List.of(), filter.undeclaredHosts().contacts(), "nothing recorded from any of it");
        }
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void aFloodIsCutOffPerClient(Container c) throws Exception {
        ConsentFilter filter = filter();
        try (Container.Running r = c.start(Container.Registration.instance(filter), TestServlets.all())) {
            String page = "http://127.0.0.1:" + r.port() + "/";
            int accepted = 0;
            int limited = 0;
            for (int i = 0; i < ViolationReports.PER_CLIENT + 20; i++) {
                HttpResponse<byte[]> res = report(r, "application/csp-report",
                        cspReport(page, "https://host" + i + ".flood.example/x", "img-src"));
                if (res.statusCode() == 204) {
                    accepted++;
                } else {
                    assertEquals(429, res.statusCode());
                    assertEquals("60", res.headers().firstValue("Retry-After").orElse(""));
                    limited++;
                }
            }
            assertEquals(ViolationReports.PER_CLIENT, accepted, "the minute's allowance");
            assertEquals(20, limited);
            assertEquals(ViolationReports.PER_CLIENT, filter.undeclaredHosts().contacts().size());
        }
    }

    /** The test servlets, and at {@code /contacts} a page of {@code body}, its {@code {own}} the site's host and port. */
    private static Map<String, jakarta.servlet.http.HttpServlet> withContactsPage(String body) {
        Map<String, jakarta.servlet.http.HttpServlet> servlets = new java.util.LinkedHashMap<>(TestServlets.all());
        servlets.put("/contacts", new jakarta.servlet.http.HttpServlet() {
            @Override
            protected void doGet(jakarta.servlet.http.HttpServletRequest req, jakarta.servlet.http.HttpServletResponse resp)
                    throws java.io.IOException {
                resp.setContentType("text/html;charset=UTF-8");
                resp.getWriter().write(body.replace("{own}", req.getServerName() + ":" + req.getLocalPort()));
            }
        });
        return servlets;
    }

    /** The other source: what the filter reads in the pages it gates, without any browser. */
    @ParameterizedTest
    @EnumSource(Container.class)
    void whatPagesNameOnHostsNobodyDeclaredIsInTheReportToo(Container c) throws Exception {
        ConsentFilter filter = filter();
        Map<String, jakarta.servlet.http.HttpServlet> servlets = withContactsPage("<!doctype html><html><head><title>t</title>"
                        + "<script src=\"https://tags.undeclared-tm.example/tm.js\"></script></head><body>"
                        + "<img alt=\"\" src=\"https://cdn.undeclared.example/a.png\"><img alt=\"\" src=\"https://cdn.undeclared.example/b.png\">"
                        + "<img alt=\"\" src=\"http://{own}/own.png\">"
                        + "<img alt=\"\" src=\"https://px.ads.linkedin.com/collect?pid=123456\"></body></html>");
        try (Container.Running r = c.start(Container.Registration.instance(filter), servlets)) {
            assertEquals(200, Http.get(r.port(), "/contacts?visitor=someone").statusCode());
            assertEquals(200, Http.get(r.port(), "/contacts").statusCode());
            List<UndeclaredHosts.Contact> contacts = filter.undeclaredHosts().contacts();
            assertEquals(List.of("cdn.undeclared.example", "tags.undeclared-tm.example"),
                    contacts.stream().map(UndeclaredHosts.Contact::host).sorted().toList(), contacts.toString());
            UndeclaredHosts.Contact cdn = contacts.stream().filter(x -> x.host().startsWith("cdn.")).findFirst().orElseThrow();
            assertEquals(Set.of("img"), cdn.kinds());
            assertEquals(2, cdn.count(), "once per page, however often the page names it");
            assertEquals(List.of("/contacts"), cdn.pages(), "the path alone");
        }
    }

    /** With "undeclared": "block", the rewriter holds back an undeclared host's scripts, frames and pixels too. */
    @ParameterizedTest
    @EnumSource(Container.class)
    void blockingHoldsBackWhatNobodyDeclared(Container c) throws Exception {
        String json = SiteConfig.json()
                .replace("\"ledger\":", "\"undeclared\": \"block\", \"thirdParties\": {\"cdn.declared.example\":"
                        + " {\"purpose\": \"necessary\", \"for\": \"images\"}},\n  \"ledger\":");
        ConsentFilter filter = new ConsentFilter(Gatekeeper.create(ConsentConfig.parse(json, Map.of())), new MemoryLedger());
        Map<String, jakarta.servlet.http.HttpServlet> servlets = withContactsPage("<!doctype html><html><head><title>t</title>"
                        + "<link rel=\"stylesheet\" href=\"https://fonts.undeclared.example/css\">"
                        + "<script src=\"https://tags.undeclared-tm.example/tm.js\"></script></head><body>"
                        + "<img id=\"px\" alt=\"\" src=\"https://pixel.undeclared.example/p.gif\">"
                        + "<iframe id=\"fr\" src=\"https://widget.undeclared.example/\"></iframe>"
                        + "<img id=\"cdn\" alt=\"\" src=\"https://cdn.declared.example/a.png\">"
                        + "<img id=\"own\" alt=\"\" src=\"http://{own}/own.png\">"
                        + "</body></html>");
        try (Container.Running r = c.start(Container.Registration.instance(filter), servlets)) {
            org.jsoup.nodes.Document d = org.jsoup.Jsoup.parse(Http.text(Http.get(r.port(), "/contacts")));
            org.jsoup.nodes.Element tm = d.selectFirst("script[data-consent-src*=tags.undeclared-tm.example]");
            assertTrue(tm != null && tm.attr("type").equals("text/plain") && tm.attr("data-consent").equals("unknown"),
                    d.head().html());
            assertEquals("https://pixel.undeclared.example/p.gif", d.getElementById("px").attr("data-consent-src"));
            assertEquals("", d.getElementById("px").attr("src"));
            assertEquals("https://widget.undeclared.example/", d.getElementById("fr").attr("data-consent-src"));
            assertEquals("https://cdn.declared.example/a.png", d.getElementById("cdn").attr("src"), "declared: kept");
            assertTrue(d.getElementById("own").attr("src").endsWith("/own.png"), "the site's own: kept");
            assertEquals("https://fonts.undeclared.example/css", d.selectFirst("link[rel=stylesheet]").attr("href"),
                    "a stylesheet is reported, not held back: blocking covers scripts, frames and pixels (an enforced"
                            + " policy refuses the rest)");
            assertEquals(List.of("fonts.undeclared.example", "pixel.undeclared.example", "tags.undeclared-tm.example",
                    "widget.undeclared.example"), filter.undeclaredHosts().contacts().stream()
                    .map(UndeclaredHosts.Contact::host).sorted().toList());
        }
    }
}
