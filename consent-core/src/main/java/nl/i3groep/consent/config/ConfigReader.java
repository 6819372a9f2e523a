package nl.i3groep.consent.config;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import nl.i3groep.consent.CookiePattern;
import nl.i3groep.consent.Purpose;
import nl.i3groep.consent.ThirdParty;
import nl.i3groep.consent.Tracker;
import nl.i3groep.consent.config.ConsentConfig.BannerSettings;
import nl.i3groep.consent.config.ConsentConfig.CookieSettings;
import nl.i3groep.consent.config.ConsentConfig.CspMode;
import nl.i3groep.consent.config.ConsentConfig.GpcMode;
import nl.i3groep.consent.config.ConsentConfig.LedgerSettings;
import nl.i3groep.consent.config.ConsentConfig.LedgerType;
import nl.i3groep.consent.config.ConsentConfig.SameSite;
import nl.i3groep.consent.config.ConsentConfig.Secure;
import nl.i3groep.consent.cookie.SigningKey;

/**
 * Reads the configuration JSON into a {@link ConsentConfig}. Strict on purpose: an unknown field is
 * an error (a misspelt {@code "gpc"} must not silently fall back to a default), and so is a
 * duplicate key. Comments ({@code //} and {@code /* *}{@code /}) are allowed, so that a
 * configuration can say why it is as it is.
 */
