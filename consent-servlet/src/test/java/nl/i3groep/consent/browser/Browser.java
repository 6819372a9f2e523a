package nl.i3groep.consent.browser;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/** Headless Chromium from Debian's packages, every host resolved to the local stand-ins. */
final class Browser {

    static final File CHROMIUM = new File("/usr/bin/chromium");
    static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

    private Browser() {
    }

    static ChromeDriver start(String language, boolean javaScript) throws Exception {
        if (!CHROMIUM.canExecute() || !CHROMEDRIVER.canExecute()) {
            throw new IllegalStateException("the browser tests need Debian's chromium and chromium-driver "
                    + "(apt-get install chromium chromium-driver; .ci/run installs them)");
        }
        Path profile = Files.createTempDirectory("chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.setAcceptInsecureCerts(true);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--ignore-certificate-errors", "--host-resolver-rules=MAP * 127.0.0.1",
                "--user-data-dir=" + profile, "--window-size=1280,900", "--lang=" + language);
        options.setExperimentalOption("prefs", Map.of("intl.accept_languages", language,
                "profile.managed_default_content_settings.javascript", javaScript ? 1 : 2));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return driver;
    }

    /** The element {@code css} finds in the banner, which lives in its own shadow root. */
    static WebElement inBanner(WebDriver driver, String css) {
        return driver.findElement(By.cssSelector("[data-consent-banner]")).getShadowRoot().findElement(By.cssSelector(css));
    }

    static List<WebElement> allInBanner(WebDriver driver, String css) {
        return driver.findElement(By.cssSelector("[data-consent-banner]")).getShadowRoot().findElements(By.cssSelector(css));
    }

    /** Whether the page has a banner, and shows it. */
    static boolean bannerShown(WebDriver driver) {
        return Boolean.TRUE.equals(((JavascriptExecutor) driver).executeScript("var b = document.querySelector("
                + "'[data-consent-banner]'); return !!b && !b.hidden && !!b.shadowRoot"
                + " && b.shadowRoot.querySelector('.i3c').getBoundingClientRect().height > 0;"));
    }

    /** The focused element, inside shadow roots too (the document's is their host). */
    static WebElement focused(WebDriver driver) {
        return (WebElement) ((JavascriptExecutor) driver).executeScript("var a = document.activeElement;"
                + " while (a && a.shadowRoot && a.shadowRoot.activeElement) { a = a.shadowRoot.activeElement; } return a;");
    }
}
