package nl.i3groep.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import nl.i3groep.consent.config.ConsentConfig;
import org.junit.jupiter.api.Test;

/** Keeps the README's example true: it is this code, and this code compiles and runs. */
class ReadmeExampleTest {

    private static final Path README = Path.of("..", "README.md");

    /** What a site renders, following the example. */
    static String render(String cookieValue, String secGpc) {
        StringBuilder page = new StringBuilder();
        // readme:begin
        ConsentConfig config = ConsentConfig.load("classpath:consent.json");
        Gatekeeper gatekeeper = Gatekeeper.create(config); // once, at start-up

        // per request: the consent cookie's value (null when absent) and the Sec-GPC header
        Decisions decisions = gatekeeper.decide(cookieValue, "1".equals(secGpc));
        if (decisions.allows("google-analytics")) {
            page.append(gatekeeper.tracker("google-analytics").orElseThrow().snippet());
        }
        if (!decisions.decided()) {
            page.append("<!-- ask: show the banner -->");
        }

        // when the visitor chooses: a new consent, and the cookie that carries it
        ConsentState choice = gatekeeper.consent(Map.of("analytics", true, "marketing", false), Map.of());
        String newCookieValue = gatekeeper.cookieValue(choice);
        // readme:end
        return page + "|" + newCookieValue;
    }

    @Test
    void theExampleDoesWhatTheReadmeSays() {
        String undecided = render(null, null);
        assertFalse(undecided.contains("gtag/js"));
        assertTrue(undecided.contains("show the banner"));
        String cookie = undecided.substring(undecided.indexOf('|') + 1);
        String granted = render(cookie, null);
        assertTrue(granted.contains("gtag/js?id=G-TEST123"), granted);
        assertFalse(granted.contains("show the banner"));
    }

    @Test
    void theReadmeShowsExactlyThisCode() throws IOException {
        List<String> source = Files.readAllLines(Path.of("src", "test", "java", "nl", "i3groep", "consent",
                "ReadmeExampleTest.java"));
        String example = source.subList(source.indexOf("        // readme:begin") + 1,
                        source.indexOf("        // readme:end")).stream()
                .map(line -> line.length() >= 8 ? line.substring(8) : line.strip())
                .collect(Collectors.joining("\n"));
        String readme = Files.readString(README);
        assertTrue(readme.contains("```java\n" + example + "\n```"),
                "README.md must show the example of ReadmeExampleTest verbatim:\n" + example);
        assertEquals(-1, example.indexOf('\t'));
    }
}
