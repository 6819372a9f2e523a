package nl.i3groep.consent.servlet;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import nl.i3groep.consent.Decisions;
import nl.i3groep.consent.Tracker;

/** Content-Security-Policy values: the per-response policy, and the one for bodies that cannot be inspected. */
final class Csp {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Csp() {
    }

    static String nonce() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    /** The hosts of the allowed trackers, as CSP sources. */
    static Set<String> allowedHosts(Iterable<Tracker> trackers, Decisions decisions) {
        Set<String> hosts = new LinkedHashSet<>();
        for (Tracker t : trackers) {
            if (decisions.allows(t)) {
                for (String rule : t.hosts()) {
                    int slash = rule.indexOf('/');
                    String host = slash < 0 ? rule : rule.substring(0, slash);
                    if (!host.endsWith(".*")) { // any country domain: no CSP source says that
                        hosts.add(host);
                    }
                }
            }
        }
        return hosts;
    }

    /** {@code script-src} with the nonce and only the allowed trackers' hosts. */
    static String policy(String nonce, Set<String> hosts) {
        return "script-src 'self' 'nonce-" + nonce + "'" + sources(hosts);
    }

    /**
     * For a body the filter cannot read: nothing but the site itself and the allowed trackers'
     * hosts may be loaded, so no denied tracker can fire whatever the page holds.
     */
    static String failClosed(Set<String> hosts) {
        return "default-src 'self' 'unsafe-inline' data: blob:" + sources(hosts);
    }

    /**
     * The application's own policy, with the nonce added to the directive that governs scripts, so
     * that the scripts the filter inserts may run under it too. Browsers enforce every policy sent,
     * so ours is sent beside it, not merged into it.
     */
    static String withNonce(String appPolicy, String nonce) {
        String lower = appPolicy.toLowerCase(Locale.ROOT);
        String directive = lower.contains("script-src") ? "script-src" : lower.contains("default-src") ? "default-src" : null;
        if (directive == null) {
            return appPolicy;
        }
        int at = lower.indexOf(directive) + directive.length();
        return appPolicy.substring(0, at) + " 'nonce-" + nonce + "'" + appPolicy.substring(at);
    }

    private static String sources(Set<String> hosts) {
        StringBuilder s = new StringBuilder();
        for (String h : hosts) {
            s.append(' ').append(h);
        }
        return s.toString();
    }
}
