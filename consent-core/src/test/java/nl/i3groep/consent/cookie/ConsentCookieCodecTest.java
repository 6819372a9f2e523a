package nl.i3groep.consent.cookie;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import nl.i3groep.consent.ConsentState;
import org.junit.jupiter.api.Test;

class ConsentCookieCodecTest {

    private static final SigningKey K1 = new SigningKey("k1", "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    private static final SigningKey K2 = new SigningKey("k2", "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII));
    private final ConsentCookieCodec codec = new ConsentCookieCodec(List.of(K1));

    private static ConsentState everyChoice() {
        return ConsentState.decide(Instant.parse("2026-03-01T12:00:00Z"), "2024-05",
                Map.of("analytics", true, "marketing", false),
                Map.of("google-analytics", true, "google-ads", false, "linkedin-insight", true, "leadboxer", false,
                        "oktopost", true, "session-cookies", true));
    }

    @Test
    void roundTrips() {
        ConsentState s = everyChoice();
        assertEquals(Optional.of(s), codec.decode(codec.encode(s)));
    }

    @Test
    void staysUnder300BytesWithEveryTrackerRefined() {
        String value = new ConsentCookieCodec(List.of(new SigningKey("rotation-key-16c",
                K1.secret()))).encode(everyChoice());
        assertTrue(value.length() < 300, value.length() + " bytes");
        assertTrue(value.matches("[A-Za-z0-9_-]+"), "base64url: no quoting needed in Set-Cookie");
    }

    @Test
    void rejectsWhatIsNotGenuine() {
        String value = codec.encode(everyChoice());
        byte[] bytes = Base64.getUrlDecoder().decode(value);
        assertEquals(Optional.empty(), new ConsentCookieCodec(List.of(K2)).decode(value), "unknown key id");
        assertEquals(Optional.empty(), new ConsentCookieCodec(List.of(new SigningKey("k1", K2.secret()))).decode(value),
                "same id, other secret");
        bytes[bytes.length - 40] ^= 1;
        assertEquals(Optional.empty(), codec.decode(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes)),
                "a flipped bit in the body");
        assertEquals(Optional.empty(), codec.decode(value + "="), "padding is not canonical");
        assertEquals(Optional.empty(), codec.decode(value + "AA"), "trailing bytes break the MAC");
        assertEquals(Optional.empty(), codec.decode("A".repeat(ConsentCookieCodec.MAX_VALUE_LENGTH + 1)));
        assertEquals(Optional.empty(), codec.decode(null));
        assertEquals(Optional.empty(), codec.decode("%%%"));
    }

    @Test
    void aSignedButMalformedBodyIsStillRejected() {
        // what a leaked key or a bug could produce: a valid MAC over nonsense
        byte[] keyId = "k1".getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[1 + 1 + keyId.length + 5];
        body[0] = 1;
        body[1] = (byte) keyId.length;
        System.arraycopy(keyId, 0, body, 2, keyId.length);
        byte[] signed = sign(body);
        assertEquals(Optional.empty(), codec.decode(Base64.getUrlEncoder().withoutPadding().encodeToString(signed)));
    }

    @Test
    void needsDistinctKeys() {
        assertThrows(IllegalArgumentException.class, () -> new ConsentCookieCodec(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new ConsentCookieCodec(List.of(K1, K1)));
        assertThrows(IllegalArgumentException.class, () -> new SigningKey("short", new byte[31]));
    }

    static byte[] sign(byte[] body) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(K1.secret(), "HmacSHA256"));
            byte[] tag = mac.doFinal(body);
            byte[] out = new byte[body.length + tag.length];
            System.arraycopy(body, 0, out, 0, body.length);
            System.arraycopy(tag, 0, out, body.length, tag.length);
            return out;
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
