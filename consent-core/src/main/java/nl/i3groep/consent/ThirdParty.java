package nl.i3groep.consent;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A host of another party that the site's pages use for their own sake, declared so that the
 * browser may fetch from it: a CDN, web fonts, a map, a payment page. Its purpose governs it as a
 * tracker's does: a necessary one is always allowed, another only with the visitor's consent.
 *
 * @param host    a host ({@code cdn.example-cdn.net}) or a host with its subdomains
 *                ({@code *.example-cdn.net}), lower case
 * @param path    where on it: a path prefix ({@code /recaptcha/}) for a host that also serves a
 *                tracker ({@code www.google.com}), or empty for the whole host
 * @param purpose what it serves
 * @param use     what the pages fetch from it, for people ({@code images}, {@code web fonts})
 */
public record ThirdParty(String host, String path, Purpose purpose, String use) {

    /** A host name of two labels or more, or such a name under {@code *.}. */
    public static final Pattern HOST =
            Pattern.compile("(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+");

    public ThirdParty {
        Objects.requireNonNull(host, "host");
        if (!HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("not a host name: " + host);
        }
        Objects.requireNonNull(path, "path");
        if (!path.isEmpty() && !PATH.matcher(path).matches()) {
            throw new IllegalArgumentException("not a path prefix: " + path);
        }
        Objects.requireNonNull(purpose, "purpose");
        Objects.requireNonNull(use, "use");
    }

    /** A path of URL characters that ends in {@code /}, as a CSP source's path prefix does. */
    public static final Pattern PATH = Pattern.compile("/([A-Za-z0-9._~!$&'()*+,;=:@%-]+/)*");

    /** As a Content-Security-Policy source: {@code host} and {@code path}. */
    public String source() {
        return host + path;
    }

    /** Whether a URL on {@code host} (any case) is this party's. */
    public boolean covers(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (this.host.startsWith("*.")) {
            String base = this.host.substring(2);
            return h.equals(base) || h.endsWith("." + base);
        }
        return h.equals(this.host);
    }
}
