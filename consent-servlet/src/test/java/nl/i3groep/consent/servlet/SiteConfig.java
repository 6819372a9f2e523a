package nl.i3groep.consent.servlet;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The test site's configuration ({@code consent.json} on the test class path), read from the class
 * path rather than from a path under the module, so that the same tests run in the javax artifact.
 */
final class SiteConfig {
    private SiteConfig() {
    }

    static String json() {
        try (InputStream in = SiteConfig.class.getResourceAsStream("/consent.json")) {
            if (in == null) {
                throw new IllegalStateException("no consent.json on the test class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
