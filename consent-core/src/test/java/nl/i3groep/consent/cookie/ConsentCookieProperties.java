package nl.i3groep.consent.cookie;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import nl.i3groep.consent.ConsentState;

/**
 * The cookie is the only input a visitor controls that can turn a tracker on. These properties
 * show that the only way to a grant is a cookie this site signed.
 */
class ConsentCookieProperties {

    private static final byte[] SECRET = "the-site-secret-the-site-secret-".getBytes(StandardCharsets.US_ASCII);
    private static final ConsentCookieCodec CODEC = new ConsentCookieCodec(List.of(new SigningKey("k1", SECRET)));
    private static final String B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    @Provide
    Arbitrary<ConsentState> states() {
        Arbitrary<String> ids = Arbitraries.strings().withCharRange('a', 'z').withChars('-', '0', '9')
                .ofMinLength(0).ofMaxLength(31).map(s -> "p" + s);
        Arbitrary<Map<String, Boolean>> choices = Arbitraries.maps(ids, Arbitraries.of(true, false)).ofMaxSize(12)
                .map(m -> { m.remove("necessary"); return m; });
        Arbitrary<String> policy = Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(64);
        Arbitrary<Instant> time = Arbitraries.longs().between(0, 4_102_444_800L).map(Instant::ofEpochSecond);
        return Combinators.combine(time, policy, choices, choices)
                .as((t, p, purposes, trackers) -> ConsentState.decide(t, p, purposes, trackers));
    }

    @Property(tries = 2_000)
    void encodeThenDecodeGivesTheSameState(@ForAll("states") ConsentState state) {
        assertEquals(Optional.of(state), CODEC.decode(CODEC.encode(state)));
    }

    /** A mutation of a genuine cookie: what a visitor, a proxy or an attacker could send instead. */
    @Provide
    Arbitrary<Mutation> mutations() {
        Arbitrary<Integer> position = Arbitraries.integers().between(0, 10_000);
        Arbitrary<Character> b64 = Arbitraries.of(B64.toCharArray()).map(c -> c);
        Arbitrary<Character> anyChar = Arbitraries.chars().range(' ', '~');
        return Arbitraries.oneOf(
                Combinators.combine(position, b64).as(Mutation::replace),
                Combinators.combine(position, anyChar).as(Mutation::replace),
                Combinators.combine(position, b64).as(Mutation::insert),
                position.map(Mutation::delete),
                position.map(Mutation::truncate),
                Combinators.combine(position, position).as(Mutation::swap),
                Arbitraries.strings().withChars(B64.toCharArray()).ofMinLength(1).ofMaxLength(8).map(Mutation::append),
                Combinators.combine(position, Arbitraries.integers().between(0, 7))
                        .as((p, bit) -> Mutation.flipBit(p, bit)),
                Arbitraries.bytes().array(byte[].class).ofSize(32).map(Mutation::resignWith),
                Arbitraries.bytes().array(byte[].class).ofSize(32).map(Mutation::grantAllAndResignWith));
    }

    @Property(tries = 100_000)
    void noMutationOfAGenuineCookieDecodes(@ForAll("mutations") Mutation mutation,
            @ForAll @IntRange(min = 0, max = 5) int refusedTrackers) {
        ConsentState refusal = ConsentState.decide(Instant.parse("2026-01-01T00:00:00Z"), "2024-05",
                Map.of("analytics", false, "marketing", false),
                Map.of("google-analytics", false, "linkedin-insight", false, "oktopost", false,
                        "google-ads", false, "leadboxer", false).entrySet().stream().limit(refusedTrackers)
                        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        String genuine = CODEC.encode(refusal);
        String mutated = mutation.apply(genuine);
        if (mutated.equals(genuine)) {
            return; // a swap of equal characters, say: not a mutation
        }
        Optional<ConsentState> decoded = CODEC.decode(mutated);
        assertEquals(Optional.empty(), decoded, () -> mutation + " decoded to " + decoded);
    }

    @Property(tries = 200)
    void aCookieIsCanonical(@ForAll("states") ConsentState state) {
        String value = CODEC.encode(state);
        assertTrue(value.matches("[A-Za-z0-9_-]+"));
        assertNotEquals(value, CODEC.encode(ConsentState.decide(state.decidedAt(), state.policyVersion(),
                state.purposes(), state.trackers())), "a new consent id every time");
    }

    record Mutation(String description, java.util.function.UnaryOperator<String> op) {
        String apply(String s) {
            return op.apply(s);
        }

        @Override
        public String toString() {
            return description;
        }

        static Mutation replace(int at, char c) {
            return new Mutation("replace@" + at + " by " + c,
                    s -> { int i = at % s.length(); return s.substring(0, i) + c + s.substring(i + 1); });
        }

        static Mutation insert(int at, char c) {
            return new Mutation("insert@" + at + " " + c,
                    s -> { int i = at % (s.length() + 1); return s.substring(0, i) + c + s.substring(i); });
        }

        static Mutation delete(int at) {
            return new Mutation("delete@" + at,
                    s -> { int i = at % s.length(); return s.substring(0, i) + s.substring(i + 1); });
        }

        static Mutation truncate(int at) {
            return new Mutation("truncate@" + at, s -> s.substring(0, at % s.length()));
        }

        static Mutation swap(int a, int b) {
            return new Mutation("swap@" + a + "," + b, s -> {
                char[] c = s.toCharArray();
                int i = a % c.length;
                int j = b % c.length;
                char t = c[i];
                c[i] = c[j];
                c[j] = t;
                return new String(c);
            });
        }

        static Mutation append(String tail) {
            return new Mutation("append " + tail, s -> s + tail);
        }

        static Mutation flipBit(int at, int bit) {
            return new Mutation("flip bit " + bit + " of byte " + at, s -> {
                byte[] b = Base64.getUrlDecoder().decode(s);
                b[at % b.length] ^= (byte) (1 << bit);
                return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
            });
        }

        /** The same body, signed again with a key that is not the site's (under the site's key id). */
        static Mutation resignWith(byte[] wrongKey) {
            return new Mutation("re-signed with a wrong key", s -> {
                byte[] b = Base64.getUrlDecoder().decode(s);
                return sign(ByteBuffer.wrap(b, 0, b.length - 32), wrongKey);
            });
        }

        /** The forger's real aim: every choice turned to granted, re-signed with a guessed key. */
        static Mutation grantAllAndResignWith(byte[] wrongKey) {
            return new Mutation("granted everything, re-signed with a wrong key", s -> {
                byte[] b = Base64.getUrlDecoder().decode(s);
                int keyIdLength = b[1];
                int p = 2 + keyIdLength + 16 + 8;
                p += 1 + b[p];
                for (int list = 0; list < 2; list++) {
                    int count = b[p++];
                    for (int i = 0; i < count; i++) {
                        b[p] |= 1;
                        p += 1 + ((b[p] & 0xff) >>> 1);
                    }
                }
                return sign(ByteBuffer.wrap(b, 0, b.length - 32), wrongKey);
            });
        }

        private static String sign(ByteBuffer body, byte[] key) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                byte[] payload = new byte[body.remaining()];
                body.get(payload);
                byte[] tag = mac.doFinal(payload);
                byte[] out = new byte[payload.length + tag.length];
                System.arraycopy(payload, 0, out, 0, payload.length);
                System.arraycopy(tag, 0, out, payload.length, tag.length);
                return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
            } catch (java.security.GeneralSecurityException e) {
                throw new AssertionError(e);
            }
        }
    }
}
