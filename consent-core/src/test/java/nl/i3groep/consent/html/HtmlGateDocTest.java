package nl.i3groep.consent.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link HtmlGate}'s javadoc names every element the gate holds and, per element, every URL
 * attribute it judges: read from the source and compared with the tables the code uses.
 */
class HtmlGateDocTest {

    private static final Path SOURCE = Path.of("src/main/java/nl/i3groep/consent/html/HtmlGate.java");
    private static final Pattern CODE = Pattern.compile("\\{@code ([^}]+)}");

    /** The javadoc's list: element → URL attributes. */
    static Map<String, Set<String>> documented() throws IOException {
        String doc = Files.readString(SOURCE, StandardCharsets.UTF_8).replaceAll("(?m)^\\s*\\* ?", "");
        int from = doc.indexOf("The URL attributes, per element");
        assertTrue(from >= 0, "the javadoc lists the URL attributes per element");
        String list = doc.substring(doc.indexOf("<ul>", from), doc.indexOf("</ul>", from));
        Map<String, Set<String>> rules = new TreeMap<>();
        for (String item : list.split("<li>")) {
            int colon = item.indexOf(':');
            if (colon < 0) {
                continue;
            }
            Set<String> attrs = new TreeSet<>(codes(item.substring(colon + 1)));
            for (String element : codes(item.substring(0, colon))) {
                assertFalse(rules.containsKey(element.toLowerCase(Locale.ROOT)), element + " is listed twice");
                rules.put(element.toLowerCase(Locale.ROOT), attrs);
            }
        }
        return rules;
    }

    private static List<String> codes(String s) {
        List<String> out = new ArrayList<>();
        Matcher m = CODE.matcher(s);
        while (m.find()) {
            out.add(m.group(1).trim());
        }
        return out;
    }

    /** What the code judges: the held elements' URL attributes, as the verdict reads them. */
    static Map<String, Set<String>> inCode() {
        Map<String, Set<String>> rules = new TreeMap<>();
        for (String name : Names.held()) {
            int el = Names.lookup(name.getBytes(StandardCharsets.US_ASCII), name.length()) & 0xff;
            String[] attrs = el == Names.SCRIPT ? Verdict.SCRIPT_URLS : Verdict.urlAttributes(el);
            rules.put(name, new TreeSet<>(List.of(attrs)));
        }
        return rules;
    }

    @Test
    void theJavadocNamesEveryHeldElementAndItsUrlAttributes() throws IOException {
        assertEquals(inCode(), documented());
    }

    /** The fast scan must not pass over a tag that the verdict would rename: the same attributes. */
    @Test
    void theFastScanHoldsEveryDocumentedUrlAttributeOnATrackerHost() throws IOException {
        for (Map.Entry<String, Set<String>> rule : documented().entrySet()) {
            for (String attr : rule.getValue()) {
                String value = attr.equals("srcdoc") ? "<img src=//px.ads.linkedin.com/x>" : "https://px.ads.linkedin.com/x";
                byte[] b = ("<" + rule.getKey() + " " + attr + "=\"" + value + "\">").getBytes(StandardCharsets.UTF_8);
                assertEquals(-1, new Tag().skipPlainTo(b, 1 + rule.getKey().length(), b.length,
                        RulesProperties.MARKERS),
                        "<" + rule.getKey() + " " + attr + "> passed as plain");
            }
        }
    }
}
