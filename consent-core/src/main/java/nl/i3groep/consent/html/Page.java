package nl.i3groep.consent.html;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What one response adds to its HTML besides the blocking.
 *
 * @param bodyEndHtml the banner's HTML, inserted at the end of a whole document (a parser puts it at the end of its body); empty for none
 * @param nonce       the response's CSP nonce: every script kept executable or inserted carries it
 * @param placeholders per embed tracker, the HTML that goes in place of each of its denied frames;
 *                     {@code {width}} and {@code {height}} filled with the frame's size as CSS lengths
 */
public record Page(String bodyEndHtml, Optional<String> nonce, Map<String, String> placeholders) {

    /** A nonce goes into an attribute unescaped, so only base64(url) characters are accepted. */
    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9+/_=-]{1,256}");

    /** No banner, no nonce. */
    public static final Page PLAIN = new Page("", Optional.empty());

    /** Without placeholders. */
    public Page(String bodyEndHtml, Optional<String> nonce) {
        this(bodyEndHtml, nonce, Map.of());
    }

    public Page {
        Objects.requireNonNull(bodyEndHtml, "bodyEndHtml");
        Objects.requireNonNull(nonce, "nonce");
        placeholders = Map.copyOf(placeholders);
        nonce.ifPresent(n -> {
            if (!NONCE.matcher(n).matches()) {
                throw new IllegalArgumentException("a nonce is 1 to 256 base64 characters");
            }
        });
    }
}
