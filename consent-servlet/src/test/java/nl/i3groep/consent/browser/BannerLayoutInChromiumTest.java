package nl.i3groep.consent.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.ledger.MemoryLedger;
import nl.i3groep.consent.servlet.ConsentFilter;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The banner on a site's own pages as a keyboard user and a slow phone meet it: a long Bootstrap 5
 * page whose layout nests a second body (as Spring PetClinic's does), the same page without
 * Bootstrap, and decided pages with and without a settings link of their own.
 */
class BannerLayoutInChromiumTest {

    private static final Path SCREENSHOTS = Path.of("..", "docs", "screenshots");
    private static final String BOOTSTRAP = "META-INF/resources/webjars/bootstrap/5.3.8/dist/css/bootstrap.min.css";

    private static Server site;
    private static Server withoutControl;
    private ChromeDriver driver;

    /** A long page: a navigation, 30 sections of a heading, a text with a link, a field and a button; a footer. */
    static String page(boolean bootstrap, boolean ownSettingsLink, String extra) {
        StringBuilder h = new StringBuilder("<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>Voorbeeld</title>");
        if (bootstrap) {
            h.append("<link rel=\"stylesheet\" href=\"/bootstrap.min.css\">");
        }
        // the page's gutter kept: the page streams in, and where Chromium paints before it is long
        // enough to scroll, the scroll bar's arrival moves its navigation sideways, banner or not
        h.append("<style>html{scrollbar-gutter:stable}</style>");
        h.append("</head><body><nav class=\"navbar navbar-expand bg-body-tertiary\"><div class=\"container\">"
                + "<a class=\"navbar-brand\" href=\"/\">Voorbeeld</a><a class=\"nav-link\" href=\"#s1\">Diensten</a>"
                + "<a class=\"nav-link\" href=\"#s2\">Contact</a></div></nav>"
                // the layout's container holds the page's own document, body and all
                + "<div class=\"container\"><body><main>");
        for (int i = 1; i <= 30; i++) {
            h.append("<section id=\"s").append(i).append("\"><h2>Onderdeel ").append(i).append("</h2><fieldset><legend>Vraag ")
                    .append(i).append("</legend><p>Tekst over onderdeel ").append(i).append(" met <a href=\"#s").append(i)
                    .append("\">een link</a>.</p><label>Naam <input class=\"form-control\" name=\"n").append(i)
                    .append("\"></label> <button type=\"button\" class=\"btn btn-primary\">Verstuur ").append(i)
                    .append("</button></fieldset></section>");
        }
        h.append("</main></body></div><footer class=\"container\"><a href=\"/privacy\">Privacy</a>");
        if (ownSettingsLink) {
            h.append(" <a href=\"#\" data-consent-settings>Mijn cookie-instellingen</a>");
        }
        return h.append("</footer>").append(extra).append("</body></html>").toString();
    }

    static final class Pages extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            if (req.getServletPath().equals("/bootstrap.min.css")) {
                resp.setContentType("text/css");
                try (InputStream css = getClass().getClassLoader().getResourceAsStream(BOOTSTRAP)) {
                    css.transferTo(resp.getOutputStream());
                }
                return;
            }
            String kind = req.getPathInfo().substring(1);
            // the measure's control: content that moves down once the page has been painted
            String shifting = "<script>requestAnimationFrame(function () { requestAnimationFrame(function () {"
                    + " var d = document.createElement('div'); d.style.height = '200px';"
                    + " document.querySelector('main').prepend(d); }); });</script>";
            resp.setContentType("text/html;charset=UTF-8");
            resp.getWriter().write(page(!kind.equals("plain"), kind.equals("own-link"), kind.equals("shifting") ? shifting : ""));
        }
    }

    private static Server site(boolean settingsControl) throws Exception {
        String json = new String(BannerLayoutInChromiumTest.class.getResourceAsStream("/consent.json").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
        if (!settingsControl) {
            json = json.replace("\"banner\": {", "\"banner\": { \"settingsControl\": false,");
        }
        return Sites.start(new ConsentFilter(Gatekeeper.create(ConsentConfig.parse(json, Map.of())), new MemoryLedger()),
                context -> {
                    context.addServlet(new ServletHolder(new Pages()), "/page/*");
                    context.addServlet(new ServletHolder(new Pages()), "/bootstrap.min.css");
                });
    }

    @BeforeAll
    static void start() throws Exception {
        site = site(true);
        withoutControl = site(false);
    }

    @AfterAll
    static void stop() throws Exception {
        site.stop();
        withoutControl.stop();
    }

    @BeforeEach
    void startBrowser() throws Exception {
        driver = Browser.start("nl", true);
    }

    @AfterEach
    void stopBrowser() {
        driver.quit();
    }

    private void open(Server server, String path) {
        driver.get("http://localhost:" + Sites.port(server) + path);
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> "complete".equals(js("return document.readyState")));
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    private void decide(Server server, String purposes) {
        open(server, "/page/plain");
        Object status = ((JavascriptExecutor) driver).executeAsyncScript("var done = arguments[arguments.length - 1];"
                + "fetch('/consent', {method: 'POST', headers: {'Content-Type': 'application/json'},"
                + " body: JSON.stringify({purposes: " + purposes + "})}).then(function (r) { done(r.status); });");
        assertEquals(200L, status);
    }

    /** Computed styles of the banner's parts that a site's stylesheet would change if it reached them. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> bannerStyles() {
        return (Map<String, Object>) js("var r = document.querySelector('[data-consent-banner]').shadowRoot, out = {};"
                + "[['h2', ['font-size', 'font-weight', 'margin-bottom', 'line-height', 'font-family']],"
                + " ['p', ['margin-bottom', 'font-size', 'color']], ['a', ['color', 'text-decoration-line']],"
                + " ['legend', ['float', 'width', 'font-size', 'padding-left', 'margin-bottom']],"
                + " ['fieldset', ['border-top-style', 'padding-top', 'margin-bottom']],"
                + " ['.i3c-btn', ['font-size', 'padding-top', 'border-radius', 'background-color', 'line-height']],"
                + " ['label', ['display', 'font-weight', 'margin-bottom']], ['.i3c', ['font-family', 'font-size', 'bottom']]]"
                + ".forEach(function (e) { var s = getComputedStyle(r.querySelector(e[0]));"
                + "  e[1].forEach(function (p) { out[e[0] + ' ' + p] = s.getPropertyValue(p); }); });"
                + "return out;");
    }

    @Test
    void theSitesStylesDoNotReachTheBannerWhichEndsTheDocument() throws Exception {
        Files.createDirectories(SCREENSHOTS);
        open(site, "/page/plain");
        Browser.inBanner(driver, "[data-consent-action=settings]").click();
        Map<String, Object> plain = bannerStyles();
        for (int width : new int[] {1280, 360}) {
            driver.manage().window().setSize(new Dimension(width, width == 360 ? 780 : 900));
            open(site, "/page/bootstrap");
            assertEquals("rgb(13, 110, 253)", js("return getComputedStyle(document.querySelector('.btn-primary'))"
                    + ".backgroundColor;"), "Bootstrap styles the page");
            assertEquals("FOOTER BODY", js("var b = document.querySelector('[data-consent-banner]');"
                    + "return b.previousElementSibling.tagName + ' ' + b.parentNode.tagName;"),
                    "after the page's footer, though its layout ended a body mid-page");
            assertEquals(((Number) js("return window.innerHeight;")).doubleValue(),
                    ((Number) js("return document.querySelector('[data-consent-banner]').shadowRoot.querySelector('.i3c')"
                            + ".getBoundingClientRect().bottom;")).doubleValue(), 1, "at the bottom of the view");
            save("banner-bootstrap-first-" + width);
            Browser.inBanner(driver, "[data-consent-action=settings]").click();
            if (width == 1280) {
                assertEquals(plain, bannerStyles(), "the banner looks the same on a Bootstrap page");
            }
            save("banner-bootstrap-settings-" + width);
        }
    }

    private void save(String name) throws Exception {
        Path shot = driver.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Tabs from the top of the page through all of it; where each page element is focused, the
     * point at its middle must be the element's: not the banner's, not out of view.
     */
    private List<String> tabThroughThePage() {
        // from the page's first link on, as a visitor who tabs past the banner's first layer would
        js("window.scrollTo(0, 0); document.querySelector('a').focus();");
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            if (i > 0) {
                new Actions(driver).sendKeys(Keys.TAB).perform();
            }
            // once a smooth scroll (Bootstrap's) has come to rest: the same position three frames running
            String where = (String) ((JavascriptExecutor) driver).executeAsyncScript(
                    "var done = arguments[arguments.length - 1], last = -1, same = 0;"
                    + "(function tick() { if (scrollY === last) { same++; } else { same = 0; last = scrollY; }"
                    + " if (same < 3) { requestAnimationFrame(tick); return; }"
                    + " var a = document.activeElement;"
                    + " if (!a || a === document.body) { done('none'); return; }"
                    + " if (a.closest('[data-consent-banner]')) { done('banner'); return; }"
                    // a link that wraps: the middle of its first line
                    + " var r = a.getClientRects()[0] || a.getBoundingClientRect(), x = r.left + r.width / 2,"
                    + " y = r.top + r.height / 2;"
                    + " var hit = document.elementFromPoint(x, y);"
                    + " done((hit === a || a.contains(hit) ? 'visible ' : 'hidden under ' + (hit ? hit.tagName : 'nothing')"
                    + " + ' at ' + Math.round(y) + ' of ' + innerHeight + ' ') + a.tagName + ' ' + (a.textContent || a.name)); })();");
            if (where.equals("banner")) {
                break;
            }
            seen.add(where);
        }
        return seen;
    }

    @Test
    void focusIsNeverHiddenUnderTheBanner() {
        // a phone, a desktop, and the desktop's 1280 x 900 at 400 % zoom
        List<Integer> phone = List.of(360, 780, 1);
        for (List<Integer> size : List.of(phone, List.of(1280, 900, 1), List.of(320, 225, 4))) {
            if (size.get(2) == 1) {
                driver.manage().window().setSize(new Dimension(size.get(0), size.get(1)));
            } else {
                driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", size.get(0),
                        "height", size.get(1), "deviceScaleFactor", size.get(2), "mobile", false));
            }
            if (size != phone) {
                // the phone tabs through Bootstrap's smooth scrolling; the others, whose focus ends where
                // it would end after the same scroll, without its animation: it is most of the test's time
                driver.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features",
                        List.of(Map.of("name", "prefers-reduced-motion", "value", "reduce"))));
            }
            open(site, "/page/bootstrap");
            assertEquals(size == phone ? "smooth" : "auto", js("return getComputedStyle(document.documentElement).scrollBehavior;"),
                    size + ": Bootstrap's scrolling");
            List<String> seen = tabThroughThePage();
            // the navigation's three links, and per section a link, a field and a button; the footer's link
            assertEquals(3 + 30 * 3 + 1, seen.size(), size + ": every page element once: " + seen);
            List<String> hidden = seen.stream().filter(s -> !s.startsWith("visible")).toList();
            assertEquals(List.of(), hidden, size + ": focused but not to be seen");
        }
    }

    @Test
    void axeFindsNothingInTheFirstLayerTheSettingsOrTheSettingsLink() throws Exception {
        for (int width : new int[] {1280, 360}) {
            driver.manage().window().setSize(new Dimension(width, width == 360 ? 780 : 900));
            open(site, "/page/bootstrap");
            // the control: what axe finds in the banner's shadow root where something is wrong there
            js("var i = document.createElement('img'); i.id = 'no-alt'; i.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';"
                    + "document.querySelector('[data-consent-banner]').shadowRoot.querySelector('form').append(i);");
            assertTrue(Axe.violations(driver, "consent-banner").stream().anyMatch(v -> v.startsWith("image-alt")),
                    "axe reads the shadow root");
            js("document.querySelector('[data-consent-banner]').shadowRoot.getElementById('no-alt').remove();");
            assertEquals(List.of(), Axe.violations(driver, "consent-banner"), width + ": the first layer");
            Browser.inBanner(driver, "[data-consent-action=settings]").click();
            assertEquals(List.of(), Axe.violations(driver, "consent-banner"), width + ": the settings");
            new Actions(driver).sendKeys(Keys.ESCAPE).perform();
        }
        decide(site, "{analytics: true}");
        open(site, "/page/plain");
        assertEquals(List.of(), Axe.violations(driver, "consent-settings"), "the settings link");
    }

    @Test
    void escapeOnTheFirstLayerMinimisesItToABarAndDecidesNothing() {
        open(site, "/page/bootstrap");
        double full = ((Number) js("return document.querySelector('[data-consent-banner]').shadowRoot.querySelector('.i3c')"
                + ".getBoundingClientRect().height;")).doubleValue();
        new Actions(driver).sendKeys(Keys.ESCAPE).perform();
        WebElement back = Browser.focused(driver);
        assertEquals("expand", back.getAttribute("data-consent-action"), "focus on the bar's button");
        double bar = ((Number) js("return document.querySelector('[data-consent-banner]').shadowRoot.querySelector('.i3c')"
                + ".getBoundingClientRect().height;")).doubleValue();
        assertTrue(bar < 100 && bar < full / 2, "a small bar: " + bar + " of " + full);
        assertEquals(bar, ((Number) js("return document.querySelector('[data-consent-banner]').getBoundingClientRect()"
                + ".height;")).doubleValue(), 1, "the reserved height follows");
        assertTrue(driver.manage().getCookies().stream().noneMatch(c -> c.getName().equals("i3_consent")), "no decision");
        new Actions(driver).sendKeys(Keys.ENTER).perform();
        assertEquals(Browser.inBanner(driver, ".i3c"), Browser.focused(driver), "back to the whole first layer");
        assertTrue(Browser.inBanner(driver, "[data-consent-action=accept-all]").isDisplayed());
    }

    /** The layout shifts of a page load, as Chromium reports them once the page is complete, and what moved. */
    @SuppressWarnings("unchecked")
    private List<Object> layoutShift(String path) {
        open(site, path);
        return (List<Object>) ((JavascriptExecutor) driver).executeAsyncScript(
                "var done = arguments[arguments.length - 1], sum = 0, moved = [];"
                + "new PerformanceObserver(function (l) { l.getEntries().forEach(function (e) {"
                + "  if (e.hadRecentInput) { return; } sum += e.value; e.sources.forEach(function (s) {"
                + "   moved.push((s.node ? s.node.nodeName : 'a node not in the document') + ' ' + JSON.stringify(s.previousRect)"
                + "    + ' to ' + JSON.stringify(s.currentRect) + ' at ' + Math.round(e.startTime)); }); }); }).observe({type: 'layout-shift', buffered: true});"
                + "requestAnimationFrame(function () { requestAnimationFrame(function () { setTimeout(function () {"
                + "  done([sum, moved]); }, 0); }); });");
    }

    @Test
    void noLayoutShiftOnASlowDevice() {
        driver.manage().window().setSize(new Dimension(360, 780));
        driver.executeCdpCommand("Emulation.setCPUThrottlingRate", Map.of("rate", 4));
        assertTrue(((Number) layoutShift("/page/shifting").get(0)).doubleValue() > 0, "the measure sees a shift where there is one");
        List<List<Object>> shifts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            shifts.add(layoutShift("/page/bootstrap"));
        }
        assertTrue(shifts.stream().allMatch(s -> ((Number) s.get(0)).doubleValue() == 0), "per load: " + shifts);
    }

    @Test
    void aDecidedPageWithoutASettingsLinkGetsTheBannersOwnByKeyboard() {
        decide(site, "{analytics: true}");
        open(site, "/page/plain");
        assertFalse(Browser.bannerShown(driver));
        assertEquals("FOOTER BODY", js("var c = document.querySelector('consent-settings');"
                + "return c.previousElementSibling.tagName + ' ' + c.parentNode.tagName;"), "at the end of the page");
        String focused = "";
        for (int i = 0; i < 200 && !focused.equals("Cookie-instellingen"); i++) {
            new Actions(driver).sendKeys(Keys.TAB).perform();
            focused = Browser.focused(driver).getText();
        }
        assertEquals("Cookie-instellingen", focused, "reached by Tab");
        new Actions(driver).sendKeys(Keys.ENTER).perform();
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> Browser.bannerShown(driver));
        assertTrue(Browser.inBanner(driver, "input[name=purpose][value=analytics]").isSelected(), "the visitor's choice");

        open(site, "/page/own-link");
        assertEquals(0L, js("return document.querySelectorAll('consent-settings').length;"), "the page has its own");
        decide(withoutControl, "{analytics: false}");
        open(withoutControl, "/page/plain");
        assertEquals(0L, js("return document.querySelectorAll('consent-settings').length;"), "switched off");
    }

    @Test
    void withoutJavaScriptTheControlOpensTheSettingsAsAPageAndComesBack() throws Exception {
        driver.quit();
        driver = Browser.start("nl", false);
        open(site, "/page/plain");
        Browser.inBanner(driver, "[data-consent-action=reject-all]").click();
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().endsWith("/page/plain")
                && d.findElements(By.cssSelector("[data-consent-banner]")).isEmpty());
        // the control is the page's last stop: one Shift+Tab from the start reaches it
        new Actions(driver).keyDown(Keys.SHIFT).sendKeys(Keys.TAB).keyUp(Keys.SHIFT).sendKeys(Keys.ENTER).perform();
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().contains("/consent/banner"));
        Browser.inBanner(driver, "input[name=purpose][value=analytics]").click();
        Browser.inBanner(driver, "[data-consent-action=save]").click();
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().endsWith("/page/plain"));
        driver.get("http://localhost:" + Sites.port(site) + "/consent");
        assertTrue(driver.findElement(By.tagName("body")).getText().contains("\"analytics\":true"),
                driver.findElement(By.tagName("body")).getText());
    }
}
