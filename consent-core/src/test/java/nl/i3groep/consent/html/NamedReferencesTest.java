package nl.i3groep.consent.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The named character references that can spell a host, checked against html5lib's list of every
 * named reference ({@code namedEntities.test}, read in place): each one whose character a host
 * maps to ASCII or drops ({@link Rules#uts46}) is decoded, to the right character; none is decoded
 * wrongly.
 */
class NamedReferencesTest {

    /** Every named reference with its {@code ;}, and its value, from the test data. */
    static Map<String, String> all() throws IOException {
        JsonNode tests = new ObjectMapper().readTree(Html5libTokenizerTest.data("namedEntities.test").toFile()).get("tests");
        Map<String, String> refs = new HashMap<>();
        for (JsonNode t : tests) {
            String input = t.get("input").asText();
            if (input.endsWith(";")) {
                StringBuilder value = new StringBuilder();
                t.get("output").forEach(o -> value.append(o.get(1).asText()));
                refs.put(input, value.toString());
            }
        }
        return refs;
    }

    @Test
    void everyReferenceThatCanSpellAHostIsDecodedAndNoneWrongly() throws IOException {
        Map<String, String> refs = all();
        assertTrue(refs.size() > 2000, "the whole list: " + refs.size());
        int spelling = 0;
        for (Map.Entry<String, String> r : refs.entrySet()) {
            String value = r.getValue();
            String decoded = CharRefs.decode("a" + r.getKey() + "b");
            if (!decoded.equals("a" + r.getKey() + "b")) {
                assertEquals("a" + value + "b", decoded, r.getKey() + " decoded wrongly");
            }
            String mapped = Rules.uts46("x" + value + "y.org");
            // the host's letters, digits, dots and hyphens, where the value alone is not
            boolean hostChar = mapped.matches("[a-z0-9.-]+") && !mapped.contains("xn--")
                    && !mapped.equals("x" + value + "y.org");
            if (hostChar || value.chars().allMatch(c -> c < 0x80 && c > ' ')) {
                spelling++;
                assertEquals("a" + value + "b", decoded, r.getKey() + " can spell a host and is not decoded");
            }
        }
        assertTrue(spelling > 200, "references that can spell a host: " + spelling);
    }
}
