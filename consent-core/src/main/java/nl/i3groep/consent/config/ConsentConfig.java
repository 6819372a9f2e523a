package nl.i3groep.consent.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import nl.i3groep.consent.Purpose;
import nl.i3groep.consent.ThirdParty;
import nl.i3groep.consent.Tracker;
import nl.i3groep.consent.cookie.SigningKey;

/**
 * A site's consent configuration: the JSON file of the contract, read, checked and resolved.
 * Secrets are resolved ({@code env:}, {@code base64:}) and built-in trackers are completed from the
 * catalogue, so a {@code ConsentConfig} is ready to use and never half-valid.
 *
 * <p>Read one with {@link #load(String)} (a {@code classpath:} resource or a file) or
 * {@link #parse(String)}. Every problem fails with a {@link ConfigException} naming the field.
 *
 * @param policyVersion           the privacy statement in force; a consent under another is stale
 *                                when {@code reconsentOnPolicyChange}
 * @param reconsentOnPolicyChange ask again after a change of {@code policyVersion}
 * @param consentMaxAge           how long a decision holds (cookie {@code Max-Age} and server-side expiry)
 * @param cookie                  the consent cookie's attributes
 * @param signingKeys             HMAC keys; the first signs, all verify
 * @param gpc                     whether {@code Sec-GPC: 1} denies purposes that GPC objects to
 * @param csp                     whether the filter sends its fetch policy (Content-Security-Policy),
 *                                and whether browsers enforce it or only report it
 * @param endpointPath            where the consent endpoint is served
 * @param banner                  the consent banner
 * @param purposes                every purpose of the site: {@code necessary}, {@code analytics},
 *                                {@code marketing} and those the site adds
 * @param trackers                the trackers active on the site, in configuration order
 * @param thirdParties            the other parties' hosts the site's pages use for their own sake
 * @param undeclared              what the rewriter does with a script, frame or pixel of a host nobody
 *                                declared: reports it, or also holds it back
 * @param report                  who may read the report of undeclared hosts
 * @param ledger                  where decisions are recorded
 */
