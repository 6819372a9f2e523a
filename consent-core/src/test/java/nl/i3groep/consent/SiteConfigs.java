package nl.i3groep.consent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import nl.i3groep.consent.config.ConsentConfig;

/** Configurations for tests: the contract's example site with all six trackers. */
public final class SiteConfigs {

    public static final String KEY_K1 = base64("k1-secret-k1-secret-k1-secret-k1-secret");
    public static final String KEY_K2 = base64("k2-secret-k2-secret-k2-secret-k2-secret");

    private static final ObjectMapper JSON = new ObjectMapper();

    private SiteConfigs() {
    }

    /** The contract's example configuration; {@code %s} placeholders take the signing keys. */
    public static String json(String keysJson) {
        return """
                {
                  "policyVersion": "2024-05",
                  "reconsentOnPolicyChange": true,
                  "consentMaxAgeDays": 365,
                  "cookie": { "name": "i3_consent", "secure": "auto", "sameSite": "Lax", "domain": null },
                  "signingKeys": %s,
                  "gpc": "honor",
                  "csp": "off",
                  "endpointPath": "/consent",
                  "banner": { "enabled": true, "defaultLanguage": "nl", "privacyPolicyUrl": "/privacyverklaring" },
                  "trackers": {
                    "google-analytics": { "measurementId": "G-ABC123" },
                    "google-ads":       { "conversionId": "AW-123456789" },
                    "linkedin-insight": { "partnerId": "123456" },
                    "leadboxer":        { "datasetId": "abc123" },
                    "oktopost":         { "trackingId": "001abc" },
                    "session-cookies":  { "cookies": ["JSESSIONID"] }
                  },
                  "ledger": { "type": "memory" }
                }
                """.formatted(keysJson);
    }

    /** The example site signing with k2, verifying k2 and k1. */
    public static String json() {
        return json("[ { \"id\": \"k2\", \"secret\": \"base64:" + KEY_K2 + "\" },"
                + " { \"id\": \"k1\", \"secret\": \"base64:" + KEY_K1 + "\" } ]");
    }

    public static ConsentConfig example() {
        return ConsentConfig.parse(json(), Map.of());
    }

    /** The example with one top-level field replaced (or added). */
    public static ConsentConfig exampleWith(String field, String jsonValue) {
        return ConsentConfig.parse(withField(json(), field, jsonValue), Map.of());
    }

    public static String withField(String json, String field, String jsonValue) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(json);
            root.set(field, JSON.readTree(jsonValue));
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
