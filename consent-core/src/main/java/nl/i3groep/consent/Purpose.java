package nl.i3groep.consent;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Why a tracker collects data, and so what the visitor grants or refuses. The banner asks per
 * purpose; a tracker belongs to exactly one.
 *
 * <p>{@code necessary} is always allowed and cannot be refused. Every other purpose is denied
 * until the visitor grants it. A purpose with {@code deniedByGpc} stays denied while the browser
 * sends the Global Privacy Control signal, whatever the visitor granted earlier.
 *
 * @param id          lower-case identifier, as used in the configuration, the cookie and the endpoint
 * @param necessary   strictly necessary: exempt from consent
 * @param deniedByGpc denied while the request carries {@code Sec-GPC: 1} (and the site honours it)
 */
public record Purpose(String id, boolean necessary, boolean deniedByGpc) {

    // before the constants below, which need it in their constructor
    static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    /** Strictly necessary for the site to work: always allowed. */
    public static final Purpose NECESSARY = new Purpose("necessary", true, false);
    /** Statistics about the use of the site. */
    public static final Purpose ANALYTICS = new Purpose("analytics", false, false);
    /** Advertising, retargeting and lead generation: what GPC objects to (sale and sharing). */
    public static final Purpose MARKETING = new Purpose("marketing", false, true);

    public Purpose {
        Objects.requireNonNull(id, "id");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("purpose id must match " + ID + ": " + id);
        }
        if (necessary && deniedByGpc) {
            throw new IllegalArgumentException("a necessary purpose cannot be denied by GPC: " + id);
        }
    }
}
