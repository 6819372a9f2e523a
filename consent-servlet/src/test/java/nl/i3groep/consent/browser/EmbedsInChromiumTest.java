package nl.i3groep.consent.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.ledger.ConsentRecord;
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
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A YouTube video on a page, the site having declared YouTube a tracker of its purpose "media":
 * served without the filter the browser fetches the player (the control); with it, a placeholder
 * of the frame's size stands in its place and nothing reaches YouTube before a click.
 */
class EmbedsInChromiumTest {

    private static final String PLAYER = "www.youtube-nocookie.com/embed/abc123";
    private static final String DONE = "cdn.example.org/done.gif";
    private static final Path SCREENSHOTS = Path.of("..", "docs", "screenshots");

    private static StandIns standIns;
    private static MemoryLedger ledger;
    private static Server bare;
    private static Server filtered;
    private ChromeDriver driver;

    static final class Video extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("text/html;charset=UTF-8");
            resp.getWriter().write("<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>Video</title></head>"
                    + "<body><main><h1>Onze film</h1><iframe width=\"560\" height=\"315\" title=\"Onze film\""
                    + " src=\"https://" + PLAYER + "?rel=0\" allowfullscreen></iframe><p>Na de film.</p>"
                    + "<img alt=\"\" src=\"https://" + DONE + "\"></main></body></html>");
        }
    }

    private static Server site(boolean withFilter) throws Exception {
        ConsentFilter filter = null;
        if (withFilter) {
            String json = new String(EmbedsInChromiumTest.class.getResourceAsStream("/consent.json").readAllBytes(),
                    StandardCharsets.UTF_8)
                    .replace("\"trackers\": {", "\"purposes\": {\"media\": {}},\n  \"trackers\": {\n"
                            + "    \"youtube\": { \"purpose\": \"media\" },")
                    .replace("\"privacyPolicyUrl\": \"/privacyverklaring\"", "\"privacyPolicyUrl\": \"/privacyverklaring\","
                            + " \"texts\": {\"nl\": {\"purpose.media\": \"Video's\"}, \"en\": {\"purpose.media\": \"Videos\"}}");
            ledger = new MemoryLedger();
            filter = new ConsentFilter(Gatekeeper.create(ConsentConfig.parse(json, Map.of())), ledger);
        }
        return Sites.start(filter, context -> context.addServlet(new ServletHolder(new Video()), "/video"));
    }

    @BeforeAll
    static void start() throws Exception {
        standIns = new StandIns();
        bare = site(false);
        filtered = site(true);
    }

    @AfterAll
    static void stop() throws Exception {
        filtered.stop();
        bare.stop();
        standIns.close();
    }

    @BeforeEach
    void startBrowser() throws Exception {
        driver = Browser.start("nl", true);
    }

    @AfterEach
    void stopBrowser() {
        driver.quit();
    }

    /** Loads the page and waits for what it does: complete, and its last image (no tracker's) arrived. */
    private void open(Server server) {
        standIns.clear();
        driver.get("http://localhost:" + Sites.port(server) + "/video");
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> "complete".equals(js("return document.readyState"))
                && standIns.everything().contains(DONE));
    }

    private Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    private boolean reached() {
        return standIns.everything().stream().anyMatch(r -> r.startsWith(PLAYER));
    }

    private void waitReached() {
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> reached());
    }

    private WebElement inPlaceholder(String css) {
        return driver.findElement(By.cssSelector("[data-consent-embed]")).getShadowRoot().findElement(By.cssSelector(css));
    }

    @SuppressWarnings("unchecked")
    private List<Number> size(String script) {
        return (List<Number>) js("var r = " + script + ".getBoundingClientRect(); return [r.width, r.height];");
    }

    private boolean decided() {
        return driver.manage().getCookies().stream().anyMatch(c -> c.getName().equals("i3_consent"));
    }

    @Test
    void loadOnceLoadsItHereOnlyAlwaysRecordsThePurposeAndNothingReachesYouTubeBefore() throws Exception {
        open(bare);
        waitReached();
        // the frame's own box, inside the border the browser draws around it
        @SuppressWarnings("unchecked")
        List<Number> frame = (List<Number>) js("var f = document.querySelector('iframe'); return [f.clientWidth, f.clientHeight];");

        open(filtered);
        assertFalse(reached(), "nothing before a click: " + standIns.everything());
        assertEquals(frame, size("document.querySelector('[data-consent-embed]')"), "the placeholder has the frame's size");
        assertTrue(inPlaceholder("p").getText().contains("YouTube") && inPlaceholder("p").getText().contains("Google"),
                inPlaceholder("p").getText());
        assertEquals(List.of(), Axe.violations(driver, "consent-embed"), "axe, on the placeholder");
        new Actions(driver).sendKeys(Keys.ESCAPE).perform(); // the banner, out of the way
        Files.createDirectories(SCREENSHOTS);
        Path shot = driver.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SCREENSHOTS.resolve("embed-placeholder-nl.png"), StandardCopyOption.REPLACE_EXISTING);

        inPlaceholder("[data-consent-action=once]").click();
        waitReached();
        assertEquals(0L, js("return document.querySelectorAll('[data-consent-embed]').length;"), "the placeholder gave way");
        assertFalse(decided(), "loading once decides nothing");
        int recorded = ledger.all().size();

        open(filtered);
        assertFalse(reached(), "once is once");
        inPlaceholder("[data-consent-action=allow]").click();
        waitReached();
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> decided());
        assertEquals(recorded + 1, ledger.all().size(), "always: recorded");
        ConsentRecord last = ledger.all().get(ledger.all().size() - 1);
        assertEquals(Boolean.TRUE, last.purposes().get("media"));
        assertEquals(Boolean.FALSE, last.purposes().get("marketing"), "nothing else granted");

        open(filtered);
        assertTrue(reached(), "allowed from now on");
        assertEquals(0L, js("return document.querySelectorAll('[data-consent-embed]').length;"));
    }

    @Test
    void withoutJavaScriptBothAreAFormThatComesBackToTheVideo() throws Exception {
        driver.quit();
        driver = Browser.start("en", false);
        open(filtered);
        assertFalse(reached());
        standIns.clear();
        inPlaceholder("[data-consent-action=once]").click();
        waitReached();
        assertTrue(driver.getCurrentUrl().endsWith("/video"), driver.getCurrentUrl());
        assertFalse(decided(), "once decides nothing");
        int recorded = ledger.all().size();
        open(filtered);
        assertFalse(reached(), "the next page asks again");
        assertEquals(recorded, ledger.all().size(), "nothing recorded");
        WebElement always = inPlaceholder("[data-consent-action=allow]");
        assertEquals("Always allow videos", always.getText());
        Files.createDirectories(SCREENSHOTS);
        Path shot = driver.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SCREENSHOTS.resolve("embed-placeholder-en.png"), StandardCopyOption.REPLACE_EXISTING);
        standIns.clear();
        always.click();
        waitReached();
        assertTrue(driver.getCurrentUrl().endsWith("/video"), driver.getCurrentUrl());
    }
}
