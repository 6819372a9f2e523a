package nl.i3groep.consent.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.ledger.MemoryLedger;
import nl.i3groep.consent.report.UndeclaredHosts;
import nl.i3groep.consent.servlet.ConsentFilter;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * What the rewriter cannot see, stopped by the browser: pages whose own JavaScript loads Google
 * Analytics and LinkedIn (from a settings JSON, from a bundle that builds the URLs, from a tag
 * manager on a host nobody declared), under {@code "csp": "enforce"}. Each page is served once
 * without the filter (the control: the stand-ins are reached) and once with it, for a visitor who
 * has not decided (nothing is reached, and the browser reports each refusal) and after accept-all
 * (the banner reloads the page, whose policy now admits the trackers).
 */
class FetchPolicyInChromiumTest {

    /** The page's own script that fires the trackers, and what the browser refuses of it while nothing is allowed. */
    enum Case {
        SETTINGS("/p/app.js", 3),
        BUNDLE("/p/bundle.js", 3),
        UNDECLARED_TAG_MANAGER("//tags.undeclared-tm.example:{port}/p/tm.js", 1);

        final String script;
        final int refusedUndecided;

        Case(String script, int refusedUndecided) {
            this.script = script;
            this.refusedUndecided = refusedUndecided;
        }
    }

    /** What each script fires, once it has run. */
    static final List<String> FIRED = List.of("www.googletagmanager.com/gtag/js?id=G-ABC123",
            "px.ads.linkedin.com/collect/?pid=123456&fmt=gif", "www.google-analytics.com/g/collect?v=2&tid=G-ABC123");

    /** Fires the three from what {@code urls} yields, then marks the page. */
    private static String fire(String urls) {
        return "(" + urls + ").then(function (u) {"
                + "var g = document.createElement('script'); g.src = u[0]; document.head.appendChild(g);"
                + "new Image().src = u[1];"
                + "try { navigator.sendBeacon(u[2], 'x'); } catch (e) {}"
                + "document.documentElement.setAttribute('data-fired', 'yes'); });";
    }

