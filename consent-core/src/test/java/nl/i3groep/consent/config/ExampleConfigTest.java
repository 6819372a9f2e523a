package nl.i3groep.consent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The example configuration and the JSON Schema beside it, against the reader. */
class ExampleConfigTest {

    private static final Path EXAMPLE = Path.of("..", "config", "consent.json");
    private static final Path SCHEMA = Path.of("..", "config", "consent.schema.json");
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).build();
    private static final String SECRET = "base64:c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldC0=";
    private static final Map<String, String> ENVIRONMENT = Map.of("CONSENT_SIGNING_KEY", SECRET,
            "CONSENT_SIGNING_KEY_OLD", SECRET.replace('c', 'd'), "CONSENT_LEDGER_KEY", SECRET.replace('c', 'e'),
            "CONSENT_REPORT_TOKEN", "a-report-token-of-24-chars-or-more", "CONSENT_DB_PASSWORD", "pw");

    private static String example() throws Exception {
        return Files.readString(EXAMPLE);
    }

    /** The example with {@code change} made to it, as JSON. */
    private static String variant(Consumer<ObjectNode> change) throws Exception {
        ObjectNode root = (ObjectNode) JSON.readTree(example());
        change.accept(root);
        return JSON.writeValueAsString(root);
    }

    @Test
    void theExampleIsAConfigurationTheReaderTakes() throws Exception {
        ConsentConfig config = ConsentConfig.parse(example(), ENVIRONMENT);
        assertEquals("2024-05", config.policyVersion());
        assertTrue(config.trackers().stream().anyMatch(t -> t.id().equals("hotjar")), config.trackers().toString());
        assertEquals("./consent.schema.json", JSON.readTree(example()).get("$schema").asText(),
                "the example names the schema beside it, for an editor's completion");
    }

    /**
     * Every field the reader looks for is in the schema, and every field of the schema is one the
     * reader looks for: read over the example and over variants that take the other branches
     * (the other ledgers, the trackers the example leaves out).
     */
    @Test
    void theSchemaNamesExactlyTheFieldsTheReaderAccepts() throws Exception {
        Set<String> asked = new TreeSet<>();
        ConfigReader reader = new ConfigReader(ENVIRONMENT, asked);
        reader.read(example());
        reader.read(variant(root -> root.set("ledger", JSON.createObjectNode().put("type", "jdbc")
                .put("url", "jdbc:postgresql://db/consent").put("user", "consent").put("password", "env:CONSENT_DB_PASSWORD")
                .set("keys", root.get("ledger").get("keys")))));
        reader.read(variant(root -> root.set("ledger", JSON.createObjectNode().put("type", "memory"))));
        reader.read(variant(root -> {
            ObjectNode trackers = (ObjectNode) root.get("trackers");
            trackers.set("adobe-launch", JSON.createObjectNode().put("purpose", "marketing")
                    .put("embedPath", "abcdef123456/abcdef123456/launch-abcdef123456.min.js"));
            trackers.set("tealium", JSON.createObjectNode().put("purpose", "marketing").put("profile", "acme/main/prod"));
            trackers.set("segment", JSON.createObjectNode().put("purpose", "analytics").put("writeKey", "abcdefghij12"));
        }));
        Set<String> described = new TreeSet<>();
        JsonNode schema = JSON.readTree(Files.readString(SCHEMA));
        fields(schema, schema, "", described);

        Set<String> undescribed = new TreeSet<>(asked);
        undescribed.removeAll(described);
        Set<String> unread = new TreeSet<>(described);
        unread.removeAll(asked);
        assertEquals(Set.of(), undescribed, "read but not in the schema");
        assertEquals(Set.of(), unread, "in the schema but not read");
        assertTrue(asked.contains("trackers.*.partnerId") && asked.contains("ledger.keys[].secret"), asked.toString());
    }

    /** The schema's field paths, as the reader notes them: {@code *} for a map's key, {@code []} for an element. */
    private static void fields(JsonNode root, JsonNode node, String path, Set<String> out) {
        if (node.has("$ref")) {
            String ref = node.get("$ref").asText();
            assertTrue(ref.startsWith("#/"), ref);
            fields(root, root.at(ref.substring(1)), path, out);
            return;
        }
        if (node.has("properties")) {
            for (Iterator<String> names = node.get("properties").fieldNames(); names.hasNext(); ) {
                String name = names.next();
                String field = path.isEmpty() ? name : path + "." + name;
                out.add(field);
                fields(root, node.get("properties").get(name), field, out);
            }
        }
        if (node.has("additionalProperties") && node.get("additionalProperties").isObject()) {
            String field = path + ".*";
            out.add(field);
            fields(root, node.get("additionalProperties"), field, out);
        }
        if (node.has("items")) {
            fields(root, node.get("items"), path + "[]", out);
        }
    }

    @Test
    void aRequiredFieldInTheWrongCaseIsNamedAsTheUnknownFieldItIs() throws Exception {
        String typo = variant(root -> {
            JsonNode version = root.remove("policyVersion");
            root.set("policyversion", version);
        });
        ConfigException e = assertThrows(ConfigException.class, () -> ConsentConfig.parse(typo, ENVIRONMENT));
        assertTrue(e.getMessage().contains("policyversion: unknown field; did you mean \"policyVersion\"?"), e.getMessage());

        String optional = variant(root -> root.put("GPC", "honor"));
        ConfigException other = assertThrows(ConfigException.class, () -> ConsentConfig.parse(optional, ENVIRONMENT));
        assertTrue(other.getMessage().contains("GPC: unknown field; did you mean \"gpc\"?"), other.getMessage());
    }
}
