package nl.i3groep.consent.servlet;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import nl.i3groep.consent.Decisions;
import nl.i3groep.consent.ThirdParty;
import nl.i3groep.consent.Tracker;

/** Content-Security-Policy values: the per-response fetch policy, and the one for bodies that cannot be inspected. */
final class Csp {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Csp() {
    }

    static String nonce() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    /**
     * What the browser may fetch from besides the site itself, as CSP sources: the declared third
     * parties whose purpose the visitor allows (the necessary ones always), then the allowed
     * trackers' hosts.
     */
    static Set<String> allowedHosts(Iterable<ThirdParty> parties, Iterable<Tracker> trackers, Decisions decisions) {
        Set<String> hosts = new LinkedHashSet<>();
        for (ThirdParty p : parties) {
            if (decisions.allowsPurpose(p.purpose().id())) {
                hosts.add(p.source());
            }
        }
        for (Tracker t : trackers) {
            if (decisions.allows(t)) {
                for (String rule : t.hosts()) {
                    int slash = rule.indexOf('/');
                    String host = slash < 0 ? rule : rule.substring(0, slash);
                    if (!host.endsWith(".*")) {
                        hosts.add(host);
                    } else if (slash > 0) {
                        // any country domain: no CSP source says that; .com's, with the rule's path
                        String path = rule.substring(slash).replaceAll("[?#].*", "");
                        hosts.add(host.substring(0, host.length() - 1) + "com" + (path.endsWith("/") ? path : path + "/"));
                    }
                }
            }
        }
        return hosts;
    }

    /**
     * The fetch policy: every kind of fetch (scripts by the response's nonce or from these hosts;
     * images, frames, {@code fetch}/{@code sendBeacon}, fonts, media, workers, form targets) only
     * from the site and {@code hosts}, so that what a script loads past the rewriter is stopped by
     * the browser. It restricts where, not how: inline styles, {@code data:} images and
     * {@code eval} stay possible, since none of them reaches another host by itself. (Inline
     * scripts need the nonce: the rewriter gives it to those it keeps, and one that a script writes
     * into the page later is refused, as a tag manager's custom HTML is.)
     */
    static String policy(String nonce, Set<String> hosts) {
        String s = " 'self'" + sources(hosts);
        return "default-src" + s
                + "; script-src" + s + " 'nonce-" + nonce + "' 'unsafe-eval'"
                + "; style-src" + s + " 'unsafe-inline'"
                + "; img-src" + s + " data: blob:"
                + "; font-src" + s + " data:"
                + "; media-src" + s + " data: blob:"
                + "; connect-src" + s
                + "; frame-src" + s
                + "; worker-src" + s + " blob:"
                + "; object-src" + s
                + "; form-action" + s
                + "; base-uri 'self'";
    }

    /** The Reporting API's name of the endpoint for violations ({@code Reporting-Endpoints}). */
    static final String REPORT_GROUP = "consent-csp";

    /**
     * Where the browser reports what the policy refuses (or, report-only, would refuse): the older
     * {@code report-uri}, which every browser reads, and on a secure page also the Reporting API's
     * {@code report-to} (with {@code Reporting-Endpoints}). Chromium reads only {@code report-to}
     * where both are given, and sends those reports to HTTPS endpoints only, in batches about a
     * minute apart: on a plain-HTTP page (a developer's) it would send none at all (seen: none in
     * 90 s, against six within a second with {@code report-uri} alone).
     */
    static String reporting(String reportUri, boolean secure) {
        return "; report-uri " + reportUri + (secure ? "; report-to " + REPORT_GROUP : "");
    }

    /**
     * For a body the filter cannot read: nothing but the site itself, its allowed third parties and
     * the allowed trackers' hosts may be loaded, so no denied tracker can fire whatever the page holds.
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
