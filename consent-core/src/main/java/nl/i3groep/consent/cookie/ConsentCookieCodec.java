package nl.i3groep.consent.cookie;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import nl.i3groep.consent.ConsentState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a {@link ConsentState} into the consent cookie's value and back.
 *
 * <p>Security rules, in the order they are applied when reading:
 * <ol>
 *   <li>A value longer than {@link #MAX_VALUE_LENGTH} is rejected before anything is decoded.</li>
 *   <li>Only canonical unpadded base64url is accepted, so no two values mean the same cookie.</li>
 *   <li>The signing key must be one of the configured keys; its HMAC-SHA256 over everything before
 *       it is compared in constant time before a single choice is parsed.</li>
 *   <li>Anything wrong yields {@link Optional#empty()}: never an exception, never a partial state.
 *       The value itself is never logged.</li>
 * </ol>
 *
 * <p>Layout (all before the MAC is signed): format {@code 1}; key id length and key id (ASCII);
 * 16 bytes consent id; decision time in epoch seconds (8 bytes, big-endian); policy version length
 * and policy version (ASCII); purpose count, then per purpose one byte {@code length << 1 | granted}
 * and the id; tracker count and trackers the same way; then the 32-byte HMAC-SHA256.
 *
 * <p>Instances are immutable and thread-safe. The first key signs; all keys verify.
 */
public final class ConsentCookieCodec {

    /** The longest cookie value read at all. A cookie for 64 choices stays well below it. */
    public static final int MAX_VALUE_LENGTH = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ConsentCookieCodec.class);
    private static final byte FORMAT = 1;
    private static final int MAC_BYTES = 32;
    private static final int ID_BYTES = 16;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SigningKey signer;
    private final Map<String, ThreadLocal<Mac>> macs;

    /**
     * @param keys the keys, the one that signs first; ids must be distinct
     * @throws IllegalArgumentException when there is no key or two share an id
     */
    public ConsentCookieCodec(List<SigningKey> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("at least one signing key is needed");
        }
        this.signer = keys.get(0);
        Map<String, ThreadLocal<Mac>> byId = new LinkedHashMap<>();
        for (SigningKey key : keys) {
            byte[] secret = key.secret();
            // Mac is not thread-safe and costly to obtain: one per key and thread
            if (byId.put(key.id(), ThreadLocal.withInitial(() -> newMac(secret))) != null) {
                throw new IllegalArgumentException("two signing keys share the id " + key.id());
            }
        }
        this.macs = Map.copyOf(byId);
    }

    /** The cookie value for {@code state}, signed with the first key. */
    public String encode(ConsentState state) {
        byte[] keyId = signer.id().getBytes(StandardCharsets.US_ASCII);
        byte[] policy = state.policyVersion().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer out = ByteBuffer.allocate(size(keyId, policy, state));
        out.put(FORMAT).put((byte) keyId.length).put(keyId);
        out.put(DECODER.decode(state.consentId()));
        out.putLong(state.decidedAt().getEpochSecond());
        out.put((byte) policy.length).put(policy);
        putChoices(out, state.purposes());
        putChoices(out, state.trackers());
        Mac mac = macs.get(signer.id()).get();
        mac.update(out.array(), 0, out.position());
        out.put(mac.doFinal());
        return ENCODER.encodeToString(out.array());
    }

    /**
     * The state a cookie value carries, or empty when the value is not a genuine cookie of this
     * site: too long, not canonical base64url, an unknown format or key, a wrong signature, or a
     * malformed body. Expiry and policy version are the caller's to judge.
     */
    public Optional<ConsentState> decode(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_VALUE_LENGTH) {
            return rejected("absent or too long");
        }
        byte[] bytes;
        try {
            bytes = DECODER.decode(value);
        } catch (IllegalArgumentException e) {
            return rejected("not base64url");
        }
        // The decoder ignores the unused low bits of the last character: insist on the
        // canonical spelling so that a changed character never yields the same cookie.
        if (value.indexOf('=') >= 0 || !ENCODER.encodeToString(bytes).equals(value)) {
            return rejected("not canonical base64url");
        }
        if (bytes.length < 3 + MAC_BYTES || bytes[0] != FORMAT) {
            return rejected("unknown format");
        }
        int keyIdLength = bytes[1];
        if (keyIdLength < 1 || 2 + keyIdLength > bytes.length - MAC_BYTES) {
            return rejected("bad key id");
        }
        String keyId = new String(bytes, 2, keyIdLength, StandardCharsets.US_ASCII);
        ThreadLocal<Mac> macOfKey = macs.get(keyId);
        if (macOfKey == null) {
            return rejected("unknown key");
        }
        int signed = bytes.length - MAC_BYTES;
        Mac mac = macOfKey.get();
        mac.update(bytes, 0, signed);
        byte[] expected = mac.doFinal();
        byte[] actual = new byte[MAC_BYTES];
        System.arraycopy(bytes, signed, actual, 0, MAC_BYTES);
        if (!MessageDigest.isEqual(expected, actual)) {
            return rejected("bad signature");
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes, 2 + keyIdLength, signed - 2 - keyIdLength);
            byte[] id = new byte[ID_BYTES];
            in.get(id);
            long seconds = in.getLong();
            String policy = ascii(in, in.get());
            Map<String, Boolean> purposes = getChoices(in);
            Map<String, Boolean> trackers = getChoices(in);
            if (in.hasRemaining()) {
                return rejected("trailing bytes");
            }
            return Optional.of(new ConsentState(
                    ENCODER.encodeToString(id), Instant.ofEpochSecond(seconds), policy, purposes, trackers));
        } catch (RuntimeException e) {
            // A signed but malformed body can only come from a bug or a leaked key; either way: no decision.
            return rejected("malformed body");
        }
    }

    private static Optional<ConsentState> rejected(String why) {
        LOG.debug("consent cookie ignored: {}", why);
        return Optional.empty();
    }

    private static int size(byte[] keyId, byte[] policy, ConsentState state) {
        int size = 1 + 1 + keyId.length + ID_BYTES + 8 + 1 + policy.length + 1 + 1 + MAC_BYTES;
        for (String k : state.purposes().keySet()) {
            size += 1 + k.length();
        }
        for (String k : state.trackers().keySet()) {
            size += 1 + k.length();
        }
        return size;
    }

    private static void putChoices(ByteBuffer out, Map<String, Boolean> choices) {
        out.put((byte) choices.size());
        choices.forEach((id, granted) -> {
            byte[] name = id.getBytes(StandardCharsets.US_ASCII);
            out.put((byte) (name.length << 1 | (granted ? 1 : 0))).put(name);
        });
    }

    private static Map<String, Boolean> getChoices(ByteBuffer in) {
        int count = in.get() & 0xff;
        Map<String, Boolean> choices = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            int head = in.get() & 0xff;
            String id = ascii(in, head >>> 1);
            if (choices.put(id, (head & 1) == 1) != null) {
                throw new IllegalArgumentException("duplicate choice " + id);
            }
        }
        return choices;
    }

    private static String ascii(ByteBuffer in, int length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative length");
        }
        byte[] b = new byte[length];
        in.get(b);
        return new String(b, StandardCharsets.US_ASCII);
    }

    private static Mac newMac(byte[] secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
        }
    }
}
