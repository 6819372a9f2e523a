package nl.i3groep.consent.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a visitor was shown before deciding: the banner's texts in the language shown, the policy
 * version and the trackers the configuration lists. A record names it by {@link #hash()}; the
 * ledger keeps each distinct notice once, with its full text, so that an export proves what was
 * read.
 *
 * @param language      the language the banner was shown in ({@code nl}, {@code en})
 * @param policyVersion the privacy statement's version
 * @param texts         every text of the banner, by key, as shown
 * @param trackers      the trackers the banner names, in the configuration's order
 */
public record Notice(String language, String policyVersion, Map<String, String> texts, List<Tracker> trackers) {

    /** A tracker as the banner names it. */
    public record Tracker(String id, String name, String company, String purpose) {
        public Tracker {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(company, "company");
            Objects.requireNonNull(purpose, "purpose");
        }
    }

    public Notice {
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(policyVersion, "policyVersion");
        texts = Collections.unmodifiableMap(new TreeMap<>(texts));
        trackers = List.copyOf(trackers);
    }

    /**
     * The notice as stored: JSON with its fields and texts in a fixed order, so that equal notices
     * give equal bytes.
     */
    public String body() {
        ObjectNode o = RecordJson.JSON.createObjectNode();
        o.put("language", language);
        o.put("policyVersion", policyVersion);
        ObjectNode t = o.putObject("texts");
        texts.forEach(t::put);
        ArrayNode list = o.putArray("trackers");
        for (Tracker tracker : trackers) {
            list.addObject().put("id", tracker.id()).put("name", tracker.name()).put("company", tracker.company())
                    .put("purpose", tracker.purpose());
        }
        return o.toString();
    }

    /** {@code sha256:} and the hex SHA-256 of {@link #body()}: what anyone can recompute from the export. */
    public String hash() {
        return hash(body());
    }

    static String hash(String body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    /**
     * Reads a stored body back.
     *
     * @throws IllegalArgumentException when it is not a notice
     */
    static Notice parse(String body) {
        try {
            JsonNode o = RecordJson.JSON.readTree(body);
            Map<String, String> texts = new TreeMap<>();
            o.required("texts").properties().forEach(e -> texts.put(e.getKey(), e.getValue().textValue()));
            List<Tracker> trackers = new ArrayList<>();
            for (JsonNode t : o.required("trackers")) {
                trackers.add(new Tracker(t.required("id").textValue(), t.required("name").textValue(),
                        t.required("company").textValue(), t.required("purpose").textValue()));
            }
            return new Notice(o.required("language").textValue(), o.required("policyVersion").textValue(), texts,
                    trackers);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("not a notice: " + e.getMessage(), e);
        }
    }
}
