package nl.i3groep.consent.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import nl.i3groep.consent.demo.DemoSite;
import com.fasterxml.jackson.databind.JsonNode;
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
 * The banner in real headless Chromium against the demo site with the vendors' own URLs, every host
 * resolved to the local stand-ins: their request log is the proof of what reached a tracker.
 */
class BannerInChromiumTest {

    private static final String GA = "www.googletagmanager.com/gtag/js?id=G-DEMO123";
    private static final List<String> MARKETING_HOSTS =
            List.of("snap.licdn.com", "script.leadboxer.com", "static.oktopost.com");
    private static final Path SCREENSHOTS = Path.of("..", "docs", "screenshots");

    private static StandIns standIns;
    private static DemoSite site;
    private ChromeDriver driver;

    @BeforeAll
    static void startServers() throws Exception {
        standIns = new StandIns();
        site = DemoSite.start(0, DemoSite.Trackers.VENDOR_URLS);
    }

    @AfterAll
    static void stopServers() throws Exception {
        site.close();
        standIns.close();
    }

    @BeforeEach
    void startBrowser() throws Exception {
        standIns.clear();
        driver = Browser.start("nl", true);
    }

    @AfterEach
    void stopBrowser() {
        driver.quit();
    }

    private String url(String path) {
        return "http://localhost:" + site.port() + path;
    }

    private void open(String path) {
        driver.get(url(path));
        waitFor(d -> "complete".equals(js("return document.readyState")));
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    private void waitFor(Predicate<ChromeDriver> condition) {
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> condition.test(driver));
    }

    private boolean received(String hostAndPath) {
        return standIns.log().stream().anyMatch(r -> r.startsWith(hostAndPath));
    }

    private boolean adsConfigured() {
        return Boolean.TRUE.equals(js("return !!window.dataLayer && Array.prototype.some.call(window.dataLayer,"
                + " function(e){return e[0]==='config' && e[1]==='AW-123456789';});"));
    }

    private WebElement action(String name) {
        return Browser.inBanner(driver, "[data-consent-action='" + name + "']");
    }

    private void markPage() {
        js("window.__samePage = true;");
    }

    private boolean samePage() {
        return Boolean.TRUE.equals(js("return window.__samePage === true;"));
    }

    @Test
    void noRequestReachesATrackerBeforeADecision() {
        for (String path : List.of("/", "/diensten", "/contact", "/privacyverklaring")) {
            open(path);
            assertTrue(driver.findElements(By.cssSelector("[data-consent-banner]")).size() == 1, path);
        }
        assertEquals(List.of(), standIns.log(), "requests before any decision");
    }

    @Test
    void acceptAllLoadsEveryTrackerWithoutAReload() {
        open("/");
        markPage();
        action("accept-all").click();
        waitFor(d -> received(GA) && MARKETING_HOSTS.stream().allMatch(h -> received(h + "/")));
        waitFor(d -> adsConfigured()); // Google Ads rides on the one gtag.js, the vendor's way
        waitFor(d -> received("snap.licdn.com/collect")); // the loaded script ran and sent its beacon
        assertTrue(samePage(), "no reload");
        assertTrue(!Browser.bannerShown(driver));
        assertEquals("granted", js("return window.dataLayer.filter(function(e){return e[0]==='consent' && e[1]==='update';})"
                + ".map(function(e){return e[2].analytics_storage;})[0];"), "Consent Mode update sent");
        // the record names the notice the banner showed, and the visitor's own export holds its text
        JsonNode export = records();
        JsonNode record = export.get("records").get(0);
        assertEquals("BANNER", record.get("source").textValue(), export.toString());
        JsonNode notice = export.get("notices").get(record.get("notice").textValue());
        assertEquals("nl", notice.get("language").textValue(), export.toString());
        assertEquals("Cookies en trackers", notice.get("texts").get("title").textValue());
    }

