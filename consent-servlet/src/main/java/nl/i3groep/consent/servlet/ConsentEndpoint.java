package nl.i3groep.consent.servlet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import nl.i3groep.consent.ConsentState;
import nl.i3groep.consent.Decisions;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.ledger.ConsentLedger;
import nl.i3groep.consent.ledger.ConsentRecord;
import nl.i3groep.consent.ledger.ConsentRecord.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET}, {@code POST} and {@code DELETE} of the visitor's consent. Rules: a decision is
 * recorded in the ledger before it is answered or its cookie set (no consent without proof);
 * bad input changes nothing and gets a 4xx with a JSON message; nothing a visitor sends causes a
 * 500; a cross-site POST or DELETE is refused, so another site cannot decide for the visitor.
 */
final class ConsentEndpoint {

    static final int MAX_BODY = 8 * 1024;
    /** How much of a refused body is read to be thrown away, so that the refusal reaches the client. */
    static final int SWALLOW = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ConsentEndpoint.class);
    private static final AtomicBoolean PROXY_WARNED = new AtomicBoolean();
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Gatekeeper gatekeeper;
    private final ConsentConfig config;
    private final ConsentLedger ledger;
    private final TrackerCookies cookies;
    private final Banner banner;
    private final Meters meters;

    ConsentEndpoint(Gatekeeper gatekeeper, ConsentLedger ledger, TrackerCookies cookies, Banner banner, Meters meters) {
        this.gatekeeper = gatekeeper;
        this.config = gatekeeper.config();
        this.ledger = ledger;
        this.cookies = cookies;
        this.banner = banner;
        this.meters = meters;
    }

    void serve(HttpServletRequest request, HttpServletResponse response, Decisions current) throws IOException {
        response.setHeader("Cache-Control", "no-store");
        String method = request.getMethod().toUpperCase(Locale.ROOT);
        try {
            if (request.getRequestURI().endsWith(config.endpointPath() + "/banner")) {
                settings(request, response, method, current);
                return;
            }
            if (request.getRequestURI().endsWith(config.endpointPath() + "/records")) {
                records(request, response, method);
                return;
            }
            switch (method) {
                case "GET", "HEAD" -> answer(response, 200, current);
                case "POST" -> post(request, response, current);
                case "DELETE" -> delete(request, response);
                default -> {
                    response.setHeader("Allow", "GET, HEAD, POST, DELETE");
                    throw new BadRequest(405, "method " + method + " is not allowed here");
                }
            }
        } catch (BadRequest e) {
            discardBody(request, response);
            error(response, e.status, e.getMessage());
        }
    }

    /**
     * Reads what is left of a refused request's body, also of one refused as too large, up to
     * {@link #SWALLOW}. A connection closed with bytes of the client's unread is reset, and the answer
     * on its way may be lost with it (the client sees no answer at all); and Jetty closes a connection
     * whose request body was left unread, after it has sent the answer as if the connection stayed
     * open, so the client's next request on it fails. A body larger still is left, and the answer
     * says the connection closes.
     */
    static void discardBody(HttpServletRequest request, HttpServletResponse response) {
        try {
            if (request.getContentLengthLong() <= SWALLOW && drained(request.getInputStream()) <= SWALLOW) {
                return;
            }
        } catch (IOException | IllegalStateException e) {
            // unreadable, or taken as a reader: the connection cannot be trusted to carry another request
        }
        response.setHeader("Connection", "close");
    }

    /** Reads {@code in} to its end, or until more than {@link #SWALLOW} bytes; returns how many. */
    private static long drained(InputStream in) throws IOException {
        byte[] buffer = new byte[8192];
        long total = 0;
        for (int n; total <= SWALLOW && (n = in.read(buffer)) >= 0;) {
            total += n;
        }
        return total;
    }

    /**
     * What the ledger holds of the visitor, as its export: the records of their cookie's consent
     * id. Only with a genuine, unexpired cookie: the id is the visitor's, and nobody else's to ask for.
     */
    private void records(HttpServletRequest request, HttpServletResponse response, String method) throws IOException {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            response.setHeader("Allow", "GET, HEAD");
            throw new BadRequest(405, "method " + method + " is not allowed here");
        }
        String id = continuing(request).orElseThrow(() -> new BadRequest(403,
                "the records are shown to the visitor whose consent cookie names them; this request has no valid one"));
        String export;
        try {
            export = ledger.export(id);
        } catch (RuntimeException e) {
            meters.ledgerFailed("read");
            LOG.error("the ledger could not be read for a visitor's records; answered 503", e);
            throw new BadRequest(503, "the records could not be read; please try again");
        }
        byte[] bytes = export.getBytes(StandardCharsets.UTF_8);
        response.setStatus(200);
        response.setContentType("application/json;charset=UTF-8");
        response.setHeader("Content-Disposition", "attachment; filename=\"consent-history.json\"");
        response.setContentLength(bytes.length);
        if (method.equals("GET")) {
            response.getOutputStream().write(bytes);
        }
    }

    /** The banner's markup, closed, with the visitor's current choices: to reopen the settings on a decided page. */
    private void settings(HttpServletRequest request, HttpServletResponse response, String method, Decisions current)
            throws IOException {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            response.setHeader("Allow", "GET, HEAD");
            throw new BadRequest(405, "method " + method + " is not allowed here");
        }
        // page=1: the settings as a page of their own, for the banner's control without JavaScript
        // (back to the page it came from, by its Referer); else a fragment the script opens in place
        boolean page = "1".equals(parameter(request, "page"));
        String html = banner.markup(request.getContextPath() + config.endpointPath(),
                returnTo(request, parameter(request, "return")), request.getHeader("Accept-Language"), current, !page);
        if (page) {
            html = banner.page(html, request.getHeader("Accept-Language"));
            response.setHeader("Content-Security-Policy",
                    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
            response.setHeader("Cache-Control", "no-store");
        }
        byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
        response.setStatus(200);
        // the filter never inserts into it
        response.setContentType("text/html;charset=UTF-8");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    private void post(HttpServletRequest request, HttpServletResponse response, Decisions current) throws IOException {
        sameOrigin(request);
        byte[] body = body(request);
        // the header as sent: Jetty's getContentType() throws on a charset it does not know
        String type = GatedResponse.mime(request.getHeader("Content-Type"));
        boolean gpc = "1".equals(request.getHeader("Sec-GPC"));
        switch (type) {
            case "application/json" -> {
                Choice choice = json(body);
                ConsentState state = consent(request, choice.purposes, choice.trackers);
                answer(response, 200, decided(request, response, state, choice.source, gpc, notice(choice.notice)));
            }
            case "application/x-www-form-urlencoded" -> {
                Map<String, String[]> form = form(body);
                known(form.get("purpose"), "purpose", config.purposes().stream().map(p -> p.id()).toList());
                known(form.get("tracker"), "tracker", config.trackers().stream().map(t -> t.id()).toList());
                String action = one(form, "action");
                Optional<String> notice = notice(one(form, "notice"));
                if ("allow".equals(action)) {
                    // an embed's placeholder: "always allow" its purpose, the rest as the visitor has it
                    allow(request, response, form, current, gpc, notice);
                    return;
                }
                if ("once".equals(action)) {
                    once(request, response, form);
                    return;
                }
                Map<String, Boolean> purposes = new LinkedHashMap<>();
                for (var p : config.purposes()) {
                    if (!p.necessary()) {
                        purposes.put(p.id(), switch (action == null ? "" : action) {
                            case "accept-all" -> true;
                            case "reject-all" -> false;
                            case "save" -> contains(form.get("purpose"), p.id());
                            default -> throw new BadRequest(400, "action must be accept-all, reject-all, save, allow or once");
                        });
                    }
                }
                // a form with tracker switches (the banner's says so in "refine") saves each as shown;
                // without, its trackers follow their purposes
                Map<String, Boolean> trackers = new LinkedHashMap<>();
                if ("save".equals(action) && one(form, "refine") != null) {
                    for (var t : config.trackers()) {
                        if (!t.purpose().necessary()) {
                            trackers.put(t.id(), contains(form.get("tracker"), t.id()));
                        }
                    }
                }
                ConsentState state = consent(request, purposes, trackers);
                decided(request, response, state, Source.FORM, gpc, notice);
                response.setStatus(303);
                response.setHeader("Location", returnTo(request, one(form, "return")));
            }
            default -> throw new BadRequest(415,
                    "send application/json or application/x-www-form-urlencoded, not " + (type.isEmpty() ? "nothing" : type));
        }
    }

    /**
     * {@code action=allow&purpose=<id>}: the purpose granted, with its trackers also where the
     * visitor had switched one off; every other choice as the visitor's cookie holds it.
     */
    private void allow(HttpServletRequest request, HttpServletResponse response, Map<String, String[]> form,
            Decisions current, boolean gpc, Optional<String> notice) {
        String purpose = one(form, "purpose");
        var granted = config.purposes().stream().filter(p -> p.id().equals(purpose) && !p.necessary()).findFirst()
                .orElseThrow(() -> new BadRequest(400, "allow needs one purpose that may be refused, not " + purpose));
        Map<String, Boolean> purposes = new LinkedHashMap<>();
        Map<String, Boolean> trackers = new LinkedHashMap<>();
        var state = current.state();
        for (var p : config.purposes()) {
            if (!p.necessary()) {
                purposes.put(p.id(), p.equals(granted) || state.flatMap(st -> st.purpose(p.id())).orElse(false));
            }
        }
        for (var t : config.trackers()) {
            if (t.purpose().equals(granted)) {
                trackers.put(t.id(), true);
            } else if (!t.purpose().necessary()) {
                state.flatMap(st -> st.tracker(t.id())).ifPresent(choice -> trackers.put(t.id(), choice));
            }
        }
        decided(request, response, consent(request, purposes, trackers), Source.FORM, gpc, notice);
        response.setStatus(303);
        response.setHeader("Location", returnTo(request, one(form, "return")));
    }

    /** The cookie that carries an embed to load once to the next page. */
    static String onceCookie(ConsentConfig config) {
        return config.cookie().name() + "_once";
    }

    /**
     * {@code action=once&tracker=<id>}: an embed's placeholder, without JavaScript, loads its frame
     * this once: not a decision, so nothing is recorded; the page it comes back to loads it.
     */
    private void once(HttpServletRequest request, HttpServletResponse response, Map<String, String[]> form) {
        String tracker = one(form, "tracker");
        if (tracker == null || config.trackers().stream().noneMatch(t -> t.id().equals(tracker) && t.embed())) {
            throw new BadRequest(400, "once needs the id of one of the site's embeds, not " + tracker);
        }
        StringBuilder c = new StringBuilder(onceCookie(config)).append('=').append(tracker)
                .append("; Path=/; Max-Age=120; HttpOnly; SameSite=Lax");
        if (config.cookie().secure() == ConsentConfig.Secure.ALWAYS || request.isSecure()) {
            c.append("; Secure");
        }
        response.addHeader("Set-Cookie", c.toString());
        response.setStatus(303);
        response.setHeader("Location", returnTo(request, one(form, "return")));
    }

    private void delete(HttpServletRequest request, HttpServletResponse response) throws IOException {
        sameOrigin(request);
        boolean gpc = "1".equals(request.getHeader("Sec-GPC"));
        answer(response, 200, decided(request, response, gatekeeper.withdrawal(continuing(request)), Source.WITHDRAWAL,
                gpc, Optional.empty()));
    }

    /**
     * The visitor's consent id, kept by every decision of theirs: the one history the ledger holds
     * of them ({@link Gatekeeper#continuingId}).
     */
    private Optional<String> continuing(HttpServletRequest request) {
        return gatekeeper.continuingId(ConsentFilter.cookie(request, config.cookie().name()));
    }

    private ConsentState consent(HttpServletRequest request, Map<String, Boolean> purposes, Map<String, Boolean> trackers) {
        try {
            return gatekeeper.consent(purposes, trackers, continuing(request));
        } catch (IllegalArgumentException e) {
            throw new BadRequest(400, e.getMessage());
        }
    }

    /**
     * The notice a decision names: the banner's, now or as the ledger kept it from an earlier
     * configuration (a page served before a restart); none from the site's own code.
     */
    private Optional<String> notice(String hash) {
        if (hash == null || hash.isEmpty()) {
            return Optional.empty();
        }
        boolean known;
        try {
            Optional<nl.i3groep.consent.ledger.Notice> now = banner.shown(hash);
            // kept at start-up; again here, where that failed: no record names a notice the ledger lacks
            now.ifPresent(ledger::keep);
            known = now.isPresent() || (hash.length() <= 80 && ledger.notice(hash).isPresent());
        } catch (RuntimeException e) {
            meters.ledgerFailed("notice");
            LOG.error("cannot look up a notice; answered 503", e);
            throw new BadRequest(503, "the decision could not be recorded; nothing was changed, please try again");
        }
        if (!known) {
            throw new BadRequest(400, "notice " + (hash.length() > 80 ? hash.substring(0, 80) + "…" : hash)
                    + " is not one this site has shown; reload the page");
        }
        return Optional.of(hash);
    }

    /** Records the decision, then sets its cookie and expires what it now denies; answers what it now allows. */
    private Decisions decided(HttpServletRequest request, HttpServletResponse response, ConsentState state,
            Source source, boolean gpc, Optional<String> notice) {
        Decisions now = gatekeeper.decisionsFor(state, gpc);
        // the browser's signal overrode a grant: the record says that the denial came from GPC
        boolean gpcDenied = now.gpc() && state.purposes().entrySet().stream()
                .anyMatch(e -> e.getValue() && !now.allowsPurpose(e.getKey()));
        ConsentRecord recorded;
        try {
            recorded = ledger.append(ConsentRecord.of(state, gpcDenied ? Source.GPC : source, notice));
        } catch (RuntimeException e) {
            meters.ledgerFailed("append");
            LOG.error("consent not recorded; answered 503", e);
            throw new BadRequest(503, "the decision could not be recorded; nothing was changed, please try again");
        }
        meters.decision(recorded, now);
        response.addHeader("Set-Cookie", cookie(request, gatekeeper.cookieValue(state)));
        cookies.expire(request, response, now);
        return now;
    }

    private String cookie(HttpServletRequest request, String value) {
        ConsentConfig.CookieSettings c = config.cookie();
        StringBuilder s = new StringBuilder(c.name()).append('=').append(value)
                .append("; Path=/; Max-Age=").append(config.consentMaxAge().toSeconds()).append("; HttpOnly; SameSite=")
                .append(c.sameSite().attribute());
        c.domain().ifPresent(d -> s.append("; Domain=").append(d));
        if (c.secure() == ConsentConfig.Secure.ALWAYS || request.isSecure()) {
            s.append("; Secure");
        }
        return s.toString();
    }

    /** Refuses a POST or DELETE from another site: by Origin, else Sec-Fetch-Site, else Referer. */
    private static void sameOrigin(HttpServletRequest request) {
        String origin = request.getHeader("Origin");
        if (origin != null) {
            String own = ownOrigin(request);
            if (!origin.equalsIgnoreCase(own)) {
                if (origin.regionMatches(true, 0, "https:", 0, 6) && own.startsWith("http:")
                        && PROXY_WARNED.compareAndSet(false, true)) {
                    // every banner choice would be refused: the site is misconfigured, not the visitor
                    LOG.warn("refused a consent change from {} as cross-site: this request reached the container as {}."
                            + " Behind a TLS-terminating proxy, let the container take X-Forwarded-Proto and"
                            + " X-Forwarded-Host (Tomcat: RemoteIpValve; Jetty: ForwardedRequestCustomizer)", origin, own);
                }
                throw new BadRequest(403, "cross-site requests may not change consent");
            }
            return;
        }
        String site = request.getHeader("Sec-Fetch-Site");
        if (site != null) {
            if (!site.equalsIgnoreCase("same-origin") && !site.equalsIgnoreCase("none")) {
                throw new BadRequest(403, "cross-site requests may not change consent");
            }
            return;
        }
        String referer = request.getHeader("Referer");
        if (referer != null && !referer.toLowerCase(Locale.ROOT).startsWith(ownOrigin(request).toLowerCase(Locale.ROOT) + "/")
                && !referer.equalsIgnoreCase(ownOrigin(request))) {
            throw new BadRequest(403, "cross-site requests may not change consent");
        }
    }

    private static String ownOrigin(HttpServletRequest request) {
        String scheme = request.getScheme().toLowerCase(Locale.ROOT);
        int port = request.getServerPort();
        boolean defaultPort = port <= 0 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        return scheme + "://" + request.getServerName().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    }

    /** A query parameter, or null where the container cannot read the query (a bad encoding, a bad charset). */
    private static String parameter(HttpServletRequest request, String name) {
        try {
            return request.getParameter(name);
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    /** Where the form sends the visitor back: a path on this site, never elsewhere. */
    private static String returnTo(HttpServletRequest request, String requested) {
        String home = request.getContextPath().isEmpty() ? "/" : request.getContextPath() + "/";
        String candidate = requested;
        if (candidate == null) {
            String referer = request.getHeader("Referer");
            if (referer != null && referer.startsWith(ownOrigin(request) + "/")) {
                candidate = referer.substring(ownOrigin(request).length());
            }
        }
        if (candidate == null || !candidate.startsWith("/") || candidate.startsWith("//") || candidate.contains("\\")
                || candidate.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
            return home;
        }
        try {
            URI uri = new URI(candidate);
            return uri.getHost() == null && uri.getScheme() == null ? candidate : home;
        } catch (java.net.URISyntaxException e) {
            return home;
        }
    }

    private static byte[] body(HttpServletRequest request) throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > MAX_BODY) {
            throw new BadRequest(413, "the body may be at most " + MAX_BODY + " bytes");
        }
        try (InputStream in = request.getInputStream()) {
            byte[] body = in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                throw new BadRequest(413, "the body may be at most " + MAX_BODY + " bytes");
            }
            return body;
        }
    }

    private record Choice(Map<String, Boolean> purposes, Map<String, Boolean> trackers, Source source, String notice) {
    }

    private static Choice json(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new BadRequest(400, "malformed JSON: " + (e instanceof JsonProcessingException j ? j.getOriginalMessage()
                    : e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new BadRequest(400, "the body must be a JSON object such as {\"purposes\":{\"analytics\":true}}");
        }
        Map<String, Boolean> purposes = null;
        Map<String, Boolean> trackers = Map.of();
        Source source = Source.API;
        String notice = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            switch (field.getKey()) {
                case "purposes" -> purposes = choices("purposes", field.getValue());
                case "trackers" -> trackers = choices("trackers", field.getValue());
                case "source" -> source = switch (field.getValue().asText("")) {
                    case "banner" -> Source.BANNER;
                    case "api" -> Source.API;
                    default -> throw new BadRequest(400, "source must be \"banner\" or \"api\"");
                };
                case "notice" -> {
                    if (!field.getValue().isTextual()) {
                        throw new BadRequest(400, "notice must be the hash of the notice shown, a string");
                    }
                    notice = field.getValue().textValue();
                }
                default -> throw new BadRequest(400, "unknown field \"" + field.getKey() + "\"");
            }
        }
        if (purposes == null) {
            throw new BadRequest(400, "\"purposes\" is required, such as {\"analytics\":true,\"marketing\":false}");
        }
        return new Choice(purposes, trackers, source, notice);
    }

    private static Map<String, Boolean> choices(String field, JsonNode node) {
        if (!node.isObject()) {
            throw new BadRequest(400, "\"" + field + "\" must be an object of true/false");
        }
        Map<String, Boolean> choices = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isBoolean()) {
                throw new BadRequest(400, field + "." + e.getKey() + " must be true or false");
            }
            choices.put(e.getKey(), e.getValue().booleanValue());
        }
        return choices;
    }

    private static Map<String, String[]> form(byte[] body) {
        Map<String, String[]> form = new LinkedHashMap<>();
        String text = new String(body, StandardCharsets.ISO_8859_1);
        if (text.isEmpty()) {
            return form;
        }
        try {
            for (String pair : text.split("&")) {
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                form.merge(name, new String[] {value}, (a, b) -> {
                    String[] all = java.util.Arrays.copyOf(a, a.length + 1);
                    all[a.length] = b[0];
                    return all;
                });
            }
        } catch (IllegalArgumentException e) {
            throw new BadRequest(400, "malformed form body");
        }
        return form;
    }

    private static String one(Map<String, String[]> form, String name) {
        String[] v = form.get(name);
        return v == null || v.length == 0 ? null : v[0];
    }

    /** Refuses a form that names an id the site does not have, as the JSON body does. */
    private static void known(String[] values, String kind, List<String> ids) {
        if (values != null) {
            for (String v : values) {
                if (!ids.contains(v)) {
                    throw new BadRequest(400, "unknown " + kind + ": " + v);
                }
            }
        }
    }

    private static boolean contains(String[] values, String id) {
        if (values != null) {
            for (String v : values) {
                if (v.equals(id)) {
                    return true;
                }
            }
        }
        return false;
    }

    private void answer(HttpServletResponse response, int status, Decisions d) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("decided", d.decided());
        body.put("consentId", d.state().map(ConsentState::consentId).orElse(null));
        body.put("policyVersion", config.policyVersion());
        body.put("gpc", d.gpc());
        d.purposes().forEach(body.putObject("purposes")::put);
        d.trackers().forEach(body.putObject("trackers")::put);
        body.put("expiresAt", d.expiresAt().map(Object::toString).orElse(null));
        write(response, status, body);
    }

    /** {@code {"status": …, "error": "…"}}, as every refusal of the filter's endpoints answers. */
    static void error(HttpServletResponse response, int status, String message) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("status", status);
        body.put("error", message);
        write(response, status, body);
    }

    private static void write(HttpServletResponse response, int status, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    /** Bad input: answered with its status and message, and nothing changed. */
    private static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        BadRequest(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }
}
