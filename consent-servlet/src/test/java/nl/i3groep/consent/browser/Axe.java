package nl.i3groep.consent.browser;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * Deque's axe-core, the accessibility engine, from the npm registry (MPL-2.0): fetched once at the
 * version and integrity pinned here, kept in the user's cache, and run in the page under test.
 */
final class Axe {

    static final String VERSION = "4.11.0";
    private static final String TARBALL = "https://registry.npmjs.org/axe-core/-/axe-core-" + VERSION + ".tgz";
    /** The registry's {@code dist.integrity} of that version. */
    private static final String INTEGRITY =
            "sha512-ilYanEU8vxxBexpJd8cWM4ElSQq4QctCLKih0TSfjIfCQTeyH/6zVrmIJfLPrKTKJRbiG+cfnZbQIjAlJmF1jQ==";

    private static String source;

    private Axe() {
    }

    private static synchronized String source() throws Exception {
        if (source == null) {
            Path cached = Path.of(System.getProperty("user.home"), ".cache", "consent-tests", "axe-core-" + VERSION + ".min.js");
            if (!Files.exists(cached)) {
                HttpResponse<byte[]> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
                        .followRedirects(HttpClient.Redirect.NORMAL).build()
                        .send(HttpRequest.newBuilder(URI.create(TARBALL)).timeout(Duration.ofSeconds(60)).build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("the accessibility check needs axe-core from the npm registry: "
                            + TARBALL + " answered " + r.statusCode());
                }
                String integrity = "sha512-" + Base64.getEncoder().encodeToString(
                        MessageDigest.getInstance("SHA-512").digest(r.body()));
                if (!integrity.equals(INTEGRITY)) {
                    throw new IllegalStateException(TARBALL + " is not the package pinned here: " + integrity);
                }
                Files.createDirectories(cached.getParent());
                Path partial = Files.createTempFile(cached.getParent(), "axe", ".part");
                Files.write(partial, entry(r.body(), "package/axe.min.js"));
                Files.move(partial, cached, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            source = Files.readString(cached);
        }
        return source;
    }

    /** One file of a gzipped tar (ustar: 512-byte headers, the size in octal, the data padded to 512). */
    private static byte[] entry(byte[] tgz, String name) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(tgz))) {
            byte[] header = new byte[512];
            while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
                String entry = new String(header, 0, 100, StandardCharsets.US_ASCII).replaceAll("\0.*", "");
                String prefix = new String(header, 345, 155, StandardCharsets.US_ASCII).replaceAll("\0.*", "");
                long size = Long.parseLong(new String(header, 124, 12, StandardCharsets.US_ASCII).replaceAll("[\0 ]", ""), 8);
                byte[] data = in.readNBytes((int) size);
                in.skipNBytes((512 - size % 512) % 512);
                if ((prefix.isEmpty() ? entry : prefix + "/" + entry).equals(name)) {
                    return data;
                }
            }
        }
        throw new IOException(name + " is not in " + TARBALL);
    }

    /**
     * The rules {@code selector}'s element (with its shadow root) breaks, as "rule: the elements";
     * WCAG 2.2 A and AA and axe's best practices.
     */
    @SuppressWarnings("unchecked")
    static List<String> violations(WebDriver driver, String selector) throws Exception {
        JavascriptExecutor js = (JavascriptExecutor) driver;
        js.executeScript(source());
        return (List<String>) js.executeAsyncScript("var done = arguments[arguments.length - 1];"
                + "axe.run({include: [[arguments[0]]]}, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a',"
                + " 'wcag21aa', 'wcag22aa', 'best-practice']}, resultTypes: ['violations']}).then(function (r) {"
                + " done(r.violations.map(function (v) { return v.id + ': ' + v.nodes.map(function (n) {"
                + "  return JSON.stringify(n.target); }).join(', '); })); }, function (e) { done(['axe failed: ' + e]); });",
                selector);
    }
}
