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
 *   <li>only tests that start in the Data state (the others start inside raw text with no start
 *       tag to have put them there), and not {@code doubleEscaped} ones (lone surrogates cannot be
 *       written in a byte encoding);</li>
 *   <li>tokens are compared up to and including the first start tag of an element whose content
 *       the rewriter then reads as raw text ({@code script}, {@code style}, {@code title}, ...): the
 *       html5lib tokenizer alone does not switch state there, a browser's tree builder does;</li>
 *   <li>tests whose input has a named character reference to a non-ASCII character are skipped:
 *       only ASCII ones are decoded (they are the ones that can spell a host).</li>
 * </ul>
 * The test data is read in place and the test is skipped when it is absent.
 */
class Html5libTokenizerTest {

    static final Path DIR = Path.of("../../shared/testdata/html5lib-tokenizer");
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
        assumeTrue(Files.isDirectory(DIR), "html5lib tokenizer tests not present at " + DIR.toAbsolutePath());
        Path path = DIR.resolve(file);
        assumeTrue(Files.exists(path), file + " not present");
        Set<String> nonAsciiNames = nonAsciiEntityNames();
        JsonNode tests = JSON.readTree(path.toFile()).get("tests");
        int checked = 0;
        List<String> failures = new ArrayList<>();
        for (JsonNode t : tests) {
            if (t.has("doubleEscaped") && t.get("doubleEscaped").asBoolean()) {
                continue;
            }
            if (t.has("initialStates")) {
                boolean data = false;
                for (JsonNode s : t.get("initialStates")) {
                    data |= s.asText().equals("Data state");
                }
                if (!data) {
                    continue;
                }
            }
            String input = t.get("input").asText().replace("\r\n", "\n").replace('\r', '\n');
            if (mentionsNonAsciiEntity(input, nonAsciiNames) || hasLoneSurrogate(input)) {
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
            List<Token> actual = tokens(input);
            List<Token> e = cut(expected);
            List<Token> a = cut(actual);
            checked++;
            if (!e.equals(a)) {
                failures.add(t.get("description").asText() + ": input " + JSON.writeValueAsString(input) + "\n  expected "
                        + e + "\n  actual   " + a);
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + checked + " failed:\n"
                + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
        assertTrue(checked > 0 || file.equals("unicodeCharsProblematic.test") || file.equals("contentModelFlags.test")
                || file.equals("escapeFlag.test"), "no test of " + file + " was checked");
    }

    /**
     * The numeric reference tests put into an attribute value: there, as in text, every numeric
     * reference is decoded (C1 remapping, U+FFFD for invalid code points, optional semicolon).
     */
    @ParameterizedTest
    @ValueSource(strings = {"numericEntities.test", "entities.test"})
    void numericReferencesInAttributeValues(String file) throws IOException {
        assumeTrue(Files.isDirectory(DIR), "html5lib tokenizer tests not present at " + DIR.toAbsolutePath());
        int checked = 0;
        List<String> failures = new ArrayList<>();
        for (JsonNode t : JSON.readTree(DIR.resolve(file).toFile()).get("tests")) {
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
        ((GateStream) o).trace = (b, from, to, end) -> {
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
        };
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
