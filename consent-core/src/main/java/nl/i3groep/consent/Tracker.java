package nl.i3groep.consent;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One tracker active on the site: a built-in one of the catalogue configured with the site's
 * account id, or a custom one the site declared.
 *
 * @param id            stable identifier ({@code google-analytics}), used in {@code data-consent} marks,
 *                      the cookie and the endpoint
 * @param vendor        what it is called, for people (the banner's settings: {@code Google Analytics})
 * @param company       the organisation it sends to, as the banner's first layer names it ({@code Google})
 * @param purpose       what it is for; decides whether the visitor's grant covers it
 * @param accountId     the site's account with the vendor, where the tracker has one
 * @param hosts         where it loads from or sends to: a host ({@code snap.licdn.com}), a host
 *                      with subdomains ({@code *.doubleclick.net}), or a host with a path prefix
 *                      ({@code www.googletagmanager.com/gtag/js?id=G-})
 * @param inlineMarkers text that identifies its inline scripts ({@code _linkedin_partner_id})
 * @param cookies       the first-party cookies it sets, which the site may delete
 * @param snippet       the HTML that installs it, with the account id filled in; empty where there is none
 * @param inject        whether the site wants the snippet inserted when the tracker is allowed
 * @param embed         a media or social embed: while it is denied, each of its frames is replaced
 *                      by a placeholder that offers to load it
 */
public record Tracker(
        String id,
        String vendor,
        String company,
        Purpose purpose,
        Optional<String> accountId,
        List<String> hosts,
        List<String> inlineMarkers,
        List<CookiePattern> cookies,
        String snippet,
        boolean inject,
        boolean embed) {

    static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    public Tracker {
        Objects.requireNonNull(id, "id");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("tracker id must match " + ID + ": " + id);
        }
        Objects.requireNonNull(vendor, "vendor");
        Objects.requireNonNull(company, "company");
        Objects.requireNonNull(purpose, "purpose");
        Objects.requireNonNull(accountId, "accountId");
        hosts = List.copyOf(hosts);
        inlineMarkers = List.copyOf(inlineMarkers);
        cookies = List.copyOf(cookies);
        Objects.requireNonNull(snippet, "snippet");
    }

    /** Whether {@code cookieName} is one of this tracker's first-party cookies. */
    public boolean ownsCookie(String cookieName) {
        for (CookiePattern p : cookies) {
            if (p.matches(cookieName)) {
                return true;
            }
        }
        return false;
    }
}
