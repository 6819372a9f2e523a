package nl.i3groep.consent.report;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import nl.i3groep.consent.ThirdParty;
import nl.i3groep.consent.Tracker;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.config.TrackerCatalogue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the site's pages contact that nobody declared: hosts that are neither the site's own, a
 * declared third party's nor a tracker's (configured or of the catalogue). The privacy statement
 * names what the site uses; a host here is one it does not name. Fed by what browsers report
 * (the fetch policy's violations) and by what the rewriter reads in pages (the URLs of scripts
 * and of elements' own URL attributes); kept in bounded memory, the least recently seen hosts going
 * first. Each host is logged at WARN when it is first seen (again if it was forgotten), up to
 * {@link #WARNINGS_PER_HOUR} an hour. Thread-safe.
 */
public final class UndeclaredHosts {

    /** Hosts kept at most. */
    public static final int MAX_HOSTS = 1000;
    /** Example page paths kept per host. */
    public static final int MAX_PAGES = 5;
    /** Days of the per-day counts, today last. */
    public static final int DAYS = 14;

    private static final Logger LOG = LoggerFactory.getLogger(UndeclaredHosts.class);

    /**
     * One undeclared host, as seen so far.
     *
     * @param host      the host, lower case
     * @param kinds     how pages fetched from it: {@code script}, {@code img}, {@code connect}, {@code frame}, …
     * @param pages     a few paths of pages that did (no query: nothing of the visitor)
     * @param count     how often it was seen
     * @param firstSeen when first
     * @param lastSeen  when last
     * @param perDay    how often on each of the last {@link #DAYS} days (UTC), today last
     */
    public record Contact(String host, Set<String> kinds, List<String> pages, long count, Instant firstSeen,
            Instant lastSeen, List<Long> perDay) {
        public Contact {
            kinds = Set.copyOf(kinds);
            pages = List.copyOf(pages);
            perDay = List.copyOf(perDay);
        }
    }

    /** The mutable state behind a {@link Contact}, guarded by itself. */
    private static final class Seen {
        final String host;
        final Set<String> kinds = new TreeSet<>();
        final Set<String> pages = new LinkedHashSet<>();
        long count;
        final Instant first;
        Instant last;
        final long[] days = new long[DAYS];
        long lastDay;

        Seen(String host, Instant now) {
            this.host = host;
            this.first = now;
            this.last = now;
            this.lastDay = day(now);
        }

        synchronized void add(String kind, String page, Instant now) {
            count++;
            last = now;
            if (kind != null && kinds.size() < 16) {
                kinds.add(kind);
            }
            if (page != null && pages.size() < MAX_PAGES) {
                pages.add(page);
            }
            shift(day(now));
            days[DAYS - 1]++;
        }

        /** Moves the days on to {@code today}, dropping those older than the window. */
        private void shift(long today) {
            long by = today - lastDay;
            if (by > 0) {
                int n = (int) Math.min(by, DAYS);
                System.arraycopy(days, n, days, 0, DAYS - n);
                java.util.Arrays.fill(days, DAYS - n, DAYS, 0);
                lastDay = today;
            }
        }

        synchronized Contact contact(Instant now) {
            shift(day(now));
            List<Long> perDay = new ArrayList<>(DAYS);
            for (long d : days) {
                perDay.add(d);
            }
            return new Contact(host, kinds, List.copyOf(pages), count, first, last, perDay);
        }

        private static long day(Instant t) {
            return LocalDate.ofInstant(t, ZoneOffset.UTC).toEpochDay();
        }
    }

    private final Clock clock;
    private final List<ThirdParty> parties;
    /** Host rules of every tracker, configured or of the catalogue: their host parts, lower case. */
    private final List<String> trackerHosts = new ArrayList<>();
    private final Cache<String, Seen> seen = Caffeine.newBuilder().maximumSize(MAX_HOSTS).build();

    /** For the site of {@code config}: its declared third parties and its trackers are known, not undeclared. */
    public UndeclaredHosts(ConsentConfig config, Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.parties = config.thirdParties();
        for (Tracker t : config.trackers()) {
            add(t.hosts());
        }
        for (TrackerCatalogue.Entry e : TrackerCatalogue.entries()) {
            add(e.hosts());
        }
    }

    private void add(List<String> rules) {
        for (String rule : rules) {
            int slash = rule.indexOf('/');
            trackerHosts.add((slash < 0 ? rule : rule.substring(0, slash)).toLowerCase(Locale.ROOT));
        }
    }

    /**
     * Records that a page at {@code page} (a path) fetched, or tried to, from {@code host} as
     * {@code kind}, unless the host is a declared third party's or a tracker's. The caller has
     * left out the site's own hosts.
     *
     * @return whether it counts as undeclared
     */
    public boolean seen(String host, String kind, String page) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.isEmpty() || known(h)) {
            return false;
        }
        Instant now = clock.instant();
        boolean[] fresh = new boolean[1];
        String key = h;
        Seen s = seen.get(key, k -> {
            fresh[0] = true;
            return new Seen(k, now);
        });
        s.add(kind, page, now);
        if (fresh[0]) {
            warn(key, kind, page, now);
        }
        return true;
    }

    /** New hosts logged at WARN per hour at most: reports can be made up, and the log must not flood. */
    public static final int WARNINGS_PER_HOUR = 20;
    private long warnHour;
    private int warned;

    private synchronized void warn(String host, String kind, String page, Instant now) {
        long hour = now.getEpochSecond() / 3600;
        if (hour != warnHour) {
            warnHour = hour;
            warned = 0;
        }
        if (++warned <= WARNINGS_PER_HOUR) {
            LOG.warn("pages of this site contact a host nobody declared: {} ({} on {}); declare it in thirdParties,"
                    + " or as a tracker, or remove what loads it", host, kind, page);
        } else {
            if (warned == WARNINGS_PER_HOUR + 1) {
                LOG.warn("more hosts nobody declared this hour; they are in the report (UndeclaredHosts), logged at DEBUG");
            }
            LOG.debug("pages of this site contact a host nobody declared: {} ({} on {})", host, kind, page);
        }
    }

    /** {@link #known} by host: pages name the same CDNs and fonts on every response. */
    private final Cache<String, Boolean> classified = Caffeine.newBuilder().maximumSize(10_000).build();

    private boolean known(String host) {
        return classified.get(host, this::classify);
    }

    /** Whether {@code host} is a declared third party's or a tracker's. */
    private boolean classify(String host) {
        for (ThirdParty p : parties) {
            if (p.covers(host)) {
                return true;
            }
        }
        for (String rule : trackerHosts) {
            if (rule.startsWith("*.") ? host.equals(rule.substring(2)) || host.endsWith(rule.substring(1))
                    : rule.endsWith(".*") ? host.startsWith(rule.substring(0, rule.length() - 1))
                    : host.equals(rule)) {
                return true;
            }
        }
        return false;
    }

    /** Every undeclared host seen, most often seen first. */
    public List<Contact> contacts() {
        Instant now = clock.instant();
        List<Contact> all = new ArrayList<>();
        for (Seen s : seen.asMap().values()) {
            all.add(s.contact(now));
        }
        all.sort(Comparator.comparingLong(Contact::count).reversed().thenComparing(Contact::host));
        return all;
    }

    /** How many hosts are held now (at most {@link #MAX_HOSTS}, once the cache has caught up). */
    public long size() {
        seen.cleanUp();
        return seen.estimatedSize();
    }
}
