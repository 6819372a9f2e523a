package nl.i3groep.consent.demo;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.ledger.MemoryLedger;
import nl.i3groep.consent.servlet.ConsentFilter;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A sample company site with all six trackers installed the vendors' way, behind the consent
 * filter. The trackers load from stand-ins on this same server, under {@code 127.0.0.1} (a different
 * origin from {@code localhost}, as a vendor's would be), so nothing leaves the machine; the page
 * {@code /stand-ins} shows what each stand-in received.
 *
 * <p>Run: {@code mvn -B -q install -DskipTests && mvn -B -q -f consent-servlet exec:java@demo}, then
 * open {@code http://localhost:8080}. It listens on the loopback address only, unless
 * {@code --host ADDRESS} names another ({@code 0.0.0.0}: every interface), and logs through
 * SLF4J to {@code java.util.logging}'s console. Arguments, in any order: a port (default 8080),
 * {@code --host ADDRESS}, and
 * {@code --no-filter} to serve the same pages without the consent filter (no banner, no
 * {@code /consent}, every tracker live): the baseline of the load test ({@code consent-jmh/load/run.sh}),
 * e.g. {@code mvn -B -q -f consent-servlet exec:java@demo -Dexec.args="8080 --no-filter"}.
 *
 * <p>{@code /artikel} is a long article of about 50 KB ({@link #ARTICLE_SIZE}) in the same layout,
 * with the same six trackers: the page of the load test, the size RewriteBenchmark and
 * FilterBenchmark measure.
 */
public final class DemoSite implements AutoCloseable {

    private static final Map<String, String[]> PAGES = Map.of(
            "/", new String[] {"Home", "<h1>Welkom bij Voorbeeld BV</h1><p>Wij maken software voor mensen die "
                    + "liever iets anders doen. Deze site gebruikt de trackers uit onze privacyverklaring; ze laden "
                    + "pas als u dat goedvindt. Kijk op <a href=\"/stand-ins\">wat de trackers ontvingen</a> wat er "
                    + "gebeurt als u kiest.</p>"},
            "/diensten", new String[] {"Diensten", "<h1>Diensten</h1><ul><li>Advies</li><li>Ontwikkeling</li>"
                    + "<li>Beheer</li></ul>"},
            "/contact", new String[] {"Contact", "<h1>Contact</h1><p>Bel ons op 010 123 45 67 of mail "
                    + "info@voorbeeld.nl.</p>"},
            "/privacyverklaring", new String[] {"Privacyverklaring", "<h1>Privacyverklaring</h1><p>Wij gebruiken "
                    + "LinkedIn Insight, Google Analytics, Leadboxer, Google Ads en Oktopost alleen met uw "
                    + "toestemming, en eigen sessiecookies die nodig zijn om de site te laten werken. U kunt uw "
                    + "toestemming even gemakkelijk intrekken als geven: <a href=\"#\" data-consent-settings>"
                    + "cookie-instellingen</a>. Gegevens bewaren wij ten hoogste twee jaar.</p>"});

    /** The size of {@code /artikel}, in bytes of UTF-8, to within a few hundred. */
    public static final int ARTICLE_SIZE = 50_000;

    /** Where the pages load their trackers from. */
    public enum Trackers {
        /** Stand-ins on this server under {@code 127.0.0.1}: the demo, nothing leaves the machine. */
        STAND_INS("demo/consent.json"),
        /** The vendors' own URLs, for a browser whose resolver sends every host to a local stand-in. */
        VENDOR_URLS("demo/consent-vendors.json");

        final String config;

        Trackers(String config) {
            this.config = config;
        }
    }

    private final Server server;
    private final Trackers trackers;
    private final ServerConnector connector;
    private final List<String[]> received = new ArrayList<>();

    /** Where the demo listens unless told otherwise: nothing off the machine reaches it. */
    public static final String LOOPBACK = "127.0.0.1";

    private DemoSite(String host, int port, Trackers trackers, boolean filtered) throws Exception {
        this.trackers = trackers;
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        if (filtered) {
            Gatekeeper gatekeeper = Gatekeeper.create(ConsentConfig.load("classpath:" + trackers.config));
            FilterHolder consent = new FilterHolder(new ConsentFilter(gatekeeper, new MemoryLedger()));
            consent.setAsyncSupported(true);
            context.addFilter(consent, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ERROR, DispatcherType.ASYNC));
        }
        context.addServlet(new ServletHolder(new StandIn()), "/stand-in/*");
        context.addServlet(new ServletHolder(new Received()), "/stand-ins");
        context.addServlet(new ServletHolder(new Pages()), "/");
        server.setHandler(context);
    }

    /** Starts the site on {@code port} (0: any free one). */
    public static DemoSite start(int port) throws Exception {
        return start(port, Trackers.STAND_INS);
    }

    /** Starts the site on {@code port} (0: any free one), its trackers loading from {@code trackers}. */
    public static DemoSite start(int port, Trackers trackers) throws Exception {
        return start(port, trackers, true);
    }

    /**
     * Starts the site on {@code port} (0: any free one), its trackers loading from {@code trackers};
     * behind the consent filter when {@code filtered}, else serving the pages as they are.
     */
    public static DemoSite start(int port, Trackers trackers, boolean filtered) throws Exception {
        return start(LOOPBACK, port, trackers, filtered);
    }

    /** As {@link #start(int, Trackers, boolean)}, listening on {@code host} ({@code 0.0.0.0}: every interface). */
    public static DemoSite start(String host, int port, Trackers trackers, boolean filtered) throws Exception {
        DemoSite site = new DemoSite(host, port, trackers, filtered);
        site.server.start();
        return site;
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** What the stand-ins received, oldest first: time, vendor, path and query. */
    public synchronized List<String[]> received() {
        return List.copyOf(received);
    }

    private synchronized void record(String vendor, String path) {
        received.add(new String[] {LocalTime.now().truncatedTo(ChronoUnit.SECONDS).toString(), vendor, path});
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** Arguments, in any order: the port (default 8080), {@code --host ADDRESS} and {@code --no-filter}. */
    public static void main(String[] args) throws Exception {
        int port = 8080;
        String host = LOOPBACK;
        boolean filtered = true;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--no-filter")) {
                filtered = false;
            } else if (arg.equals("--host") && i + 1 < args.length) {
                host = args[++i];
            } else if (arg.matches("[0-9]+")) {
                port = Integer.parseInt(arg);
            } else {
                throw new IllegalArgumentException("unknown argument " + arg
                        + " (expected: [port] [--host ADDRESS] [--no-filter])");
            }
        }
        DemoSite site = start(host, port, Trackers.STAND_INS, filtered);
        org.slf4j.LoggerFactory.getLogger(DemoSite.class).info("Demo site on {}: http://localhost:{} (stand-ins: "
                + "http://localhost:{}/stand-ins; Ctrl-C stops it){}", host, site.port(), site.port(),
                filtered ? "" : " WITHOUT the consent filter");
        site.server.join();
    }

    private static String resource(String name) {
        try (InputStream in = DemoSite.class.getClassLoader().getResourceAsStream("demo/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private final class Pages extends HttpServlet {
        private final String layout = resource("layout.html");
        /** {@code /artikel}, rendered once: the load test measures the filter, not the page's templating. */
        private volatile byte[] article;

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            if (req.getRequestURI().equals("/artikel")) {
                byte[] body = article;
                if (body == null) {
                    // the stand-ins' URLs hold the port, known only once the server runs; a race
                    // renders the same bytes twice, which is harmless
                    int rest = ARTICLE_SIZE - render(Article.TITLE, "").getBytes(StandardCharsets.UTF_8).length;
                    body = render(Article.TITLE, Article.content(rest)).getBytes(StandardCharsets.UTF_8);
                    article = body;
                }
                resp.setContentType("text/html;charset=UTF-8");
                resp.getOutputStream().write(body);
                return;
            }
            String[] page = PAGES.get(req.getRequestURI());
            if (page == null) {
                resp.sendError(404);
                return;
            }
            resp.setContentType("text/html;charset=UTF-8");
            resp.getWriter().write(render(page[0], page[1]));
        }

        private String render(String title, String content) {
            String html = layout.replace("{title}", title).replace("{content}", content);
            String standIn = "http://127.0.0.1:" + port() + "/stand-in";
            boolean local = trackers == Trackers.STAND_INS;
            html = html.replace("{gtag}", local ? standIn + "/google/gtag/js" : "https://www.googletagmanager.com/gtag/js")
                    .replace("{oktopost}", local ? standIn + "/oktopost/oktrk.js" : "https://static.oktopost.com/oktrk.js")
                    .replace("{linkedin}", local ? standIn + "/linkedin/li.lms-analytics/insight.min.js"
                            : "https://snap.licdn.com/li.lms-analytics/insight.min.js")
                    .replace("{linkedin-pixel}", local ? standIn + "/linkedin/collect/" : "https://px.ads.linkedin.com/collect/")
                    .replace("{ads-pixel}", local ? standIn + "/google-ads/pagead/viewthroughconversion/123456789/"
                            : "https://googleads.g.doubleclick.net/pagead/viewthroughconversion/123456789/")
                    .replace("{leadboxer}", local ? standIn + "/leadboxer/" : "https://script.leadboxer.com/");
            return html;
        }
    }

    /** Plays the vendors: records each request; scripts answer with a beacon back, like the real ones. */
    private final class StandIn extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
            String vendor = path.split("/").length > 1 ? path.split("/")[1] : "?";
            String query = req.getQueryString();
            record(vendor, path + (query == null ? "" : "?" + query));
            resp.setHeader("Cache-Control", "no-store");
            boolean script = path.endsWith(".js") || path.contains("/gtag/js") || vendor.equals("leadboxer")
                    && !path.contains("/collect");
            if (script) {
                resp.setContentType("text/javascript");
                resp.getWriter().write("(function(){new Image().src='http://127.0.0.1:" + port() + "/stand-in/"
                        + vendor + "/collect?event=pageview&page='+encodeURIComponent(location.pathname);})();");
            } else {
                resp.setContentType("image/gif");
                resp.getOutputStream().write(java.util.Base64.getDecoder()
                        .decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"));
            }
        }
    }

    /** The live view of what the stand-ins received. */
    private final class Received extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            if (req.getParameter("clear") != null) {
                synchronized (DemoSite.this) {
                    received.clear();
                }
                resp.sendRedirect("/stand-ins");
                return;
            }
            StringBuilder rows = new StringBuilder();
            for (String[] r : received()) {
                rows.append("<tr><td>").append(r[0]).append("</td><td>").append(escape(r[1])).append("</td><td><code>")
                        .append(escape(r[2])).append("</code></td></tr>");
            }
            resp.setContentType("text/html;charset=UTF-8");
            resp.getWriter().write("<!DOCTYPE html><html lang=\"nl\"><head><meta charset=\"UTF-8\">"
                    + "<meta http-equiv=\"refresh\" content=\"2\"><title>Wat de trackers ontvingen</title>"
                    + "<style>body{font:16px/1.4 system-ui,sans-serif;margin:2rem}td{padding:.2rem .8rem}</style></head>"
                    + "<body><h1>Wat de trackers ontvingen</h1><p>Elke aanvraag die een tracker-stand-in kreeg, "
                    + "nieuwste onderaan (ververst elke 2 seconden). <a href=\"/\">Terug naar de site</a> · "
                    + "<a href=\"/stand-ins?clear=1\">Wissen</a></p><table><thead><tr><th>Tijd</th><th>Tracker</th>"
                    + "<th>Aanvraag</th></tr></thead><tbody id=\"received\">" + rows + "</tbody></table></body></html>");
        }
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