    static final class Pages extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String path = req.getPathInfo();
            // the resident page at paths of its own: one worker's registration each
            switch (path.startsWith("/resident/") ? "/resident" : path) {
                case "/settings.json" -> {
                    resp.setContentType("application/json");
                    resp.getWriter().write("[\"https://" + FIRED.get(0) + "\", \"https://" + FIRED.get(1) + "\","
                            + " \"https://" + FIRED.get(2) + "\"]");
                }
                case "/pixel" -> { // a pixel and a frame of hosts nobody declared
                    resp.setContentType("text/html;charset=UTF-8");
                    resp.getWriter().write("<!doctype html><html><head><title>t</title></head><body>"
                            + "<iframe src=\"https://widget.undeclared.example/frame.gif\"></iframe>"
                            + "<img alt=\"\" src=\"https://pixel.undeclared.example/p.gif\"></body></html>");
                }
                case "/workers" -> { // a dedicated and a service worker, each of which fires Google Analytics
                    resp.setContentType("text/html;charset=UTF-8");
                    resp.getWriter().write("<!doctype html><html><head><title>t</title></head><body><h1>Welkom</h1>"
                            + "<script>var said = {}; function heard(w, what) { said[w] = what;"
                            + " document.documentElement.setAttribute('data-' + w, what); }"
                            + "new Worker('/p/worker.js').onmessage = function (e) { heard('worker', e.data); };"
                            + "navigator.serviceWorker.onmessage = function (e) { heard('sw', e.data); };"
                            // a new script each load, so that each installs anew
                            + "navigator.serviceWorker.register('/p/sw.js?' + Date.now());</script></body></html>");
                }
                case "/worker.js" -> script(resp, "fetch('https://" + FIRED.get(2) + "&from=worker', {mode: 'no-cors'})"
                        + ".then(function () { postMessage('fired'); }, function () { postMessage('refused'); });");
                case "/sw.js" -> script(resp, "self.addEventListener('install', function (e) {"
                        + " function tell(what) { return self.clients.matchAll({includeUncontrolled: true, type: 'window'})"
                        + "  .then(function (cs) { cs.forEach(function (c) { c.postMessage(what); }); }); }"
                        + " e.waitUntil(fetch('https://" + FIRED.get(2) + "&from=sw', {mode: 'no-cors'})"
                        + "  .then(function () { return tell('fired'); }, function () { return tell('refused'); })); });");
                // a worker that stays installed (its script never changes) and fetches LinkedIn or
                // Google Analytics when the page asks
                case "/resident.js" -> script(resp, "self.addEventListener('message', function (e) {"
                        + " fetch('https://' + (e.data.to === 'linkedin' ? '" + FIRED.get(1) + "' : '" + FIRED.get(2) + "')"
                        + "  + '&from=resident&n=' + e.data.n, {mode: 'no-cors'})"
                        + "  .then(function () { e.source.postMessage('fired'); }, function () { e.source.postMessage('refused'); }); });"
                        + "self.addEventListener('activate', function (e) { e.waitUntil(self.clients.claim()); });");
                // registers it, says how the page came (navigate, reload) once it is ready, and asks it
                // when the test calls ask(); no tracker's host in the page, whose script the filter
                // would hold back as the tracker's
                case "/resident" -> {
                    resp.setContentType("text/html;charset=UTF-8");
                    resp.getWriter().write("<!doctype html><html><head><title>t</title></head><body><h1>Welkom</h1>"
                            + "<script>var html = document.documentElement, sw = navigator.serviceWorker;"
                            + "sw.onmessage = function (e) { html.setAttribute('data-resident', e.data); };"
                            + "window.ask = function () { html.removeAttribute('data-resident');"
                            + " sw.ready.then(function (r) { r.active.postMessage({to: location.search.substring(4), n: Date.now()}); }); };"
                            + "sw.register('/p/resident.js', {scope: location.pathname}).then(function () { return sw.ready; })"
                            + ".then(function () { html.setAttribute('data-ready',"
                            + " performance.getEntriesByType('navigation')[0].type); });</script></body></html>");
                }
                case "/app.js" -> script(resp, fire("fetch('/p/settings.json').then(function (r) { return r.json(); })"));
                // a bundle builds its URLs: no host is spelled out anywhere
                case "/bundle.js", "/tm.js" -> script(resp, fire("Promise.resolve(['googletagmanager', 'ads.linkedin',"
                        + " 'google-analytics'].map(function (h, i) { return 'https://' + ['www.', 'px.', 'www.'][i] + h"
                        + " + '.com/' + ['gtag/js?id=G-ABC123', 'collect/?pid=123456&fmt=gif',"
                        + " 'g/collect?v=2&tid=G-ABC123'][i]; }))"));
                default -> {
                    Case c = Case.valueOf(path.substring(1));
                    resp.setContentType("text/html;charset=UTF-8");
                    // the browser's refusals, counted by the page
                    resp.getWriter().write("<!doctype html><html><head><title>t</title><script>window.refused = [];"
                            + "document.addEventListener('securitypolicyviolation', function (e) {"
                            + " window.refused.push(e.blockedURI); });</script></head><body><h1>Welkom</h1>"
                            + "<script src=\"" + c.script.replace("{port}", Integer.toString(req.getLocalPort()))
                            + "\"></script></body></html>");
                }
            }
        }

        private static void script(HttpServletResponse resp, String code) throws IOException {
            resp.setContentType("text/javascript;charset=UTF-8");
            resp.getWriter().write(code);
        }
    }

    private static StandIns standIns;
    private static Server bare;
    private static Server filtered;
    /** The site under {@code "csp": "report-only"}, and its filter, whose report the test reads. */
    private static Server reporting;
    private static ConsentFilter reportingFilter;
    /** The site under {@code "undeclared": "block"}, with its policy off: the rewriter alone holds back. */
    private static Server blocking;
    private static ChromeDriver driver;

    @BeforeAll
    static void start() throws Exception {
        standIns = new StandIns();
        bare = site(null);
        filtered = site(filter("enforce"));
        reportingFilter = filter("report-only");
        reporting = site(reportingFilter);
        blocking = site(new ConsentFilter(Gatekeeper.create(ConsentConfig.parse(Files.readString(
                Path.of("src/test/resources/consent.json")).replace("\"ledger\":", "\"undeclared\": \"block\", \"ledger\":"),
                Map.of())), new MemoryLedger()));
        driver = Browser.start("nl", true);
    }

    private static ConsentFilter filter(String csp) throws IOException {
        String json = Files.readString(Path.of("src/test/resources/consent.json"))
                .replace("\"csp\": \"off\"", "\"csp\": \"" + csp + "\"");
        return new ConsentFilter(Gatekeeper.create(ConsentConfig.parse(json, Map.of())), new MemoryLedger());
    }

    @AfterAll
    static void stop() throws Exception {
        if (driver != null) {
            driver.quit();
        }
        blocking.stop();
        reporting.stop();
        filtered.stop();
        bare.stop();
        standIns.close();
    }

    /** The site, behind {@code filter} unless it is null. */
    private static Server site(ConsentFilter filter) throws Exception {
        return Sites.start(filter, context -> context.addServlet(new ServletHolder(new Pages()), "/p/*"));
    }

    private static void open(Server server, Case c) {
        standIns.clear();
        driver.get("http://localhost:" + Sites.port(server) + "/p/" + c);
    }

    private static long refused() {
        return (Long) ((JavascriptExecutor) driver).executeScript("return window.refused.length");
    }

    private static WebDriverWait waiting() {
        return new WebDriverWait(driver, Duration.ofSeconds(20));
    }

    private static boolean reachedAll() {
        List<String> reached = standIns.log();
        return FIRED.stream().allMatch(f -> reached.stream().anyMatch(r -> r.startsWith(f)));
    }

    @ParameterizedTest
    @EnumSource(Case.class)
    void whatThePagesOwnScriptsLoadIsRefusedByTheBrowserUntilTheVisitorAccepts(Case c) {
        driver.manage().deleteAllCookies();
        try {
            open(bare, c);
            // the control: the page's script reaches all three, and the loaded script (the stand-in's)
            // has sent its own beacons, the last of what the page does, before the log is cleared
            waiting().until(d -> reachedAll() && standIns.log().contains("www.googletagmanager.com/collect?from=script"));

            open(filtered, c);
            // every fetch the page tries is refused by the browser, which says so: only then is "nothing reached" proof
            waiting().until(d -> refused() >= c.refusedUndecided);
            assertEquals(List.of(), standIns.log(), "reached before any decision");
            assertEquals(c == Case.UNDECLARED_TAG_MANAGER ? null : "yes",
                    driver.findElement(By.tagName("html")).getAttribute("data-fired"), "the page's own script ran, the tag manager's not");

            ((JavascriptExecutor) driver).executeScript("window.undecided = true");
            Browser.inBanner(driver, "[data-consent-action=accept-all]").click();
            if (c == Case.UNDECLARED_TAG_MANAGER) {
                // a host nobody declared stays refused whatever the visitor allows: its tags never run
                // (the allowed trackers' own snippets, which the filter inserts, do)
                waiting().until(d -> Boolean.TRUE.equals(((JavascriptExecutor) driver).executeScript("return !window.undecided"
                        + " && document.readyState === 'complete' && window.refused.some(function (u) {"
                        + " return u.indexOf('tags.undeclared-tm.example') >= 0; })")));
                assertEquals(null, driver.findElement(By.tagName("html")).getAttribute("data-fired"),
                        "the undeclared tag manager's script ran after accept-all");
            } else {
                // the banner reloads the page, whose policy now lists the allowed trackers' hosts
                waiting().until(d -> reachedAll());
                assertTrue(driver.findElements(By.cssSelector("[data-consent-banner]")).isEmpty(), "decided");
            }
        } finally {
            driver.manage().deleteAllCookies();
        }
    }

    /** What a worker of the page said of its fetch: fired, refused, or null while it has not said. */
    private static String said(String worker) {
        return (String) ((JavascriptExecutor) driver).executeScript(
                "return window.undecided ? null : document.documentElement.getAttribute('data-' + arguments[0]);", worker);
    }

    /**
     * A worker fetches under its own script's policy, not the page's: the filter gives a worker's
     * script the policy of the visitor's decision.
     */
    @org.junit.jupiter.api.Test
    void whatAWorkerOrAServiceWorkerFetchesIsRefusedUntilTheVisitorAccepts() {
        List<String> fromWorkers = List.of(FIRED.get(2) + "&from=worker", FIRED.get(2) + "&from=sw");
        driver.manage().deleteAllCookies();
        try {
            standIns.clear();
            driver.get("http://localhost:" + Sites.port(bare) + "/p/workers");
            // the control: both workers reach Google Analytics
            waiting().until(d -> "fired".equals(said("worker")) && "fired".equals(said("sw")));
            assertTrue(standIns.log().containsAll(fromWorkers), standIns.log().toString());

            standIns.clear();
            driver.get("http://localhost:" + Sites.port(filtered) + "/p/workers");
            waiting().until(d -> said("worker") != null && said("sw") != null);
            assertEquals(List.of("refused", "refused"), List.of(said("worker"), said("sw")), "before any decision");
            assertEquals(List.of(), standIns.log(), "reached before any decision");

            ((JavascriptExecutor) driver).executeScript("window.undecided = true");
            Browser.inBanner(driver, "[data-consent-action=accept-all]").click();
            // the banner reloads the page; the workers' scripts now come with a policy that admits analytics
            waiting().until(d -> "fired".equals(said("worker")) && "fired".equals(said("sw")));
            assertTrue(standIns.log().containsAll(fromWorkers), standIns.log().toString());
        } finally {
            forgetTheVisitor();
        }
    }

    /**
     * A service worker keeps the policy it was installed with, and the browser installs it anew
     * only when its script changes: one installed under consent must go with the withdrawal.
     */
    @org.junit.jupiter.api.Test
    void aServiceWorkerInstalledUnderConsentGoesWithTheWithdrawal() {
        String site = "http://localhost:" + Sites.port(filtered);
        driver.manage().deleteAllCookies();
        try {
            residentUnderConsent(site + "/p/resident");

            driver.findElement(By.cssSelector("consent-settings")).click();
            waiting().until(d -> Browser.bannerShown(driver));
            standIns.clear();
            Browser.inBanner(driver, "[data-consent-action=reject-all]").click();
            // the withdrawal reloads the page, which registers its worker again
            waiting().until(d -> "reload".equals(ready()));
            assertEquals("refused", ask(), "the worker after the withdrawal");
            assertEquals(List.of(), standIns.log(), "reached after the withdrawal");
        } finally {
            forgetTheVisitor();
        }
    }

    /** How a decision changes where the banner does not see it. */
    enum Change {
        /** the consent cookie ran out (the browser dropped it) */
        EXPIRED("/p/resident/expired", () -> driver.manage().deleteCookieNamed("i3_consent")),
        /** withdrawn by the form, without the banner's script, as from another tab */
        FORM("/p/resident/form?to=linkedin", () -> ((JavascriptExecutor) driver).executeAsyncScript(
                "var done = arguments[arguments.length - 1]; fetch('/consent', {method: 'POST', headers:"
                        + " {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'action=reject-all&return=/',"
                        + " redirect: 'manual'}).then(function () { done(); }, done);"));

        final String page;
        final Runnable apply;

        Change(String page, Runnable apply) {
            this.page = page;
            this.apply = apply;
        }
    }

    /**
     * A decision that changes without the banner seeing it retires the worker too: at the next page,
     * the banner's script finds a tracker allowed at the last page denied now, unregisters the
     * worker and reloads the page out of its control.
     */
    @ParameterizedTest
    @EnumSource(Change.class)
    void aServiceWorkerInstalledUnderConsentGoesWhenTheDecisionChangesWithoutTheBanner(Change change) {
        String site = "http://localhost:" + Sites.port(filtered);
        driver.manage().deleteAllCookies();
        try {
            residentUnderConsent(site + change.page);
            change.apply.run();
            standIns.clear();
            driver.get(site + change.page);
            waiting().until(d -> "reload".equals(ready()));
            assertEquals("refused", ask(), "the worker after the change");
            assertEquals(List.of(), standIns.log(), "reached after the change");
        } finally {
            forgetTheVisitor();
        }
    }

    /**
     * Accepts all on another page, then opens {@code page}, whose worker is installed under that
     * consent: the control, in which the worker reaches its tracker when asked.
     */
    private static void residentUnderConsent(String page) {
        driver.get(page.substring(0, page.indexOf("/p/")) + "/p/workers");
        ((JavascriptExecutor) driver).executeScript("window.undecided = true");
        Browser.inBanner(driver, "[data-consent-action=accept-all]").click();
        waiting().until(d -> "fired".equals(said("worker")));
        driver.get(page);
        waiting().until(d -> ready() != null);
        standIns.clear();
        assertEquals("fired", ask(), "the control: installed under consent");
        assertTrue(standIns.log().stream().anyMatch(r -> r.contains("from=resident")), standIns.log().toString());
    }

    /** How the resident page came, once its worker is ready: navigate, reload; null before. */
    private static String ready() {
        return (String) ((JavascriptExecutor) driver).executeScript("return document.documentElement.getAttribute('data-ready');");
    }

    /** Has the resident worker fetch its tracker, and what it said of it. */
    private static String ask() {
        ((JavascriptExecutor) driver).executeScript("ask();");
        waiting().until(d -> said("resident") != null);
        return said("resident");
    }

    /**
     * The next test's visitor is a new one: the service workers of the page's site go, and so do
     * its storage (what the banner's script kept) and the cookies.
     */
    private static void forgetTheVisitor() {
        ((JavascriptExecutor) driver).executeAsyncScript("var done = arguments[arguments.length - 1];"
                + "try { localStorage.clear(); } catch (e) {}"
                + "navigator.serviceWorker.getRegistrations().then(function (rs) {"
                + " return Promise.all(rs.map(function (r) { return r.unregister(); })); }).then(done, done);");
        driver.manage().deleteAllCookies();
    }

    /** Report-only: nothing is refused, but what nobody declared is in the report within seconds of a visit. */
    @ParameterizedTest
    @EnumSource(value = Case.class, names = "UNDECLARED_TAG_MANAGER")
    void inReportOnlyTheReportListsTheHostsNobodyDeclared(Case c) {
        driver.manage().deleteAllCookies();
        open(reporting, c);
        waiting().until(d -> reportingFilter.undeclaredHosts().contacts().stream()
                .anyMatch(x -> x.host().equals("tags.undeclared-tm.example") && x.kinds().contains("script")));
        UndeclaredHosts.Contact tm = reportingFilter.undeclaredHosts().contacts().stream()
                .filter(x -> x.host().equals("tags.undeclared-tm.example")).findFirst().orElseThrow();
        assertEquals(List.of("/p/" + c), tm.pages());
        // the trackers it loaded are no undeclared hosts: the policy knows them, and their consent governs them
        assertTrue(reportingFilter.undeclaredHosts().contacts().stream().noneMatch(x -> x.host().contains("google")
                || x.host().contains("linkedin")), reportingFilter.undeclaredHosts().contacts().toString());
    }

    /** With "undeclared": "block", a pixel and a frame of hosts nobody declared load nothing, with no policy needed. */
    @org.junit.jupiter.api.Test
    void blockingHoldsBackWhatNobodyDeclared() {
        List<String> undeclared = List.of("pixel.undeclared.example/p.gif", "widget.undeclared.example/frame.gif");
        standIns.clear();
        driver.get("http://localhost:" + Sites.port(bare) + "/p/pixel");
        waiting().until(d -> standIns.everything().containsAll(undeclared)); // the control
        standIns.clear();
        driver.get("http://localhost:" + Sites.port(blocking) + "/p/pixel");
        waiting().until(d -> "complete".equals(((JavascriptExecutor) driver).executeScript("return document.readyState")));
        assertEquals("https://pixel.undeclared.example/p.gif",
                driver.findElement(By.tagName("img")).getAttribute("data-consent-src"), "renamed");
        assertEquals(List.of(), standIns.everything().stream().filter(r -> r.contains("undeclared.example")).toList(),
                "reached with the filter");
    }
}