public record ConsentConfig(
        String policyVersion,
        boolean reconsentOnPolicyChange,
        Duration consentMaxAge,
        CookieSettings cookie,
        List<SigningKey> signingKeys,
        GpcMode gpc,
        CspMode csp,
        String endpointPath,
        BannerSettings banner,
        List<Purpose> purposes,
        List<Tracker> trackers,
        List<ThirdParty> thirdParties,
        UndeclaredMode undeclared,
        ReportSettings report,
        LedgerSettings ledger) {

    public ConsentConfig {
        Objects.requireNonNull(policyVersion, "policyVersion");
        Objects.requireNonNull(consentMaxAge, "consentMaxAge");
        Objects.requireNonNull(cookie, "cookie");
        signingKeys = List.copyOf(signingKeys);
        if (signingKeys.isEmpty()) {
            throw new IllegalArgumentException("at least one signing key is needed");
        }
        Objects.requireNonNull(gpc, "gpc");
        Objects.requireNonNull(csp, "csp");
        Objects.requireNonNull(endpointPath, "endpointPath");
        Objects.requireNonNull(banner, "banner");
        purposes = List.copyOf(purposes);
        trackers = List.copyOf(trackers);
        for (Tracker t : trackers) {
            if (!purposes.contains(t.purpose())) {
                throw new IllegalArgumentException("tracker " + t.id() + " has a purpose the site lacks: "
                        + t.purpose().id());
            }
        }
        thirdParties = List.copyOf(thirdParties);
        for (ThirdParty p : thirdParties) {
            if (!purposes.contains(p.purpose())) {
                throw new IllegalArgumentException("third party " + p.host() + " has a purpose the site lacks: "
                        + p.purpose().id());
            }
        }
        Objects.requireNonNull(undeclared, "undeclared");
        Objects.requireNonNull(report, "report");
        Objects.requireNonNull(ledger, "ledger");
    }

    /**
     * Reads the configuration at {@code location}: {@code classpath:consent.json} (from the context
     * class loader) or a file system path. {@code env:} secrets come from the process environment.
     *
     * @throws ConfigException when it cannot be read or is wrong; the message names the field
     */
    public static ConsentConfig load(String location) {
        Objects.requireNonNull(location, "location");
        return parse(read(location), System.getenv());
    }

    /** {@link #parse(String, Map)} with {@code env:} secrets from the process environment. */
    public static ConsentConfig parse(String json) {
        return parse(json, System.getenv());
    }

    /**
     * Reads the configuration from JSON text.
     *
     * @param environment where {@code env:NAME} secrets are looked up
     * @throws ConfigException when it is wrong; the message names the field
     */
    public static ConsentConfig parse(String json, Map<String, String> environment) {
        return new ConfigReader(environment).read(json);
    }

    /** The purpose with this id, if the site has it. */
    public Optional<Purpose> purpose(String id) {
        return purposes.stream().filter(p -> p.id().equals(id)).findFirst();
    }

    /** The active tracker with this id, if any. */
    public Optional<Tracker> tracker(String id) {
        return trackers.stream().filter(t -> t.id().equals(id)).findFirst();
    }

    private static String read(String location) {
        String resource = location.startsWith("classpath:") ? location.substring("classpath:".length()) : null;
        try {
            if (resource != null) {
                String name = resource.startsWith("/") ? resource.substring(1) : resource;
                ClassLoader context = Thread.currentThread().getContextClassLoader();
                InputStream found = context == null ? null : context.getResourceAsStream(name);
                if (found == null) {
                    found = ConsentConfig.class.getClassLoader().getResourceAsStream(name);
                }
                if (found == null) {
                    throw new ConfigException("", "no such resource on the class path: " + location);
                }
                try (InputStream in = found) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            return Files.readString(Path.of(location), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("", "no such file: " + location, e);
        } catch (IOException e) {
            throw new ConfigException("", "cannot read " + location + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code Sec-GPC: 1} is obeyed. */
    public enum GpcMode { HONOR, IGNORE }

    /**
     * What the rewriter does with a script, frame or pixel on a host that is neither the site's, a
     * declared third party's nor a tracker's: {@code report} it (the report of undeclared hosts),
     * or {@code block} it too, as a denied tracker's.
     */
    public enum UndeclaredMode { REPORT, BLOCK }

    /** Whether the filter sends a Content-Security-Policy. */
    public enum CspMode { OFF, REPORT_ONLY, ENFORCE }

    /** When the consent cookie gets {@code Secure}. */
    public enum Secure { AUTO, ALWAYS }

    /** The consent cookie's {@code SameSite}. */
    public enum SameSite {
        LAX("Lax"), STRICT("Strict"), NONE("None");

        private final String attribute;

        SameSite(String attribute) {
            this.attribute = attribute;
        }

        /** As written in {@code Set-Cookie}. */
        public String attribute() {
            return attribute;
        }
    }

    /** Where decisions are recorded. */
    public enum LedgerType { FILE, JDBC, MEMORY }

    /**
     * The consent cookie's attributes.
     *
     * @param name     cookie name, default {@code i3_consent}
     * @param secure   {@code auto}: on secure requests; {@code always}
     * @param sameSite default {@code Lax}
     * @param domain   the {@code Domain} attribute; empty for a host-only cookie
     */
    public record CookieSettings(String name, Secure secure, SameSite sameSite, Optional<String> domain) {
        public CookieSettings {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(secure, "secure");
            Objects.requireNonNull(sameSite, "sameSite");
            Objects.requireNonNull(domain, "domain");
        }
    }

    /**
     * The consent banner.
     *
     * @param enabled          whether the filter inserts it while the visitor has not decided
     * @param defaultLanguage  {@code nl} or {@code en}, for visitors whose language is neither
     * @param privacyPolicyUrl where the privacy statement is
     * @param texts            per language, texts that replace the built-in ones by key
     * @param settingsControl  whether a decided page gets the banner's own "cookie settings" control,
     *                         at its end, where the page has no {@code data-consent-settings} element
     *                         of its own: the visitor can always withdraw
     */
    public record BannerSettings(boolean enabled, String defaultLanguage, Optional<String> privacyPolicyUrl,
            Map<String, Map<String, String>> texts, boolean settingsControl) {
        public BannerSettings {
            Objects.requireNonNull(defaultLanguage, "defaultLanguage");
            Objects.requireNonNull(privacyPolicyUrl, "privacyPolicyUrl");
            texts = Map.copyOf(texts);
        }
    }

    /**
     * Who may read the report of undeclared hosts at the operator endpoint.
     *
     * @param secret the bearer token that opens it; none: the endpoint is off
     */
    public record ReportSettings(Optional<String> secret) {
        public ReportSettings {
            Objects.requireNonNull(secret, "secret");
        }

        /** Whether {@code token} is the secret, compared in constant time; false when there is none. */
        public boolean opens(String token) {
            return secret.isPresent() && token != null && java.security.MessageDigest.isEqual(
                    secret.get().getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
        }

        /** Never shows the secret. */
        @Override
        public String toString() {
            return "ReportSettings[secret=" + secret.map(s -> "(set)").orElse("(none)") + "]";
        }
    }

    /**
     * Where decisions are recorded.
     *
     * @param type      {@code file}, {@code jdbc} or {@code memory}
     * @param path      the directory of a {@code file} ledger
     * @param url       the JDBC URL of a {@code jdbc} ledger
     * @param user      the JDBC user
     * @param password  the JDBC password
     * @param retention how long records are kept, default two years
     * @param keys      the keys of the records' MAC chain, the first in use, the others older ones
     *                  still verified; required but for a {@code memory} ledger, which makes its own
     */
    public record LedgerSettings(LedgerType type, Optional<Path> path, Optional<String> url, Optional<String> user,
            Optional<String> password, Duration retention, List<SigningKey> keys) {
        public LedgerSettings {
            keys = List.copyOf(keys);
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(retention, "retention");
        }

        /** Never shows the password. */
        @Override
        public String toString() {
            return "LedgerSettings[type=" + type + ", path=" + path + ", url=" + url + ", user=" + user
                    + ", password=" + password.map(p -> "(set)").orElse("(none)") + ", retention=" + retention
                    + ", keys=" + keys + "]";
        }
    }
}
