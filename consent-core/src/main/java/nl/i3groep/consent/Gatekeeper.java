package nl.i3groep.consent;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.config.ConsentConfig.GpcMode;
import nl.i3groep.consent.cookie.ConsentCookieCodec;

/**
 * The entry point: decides, per request, which of the site's trackers may fire.
 *
 * <p>The rules it enforces:
 * <ul>
 *   <li>Deny unless granted. Every purpose but {@code necessary} is denied until the visitor grants it.</li>
 *   <li>A consent cookie that is absent, malformed, oversized, signed with an unknown key or
 *       tampered with counts as no decision. So does one older than {@code consentMaxAgeDays}, one
 *       dated in the future, and, when {@code reconsentOnPolicyChange}, one made under another
 *       policy version. None of these is an error.</li>
 *   <li>A tracker's own choice beats its purpose's; Global Privacy Control, when honoured, beats a
 *       grant of a purpose it objects to ({@code marketing}).</li>
 *   <li>A tracker the site did not configure is denied.</li>
 * </ul>
 *
 * <p>Thread-safe. Decoded cookies are cached (bounded), so a returning visitor costs one cache
 * lookup and no allocation.
 *
 * <pre>{@code
 * Gatekeeper gatekeeper = Gatekeeper.create(ConsentConfig.load("classpath:consent.json"));
 * Decisions decisions = gatekeeper.decide(cookieValue, "1".equals(secGpcHeader));
 * if (decisions.allows("google-analytics")) {
 *     // render the analytics tag
 * }
 * }</pre>
 */
public final class Gatekeeper {

    /** How far in the future a decision time may lie, for clocks of servers that disagree a little. */
    private static final long CLOCK_SKEW_MILLIS = Duration.ofMinutes(5).toMillis();

    private final Site site;
    private final ConsentConfig config;
    private final ConsentCookieCodec codec;
    private final Clock clock;
    private final Cache<String, Reading> readings;
    private final Function<String, Reading> reader = this::read;

    private Gatekeeper(Builder b) {
        this.config = b.config;
        this.site = new Site(b.config);
        this.codec = new ConsentCookieCodec(b.config.signingKeys());
        this.clock = b.clock;
        this.readings = Caffeine.newBuilder().maximumSize(b.cacheSize).build();
    }

    /** A gatekeeper for {@code config} with the system clock and default cache. */
    public static Gatekeeper create(ConsentConfig config) {
        return builder(config).build();
    }

    /** A builder for a gatekeeper with a chosen clock or cache size. */
    public static Builder builder(ConsentConfig config) {
        return new Builder(config);
    }

    /**
     * The decisions for a request.
     *
     * @param cookieValue the consent cookie's value, or {@code null} when the request has none
     * @param gpcSignal   whether the request carries {@code Sec-GPC: 1}
     */
    public Decisions decide(String cookieValue, boolean gpcSignal) {
        boolean gpc = gpcSignal && config.gpc() == GpcMode.HONOR;
        if (cookieValue == null || cookieValue.isEmpty() || cookieValue.length() > ConsentCookieCodec.MAX_VALUE_LENGTH) {
            return site.undecided(Reason.NO_DECISION, gpc);
        }
        Reading r = readings.get(cookieValue, reader);
        if (r.state == null) {
            return site.undecided(r.rejection, gpc);
        }
        if (clock.millis() >= r.expiresAtMillis) {
            return site.undecided(Reason.EXPIRED, gpc);
        }
        return gpc ? r.underGpc : r.plain;
    }

    /** The decisions that follow from a state just recorded, as {@link #decide} will give for its cookie. */
    public Decisions decisionsFor(ConsentState state, boolean gpcSignal) {
        return site.decided(state, gpcSignal && config.gpc() == GpcMode.HONOR);
    }

    /**
     * A new decision of the visitor, with a fresh consent id, now, under the current policy.
     * Every non-necessary purpose the visitor did not mention is recorded as refused.
     *
     * @param purposes per purpose id: granted or refused; {@code necessary} may only be {@code true}
     * @param trackers per tracker id: refinements
     * @throws IllegalArgumentException naming an unknown purpose or tracker, or a refusal of {@code necessary}
     */
    public ConsentState consent(Map<String, Boolean> purposes, Map<String, Boolean> trackers) {
        return consent(purposes, trackers, Optional.empty());
    }

