package nl.i3groep.consent.html;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The html5lib tokenizer tests, for what the rewriter's tokenizer claims: which tags there are
 * (so raw text, comments, doctypes and bogus comments are never taken for tags), their names, and
 * the names and values (character references decoded) of start tags' attributes.
 *
 * <p>Filter, because the rewriter is a tag-level scanner rather than a full tokenizer:
 * <ul>
 *   <li>a test that starts in the RCDATA, RAWTEXT, script data or PLAINTEXT state runs after a
 *       start tag that puts a browser there ({@link #opening}); one that no markup can put there
 *       (CDATA sections, which the rewriter reads as bogus comments everywhere; script data whose
 *       appropriate end tag is not {@code </script>}) is left out. Not {@code doubleEscaped} ones
 *       (lone surrogates cannot be written in a byte encoding);</li>
 *   <li>tokens are compared up to and including the first start tag of an element whose content
 *       the rewriter then reads as raw text ({@code script}, {@code style}, {@code title}, ...): the
 *       html5lib tokenizer alone does not switch state there, a browser's tree builder does;</li>
 *   <li>tests whose input has a named character reference to a non-ASCII character are skipped:
 *       only ASCII ones are decoded (they are the ones that can spell a host).</li>
 * </ul>
 * The test data is read in place from {@code ../shared/testdata}, beside the clone (html5lib-tests,
 * MIT, its commit in {@code SOURCE} there). Where that folder is absent the tests are skipped;
 * where it is present, a missing file fails them rather than skipping.
 */
class Html5libTokenizerTest {

    static final Path SHARED = Path.of("../../shared/testdata");
    static final Path DIR = SHARED.resolve("html5lib-tokenizer");
    static final Set<String> RAW = Set.of("script", "style", "xmp", "iframe", "noembed", "noframes", "textarea", "title",
            "plaintext");
    static final ObjectMapper JSON = new ObjectMapper();

    record Token(boolean end, String name, Map<String, String> attrs) {
    }

    @ParameterizedTest
    @ValueSource(strings = {"test1.test", "test2.test", "test3.test", "test4.test", "entities.test",
        "namedEntities.test", "numericEntities.test", "domjs.test", "unicodeChars.test", "pendingSpecChanges.test",
        "escapeFlag.test", "contentModelFlags.test", "unicodeCharsProblematic.test"})
    void tagsAsHtml5libTokenizesThem(String file) throws IOException {
        Path path = data(file);
        Set<String> nonAsciiNames = nonAsciiEntityNames();
        JsonNode tests = JSON.readTree(path.toFile()).get("tests");
        int checked = 0;
        List<String> failures = new ArrayList<>();
        for (JsonNode t : tests) {
            if (t.has("doubleEscaped") && t.get("doubleEscaped").asBoolean()) {
                continue;
            }
            String input = t.get("input").asText().replace("\r\n", "\n").replace('\r', '\n');
            if (mentionsNonAsciiEntity(input, nonAsciiNames) || hasLoneSurrogate(input)) {
                continue;
            }
            List<String> states = new ArrayList<>();
            t.path("initialStates").forEach(s -> states.add(s.asText()));
            if (states.isEmpty()) {
                states.add("Data state");
            }
            String last = t.hasNonNull("lastStartTag") ? t.get("lastStartTag").asText() : null;
            for (String state : states) {
                String opening = opening(state, last, input);
                if (opening == null) {
                    continue;
                }
            List<Token> expected = new ArrayList<>();
            for (JsonNode tok : t.get("output")) {
                String kind = tok.get(0).asText();
                if (kind.equals("StartTag")) {
                    Map<String, String> attrs = new LinkedHashMap<>();
                    tok.get(2).fields().forEachRemaining(e -> attrs.put(e.getKey(), e.getValue().asText()));
                    expected.add(new Token(false, tok.get(1).asText(), attrs));
                } else if (kind.equals("EndTag")) {
                    expected.add(new Token(true, tok.get(1).asText(), Map.of()));
                }
            }
                List<Token> actual = tokens(opening + input);
                if (!opening.isEmpty()) {
                    actual = actual.subList(1, actual.size()); // the start tag that set the state
                }
                List<Token> e = cut(expected);
                List<Token> a = cut(actual);
                checked++;
                if (!e.equals(a)) {
                    failures.add(t.get("description").asText() + " (" + state + "): input "
                            + JSON.writeValueAsString(opening + input) + "\n  expected " + e + "\n  actual   " + a);
                }
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + checked + " failed:\n"
                + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
        assertTrue(checked > 0 || file.equals("unicodeCharsProblematic.test"), "no test of " + file + " was checked");
    }

    /**
     * The start tag after which a browser's tokenizer is in {@code state} with {@code last} as the
     * last start tag ("" for the data state), or null where no markup puts it there for this input.
     * Without a last start tag no end tag is appropriate: an element whose end tag the input never
     * spells stands in for it.
     */
    static String opening(String state, String last, String input) {
        List<String> names = switch (state) {
            case "Data state" -> List.of("");
            case "PLAINTEXT state" -> List.of("plaintext");
            case "RCDATA state", "RAWTEXT state" -> last != null ? List.of(last) : List.of("xmp", "style", "title", "textarea");
            case "Script data state" -> last == null || last.equals("script") ? List.of("script") : List.of();
            default -> List.of(); // CDATA sections: read as bogus comments outside foreign content
        };
        String lower = input.toLowerCase(java.util.Locale.ROOT);
        for (String name : names) {
            if (name.isEmpty()) {
                return "";
            }
            if (!RAW.contains(name)) {
                return null;
            }
            if (last != null || !lower.contains("</" + name)) {
                return "<" + name + ">";
            }
        }
        return null;
    }

    /** A file of the test data; skips where the shared folder is absent, fails where it lacks the file. */
    static Path data(String file) {
        assumeTrue(Files.isDirectory(SHARED), "shared test data not present at " + SHARED.toAbsolutePath());
        Path path = DIR.resolve(file);
        assertTrue(Files.isRegularFile(path), "the shared test data lacks " + path.toAbsolutePath());
        return path;
    }

    /**
     * The numeric reference tests put into an attribute value: there, as in text, every numeric
     * reference is decoded (C1 remapping, U+FFFD for invalid code points, optional semicolon).
     */
    @ParameterizedTest
    @ValueSource(strings = {"numericEntities.test", "entities.test"})
    void numericReferencesInAttributeValues(String file) throws IOException {
        int checked = 0;
        List<String> failures = new ArrayList<>();
        for (JsonNode t : JSON.readTree(data(file).toFile()).get("tests")) {
            String input = t.get("input").asText();
            if (!input.startsWith("&#") || input.indexOf('\'') >= 0 || input.indexOf('&', 1) >= 0 || hasLoneSurrogate(input)) {
                continue;
            }
            StringBuilder text = new StringBuilder();
            for (JsonNode tok : t.get("output")) {
                if (tok.get(0).asText().equals("Character")) {
                    text.append(tok.get(1).asText());
                }
            }
            List<Token> actual = tokens("<h a='" + input + "'>");
            Token expected = new Token(false, "h", Map.of("a", text.toString()));
            checked++;
            if (!actual.equals(List.of(expected))) {
                failures.add(input + ": expected " + expected + ", actual " + actual);
            }
        }
        assertTrue(checked > 0, "nothing checked in " + file);
        assertTrue(failures.isEmpty(), failures.size() + " of " + checked + " failed:\n"
                + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
    }

    /** Tokens up to and including the first start tag that makes the rewriter read raw text. */
    static List<Token> cut(List<Token> tokens) {
        for (int i = 0; i < tokens.size(); i++) {
            if (!tokens.get(i).end && RAW.contains(tokens.get(i).name)) {
                return tokens.subList(0, i + 1);
            }
        }
        return tokens;
    }

    static List<Token> tokens(String input) throws IOException {
        List<Token> tokens = new ArrayList<>();
        OutputStream o = Fixture.GATE.open(new ByteArrayOutputStream(), StandardCharsets.UTF_8, Fixture.ALL, Page.PLAIN);
        Tag tag = new Tag();
        ((GateStream) o).trace((b, from, to, end) -> {
            tag.parse(b, from, to);
            int nameFrom = from + (end ? 2 : 1);
            String name = clean(new String(b, nameFrom, tag.nameEnd - nameFrom, StandardCharsets.UTF_8));
            Map<String, String> attrs = new LinkedHashMap<>();
            if (!end) {
                for (int i = 0; i < tag.count; i++) {
                    attrs.putIfAbsent(clean(tag.name(i, StandardCharsets.UTF_8)), tag.value(i, StandardCharsets.UTF_8));
                }
            }
            tokens.add(new Token(end, name, attrs));
        });
        byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
        o.write(bytes, 0, bytes.length);
        o.close();
        return tokens;
    }

    /** Names as the tokenizer gives them: ASCII lower-cased, NUL as U+FFFD. */
    static String clean(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c == 0 ? '\uFFFD' : c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return sb.toString();
    }

    static Set<String> nonAsciiEntityNames() throws IOException {
        Set<String> names = new HashSet<>();
        for (JsonNode t : JSON.readTree(DIR.resolve("namedEntities.test").toFile()).get("tests")) {
            String in = t.get("input").asText();
            if (in.startsWith("&")) {
                String n = in.substring(1);
                names.add(n.endsWith(";") ? n.substring(0, n.length() - 1) : n);
            }
        }
        names.removeAll(CharRefs.ASCII_NAMED.keySet());
        return names;
    }

    /** Whether some {@code &name} in the input could be read by a browser as a non-ASCII named reference. */
    static boolean mentionsNonAsciiEntity(String input, Set<String> nonAscii) {
        for (int i = input.indexOf('&'); i >= 0; i = input.indexOf('&', i + 1)) {
            int j = i + 1;
            while (j < input.length() && j - i < 40 && Character.isLetterOrDigit(input.charAt(j))
                    && input.charAt(j) < 0x80) {
                j++;
            }
            for (int k = i + 2; k <= j; k++) {
                if (nonAscii.contains(input.substring(i + 1, k))) {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
