package nl.i3groep.consent.cookie;

import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An HMAC-SHA256 key, named so that keys can rotate: the consent cookie carries the id of the key
 * that signed it, and each ledger record the id of the key of its MAC.
 *
 * @param id     1 to 16 characters of {@code [A-Za-z0-9_-]}
 * @param secret at least 32 bytes
 */
public record SigningKey(String id, byte[] secret) {

    /** The shortest secret accepted: HMAC-SHA256 gains nothing from more, and loses from less. */
    public static final int MIN_SECRET_BYTES = 32;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,16}");

    public SigningKey {
        Objects.requireNonNull(id, "id");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("key id must be 1 to 16 characters of [A-Za-z0-9_-]: " + id);
        }
        Objects.requireNonNull(secret, "secret");
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException(
                    "key " + id + " has " + secret.length + " bytes; at least " + MIN_SECRET_BYTES + " are needed");
        }
        secret = secret.clone();
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SigningKey k && id.equals(k.id) && Arrays.equals(secret, k.secret);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    /** Never shows the secret: keys end up in logs through the configuration's toString. */
    @Override
    public String toString() {
        return "SigningKey[id=" + id + ", secret=(" + secret.length + " bytes)]";
    }
}