final class ConfigReader {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .build();
    private static final Pattern POLICY_VERSION = Pattern.compile("[\\x21-\\x7e]{1,64}");
    private static final Pattern COOKIE_NAME = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]{1,64}");
    private static final Pattern DOMAIN = Pattern.compile("\\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+");
    private static final Pattern HOST_RULE =
            Pattern.compile("(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(/[\\x21-\\x7e]*)?");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final int MAX_AGE_DAYS = 730;

    /** Only looked up, never copied: it may be a view of a larger environment (Spring's) that cannot list itself. */
    private final Map<String, String> environment;
    /** Where the fields asked for are noted, as paths with {@code *} for a map's key; null: nowhere. */
    private final Set<String> asked;

    ConfigReader(Map<String, String> environment) {
        this(environment, null);
    }

    /** A reader that notes in {@code asked} every field it looks for: what the schema must describe. */
    ConfigReader(Map<String, String> environment, Set<String> asked) {
        this.environment = Objects.requireNonNull(environment, "environment");
        this.asked = asked;
    }

    ConsentConfig read(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw malformed(e);
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException("", "must be a JSON object");
        }
        Obj top = new Obj((ObjectNode) root, "", "", asked);
        // where an editor finds the JSON Schema; nothing to the reader
        top.string("$schema");
        String policyVersion = top.string("policyVersion").orElseThrow(() -> top.missing("policyVersion"));
        if (!POLICY_VERSION.matcher(policyVersion).matches()) {
            throw top.error("policyVersion", "must be 1 to 64 printable ASCII characters without spaces");
        }
        boolean reconsent = top.bool("reconsentOnPolicyChange").orElse(true);
        int maxAgeDays = top.integer("consentMaxAgeDays", 1, MAX_AGE_DAYS).orElse(365);
        CookieSettings cookie = cookie(top.object("cookie"), top.path("cookie"));
        List<SigningKey> keys = signingKeys(top);
        GpcMode gpc = top.choice("gpc", GpcMode.class).orElse(GpcMode.HONOR);
        // reported, not enforced, until the site has read what its pages fetch and declared it
        CspMode csp = top.choice("csp", CspMode.class).orElse(CspMode.REPORT_ONLY);
        String endpoint = top.string("endpointPath").orElse("/consent");
        if (!endpoint.matches("/[A-Za-z0-9._~/-]*") || endpoint.contains("//")) {
            throw top.error("endpointPath", "must be an absolute path such as /consent");
        }
        BannerSettings banner = banner(top.object("banner"));
        List<Purpose> purposes = purposes(top.object("purposes"));
        List<Tracker> trackers = trackers(top, purposes);
        List<ThirdParty> thirdParties = thirdParties(top.object("thirdParties"), purposes, trackers);
        ConsentConfig.UndeclaredMode undeclared = top.choice("undeclared", ConsentConfig.UndeclaredMode.class)
                .orElse(ConsentConfig.UndeclaredMode.REPORT);
        ConsentConfig.ReportSettings report = report(top.object("report"));
        LedgerSettings ledger = ledger(top.object("ledger"));
        top.finish();
        return new ConsentConfig(policyVersion, reconsent, Duration.ofDays(maxAgeDays), cookie, keys, gpc, csp,
                endpoint, banner, purposes, trackers, thirdParties, undeclared, report, ledger);
    }

    private static CookieSettings cookie(Optional<Obj> block, String path) {
        if (block.isEmpty()) {
            return new CookieSettings("i3_consent", Secure.AUTO, SameSite.LAX, Optional.empty());
        }
        Obj c = block.get();
        String name = c.string("name").orElse("i3_consent");
        if (!COOKIE_NAME.matcher(name).matches()) {
            throw c.error("name", "not a valid cookie name");
        }
        Secure secure = c.choice("secure", Secure.class).orElse(Secure.AUTO);
        SameSite sameSite = c.choice("sameSite", SameSite.class).orElse(SameSite.LAX);
        if (sameSite == SameSite.NONE && secure != Secure.ALWAYS) {
            throw c.error("sameSite", "None requires \"secure\": \"always\" (browsers drop it otherwise)");
        }
        Optional<String> domain = c.string("domain").map(d -> d.toLowerCase(Locale.ROOT));
        if (domain.isPresent() && !DOMAIN.matcher(domain.get()).matches()) {
            throw c.error("domain", "not a domain name: " + domain.get());
        }
        c.finish();
        return new CookieSettings(name, secure, sameSite, domain);
    }

    private List<SigningKey> signingKeys(Obj top) {
        return keys(top, "signingKeys");
    }

    /** A list of {@code {"id": …, "secret": …}}, the first the one in use. */
    private List<SigningKey> keys(Obj parent, String field) {
        List<Obj> entries = parent.objects(field).orElseThrow(() -> parent.missing(field));
        if (entries.isEmpty()) {
            throw parent.error(field, "at least one key is needed");
        }
        List<SigningKey> keys = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        for (Obj k : entries) {
            String id = k.string("id").orElseThrow(() -> k.missing("id"));
            if (!id.matches("[A-Za-z0-9_-]{1,16}")) {
                throw k.error("id", "must be 1 to 16 characters of [A-Za-z0-9_-]");
            }
            if (!ids.add(id)) {
                throw k.error("id", "another key already has the id " + id);
            }
            byte[] secret = secret(k, k.string("secret").orElseThrow(() -> k.missing("secret")));
            if (secret.length < SigningKey.MIN_SECRET_BYTES) {
                throw k.error("secret", "is " + secret.length + " bytes; at least " + SigningKey.MIN_SECRET_BYTES
                        + " are needed");
            }
            k.finish();
            keys.add(new SigningKey(id, secret));
        }
        return keys;
    }

    /** {@code base64:…} inline, or {@code env:NAME} whose value is {@code base64:…} or the raw secret. */
    private byte[] secret(Obj k, String spec) {
        if (spec.startsWith("env:")) {
            String name = spec.substring(4);
            if (!ENV_NAME.matcher(name).matches()) {
                throw k.error("secret", "not an environment variable name: " + name);
            }
            String value = environment.get(name);
            if (value == null || value.isEmpty()) {
                throw k.error("secret", "the environment variable " + name + " is not set");
            }
            return value.startsWith("base64:") ? base64(k, value.substring(7), "the value of " + name)
                    : value.getBytes(StandardCharsets.UTF_8);
        }
        if (spec.startsWith("base64:")) {
            return base64(k, spec.substring(7), "the value");
        }
        // the secret itself is never echoed into the message
        throw k.error("secret", "must be \"env:NAME\" or \"base64:…\"");
    }

    private static byte[] base64(Obj k, String text, String what) {
        try {
            return Base64.getDecoder().decode(text.trim());
        } catch (IllegalArgumentException e) {
            try {
                return Base64.getUrlDecoder().decode(text.trim());
            } catch (IllegalArgumentException e2) {
                throw k.error("secret", what + " is not base64");
            }
        }
    }

    private static BannerSettings banner(Optional<Obj> block) {
        if (block.isEmpty()) {
            return new BannerSettings(true, "nl", Optional.empty(), Map.of(), true);
        }
        Obj b = block.get();
        boolean enabled = b.bool("enabled").orElse(true);
        String language = b.string("defaultLanguage").orElse("nl");
        if (!language.equals("nl") && !language.equals("en")) {
            throw b.error("defaultLanguage", "must be \"nl\" or \"en\"");
        }
        Optional<String> policyUrl = b.string("privacyPolicyUrl");
        if (policyUrl.isPresent() && !policyUrl.get().matches("(https?://|/)[^\\s\"'<>]*")) {
            throw b.error("privacyPolicyUrl", "must be an absolute path or an http(s) URL");
        }
        Map<String, Map<String, String>> texts = new LinkedHashMap<>();
        b.object("texts").ifPresent(t -> {
            for (String lang : t.fieldNames()) {
                if (!lang.equals("nl") && !lang.equals("en")) {
                    throw t.error(lang, "texts exist for \"nl\" and \"en\" only");
                }
                Obj perLanguage = t.object(lang).orElseThrow();
                Map<String, String> byKey = new LinkedHashMap<>();
                for (String key : perLanguage.fieldNames()) {
                    byKey.put(key, perLanguage.string(key).orElseThrow(() -> perLanguage.error(key, "must be a string")));
                }
                texts.put(lang, Map.copyOf(byKey));
            }
        });
        boolean control = b.bool("settingsControl").orElse(true);
        b.finish();
        return new BannerSettings(enabled, language, policyUrl, texts, control);
    }

    private static List<Purpose> purposes(Optional<Obj> block) {
        List<Purpose> purposes = new ArrayList<>(List.of(Purpose.NECESSARY, Purpose.ANALYTICS, Purpose.MARKETING));
        block.ifPresent(p -> {
            for (String id : p.fieldNames()) {
                if (purposes.stream().anyMatch(known -> known.id().equals(id))) {
                    throw p.error(id, "is a built-in purpose and cannot be redefined");
                }
                if (!id.matches("[a-z][a-z0-9-]{0,31}")) {
                    throw p.error(id, "a purpose id is 1 to 32 characters of [a-z0-9-], starting with a letter");
                }
                Obj def = p.object(id).orElseThrow();
                boolean gpc = def.bool("deniedByGpc").orElse(false);
                def.finish();
                purposes.add(new Purpose(id, false, gpc));
            }
        });
        return List.copyOf(purposes);
    }

    private static List<Tracker> trackers(Obj top, List<Purpose> purposes) {
        Obj block = top.object("trackers").orElseThrow(() -> top.missing("trackers"));
        List<Tracker> trackers = new ArrayList<>();
        for (String id : block.fieldNames()) {
            Obj t = block.object(id).orElseThrow();
            Optional<BuiltInTracker> builtIn = BuiltInTracker.byId(id);
            trackers.add(builtIn.isPresent() ? builtIn(t, id, builtIn.get(), purposes) : custom(t, id, purposes));
            t.finish();
        }
        return trackers;
    }

    private static Tracker builtIn(Obj t, String id, BuiltInTracker def, List<Purpose> purposes) {
        Optional<String> account = Optional.empty();
        if (def.accountField != null) {
            String value = t.string(def.accountField).orElseThrow(() -> t.missing(def.accountField));
            if (!def.accountPattern.matcher(value).matches()) {
                throw t.error(def.accountField, "\"" + value + "\" is not a " + def.vendor + " id (expected "
                        + def.accountPattern + ")");
            }
            account = Optional.of(value);
        }
        Purpose purpose = def.purpose;
        if (purpose == null) {
            purpose = purpose(t, purposes).orElseThrow(() -> t.error("purpose", def.embed()
                    ? "required: name the purpose under which visitors allow " + def.vendor + " (a site's own, such as \"media\")"
                    : "required: " + def.vendor + " may load any tag, so name the purpose that governs it"));
        } else if (t.has("purpose")) {
            throw t.error("purpose", "the purpose of " + id + " is fixed (" + def.purpose.id() + ")");
        }
        boolean replace = t.bool("replaceDefaults").orElse(false);
        String acc = account.orElse("");
        Function<String, String> fill = s -> s.replace("{id}", acc);
        List<String> hosts = merge(replace ? List.of() : def.hosts, hosts(t));
        List<String> markers = merge(replace ? List.of() : def.markers.stream().map(fill).toList(), markers(t));
        List<CookiePattern> cookies = merge(replace ? List.of() : def.cookies, cookieNames(t)).stream()
                .map(CookiePattern::new).toList();
        String snippet = t.string("snippet").orElse(def.snippet.isEmpty() ? "" : def.snippet(acc));
        boolean inject = t.bool("inject").orElse(!snippet.isEmpty());
        return new Tracker(id, t.string("vendor").orElse(def.vendor), t.string("company").orElse(def.company()), purpose,
                account, hosts, markers, cookies, snippet, inject, t.bool("embed").orElse(def.embed()));
    }

    /**
     * {@code "thirdParties": {"cdn.example-cdn.net": {"purpose": "necessary", "for": "images"}}}, a
     * key being a host, {@code *.} and a host, or either with a path prefix
     * ({@code www.google.com/recaptcha/}). A party may not span what a tracker (configured, or of
     * the catalogue) loads from: the visitor's decision on the tracker would then not count.
     */
    private static List<ThirdParty> thirdParties(Optional<Obj> block, List<Purpose> purposes, List<Tracker> trackers) {
        if (block.isEmpty()) {
            return List.of();
        }
        Obj all = block.get();
        List<ThirdParty> parties = new ArrayList<>();
        for (String key : all.fieldNames()) {
            Obj p = all.object(key).orElseThrow();
            int slash = key.indexOf('/');
            String host = slash < 0 ? key : key.substring(0, slash);
            String path = slash < 0 ? "" : key.substring(slash);
            if (!ThirdParty.HOST.matcher(host).matches() || !path.isEmpty() && !ThirdParty.PATH.matcher(path).matches()) {
                throw all.error(key, "not a host (lower case, such as cdn.example.net or *.example.net), with or without"
                        + " a path prefix that ends in / (www.google.com/recaptcha/)");
            }
            if (!p.has("purpose")) {
                throw p.missing("purpose");
            }
            Purpose purpose = purpose(p, purposes).orElseThrow();
            String use = p.string("for").orElseThrow(() -> p.missing("for"));
            if (use.isBlank() || use.length() > 100 || use.chars().anyMatch(c -> c < 0x20)) {
                throw p.error("for", "say in 1 to 100 characters what the pages fetch from it, such as \"images\"");
            }
            String owner = trackerOf(host, path, trackers);
            if (owner != null) {
                throw all.error(key, "spans what the tracker " + owner + " loads from, which the visitor's consent to it"
                        + " governs; declare a path prefix beside it, or nothing");
            }
            p.finish();
            parties.add(new ThirdParty(host, path, purpose, use.strip()));
        }
        return List.copyOf(parties);
    }

    /**
     * The id of a tracker (configured, or of the catalogue) of which a party on {@code host} and
     * {@code path} would let the browser load something; else null.
     */
    private static String trackerOf(String host, String path, List<Tracker> trackers) {
        Map<String, List<String>> rules = new LinkedHashMap<>();
        for (Tracker t : trackers) {
            rules.put(t.id(), t.hosts());
        }
        for (TrackerCatalogue.Entry e : TrackerCatalogue.entries()) {
            rules.putIfAbsent(e.id(), e.hosts());
        }
        for (Map.Entry<String, List<String>> e : rules.entrySet()) {
            for (String rule : e.getValue()) {
                int slash = rule.indexOf('/');
                String ruleHost = (slash < 0 ? rule : rule.substring(0, slash)).toLowerCase(Locale.ROOT);
                String rulePath = slash < 0 ? "" : rule.substring(slash).replaceAll("[?#].*", "");
                boolean paths = path.startsWith(rulePath) || rulePath.startsWith(path);
                if (paths && hostsMeet(host, ruleHost)) {
                    return e.getKey();
                }
            }
        }
        return null;
    }

    /**
     * Whether some host is both under {@code a} and under {@code b} ({@code *.}, and a rule's any
     * country domain {@code .*}).
     */
    private static boolean hostsMeet(String a, String b) {
        if (b.endsWith(".*")) { // www.google.*: any of www.google.<tld>
            String stem = b.substring(0, b.length() - 1);
            String base = a.startsWith("*.") ? a.substring(2) : a;
            if (base.startsWith(stem)) {
                return true;
            }
            // *.google.de spans www.google.de: a wildcard on the stem's later labels and a country domain
            for (int dot = stem.indexOf('.'); a.startsWith("*.") && dot >= 0 && dot < stem.length() - 1;
                    dot = stem.indexOf('.', dot + 1)) {
                if (base.startsWith(stem.substring(dot + 1))) {
                    return true;
                }
            }
            return false;
        }
        String x = a.startsWith("*.") ? a.substring(2) : a;
        String y = b.startsWith("*.") ? b.substring(2) : b;
        return x.equals(y) || a.startsWith("*.") && y.endsWith("." + x) || b.startsWith("*.") && x.endsWith("." + y);
    }

    private static Tracker custom(Obj t, String id, List<Purpose> purposes) {
        if (!t.has("purpose")) {
            throw new ConfigException(t.path, "unknown tracker; built-in trackers are "
                    + String.join(", ", BuiltInTracker.ids()) + "; a custom tracker must declare \"purpose\"");
        }
        if (!id.matches("[a-z][a-z0-9-]{0,31}")) {
            throw new ConfigException(t.path, "a tracker id is 1 to 32 characters of [a-z0-9-], starting with a letter");
        }
        Purpose purpose = purpose(t, purposes).orElseThrow();
        String snippet = t.string("snippet").orElse("");
        boolean inject = t.bool("inject").orElse(!snippet.isEmpty());
        List<CookiePattern> cookies = cookieNames(t).stream().map(CookiePattern::new).toList();
        String vendor = t.string("vendor").orElse(id);
        return new Tracker(id, vendor, t.string("company").orElse(vendor), purpose, Optional.empty(), hosts(t),
                markers(t), cookies, snippet, inject, t.bool("embed").orElse(false));
    }

    private static Optional<Purpose> purpose(Obj t, List<Purpose> purposes) {
        return t.string("purpose").map(p -> purposes.stream().filter(known -> known.id().equals(p)).findFirst()
                .orElseThrow(() -> t.error("purpose", "unknown purpose \"" + p + "\"; known: "
                        + String.join(", ", purposes.stream().map(Purpose::id).toList()))));
    }

    private static List<String> hosts(Obj t) {
        List<String> hosts = t.strings("hosts").orElse(List.of());
        List<String> normalised = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            String rule = hosts.get(i).trim();
            int slash = rule.indexOf('/');
            String host = (slash < 0 ? rule : rule.substring(0, slash)).toLowerCase(Locale.ROOT);
            String normal = slash < 0 ? host : host + rule.substring(slash);
            if (!HOST_RULE.matcher(normal).matches()) {
                throw t.error("hosts[" + i + "]", "not a host, *.host or host/path: " + hosts.get(i));
            }
            normalised.add(normal);
        }
        return normalised;
    }

    private static List<String> markers(Obj t) {
        List<String> markers = t.strings("inlineMarkers").orElse(List.of());
        for (int i = 0; i < markers.size(); i++) {
            // short markers would match ordinary scripts and block them
            if (markers.get(i).strip().length() < 4) {
                throw t.error("inlineMarkers[" + i + "]", "a marker needs at least 4 characters");
            }
        }
        return markers;
    }

    private static List<String> cookieNames(Obj t) {
        List<String> names = t.strings("cookies").orElse(List.of());
        for (int i = 0; i < names.size(); i++) {
            try {
                new CookiePattern(names.get(i));
            } catch (IllegalArgumentException e) {
                throw t.error("cookies[" + i + "]", "not a cookie name or glob: " + names.get(i));
            }
            if (names.get(i).chars().allMatch(c -> c == '*')) {
                throw t.error("cookies[" + i + "]", "a glob of stars alone would match every cookie");
            }
        }
        return names;
    }

    private static <T> List<T> merge(List<T> defaults, List<T> added) {
        LinkedHashSet<T> all = new LinkedHashSet<>(defaults);
        all.addAll(added);
        return List.copyOf(all);
    }

    /** {@code "report": {"secret": "env:NAME"}}: the variable holds the bearer token, at least 24 characters. */
    private ConsentConfig.ReportSettings report(Optional<Obj> block) {
        if (block.isEmpty()) {
            return new ConsentConfig.ReportSettings(Optional.empty());
        }
        Obj r = block.get();
        String spec = r.string("secret").orElseThrow(() -> r.missing("secret"));
        if (!spec.startsWith("env:") || !ENV_NAME.matcher(spec.substring(4)).matches()) {
            // the secret itself is never echoed into the message
            throw r.error("secret", "must be \"env:NAME\": a token for the report does not belong in a file");
        }
        String value = environment.get(spec.substring(4));
        if (value == null || value.isEmpty()) {
            throw r.error("secret", "the environment variable " + spec.substring(4) + " is not set");
        }
        if (value.length() < 24 || value.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw r.error("secret", "the value of " + spec.substring(4) + " must be at least 24 printable ASCII"
                    + " characters without spaces");
        }
        r.finish();
        return new ConsentConfig.ReportSettings(Optional.of(value));
    }

    private LedgerSettings ledger(Optional<Obj> block) {
        // no block is a file ledger in ./consent-ledger, which still needs its keys
        Obj l = block.orElseGet(() -> new Obj(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(),
                "ledger", "ledger", null));
        LedgerType type = l.choice("type", LedgerType.class).orElse(LedgerType.FILE);
        Duration retention = Duration.ofDays(l.integer("retentionDays", 1, 36500).orElse(730));
        Optional<Path> path = Optional.empty();
        Optional<String> url = Optional.empty();
        Optional<String> user = Optional.empty();
        Optional<String> password = Optional.empty();
        switch (type) {
            case FILE -> {
                String p = l.string("path").orElse("consent-ledger");
                try {
                    path = Optional.of(Path.of(p));
                } catch (InvalidPathException e) {
                    throw l.error("path", "not a path: " + p);
                }
            }
            case JDBC -> {
                url = Optional.of(l.string("url").orElseThrow(() -> l.missing("url")));
                if (!url.get().startsWith("jdbc:")) {
                    throw l.error("url", "must be a jdbc: URL");
                }
                user = l.string("user");
                password = l.string("password").map(p -> {
                    if (!p.startsWith("env:")) {
                        return p;
                    }
                    String value = environment.get(p.substring(4));
                    if (value == null) {
                        throw l.error("password", "the environment variable " + p.substring(4) + " is not set");
                    }
                    return value;
                });
            }
            case MEMORY -> { }
        }
        // a chain under a key that dies with the process proves nothing: durable stores need theirs
        List<SigningKey> keys = type == LedgerType.MEMORY && l.get("keys").isEmpty() ? List.of() : keys(l, "keys");
        l.finish();
        return new LedgerSettings(type, path, url, user, password, retention, keys);
    }

    private static ConfigException malformed(JsonProcessingException e) {
        String path = "";
        if (e instanceof JsonParseException pe && pe.getProcessor() != null) {
            path = path(pe.getProcessor().getParsingContext());
        }
        String where = e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        return new ConfigException(path, "malformed JSON" + where + ": " + e.getOriginalMessage(), e);
    }

    private static String path(JsonStreamContext context) {
        StringBuilder path = new StringBuilder();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                path.insert(0, "[" + Math.max(c.getCurrentIndex(), 0) + "]");
            } else if (c.getCurrentName() != null) {
                path.insert(0, "." + c.getCurrentName());
            }
        }
        return path.length() > 0 && path.charAt(0) == '.' ? path.substring(1) : path.toString();
    }

    /** A JSON object being read: remembers which fields were asked for, so that the rest are errors. */
    private static final class Obj {
        final ObjectNode node;
        final String path;
        /** The path with {@code *} for the keys of maps and {@code []} for array elements. */
        private final String pattern;
        private final Set<String> asked;
        private final Set<String> known = new LinkedHashSet<>();
        /** Whether its fields are keys (tracker ids, hosts, languages) rather than names the reader knows. */
        private boolean map;

        Obj(ObjectNode node, String path, String pattern, Set<String> asked) {
            this.node = node;
            this.path = path;
            this.pattern = pattern;
            this.asked = asked;
        }

        private String pattern(String field) {
            return map ? pattern + ".*" : pattern.isEmpty() ? field : pattern + "." + field;
        }

        String path(String field) {
            return path.isEmpty() ? field : field.startsWith("[") ? path + field : path + "." + field;
        }

        ConfigException error(String field, String problem) {
            return new ConfigException(path(field), problem);
        }

        /** Required and absent; a field of the same name in another case is named as the unknown field it is. */
        ConfigException missing(String field) {
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (name.equalsIgnoreCase(field)) {
                    return error(name, "unknown field; did you mean \"" + field + "\"?");
                }
            }
            return error(field, "required");
        }

        boolean has(String field) {
            JsonNode v = node.get(field);
            return v != null && !v.isNull();
        }

        List<String> fieldNames() {
            map = true;
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            known.addAll(names);
            return names;
        }

        /** The value, absent when missing or JSON null. */
        private Optional<JsonNode> get(String field) {
            known.add(field);
            if (asked != null) {
                asked.add(pattern(field));
            }
            JsonNode v = node.get(field);
            return v == null || v.isNull() ? Optional.empty() : Optional.of(v);
        }

        Optional<String> string(String field) {
            return get(field).map(v -> {
                if (!v.isTextual()) {
                    throw error(field, "must be a string");
                }
                return v.textValue();
            });
        }

        Optional<Boolean> bool(String field) {
            return get(field).map(v -> {
                if (!v.isBoolean()) {
                    throw error(field, "must be true or false");
                }
                return v.booleanValue();
            });
        }

        Optional<Integer> integer(String field, int min, int max) {
            return get(field).map(v -> {
                if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min || v.intValue() > max) {
                    throw error(field, "must be a whole number from " + min + " to " + max);
                }
                return v.intValue();
            });
        }

        /** A string naming an enum constant: {@code report-only} for {@code REPORT_ONLY}, any case. */
        <E extends Enum<E>> Optional<E> choice(String field, Class<E> type) {
            return string(field).map(s -> {
                for (E e : type.getEnumConstants()) {
                    if (e.name().replace('_', '-').equalsIgnoreCase(s)) {
                        return e;
                    }
                }
                List<String> allowed = new ArrayList<>();
                for (E e : type.getEnumConstants()) {
                    allowed.add("\"" + e.name().replace('_', '-').toLowerCase(Locale.ROOT) + "\"");
                }
                throw error(field, "must be one of " + String.join(", ", allowed) + ", not \"" + s + "\"");
            });
        }

        Optional<Obj> object(String field) {
            return get(field).map(v -> {
                if (!v.isObject()) {
                    throw error(field, "must be an object");
                }
                return new Obj((ObjectNode) v, path(field), pattern(field), asked);
            });
        }

        Optional<List<Obj>> objects(String field) {
            return get(field).map(v -> {
                if (!v.isArray()) {
                    throw error(field, "must be an array");
                }
                List<Obj> list = new ArrayList<>();
                for (int i = 0; i < v.size(); i++) {
                    if (!v.get(i).isObject()) {
                        throw error(field + "[" + i + "]", "must be an object");
                    }
                    list.add(new Obj((ObjectNode) v.get(i), path(field) + "[" + i + "]", pattern(field) + "[]", asked));
                }
                return list;
            });
        }

        Optional<List<String>> strings(String field) {
            return get(field).map(v -> {
                if (!v.isArray()) {
                    throw error(field, "must be an array of strings");
                }
                List<String> list = new ArrayList<>();
                for (int i = 0; i < v.size(); i++) {
                    if (!v.get(i).isTextual()) {
                        throw error(field + "[" + i + "]", "must be a string");
                    }
                    list.add(v.get(i).textValue());
                }
                return list;
            });
        }

        /** Fails on the first field nobody asked for: it is misspelt or misplaced. */
        void finish() {
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (!known.contains(name)) {
                    Optional<String> meant = known.stream().filter(name::equalsIgnoreCase).findFirst();
                    if (meant.isPresent()) {
                        throw error(name, "unknown field; did you mean \"" + meant.get() + "\"?");
                    }
                    throw error(name, "unknown field" + (known.isEmpty() ? "" : "; known here: " + String.join(", ", known)));
                }
            }
        }
    }
}
