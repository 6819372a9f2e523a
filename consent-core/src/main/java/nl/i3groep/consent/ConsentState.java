package nl.i3groep.consent;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What one visitor decided: the record behind the consent cookie and the ledger.
 *
 * <p>A tracker's own choice, where the visitor made one, overrides the choice for its purpose;
 * otherwise the purpose's choice applies. A purpose or tracker the visitor was not asked about
 * is not granted.
 *
 * @param consentId     random, unguessable identifier of this decision (22 base64url characters, 128 bits)
 * @param decidedAt     when the visitor decided, to the second
 * @param policyVersion the privacy statement the visitor decided under
 * @param purposes      per purpose id: granted or refused (never {@code necessary})
 * @param trackers      per tracker id: refinements within or across purposes
 */
public record ConsentState(
        String consentId,
        Instant decidedAt,
        String policyVersion,
        Map<String, Boolean> purposes,
        Map<String, Boolean> trackers) {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern CONSENT_ID = Pattern.compile("[A-Za-z0-9_-]{22}");
    private static final Pattern POLICY_VERSION = Pattern.compile("[\\x21-\\x7e]{1,64}");
    private static final int MAX_CHOICES = 64;

    public ConsentState {
        Objects.requireNonNull(consentId, "consentId");
        if (!CONSENT_ID.matcher(consentId).matches()) {
            throw new IllegalArgumentException("consentId must be 22 base64url characters");
        }
        Objects.requireNonNull(decidedAt, "decidedAt");
        decidedAt = decidedAt.truncatedTo(ChronoUnit.SECONDS);
        Objects.requireNonNull(policyVersion, "policyVersion");
        if (!POLICY_VERSION.matcher(policyVersion).matches()) {
            throw new IllegalArgumentException("policyVersion must be 1 to 64 printable ASCII characters");
        }
        purposes = choices(purposes, Purpose.ID, "purpose");
        if (purposes.containsKey(Purpose.NECESSARY.id())) {
            throw new IllegalArgumentException("necessary cannot be chosen: it is always allowed");
        }
        trackers = choices(trackers, Tracker.ID, "tracker");
    }

    /** A new decision with a fresh random consent id. */
    public static ConsentState decide(
            Instant decidedAt, String policyVersion, Map<String, Boolean> purposes, Map<String, Boolean> trackers) {
        return new ConsentState(newConsentId(), decidedAt, policyVersion, purposes, trackers);
    }

    /** A fresh random consent id: 128 bits from {@link SecureRandom}, base64url. */
    public static String newConsentId() {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(id);
    }

    /** The visitor's choice for a purpose, where asked. */
    public Optional<Boolean> purpose(String purposeId) {
        return Optional.ofNullable(purposes.get(purposeId));
    }

    /** The visitor's choice for one tracker, where made. */
    public Optional<Boolean> tracker(String trackerId) {
        return Optional.ofNullable(trackers.get(trackerId));
    }

    private static Map<String, Boolean> choices(Map<String, Boolean> given, Pattern id, String kind) {
        Objects.requireNonNull(given, kind + "s");
        if (given.size() > MAX_CHOICES) {
            throw new IllegalArgumentException("at most " + MAX_CHOICES + " " + kind + " choices");
        }
        // sorted, so that the same choices always encode to the same cookie
        TreeMap<String, Boolean> copy = new TreeMap<>();
        given.forEach((k, v) -> {
            if (k == null || !id.matcher(k).matches()) {
                throw new IllegalArgumentException("not a " + kind + " id: " + k);
            }
            copy.put(k, Objects.requireNonNull(v, k));
        });
        return Collections.unmodifiableMap(copy);
    }
}
