package nl.i3groep.consent.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import nl.i3groep.consent.ledger.ConsentRecord.Source;

/**
 * The one JSON form of a record, shared by the file store's lines and by the export, so that what
 * a visitor is shown is exactly what is kept.
 */
final class RecordJson {

    static final ObjectMapper JSON = new ObjectMapper();

    private RecordJson() {
    }

    static ObjectNode tree(ConsentRecord r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("seq", r.sequence());
        o.put("consentId", r.consentId());
        o.put("time", r.time().toString());
        o.put("policyVersion", r.policyVersion());
        ObjectNode purposes = o.putObject("purposes");
        r.purposes().forEach(purposes::put);
        ObjectNode trackers = o.putObject("trackers");
        r.trackers().forEach(trackers::put);
        o.put("source", r.source().name());
        r.notice().ifPresent(n -> o.put("notice", n));
        return o;
    }

    static ObjectNode tree(Entry e) {
        if (e instanceof Entry.Kept k) {
            return tree(k.record()).put("key", k.key()).put("mac", k.mac());
        }
        Entry.Erased x = (Entry.Erased) e;
        ObjectNode o = JSON.createObjectNode();
        return o.put("seq", x.sequence()).put("erased", true).put("key", x.key()).put("mac", x.mac())
                .put("seal", x.seal());
    }

    /** A record in the export's form: what its MAC covers. */
    static byte[] bytes(ConsentRecord r) {
        try {
            return JSON.writeValueAsBytes(tree(r));
        } catch (JsonProcessingException x) {
            throw new LedgerException("cannot write record " + r.sequence() + " as JSON", x);
        }
    }

    /**
     * The file store's line of a record already written as {@link #bytes}: the same JSON with its
     * key and MAC added, so that the record is written once per append.
     */
    static byte[] line(byte[] record, String key, String mac) {
        byte[] tail = (",\"key\":\"" + key + "\",\"mac\":\"" + mac + "\"}\n").getBytes(StandardCharsets.US_ASCII);
        byte[] line = java.util.Arrays.copyOf(record, record.length - 1 + tail.length);
        System.arraycopy(tail, 0, line, record.length - 1, tail.length);
        return line;
    }

    /** One line of the file store, with its newline. */
    static byte[] line(Entry e) {
        try {
            byte[] json = JSON.writeValueAsBytes(tree(e));
            byte[] line = new byte[json.length + 1];
            System.arraycopy(json, 0, line, 0, json.length);
            line[json.length] = '\n';
            return line;
        } catch (JsonProcessingException x) {
            throw new LedgerException("cannot write record " + e.sequence() + " as JSON", x);
        }
    }

    /** Choices as a JSON object, for a database column. */
    static String choices(Map<String, Boolean> choices) {
        ObjectNode o = JSON.createObjectNode();
        choices.forEach(o::put);
        return o.toString();
    }

    static Map<String, Boolean> choices(String json) {
        try {
            return choices(JSON.readTree(json), "choices");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("choices are not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Reads one record; strict, so that a torn or foreign line is recognised as such.
     *
     * @throws IllegalArgumentException when it is not a complete record
     */
    static ConsentRecord parse(String line) {
        return record(object(line));
    }

    /**
     * Reads one line of the file store: a record with its MAC, or a tombstone.
     *
     * @throws IllegalArgumentException when it is neither, complete
     */
    static Entry entry(String line) {
        JsonNode o = object(line);
        if (o.has("erased")) {
            return new Entry.Erased(sequence(o), text(o, "key"), text(o, "mac"), text(o, "seal"));
        }
        return new Entry.Kept(record(o), text(o, "key"), text(o, "mac"));
    }

    private static JsonNode object(String line) {
        JsonNode o;
        try {
            o = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        return o;
    }

    private static long sequence(JsonNode o) {
        JsonNode seq = field(o, "seq");
        if (!seq.canConvertToExactIntegral() || !seq.canConvertToLong() || seq.longValue() <= 0) {
            throw new IllegalArgumentException("seq is not a positive integer");
        }
        return seq.longValue();
    }

    private static ConsentRecord record(JsonNode o) {
        try {
            JsonNode notice = o.get("notice");
            if (notice != null && !notice.isTextual()) {
                throw new IllegalArgumentException("notice is not a string");
            }
            return new ConsentRecord(sequence(o), text(o, "consentId"), Instant.parse(text(o, "time")),
                    text(o, "policyVersion"), choices(field(o, "purposes"), "purposes"),
                    choices(field(o, "trackers"), "trackers"), Source.valueOf(text(o, "source")),
                    Optional.ofNullable(notice).map(JsonNode::textValue));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("time is not an ISO-8601 instant", e);
        }
    }

    /**
     * The export of one consent id: {@code {"consentId":…,"records":[…],"notices":{hash:notice}}},
     * with every notice a record names.
     */
    static String export(String consentId, List<ConsentRecord> records, Map<String, Notice> notices) {
        ObjectNode o = JSON.createObjectNode();
        o.put("consentId", consentId);
        ArrayNode list = o.putArray("records");
        records.forEach(r -> list.add(tree(r)));
        ObjectNode shown = o.putObject("notices");
        for (Map.Entry<String, Notice> n : notices.entrySet()) {
            try {
                shown.set(n.getKey(), JSON.readTree(n.getValue().body()));
            } catch (JsonProcessingException e) {
                throw new LedgerException("cannot write notice " + n.getKey(), e);
            }
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new LedgerException("cannot write the export of " + consentId, e);
        }
    }

    private static JsonNode field(JsonNode o, String name) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(name + " is missing");
        }
        return v;
    }

    private static String text(JsonNode o, String name) {
        JsonNode v = field(o, name);
        if (!v.isTextual()) {
            throw new IllegalArgumentException(name + " is not a string");
        }
        return v.textValue();
    }

    private static Map<String, Boolean> choices(JsonNode o, String name) {
        if (!o.isObject()) {
            throw new IllegalArgumentException(name + " is not an object");
        }
        Map<String, Boolean> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            if (!e.getValue().isBoolean()) {
                throw new IllegalArgumentException(name + "." + e.getKey() + " is not true or false");
            }
            map.put(e.getKey(), e.getValue().booleanValue());
        }
        return map;
    }
}
