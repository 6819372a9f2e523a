package nl.i3groep.consent;

/**
 * Why a tracker may or may not fire on this request. Only {@link #NECESSARY} and
 * {@link #GRANTED} allow; every other reason denies.
 */
public enum Reason {
    /** The tracker serves a necessary purpose: exempt from consent. */
    NECESSARY(true),
    /** The visitor granted the tracker's purpose (or the tracker itself). */
    GRANTED(true),
    /** The visitor refused the tracker's purpose, or the tracker itself. */
    REFUSED(false),
    /** No valid consent cookie: absent, malformed, tampered with, signed with an unknown key. */
    NO_DECISION(false),
    /** The visitor decided longer ago than the configured maximum age. */
    EXPIRED(false),
    /** The visitor decided under an older privacy statement, and the site asks again on a change. */
    POLICY_CHANGED(false),
    /** Granted, but the browser sends Global Privacy Control, which objects to this purpose. */
    GLOBAL_PRIVACY_CONTROL(false),
    /**
     * A media or social embed the visitor asked to load on this page, this once, from its
     * placeholder: not consent, so nothing is recorded and the next page asks again.
     */
    LOADED_ONCE(true),
    /** The tracker id is not one the site configured. */
    UNKNOWN_TRACKER(false);

    private final boolean allows;

    Reason(boolean allows) {
        this.allows = allows;
    }

    /** Whether a tracker with this reason may fire. */
    public boolean allows() {
        return allows;
    }
}
