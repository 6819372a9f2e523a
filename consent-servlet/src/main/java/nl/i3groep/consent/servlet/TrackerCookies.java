package nl.i3groep.consent.servlet;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import nl.i3groep.consent.Decisions;
import nl.i3groep.consent.Tracker;

/**
 * The first-party cookies of denied trackers: which {@code Set-Cookie} to drop, and which cookies
 * the browser sent that must be expired.
 */
final class TrackerCookies {

    private final List<Tracker> trackers;

    TrackerCookies(List<Tracker> trackers) {
        this.trackers = trackers.stream().filter(t -> !t.cookies().isEmpty()).toList();
    }

    /** Whether a cookie of this name belongs to a tracker these decisions deny. */
    boolean denied(String cookieName, Decisions decisions) {
        for (Tracker t : trackers) {
            if (!decisions.allows(t) && t.ownsCookie(cookieName)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Bytes of response headers the expiries may take: Jetty and Tomcat answer 500 when all headers
     * pass 8 KB, and a visitor's many cookies (or a long host name) must not cause that. What does
     * not fit is expired on a later request, once the browser has dropped these.
     */
    private static final int EXPIRY_ROOM = 4096;

    /** The name of the cookie a {@code Set-Cookie} value sets, or "" when it has none. */
    static String name(String setCookie) {
        int eq = setCookie.indexOf('=');
        return (eq < 0 ? "" : setCookie.substring(0, eq)).trim();
    }

    /**
     * Expires the denied trackers' cookies that the request carries, on the host and on each parent
     * domain: analytics cookies are set on the registrable domain ({@code .example.nl}), which only a
     * {@code Domain} attribute can reach; browsers ignore the attempt on a public suffix.
     */
    void expire(HttpServletRequest request, HttpServletResponse response, Decisions decisions) {
        for (String expiry : expiries(request, decisions)) {
            response.addHeader("Set-Cookie", expiry);
        }
    }

    /** The {@code Set-Cookie} values that expire the denied trackers' cookies the request carries. */
    List<String> expiries(HttpServletRequest request, Decisions decisions) {
        Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return List.of();
        }
        Set<String> names = new LinkedHashSet<>();
        for (Cookie c : cookies) {
            if (denied(c.getName(), decisions)) {
                names.add(c.getName());
            }
        }
        if (names.isEmpty()) {
            return List.of();
        }
        List<String> domains = parentDomains(request.getServerName());
        boolean secure = request.isSecure();
        List<String> expiries = new java.util.ArrayList<>();
        int room = EXPIRY_ROOM;
        for (String name : names) {
            List<String> all = new java.util.ArrayList<>();
            all.add(expiry(name, null, secure));
            for (String domain : domains) {
                all.add(expiry(name, domain, secure));
            }
            int size = all.stream().mapToInt(e -> e.length() + 14).sum();
            if (size <= room) {
                room -= size;
                expiries.addAll(all);
            }
        }
        return expiries;
    }

    private static String expiry(String name, String domain, boolean secure) {
        return name + "=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
                + (domain == null ? "" : "; Domain=" + domain) + (secure ? "; Secure" : "");
    }

    /** {@code www.shop.example.nl} → {@code shop.example.nl}, {@code example.nl}; nothing for an IP or a single label. */
    static List<String> parentDomains(String host) {
        if (host == null || host.indexOf('.') < 0 || host.indexOf(':') >= 0 || host.matches("[0-9.]+")) {
            return List.of();
        }
        String[] labels = host.toLowerCase(java.util.Locale.ROOT).split("\\.");
        java.util.ArrayList<String> domains = new java.util.ArrayList<>();
        for (int i = 0; i + 2 <= labels.length; i++) {
            domains.add(String.join(".", java.util.Arrays.copyOfRange(labels, i, labels.length)));
        }
        return domains;
    }
}
