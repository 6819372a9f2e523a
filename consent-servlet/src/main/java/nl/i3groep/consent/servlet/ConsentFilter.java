package nl.i3groep.consent.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import nl.i3groep.consent.Decisions;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.config.ConfigException;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.html.HtmlGate;
import nl.i3groep.consent.html.Page;
import nl.i3groep.consent.ledger.ConsentLedger;
import nl.i3groep.consent.ledger.LedgerException;
import nl.i3groep.consent.report.UndeclaredHosts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces the visitor's consent in a webapp: one filter mapped to {@code /*}.
 *
 * <p>Per request it decides, for each tracker of the site, allow or deny; exposes the
 * {@link Decisions} to templates as the request attribute {@value #DECISIONS_ATTRIBUTE}
 * ({@code ${consent.allows('google-analytics')}}); expires the cookies of denied trackers the
 * browser sent and drops those the application sets; streams HTML responses through the
 * {@link HtmlGate}, which makes denied trackers inert, inserts allowed trackers' snippets and, while
 * the visitor has not decided, the banner; and serves the consent endpoint.
 *
 * <p>Rules: a broken configuration stops start-up ({@link #init} fails naming the field); nothing a
 * visitor sends causes an error response; an HTML body the filter cannot read is still served,
 * under a Content-Security-Policy that lets no denied tracker load.
 *
 * <p>Registration: in {@code web.xml} (or {@code FilterRegistration}) with the init-parameter
 * {@code config} = {@code classpath:consent.json} or a file path; or built in Java with
 * {@link #ConsentFilter(Gatekeeper, ConsentLedger)}. Register it with async support.
 */
public class ConsentFilter implements Filter {

    /** The request attribute that holds this request's {@link Decisions}. */
    public static final String DECISIONS_ATTRIBUTE = "consent";

    private static final Logger LOG = LoggerFactory.getLogger(ConsentFilter.class);
    private static final String FILTERED = ConsentFilter.class.getName() + ".filtered";

    /** What every request of the site shares. */
    record Site(Gatekeeper gatekeeper, HtmlGate gate, TrackerCookies cookies, ConsentEndpoint endpoint, Banner banner,
            ConsentConfig.CspMode csp, UndeclaredHosts undeclared, ViolationReports reports, OperatorReport operator,
            Meters meters) {
    }

    /**
     * What a response needs of its request: its host and path (for the report of undeclared
     * hosts), where violations go, whether it came over HTTPS, and whether it fetches the script of
     * a worker (whose fetches obey the policy of that script's response, not the page's).
     */
    record Visit(String host, String path, String reportUri, boolean secure, boolean worker) {
    }

    /** The browser fetches a worker's script: a dedicated, shared or service worker. */
    static boolean fetchesWorker(HttpServletRequest request) {
        String dest = request.getHeader("Sec-Fetch-Dest");
        return dest != null && (dest.equalsIgnoreCase("worker") || dest.equalsIgnoreCase("sharedworker")
                || dest.equalsIgnoreCase("serviceworker")) || request.getHeader("Service-Worker") != null;
    }

    private Gatekeeper gatekeeper;
    private ConsentLedger ledger;
    private Site site;
    /** The cookie that carries an embed to load once ({@link ConsentEndpoint#onceCookie}). */
    private String onceCookie;
    private Set<String> endpointPaths;
    /** What the filter counts into, where built with it; else {@link Meters#detect} at init. */
    private Meters givenMeters;
    /** The report the filter fills, where built with it; else one of its own at init. */
    private UndeclaredHosts givenUndeclared;

    /** For {@code web.xml}: the configuration comes from the init-parameter {@code config}. */
    public ConsentFilter() {
    }

    /** Built in Java, recording decisions in {@code ledger}. */
    public ConsentFilter(Gatekeeper gatekeeper, ConsentLedger ledger) {
        this.gatekeeper = Objects.requireNonNull(gatekeeper, "gatekeeper");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
    }

    /**
     * Built in Java, recording decisions in {@code ledger} and what pages contact undeclared in
     * {@code undeclared}, which the application may read or show as well.
     */
    public ConsentFilter(Gatekeeper gatekeeper, ConsentLedger ledger, UndeclaredHosts undeclared) {
        this(gatekeeper, ledger);
        this.givenUndeclared = Objects.requireNonNull(undeclared, "undeclared");
    }

    /** Counting into {@code meters} rather than what {@link Meters#detect} finds. */
    ConsentFilter(Gatekeeper gatekeeper, ConsentLedger ledger, Meters meters) {
        this(gatekeeper, ledger);
        this.givenMeters = Objects.requireNonNull(meters, "meters");
    }

    @Override
    public void init(FilterConfig filterConfig) throws ServletException {
        if (gatekeeper == null) {
            String location = filterConfig.getInitParameter("config");
            if (location == null || location.isBlank()) {
                throw new ServletException("ConsentFilter: the init-parameter \"config\" is required "
                        + "(classpath:consent.json or a file path)");
            }
            try {
                gatekeeper = Gatekeeper.create(ConsentConfig.load(location.trim()));
            } catch (ConfigException e) {
                throw new ServletException("ConsentFilter: " + e.getMessage(), e);
            }
        }
        ConsentConfig config = gatekeeper.config();
        TrackerCookies cookies = new TrackerCookies(gatekeeper.trackers());
        Banner banner = new Banner(config);
        HtmlGate htmlGate = HtmlGate.create(gatekeeper.trackers());
        // the ledger last: once open it holds a lock, which a later failure here would leave held
        if (ledger == null) {
            ledger = ledgerFor(config);
        }
        Meters meters = givenMeters != null ? givenMeters
                : filterConfig != null && "off".equals(filterConfig.getInitParameter("metrics")) ? Meters.NONE
                : Meters.detect();
        try {
            // what the banner shows is in the ledger before any record names it
            banner.notices().forEach(ledger::keep);
        } catch (LedgerException e) {
            meters.ledgerFailed("keep");
            // pages are still served, every tracker denied; decisions get 503 until the ledger is back
            LOG.error("ConsentFilter: ledger: cannot store the banner's notice; the endpoint stores it with the first"
                    + " decision that names it: {}", e.getMessage());
        }
        UndeclaredHosts undeclared = givenUndeclared != null ? givenUndeclared
                : new UndeclaredHosts(config, java.time.Clock.systemUTC());
        onceCookie = ConsentEndpoint.onceCookie(gatekeeper.config());
        endpointPaths = endpointPaths(gatekeeper.config());
        site = new Site(gatekeeper, htmlGate, cookies, new ConsentEndpoint(gatekeeper, ledger, cookies, banner, meters),
                banner, config.csp(), undeclared, new ViolationReports(undeclared, java.time.Clock.systemUTC()),
                new OperatorReport(config.report(), undeclared), meters);
        retention = scheduleRetention(ledger, config.ledger().retention(), meters);
    }

    private static ConsentLedger ledgerFor(ConsentConfig config) throws ServletException {
        try {
            return ConsentLedger.open(config.ledger());
        } catch (LedgerException e) {
            throw new ServletException("ConsentFilter: ledger: " + e.getMessage(), e);
        }
    }

    /** Runs the daily retention purge; shut down by {@link #destroy}. */
    private java.util.concurrent.ScheduledExecutorService retention;

    /** Applies the retention period now and then daily, on a daemon thread of its own. */
    private static java.util.concurrent.ScheduledExecutorService scheduleRetention(ConsentLedger ledger,
            java.time.Duration period, Meters meters) {
        java.util.concurrent.ScheduledExecutorService executor =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor(task -> {
                    Thread t = new Thread(task, "consent-ledger-retention");
                    t.setDaemon(true);
                    return t;
                });
        executor.scheduleWithFixedDelay(() -> {
            try {
                ledger.purgeExpired(period);
            } catch (RuntimeException e) {
                // a failed sweep must not end the schedule; tomorrow's catches up
                meters.ledgerFailed("purge");
                LOG.error("consent ledger retention purge failed", e);
            }
        }, 0, 1, java.util.concurrent.TimeUnit.DAYS);
        return executor;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)
                || (request.getAttribute(FILTERED) != null && request.getDispatcherType() != DispatcherType.ERROR)) {
            chain.doFilter(req, res);
            return;
        }
        if (site == null) {
            throw new ServletException("ConsentFilter used before init");
        }
        request.setAttribute(FILTERED, Boolean.TRUE);
        Decisions decisions = decide(request);
        boolean toEndpoint = isEndpoint(request);
        // an embed the visitor asked its placeholder to load once, without JavaScript: the endpoint
        // left its id in a short-lived cookie for the page it sent the visitor back to, which uses it up
        String once = toEndpoint ? null : cookie(request, onceCookie);
        if (once != null) {
            decisions = decisions.loadingOnce(once);
        }
        request.setAttribute(DECISIONS_ATTRIBUTE, decisions);

        if (request.getDispatcherType() == DispatcherType.REQUEST && toEndpoint) {
            String path = pathInContext(request);
            String endpoint = gatekeeper.config().endpointPath();
            String name = path.equals(endpoint + "/report") ? "report"
                    : path.startsWith(endpoint + "/undeclared") ? "undeclared"
                    : path.equals(endpoint) ? "consent" : path.substring(endpoint.length() + 1);
            Answer answer = new Answer(response, site.meters(), name);
            switch (name) {
                case "report" -> site.reports().serve(request, answer);
                case "undeclared" -> site.operator().serve(request, answer, path.endsWith(".html"));
                default -> site.endpoint().serve(request, answer, decisions);
            }
            answer.count();
            return;
        }
        boolean bodyless = "HEAD".equalsIgnoreCase(request.getMethod());
        List<String> expiries = site.cookies().expiries(request, decisions);
        if (once != null) {
            // used up, also where the application resets the response
            expiries = new java.util.ArrayList<>(expiries);
            expiries.add(onceCookie + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
        }
        GatedResponse gated = new GatedResponse(response, site, decisions, bodyless, expiries, page(request, decisions),
                new Visit(request.getServerName().toLowerCase(java.util.Locale.ROOT), pathInContext(request),
                        request.getContextPath() + gatekeeper.config().endpointPath() + "/report", request.isSecure(),
                        fetchesWorker(request)));
        GatedRequest gatedRequest = new GatedRequest(request, gated);
        try {
            chain.doFilter(gatedRequest, gated);
        } catch (IOException | ServletException | RuntimeException | Error e) {
            // the container answers with its error page for this, as for sendError
            gated.errorPageFollows();
            throw e;
        } finally {
            if (!gatedRequest.isAsyncStarted()) {
                gated.finish();
            }
        }
    }

    /**
     * An endpoint's response, counted by its status once its body begins (the client may have all
     * of it before the filter returns) or else when the endpoint is done.
     */
    private static final class Answer extends jakarta.servlet.http.HttpServletResponseWrapper {
        private final Meters meters;
        private final String endpoint;
        private boolean counted;

        Answer(HttpServletResponse response, Meters meters, String endpoint) {
            super(response);
            this.meters = meters;
            this.endpoint = endpoint;
        }

        void count() {
            if (!counted) {
                counted = true;
                meters.answered(endpoint, getStatus());
            }
        }

        @Override
        public jakarta.servlet.ServletOutputStream getOutputStream() throws IOException {
            count();
            return super.getOutputStream();
        }

        @Override
        public java.io.PrintWriter getWriter() throws IOException {
            count();
            return super.getWriter();
        }

        @Override
        public void flushBuffer() throws IOException {
            count();
            super.flushBuffer();
        }
    }

    private Decisions decide(HttpServletRequest request) {
        return gatekeeper.decide(cookie(request, gatekeeper.config().cookie().name()),
                "1".equals(request.getHeader("Sec-GPC")));
    }

    /** The value of the request's cookie {@code name}, the first where it came twice; null for none. */
    static String cookie(HttpServletRequest request, String name) {
        Cookie[] cookies = request.getCookies();
        if (cookies != null) {
            for (Cookie c : cookies) {
                if (name.equals(c.getName())) {
                    return c.getValue();
                }
            }
        }
        return null;
    }

    private boolean isEndpoint(HttpServletRequest request) {
        return endpointPaths.contains(pathInContext(request));
    }

    /** The paths the filter answers itself, below the context path. */
    private static Set<String> endpointPaths(ConsentConfig config) {
        String endpoint = config.endpointPath();
        Set<String> paths = new java.util.HashSet<>(List.of(endpoint, endpoint + "/banner", endpoint + "/records",
                endpoint + "/report"));
        // the operator's report is there only when a secret opens it; else the application answers, as for any path
        if (config.report().secret().isPresent()) {
            paths.addAll(List.of(endpoint + "/undeclared", endpoint + "/undeclared.html"));
        }
        return Set.copyOf(paths);
    }

    /**
     * What this site's pages contact that nobody declared, as browsers report it under the fetch
     * policy ({@code csp} {@code report-only} or {@code enforce}): read it, then declare the hosts
     * the site means to use in {@code thirdParties} and remove what loads the others.
     */
    public UndeclaredHosts undeclaredHosts() {
        if (site == null) {
            throw new IllegalStateException("ConsentFilter used before init");
        }
        return site.undeclared();
    }

    private static String pathInContext(HttpServletRequest request) {
        String uri = request.getRequestURI();
        return uri.substring(Math.min(request.getContextPath().length(), uri.length()));
    }

    /**
     * What the page gets besides the blocking, built only when a body turns out to be gated. What
     * it needs of the request is read now: a forward may change the request's path before then.
     */
    private Supplier<Page> page(HttpServletRequest request, Decisions decisions) {
        if (!gatekeeper.config().banner().enabled()) {
            return () -> Page.PLAIN;
        }
        String endpoint = request.getContextPath() + gatekeeper.config().endpointPath();
        // under an enforced CSP, newly allowed hosts are not in this page's policy: reload instead
        boolean reload = site.csp() == ConsentConfig.CspMode.ENFORCE;
        String acceptLanguage = request.getHeader("Accept-Language");
        if (decisions.decided()) {
            return () -> {
                String language = site.banner().language(acceptLanguage);
                return new Page(site.banner().forDecided(endpoint, language, decisions, reload), Optional.empty(),
                        site.banner().placeholders(endpoint, language));
            };
        }
        String query = request.getQueryString();
        String returnTo = request.getRequestURI() + (query == null ? "" : "?" + query);
        return () -> {
            String language = site.banner().language(acceptLanguage);
            return new Page(site.banner().forUndecided(endpoint, returnTo, language, decisions, reload), Optional.empty(),
                    site.banner().placeholders(endpoint, language));
        };
    }

    /** What the filter counts: for tests. */
    Meters meters() {
        return site.meters();
    }

    @Override
    public void destroy() {
        if (retention != null) {
            // no interrupt: a purge under way finishes, and closing the ledger waits for it
            retention.shutdown();
        }
        if (ledger != null) {
            ledger.close();
        }
    }

    /**
     * The request as the application sees it: without {@code Accept-Encoding}, so that it writes
     * HTML the filter can read (the container may still compress what leaves the filter), and with
     * an async context that ends the gated body before the response completes.
     */
    private static final class GatedRequest extends HttpServletRequestWrapper {
        private final GatedResponse response;

        GatedRequest(HttpServletRequest request, GatedResponse response) {
            super(request);
            this.response = response;
        }

        @Override
        public String getHeader(String name) {
            return "Accept-Encoding".equalsIgnoreCase(name) ? null : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return "Accept-Encoding".equalsIgnoreCase(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            List<String> names = Collections.list(super.getHeaderNames());
            names.removeIf("Accept-Encoding"::equalsIgnoreCase);
            return Collections.enumeration(names);
        }

        @Override
        public AsyncContext startAsync() {
            return startAsync(this, response);
        }

        @Override
        public AsyncContext startAsync(ServletRequest request, ServletResponse servletResponse) {
            AsyncContext context = super.startAsync(request, servletResponse);
            return new FinishingAsyncContext(context, response);
        }
    }
}