    /** The visitor's consent history, as the banner's settings offer it for download. */
    private JsonNode records() {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree((String) js("var x = new XMLHttpRequest();"
                    + "x.open('GET', '/consent/records', false); x.send(); return x.responseText;"));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void settingsWithOnlyAnalyticsLoadOnlyAnalytics() {
        open("/");
        markPage();
        action("settings").click();
        Browser.inBanner(driver, "input[name=purpose][value=analytics]").click();
        action("save").click();
        waitFor(d -> received(GA) && received("www.googletagmanager.com/collect"));
        waitFor(d -> "1".equals(js("return document.documentElement.getAttribute('data-consent-applied');")));
        assertTrue(samePage());
        assertFalse(adsConfigured(), "the Google Ads config stayed inert");
        for (String h : MARKETING_HOSTS) {
            assertFalse(received(h), h + " in " + standIns.log());
        }
    }

    private List<String> checkedTrackers() {
        return Browser.allInBanner(driver, "input[name=tracker]").stream()
                .filter(WebElement::isSelected).map(i -> i.getAttribute("value")).sorted().toList();
    }

    /** The visitor's state as the endpoint answers it, read in the browser with its cookie. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> stateOfTheVisitor() throws Exception {
        driver.get(url("/consent"));
        return new com.fasterxml.jackson.databind.ObjectMapper().readValue(
                driver.findElement(By.tagName("body")).getText(), Map.class);
    }

    @Test
    void nothingLooksPreTickedAndSavingSavesWhatIsShown() throws Exception {
        open("/");
        action("settings").click();
        assertEquals(List.of(), checkedTrackers(), "no tracker switch on before a choice");
        Browser.inBanner(driver, "input[name=purpose][value=marketing]").click();
        assertEquals(List.of("google-ads", "leadboxer", "linkedin-insight", "oktopost"), checkedTrackers(),
                "a purpose switched on switches its trackers on");
        Browser.inBanner(driver, "input[name=tracker][value=linkedin-insight]").click();
        action("save").click();
        waitFor(d -> received("script.leadboxer.com/") && received("static.oktopost.com/"));
        assertFalse(received("snap.licdn.com"), "the tracker switched off stays off: " + standIns.log());
        assertFalse(received(GA), "analytics was never switched on");

        driver.manage().deleteAllCookies();
        open("/");
        action("settings").click();
        action("save").click();
        waitFor(d -> !Browser.bannerShown(driver));
        Map<String, Object> saved = stateOfTheVisitor();
        assertEquals(Map.of("necessary", true, "analytics", false, "marketing", false), saved.get("purposes"));
        assertEquals(Map.of("google-analytics", false, "google-ads", false, "linkedin-insight", false, "leadboxer", false,
                "oktopost", false, "session-cookies", true), saved.get("trackers"), "saved unchanged: all off");
    }

    @Test
    void withoutJavaScriptTooNothingLooksPreTickedAndSavingSavesWhatIsShown() throws Exception {
        driver.quit();
        driver = Browser.start("nl", false);
        open("/");
        action("settings").click();
        assertEquals(List.of(), checkedTrackers(), "the form's initial state");
        Browser.inBanner(driver, "input[name=purpose][value=marketing]").click();
        Browser.inBanner(driver, "input[name=tracker][value=leadboxer]").click();
        action("save").click();
        waitFor(d -> d.findElements(By.cssSelector("[data-consent-banner]")).isEmpty());
        Map<String, Object> saved = stateOfTheVisitor();
        assertEquals(Map.of("necessary", true, "analytics", false, "marketing", true), saved.get("purposes"));
        assertEquals(Map.of("google-analytics", false, "google-ads", false, "linkedin-insight", false, "leadboxer", true,
                "oktopost", false, "session-cookies", true), saved.get("trackers"), "saved as shown");
    }

    @Test
    void rejectAllKeepsThemAwayAfterAReload() {
        open("/");
        action("reject-all").click();
        waitFor(d -> !Browser.bannerShown(driver));
        open("/diensten");
        assertTrue(driver.findElements(By.cssSelector("[data-consent-banner]")).isEmpty(), "decided: no banner");
        assertEquals(List.of(), standIns.log());
    }

    @Test
    void withdrawalReloadsAndKeepsThemAway() {
        open("/");
        action("accept-all").click();
        waitFor(d -> received("snap.licdn.com/"));
        open("/contact");
        markPage();
        waitFor(d -> received("script.leadboxer.com/"));
        standIns.clear();
        driver.findElement(By.cssSelector("footer [data-consent-settings]")).click();
        waitFor(d -> Browser.bannerShown(driver));
        action("reject-all").click();
        waitFor(d -> !samePage() && "complete".equals(js("return document.readyState")));
        open("/");
        assertEquals(List.of(), standIns.log(), "after withdrawal");
    }

    @Test
    void theFormWorksWithoutJavaScript() throws Exception {
        driver.quit();
        driver = Browser.start("nl", false);
        open("/");
        assertEquals(List.of(), standIns.log());
        action("accept-all").click();
        waitFor(d -> d.findElements(By.cssSelector("[data-consent-banner]")).isEmpty());
        assertTrue(driver.getCurrentUrl().endsWith("/"), driver.getCurrentUrl());
        // scripting is off, so the vendors' noscript pixels are what fetch once allowed
        waitFor(d -> received("px.ads.linkedin.com/collect") && received("googleads.g.doubleclick.net/pagead"));
        assertFalse(received("snap.licdn.com"), "scripts do not run without JavaScript");
    }

    @Test
    void keyboardAloneCanAccept() {
        open("/");
        assertEquals(Browser.inBanner(driver, ".i3c"), Browser.focused(driver), "the dialog has focus on arrival");
        for (int i = 0; i < 6 && !"accept-all".equals(Browser.focused(driver).getAttribute("data-consent-action")); i++) {
            new Actions(driver).sendKeys(Keys.TAB).perform();
        }
        WebElement focused = Browser.focused(driver);
        assertEquals("accept-all", focused.getAttribute("data-consent-action"), "reached by Tab in a few steps");
        assertFalse("none".equals(focused.getCssValue("outline-style")), "focus is visible");
        new Actions(driver).sendKeys(Keys.ENTER).perform();
        waitFor(d -> received(GA) && received("snap.licdn.com/"));
    }

    @Test
    void keyboardAloneCanChooseInTheSettingsAndFocusReturns() {
        open("/");
        action("accept-all").click();
        waitFor(d -> received("snap.licdn.com/"));
        open("/privacyverklaring");
        WebElement opener = driver.findElement(By.cssSelector("main [data-consent-settings]"));
        opener.sendKeys(Keys.ENTER);
        waitFor(d -> Browser.bannerShown(driver));
        assertEquals("analytics", Browser.focused(driver).getAttribute("value"), "focus on the first switch");
        WebElement save = action("save");
        new WebDriverWait(driver, Duration.ofSeconds(5)).until(d -> save.isDisplayed());
        // keep everything as it is: saving grants nothing new and withdraws nothing, so no reload
        save.sendKeys(Keys.ENTER);
        waitFor(d -> !Browser.bannerShown(driver));
        assertEquals(opener, Browser.focused(driver), "focus back where the visitor was");
    }

    @Test
    void globalPrivacyControlKeepsMarketingOffAndSaysSo() {
        driver.executeCdpCommand("Network.enable", Map.of());
        driver.executeCdpCommand("Network.setExtraHTTPHeaders", Map.of("headers", Map.of("Sec-GPC", "1")));
        open("/");
        assertTrue(Browser.inBanner(driver, "[data-consent-gpc]").getText().contains("Global Privacy Control"));
        action("accept-all").click();
        waitFor(d -> received(GA) && "1".equals(js("return document.documentElement.getAttribute('data-consent-applied');")));
        for (String h : MARKETING_HOSTS) {
            assertFalse(received(h), h + " despite GPC: " + standIns.log());
        }
    }

    @Test
    void theBannerIsAccessibleAndLeavesThePageWhereItWas() {
        open("/");
        WebElement banner = Browser.inBanner(driver, ".i3c");
        assertEquals("dialog", banner.getAttribute("role"));
        String title = Browser.inBanner(driver, "#" + banner.getAttribute("aria-labelledby")).getText();
        assertFalse(title.isBlank());
        WebElement accept = action("accept-all");
        WebElement reject = action("reject-all");
        assertEquals(accept.getAttribute("class"), reject.getAttribute("class"), "reject is as prominent as accept");
        assertEquals(accept.getSize(), reject.getSize());
        assertEquals(accept.getCssValue("background-color"), reject.getCssValue("background-color"));
        assertTrue(contrast(accept.getCssValue("color"), accept.getCssValue("background-color")) >= 4.5);
        assertTrue(contrast(banner.getCssValue("color"), banner.getCssValue("background-color")) >= 4.5);
        Number mainTop = (Number) js("return document.querySelector('main').getBoundingClientRect().top;");
        for (int width : new int[] {320, 360}) {
            driver.manage().window().setSize(new Dimension(width, 800));
            assertTrue((Boolean) js("return document.documentElement.scrollWidth <= window.innerWidth;"),
                    "no horizontal scrolling at " + width + " px: " + js("var w=[];document.querySelectorAll('*')"
                            + ".forEach(function(e){if(e.getBoundingClientRect().right>window.innerWidth+1)"
                            + "w.push(e.tagName+'.'+e.className+':'+Math.round(e.getBoundingClientRect().right));});"
                            + "return window.innerWidth+' '+w.slice(0,8).join(' ');"));
            assertTrue(accept.isDisplayed() && reject.isDisplayed());
        }
        driver.manage().window().setSize(new Dimension(1280, 900));
        action("reject-all").click();
        waitFor(d -> !Browser.bannerShown(driver));
        assertEquals(mainTop.doubleValue(),
                ((Number) js("return document.querySelector('main').getBoundingClientRect().top;")).doubleValue(),
                "the banner overlays: no layout shift");
    }

    @Test
    void screenshotsOfEveryLayer() throws Exception {
        Files.createDirectories(SCREENSHOTS);
        for (String language : List.of("nl", "en")) {
            driver.quit();
            driver = Browser.start(language, true);
            for (int width : new int[] {1280, 360}) {
                driver.manage().window().setSize(new Dimension(width, width == 360 ? 780 : 900));
                open("/");
                assertEquals(language, driver.findElement(By.cssSelector("[data-consent-banner]")).getAttribute("lang"));
                save("banner-first-" + language + "-" + width);
                action("settings").click();
                save("banner-settings-" + language + "-" + width);
            }
        }
        assertEquals(List.of(), standIns.log(), "looking is not consenting");
    }

    private void save(String name) throws Exception {
        Path shot = driver.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        assertTrue(Files.size(SCREENSHOTS.resolve(name + ".png")) > 1000);
    }

    /** WCAG 2.1 contrast ratio of two CSS rgb()/rgba() colours. */
    static double contrast(String a, String b) {
        double la = luminance(a);
        double lb = luminance(b);
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
    }

    private static double luminance(String css) {
        String[] p = css.replaceAll("[^0-9.,]", "").split(",");
        double[] c = new double[3];
        for (int i = 0; i < 3; i++) {
            double v = Double.parseDouble(p[i]) / 255;
            c[i] = v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
        }
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    }

}