    /**
     * A decision of the visitor under {@code consentId}, where the visitor has one
     * ({@link #continuingId}), so that a change, a withdrawal or a decision anew after a change of
     * the privacy statement continue the visitor's history in the ledger; else as
     * {@link #consent(Map, Map)}.
     */
    public ConsentState consent(Map<String, Boolean> purposes, Map<String, Boolean> trackers, Optional<String> consentId) {
        Map<String, Boolean> chosen = new LinkedHashMap<>();
        purposes.forEach((id, granted) -> {
            Purpose p = site.purpose(id);
            if (p == null) {
                throw new IllegalArgumentException("unknown purpose: " + id);
            }
            if (granted == null) {
                throw new IllegalArgumentException("no choice for purpose: " + id);
            }
            if (p.necessary() && !granted) {
                throw new IllegalArgumentException(id + " cannot be refused");
            }
        });
        for (Purpose p : config.purposes()) {
            if (!p.necessary()) {
                chosen.put(p.id(), Boolean.TRUE.equals(purposes.get(p.id())));
            }
        }
        Map<String, Boolean> refined = new LinkedHashMap<>();
        trackers.forEach((id, granted) -> {
            int i = site.index(id);
            if (i < 0) {
                throw new IllegalArgumentException("unknown tracker: " + id);
            }
            if (granted == null) {
                throw new IllegalArgumentException("no choice for tracker: " + id);
            }
            if (!site.trackers[i].purpose().necessary()) {
                refined.put(id, granted);
            }
        });
        Instant now = Instant.ofEpochMilli(clock.millis());
        return consentId.isPresent() ? new ConsentState(consentId.get(), now, config.policyVersion(), chosen, refined)
                : ConsentState.decide(now, config.policyVersion(), chosen, refined);
    }

    /** A withdrawal: every non-necessary purpose refused, under a fresh consent id. */
    public ConsentState withdrawal() {
        return consent(Map.of(), Map.of());
    }

    /** A withdrawal under the visitor's consent id, where there is one ({@link #continuingId}). */
    public ConsentState withdrawal(Optional<String> consentId) {
        return consent(Map.of(), Map.of(), consentId);
    }

    /**
     * The consent id a new decision of this cookie's visitor keeps: the cookie's, where it is
     * genuine (signed with a configured key, not dated in the future) and not expired. A cookie
     * of an earlier privacy statement keeps it too: the same visitor decides again. Empty where
     * there is no cookie, or it is forged or expired: then the decision starts a history.
     */
    public Optional<String> continuingId(String cookieValue) {
        if (cookieValue == null || cookieValue.isEmpty() || cookieValue.length() > ConsentCookieCodec.MAX_VALUE_LENGTH) {
            return Optional.empty();
        }
        return codec.decode(cookieValue).filter(state -> {
            long decidedAt = state.decidedAt().toEpochMilli();
            long now = clock.millis();
            return decidedAt <= now + CLOCK_SKEW_MILLIS && decidedAt + config.consentMaxAge().toMillis() > now;
        }).map(ConsentState::consentId);
    }

    /** The consent cookie's value for {@code state}, signed with the first key. */
    public String cookieValue(ConsentState state) {
        return codec.encode(state);
    }

    /** The configuration this gatekeeper enforces. */
    public ConsentConfig config() {
        return config;
    }

    /** The site's trackers, in configuration order. */
    public List<Tracker> trackers() {
        return site.trackerList;
    }

    /** The tracker with this id, if the site configured it. */
    public Optional<Tracker> tracker(String trackerId) {
        int i = site.index(trackerId);
        return i < 0 ? Optional.empty() : Optional.of(site.trackers[i]);
    }

    private Reading read(String cookieValue) {
        Optional<ConsentState> decoded = codec.decode(cookieValue);
        if (decoded.isEmpty()) {
            return Reading.rejected(Reason.NO_DECISION);
        }
        ConsentState state = decoded.get();
        long decidedAt = state.decidedAt().toEpochMilli();
        if (decidedAt > clock.millis() + CLOCK_SKEW_MILLIS) {
            return Reading.rejected(Reason.NO_DECISION);
        }
        if (config.reconsentOnPolicyChange() && !config.policyVersion().equals(state.policyVersion())) {
            return Reading.rejected(Reason.POLICY_CHANGED);
        }
        long expiresAt = decidedAt + config.consentMaxAge().toMillis();
        return new Reading(state, expiresAt, site.decided(state, false), site.decided(state, true), null);
    }

    /** What a cookie value means, once read: a state with its decisions prepared, or why it counts for nothing. */
    private record Reading(ConsentState state, long expiresAtMillis, Decisions plain, Decisions underGpc,
            Reason rejection) {
        static Reading rejected(Reason why) {
            return new Reading(null, 0, null, null, why);
        }
    }

    /** Builds a {@link Gatekeeper}. {@link #build()} leaves the builder as it is, so it can build again. */
    public static final class Builder {
        private final ConsentConfig config;
        private Clock clock = Clock.systemUTC();
        private long cacheSize = 10_000;

        private Builder(ConsentConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** The clock that judges expiry and dates new decisions. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How many distinct cookie values stay decoded; default 10,000. */
        public Builder cacheSize(long cacheSize) {
            if (cacheSize < 0) {
                throw new IllegalArgumentException("cacheSize must not be negative: " + cacheSize);
            }
            this.cacheSize = cacheSize;
            return this;
        }

        public Gatekeeper build() {
            return new Gatekeeper(this);
        }
    }
}
