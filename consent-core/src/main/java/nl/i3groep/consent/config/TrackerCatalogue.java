package nl.i3groep.consent.config;

import java.util.Arrays;
import java.util.List;

/**
 * Read-only view of the built-in tracker catalogue, for code outside this package that must
 * recognise the catalogue's trackers even where a site did not configure them (the HTML rewriter
 * treats those as unknown, hence denied: fail closed).
 *
 * <p>Only what identifies a tracker is exposed: host rules and the inline markers that do not
 * depend on a site's account id (a marker with {@code {id}} cannot be known without the account).
 */
public final class TrackerCatalogue {

    /**
     * One built-in tracker's identifying facts.
     *
     * @param id            the tracker id, as in {@code data-consent} marks
     * @param hosts         host rules: {@code host}, {@code *.host} or {@code host/path-prefix}
     * @param inlineMarkers markers that hold for every account
     */
    public record Entry(String id, List<String> hosts, List<String> inlineMarkers) {
        public Entry {
            hosts = List.copyOf(hosts);
            inlineMarkers = List.copyOf(inlineMarkers);
        }
    }

    private static final List<Entry> ENTRIES = Arrays.stream(BuiltInTracker.values())
            .map(t -> new Entry(t.id, t.hosts, t.markers.stream().filter(m -> !m.contains("{id}")).toList()))
            .toList();

    private TrackerCatalogue() {
    }

    /** Every built-in tracker, in catalogue order. */
    public static List<Entry> entries() {
        return ENTRIES;
    }
}
