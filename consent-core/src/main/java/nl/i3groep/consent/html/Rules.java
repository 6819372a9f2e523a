package nl.i3groep.consent.html;

import java.net.IDN;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import nl.i3groep.consent.Tracker;
import nl.i3groep.consent.config.TrackerCatalogue;

/**
 * The site's trackers compiled for matching: one bit per tracker. Bits {@code 0..configured-1} are
 * the site's trackers in configuration order; the bits after them are catalogue trackers the site
 * did not configure, which no {@code Decisions} allows; {@link #UNKNOWN} stands for a mark naming
 * no tracker at all. All three kinds are denied unless the request's decisions allow the id.
 *
 * <p>An inline {@code gtag(} call names no account: a script that makes one and names no Google
 * account belongs to both Google Analytics and Google Ads (it reaches every Google tag on the page),
 * so it runs only when both are allowed; one that names an account belongs to that account's tracker.
 */
final class Rules {

    /** A {@code data-consent} id that names no tracker known here: never allowed. */
    static final long UNKNOWN = 1L << 63;
    /** Found a {@code gtag(} call; resolved by {@link Markers#scan} and never returned by it. */
    private static final long GTAG_CALL = 1L << 62;

    static final String GTM = "google-tag-manager";
    /** A host rule's name ending in this stands for the name under any country domain ({@code www.google.*}). */
    static final String ANY_TLD = ".*";
    /** Every tag on this host is a Google tag: one that no rule claims belongs to the Tag Manager. */
    private static final String GOOGLE_TAG_HOST = "www.googletagmanager.com";

    final String[] ids;
    final int configured;
    final List<Tracker> trackers;
    private final Map<String, Long> exact = new HashMap<>();
    private final Map<String, Long> withSubdomains = new HashMap<>();
    private final String[] suffixes;
    private final long[] suffixBits;
    /** {@code data-consent="..."} attributes by tracker bits, built on first use. */
    private final Map<Long, byte[]> marks = new ConcurrentHashMap<>();
    private final Map<String, List<PathRule>> paths = new HashMap<>();
    private final Map<String, Long> fallback = new HashMap<>();
    /** Marker text per tracker bit, as Java strings; compiled to bytes per charset on demand. */
    private final List<String> markerText = new ArrayList<>();
    private final List<Long> markerBit = new ArrayList<>();
    private final Map<Charset, Markers> markers = new ConcurrentHashMap<>();
    /** The markers of host rules alone ({@link #hostMarkers}), for data that names URLs but runs no code. */
    private final List<String> hostMarkerText = new ArrayList<>();
    private final List<Long> hostMarkerBit = new ArrayList<>();
    private final Map<Charset, Markers> hostMarkersByCharset = new ConcurrentHashMap<>();
    /** Lower-case host names of every rule, to spot tracker hosts in {@code srcdoc} text. */
    final List<String> hostNames = new ArrayList<>();
    final long googleBits;
    /** The trackers an account-less {@code gtag(} call belongs to. */
    private final long gtagTrackers;

    private record PathRule(String path, String queryName, String queryPrefix, long bit) {
    }

    /** What {@link #urlBits} judges a value as. */
    static final int URL = 0, BASE = 1, SRCSET = 2;
    /** Slots of {@link #known}, a power of two. */
    private static final int KNOWN = 512;
    /** Longer values are judged anew each time. */
    private static final int KNOWN_LENGTH = 512;
    /**
     * The verdicts on plain attribute values, by their exact bytes: a site's pages name the same
     * tracker URLs on every response, and judging one builds strings. Slots are replaced without a
     * lock; an entry is immutable (its fields final), so a reader sees a whole one or none.
     */
    private final KnownValue[] known = new KnownValue[KNOWN];

    private record KnownValue(byte[] value, int kind, long bits) {
    }

    Rules(List<Tracker> siteTrackers) {
        this.trackers = List.copyOf(siteTrackers);
        List<String> names = new ArrayList<>();
        for (Tracker t : trackers) {
            names.add(t.id());
        }
        configured = names.size();
        List<TrackerCatalogue.Entry> extra = new ArrayList<>();
        for (TrackerCatalogue.Entry e : TrackerCatalogue.entries()) {
            if (!names.contains(e.id())) {
                names.add(e.id());
                extra.add(e);
            }
        }
        if (names.size() > 62) {
            throw new IllegalArgumentException("at most 62 trackers (site and catalogue together): " + names.size());
        }
        ids = names.toArray(String[]::new);
        for (int i = 0; i < trackers.size(); i++) {
            add(1L << i, trackers.get(i).hosts(), trackers.get(i).inlineMarkers());
        }
        for (int k = 0; k < extra.size(); k++) {
            add(1L << (configured + k), extra.get(k).hosts(), extra.get(k).inlineMarkers());
        }
        long google = 0;
        for (int i = 0; i < configured; i++) {
            String id = ids[i];
            if (id.equals("google-analytics") || id.equals("google-ads") || id.equals(GTM)) {
                google |= 1L << i;
            }
        }
        googleBits = google;
        gtagTrackers = (bit("google-analytics") | bit("google-ads")) & ~UNKNOWN;
        markerText.add("gtag(");
        markerBit.add(GTAG_CALL);
        fallback.put(GOOGLE_TAG_HOST, bit(GTM));
        fallback.put(GOOGLE_TAG_HOST.substring("www.".length()), bit(GTM));
        suffixes = withSubdomains.keySet().toArray(String[]::new);
        suffixBits = new long[suffixes.length];
        for (int k = 0; k < suffixes.length; k++) {
            suffixBits[k] = withSubdomains.get(suffixes[k]);
        }
    }

    private void add(long bit, List<String> hostRules, List<String> markerList) {
        for (String rule : hostRules) {
            String r = rule.trim();
            int slash = r.indexOf('/');
            String host = (slash < 0 ? r : r.substring(0, slash)).toLowerCase(Locale.ROOT);
            if (host.startsWith("*.")) {
                host = host.substring(2);
                withSubdomains.merge(host, bit, (a, b) -> a | b);
            } else if (slash < 0) {
                exact.merge(host, bit, (a, b) -> a | b);
            } else {
                String rest = r.substring(slash);
                int q = rest.indexOf('?');
                String path = (q < 0 ? rest : rest.substring(0, q)).toLowerCase(Locale.ROOT);
                String qName = null;
                String qPrefix = null;
                if (q >= 0) {
                    String query = rest.substring(q + 1);
                    int eq = query.indexOf('=');
                    qName = (eq < 0 ? query : query.substring(0, eq)).toLowerCase(Locale.ROOT);
                    qPrefix = (eq < 0 ? "" : query.substring(eq + 1)).toLowerCase(Locale.ROOT);
                }
                paths.computeIfAbsent(host, h -> new ArrayList<>()).add(new PathRule(path, qName, qPrefix, bit));
            }
            // a host under any country domain is spotted in srcdoc text by what comes before it
            hostNames.add(host.endsWith(ANY_TLD) ? host.substring(0, host.length() - 1) : host);
            for (String m : hostMarkers(host, slash < 0 ? "" : r.substring(slash))) {
                markerText.add(m);
                markerBit.add(bit);
                hostMarkerText.add(m);
                hostMarkerBit.add(bit);
            }
        }
        for (String m : markerList) {
            if (!m.isEmpty()) {
                markerText.add(m);
                markerBit.add(bit);
            }
        }
    }

    /**
     * What inline code that names a host rule's URL contains (markers match in any case): the host
     * ({@code *.} dropped, so a sub-domain built in code counts), with the rule's path and query
     * after it, as written and with its slashes JSON-escaped ({@code \/}); under any country
     * domain only the path, which is what such code spells out ({@code "/pagead/"}).
     */
    static List<String> hostMarkers(String host, String pathAndQuery) {
        String rest = pathAndQuery.toLowerCase(Locale.ROOT);
        if (host.endsWith(ANY_TLD)) {
            return rest.length() < 6 ? List.of() : List.of(rest, rest.replace("/", "\\/"));
        }
        String text = host + rest;
        return rest.indexOf('/') < 0 ? List.of(text) : List.of(text, text.replace("/", "\\/"));
    }

    /** The bit of a tracker id, or {@link #UNKNOWN}. */
    long bit(String id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i].equals(id)) {
                return 1L << i;
            }
        }
        return UNKNOWN;
    }

    /** The bits of a {@code data-consent} value: white-space separated ids; an empty mark is unknown. */
    long bitsOfMark(String mark) {
        long bits = 0;
        int i = 0;
        int n = mark.length();
        while (i < n) {
            while (i < n && isSpace(mark.charAt(i))) {
                i++;
            }
            int s = i;
            while (i < n && !isSpace(mark.charAt(i))) {
                i++;
            }
            if (i > s) {
                bits |= bit(mark.substring(s, i));
            }
        }
        return bits == 0 ? UNKNOWN : bits;
    }

    /** The ids of the trackers in {@code bits}, space separated, for a {@code data-consent} mark. */
    String idsOf(long bits) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ids.length; i++) {
            if ((bits & (1L << i)) != 0) {
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                sb.append(ids[i]);
            }
        }
        return sb.length() == 0 ? "unknown" : sb.toString();
    }

    /** {@code  data-consent="<ids>"} for these bits, as ASCII bytes (ids are ASCII by their pattern). */
    byte[] markAttribute(long bits) {
        // get first: computeIfAbsent locks the bin whenever the key is not its first node
        byte[] mark = marks.get(bits);
        return mark != null ? mark : marks.computeIfAbsent(bits, b -> (" data-consent=\"" + idsOf(b) + "\"")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    Markers markers(Charset charset) {
        // get first: the lambda computeIfAbsent takes is a new object on every call
        Markers m = markers.get(charset);
        return m != null ? m : markers.computeIfAbsent(charset, cs -> new Markers(markerText, markerBit, cs, gtagTrackers));
    }

    /** {@link #markers} of the host rules alone. */
    Markers hostMarkers(Charset charset) {
        Markers m = hostMarkersByCharset.get(charset);
        return m != null ? m : hostMarkersByCharset.computeIfAbsent(charset,
                cs -> new Markers(hostMarkerText, hostMarkerBit, cs, gtagTrackers));
    }

    /**
     * The trackers the attribute value {@code b[from, to)} points to, read as {@code kind}: a URL
     * ({@link #matchUrl}), a base ({@link #matchBase}) or a srcset (each candidate a URL),
     * character references decoded. An ASCII value (the same string in every charset the gate
     * reads) is judged once and then looked up.
     */
    long urlBits(byte[] b, int from, int to, int kind, Charset cs) {
        int n = to - from;
        if (n > KNOWN_LENGTH) {
            return judge(CharRefs.decode(b, from, to, cs), kind);
        }
        int h = kind;
        for (int i = from; i < to; i++) {
            int c = b[i];
            if (c < 0) {
                return judge(CharRefs.decode(b, from, to, cs), kind);
            }
            h = 31 * h + c;
        }
        int slot = (h ^ (h >>> 16)) & (KNOWN - 1);
        KnownValue k = known[slot];
        if (k != null && k.kind == kind && java.util.Arrays.equals(k.value, 0, k.value.length, b, from, to)) {
            return k.bits;
        }
        long bits = judge(CharRefs.decode(b, from, to, cs), kind);
        known[slot] = new KnownValue(java.util.Arrays.copyOfRange(b, from, to), kind, bits);
        return bits;
    }

    private long judge(String value, int kind) {
        return switch (kind) {
            case BASE -> matchBase(value);
            case SRCSET -> matchSrcset(value);
            default -> matchUrl(value);
        };
    }

    /**
     * Every candidate of a srcset, or of any list of URLs (split also on {@code ;}, as SMIL's
     * {@code values} are); over-splitting (on commas inside URLs) can only find more hosts.
     */
    long matchSrcset(String v) {
        long bits = 0;
        int n = v.length();
        int i = 0;
        while (i < n) {
            while (i < n && (v.charAt(i) <= ' ' || v.charAt(i) == ',' || v.charAt(i) == ';')) {
                i++;
            }
            int s = i;
            while (i < n && v.charAt(i) > ' ' && v.charAt(i) != ',' && v.charAt(i) != ';') {
                i++;
            }
            if (i > s) {
                bits |= matchUrl(v.substring(s, i));
            }
        }
        return bits;
    }

    /**
     * The trackers a URL (an attribute value, character references already decoded) points to.
     * Parsed as browsers do the parts that matter: white space trimmed, tabs and newlines dropped,
     * {@code \} as {@code /}, any number of slashes after a special scheme, user info and port
     * ignored, host percent-decoded, lower-cased and IDNA-mapped, trailing dot ignored.
     * Relative URLs and non-network schemes point to no tracker.
     */
    long matchUrl(String raw) {
        return matchUrl(raw, false);
    }

    /**
     * {@link #matchUrl} for a {@code <base href>}: every relative URL of the page resolves against
     * it, so a host on which a tracker owns only some paths counts for those trackers whatever the
     * base's own path.
     */
    long matchBase(String raw) {
        return matchUrl(raw, true);
    }

    private long matchUrl(String raw, boolean base) {
        String s = clean(raw);
        int n = s.length();
        int i = 0;
        int colon = schemeEnd(s);
        if (colon > 0) {
            String scheme = s.substring(0, colon).toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https") || scheme.equals("ws") || scheme.equals("wss")
                    || scheme.equals("ftp"))) {
                return 0;
            }
            i = colon + 1;
        } else if (n >= 2 && isSlash(s.charAt(0)) && isSlash(s.charAt(1))) {
            i = 2;
        } else {
            return 0;
        }
        while (i < n && isSlash(s.charAt(i))) {
            i++;
        }
        int a = i;
        while (i < n && !isSlash(s.charAt(i)) && s.charAt(i) != '?' && s.charAt(i) != '#') {
            i++;
        }
        String host = host(s.substring(a, i));
        if (host == null || host.isEmpty()) {
            return 0;
        }
        int p = i;
        while (i < n && s.charAt(i) != '?' && s.charAt(i) != '#') {
            i++;
        }
        String path = path(s.substring(p, i));
        String query = "";
        if (i < n && s.charAt(i) == '?') {
            int q = ++i;
            while (i < n && s.charAt(i) != '#') {
                i++;
            }
            query = s.substring(q, i);
        }
        List<String> names = names(host);
        long bits = matchHost(host, names, path, query);
        if (base) {
            for (String name : names) {
                for (PathRule r : paths.getOrDefault(name, List.of())) {
                    bits |= r.bit;
                }
            }
        }
        return bits;
    }

    /**
     * The path as the tracker's server will take it: percent-escapes decoded, backslashes and runs
     * of slashes as one slash, {@code .} and {@code ..} segments resolved (a browser resolves them
     * itself; a server decodes escapes and often merges slashes).
     */
    static String path(String raw) {
        if (raw.indexOf('%') < 0 && raw.indexOf('\\') < 0 && raw.indexOf("/.") < 0 && raw.indexOf("//") < 0) {
            return raw; // the common case: nothing to resolve
        }
        String decoded = percentDecode(raw).replace('\\', '/');
        List<String> out = new ArrayList<>();
        String[] segments = decoded.split("/", -1);
        for (int k = 0; k < segments.length; k++) {
            String seg = segments[k];
            boolean last = k == segments.length - 1;
            if (seg.equals("..")) {
                if (!out.isEmpty()) {
                    out.remove(out.size() - 1);
                }
                if (last) {
                    out.add("");
                }
            } else if (seg.equals(".")) {
                if (last) {
                    out.add("");
                }
            } else if (!seg.isEmpty() || last) {
                out.add(seg);
            }
        }
        return "/" + String.join("/", out);
    }

    long matchHost(String host, String path, String query) {
        return matchHost(host, names(host), path, query);
    }

    private long matchHost(String host, List<String> names, String path, String query) {
        long bits = 0;
        for (String name : names) {
            bits |= byName(name, path, query);
        }
        // *.host matches the host itself too: cheaper to over-block an apex than to miss one
        for (int k = 0; k < suffixes.length; k++) {
            String base = suffixes[k];
            if (host.endsWith(base)
                    && (host.length() == base.length() || host.charAt(host.length() - base.length() - 1) == '.')) {
                bits |= suffixBits[k];
            }
        }
        if (bits == 0) {
            Long f = fallback.get(host);
            if (f != null) {
                bits = f;
            }
        }
        return bits;
    }

    /**
     * The names rules may be written under for {@code host}: itself, and, where it ends in one or
     * two short labels (a country domain: {@code de}, {@code co.uk}, {@code com.au}), the name
     * before them with {@link #ANY_TLD}.
     */
    private static List<String> names(String host) {
        int last = host.lastIndexOf('.');
        if (last <= 0 || !shortLabel(host, last + 1, host.length())) {
            return List.of(host);
        }
        int before = host.lastIndexOf('.', last - 1);
        if (before <= 0 || !shortLabel(host, before + 1, last)) {
            return List.of(host, host.substring(0, last) + ANY_TLD);
        }
        return List.of(host, host.substring(0, last) + ANY_TLD, host.substring(0, before) + ANY_TLD);
    }

    /** The bits of the rules written for exactly this host name (a name ending in {@code .*} included). */
    private long byName(String host, String path, String query) {
        long bits = 0;
        Long b = exact.get(host);
        if (b != null) {
            bits |= b;
        }
        List<PathRule> rules = paths.get(host);
        if (rules != null) {
            String lowerPath = path.toLowerCase(Locale.ROOT);
            for (PathRule r : rules) {
                if (lowerPath.startsWith(r.path) && (r.queryName == null || hasParam(query, r.queryName, r.queryPrefix))) {
                    bits |= r.bit;
                }
            }
        }
        return bits;
    }

    /** Whether {@code host[from, to)} is a label of two or three letters, as country domains have. */
    private static boolean shortLabel(String host, int from, int to) {
        if (to - from < 2 || to - from > 3) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = host.charAt(i);
            if (c < 'a' || c > 'z') {
                return false;
            }
        }
        return true;
    }

    /** Whether a query has a parameter {@code name} (any position) whose value starts with {@code prefix}. */
    private static boolean hasParam(String query, String name, String prefix) {
        int n = query.length();
        int i = 0;
        while (i <= n) {
            int amp = query.indexOf('&', i);
            int end = amp < 0 ? n : amp;
            int eq = query.indexOf('=', i);
            if (eq >= 0 && eq < end) {
                String k = percentDecode(query.substring(i, eq)).toLowerCase(Locale.ROOT);
                String v = percentDecode(query.substring(eq + 1, end)).toLowerCase(Locale.ROOT);
                if (k.equals(name) && v.startsWith(prefix)) {
                    return true;
                }
            }
            if (amp < 0) {
                break;
            }
            i = amp + 1;
        }
        return false;
    }

    private static String host(String authority) {
        int at = authority.lastIndexOf('@');
        String h = at < 0 ? authority : authority.substring(at + 1);
        if (h.startsWith("[")) {
            return null; // an IPv6 literal is no tracker's host name
        }
        int colon = h.indexOf(':');
        if (colon >= 0) {
            h = h.substring(0, colon);
        }
        if (h.indexOf('%') >= 0) {
            h = percentDecode(h);
        }
        if (!ascii(h)) {
            h = uts46(h);
        }
        h = h.toLowerCase(Locale.ROOT);
        while (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }

    private static boolean ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /**
     * A host name mapped as browsers map one (UTS #46, as the URL standard asks): ignorable
     * characters dropped, compatibility forms (full-width and mathematical letters, ligatures,
     * superscripts) to their plain letters, lower case, ideographic full stops as dots; labels
     * still non-ASCII then go to Punycode. {@link IDN} alone is IDNA2003 (Unicode 3.2): it would
     * refuse letters added since, which browsers map. A label Punycode refuses is kept as mapped:
     * its name can still end in a tracker's domain.
     */
    static String uts46(String host) {
        StringBuilder kept = new StringBuilder(host.length());
        host.codePoints().filter(c -> !ignorable(c)).forEach(kept::appendCodePoint);
        String h = java.text.Normalizer.normalize(kept, java.text.Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        h = java.text.Normalizer.normalize(h, java.text.Normalizer.Form.NFC).replace('\u3002', '.');
        if (ascii(h)) {
            return h;
        }
        java.util.StringJoiner out = new java.util.StringJoiner(".");
        for (String label : h.split("\\.", -1)) {
            try {
                out.add(ascii(label) ? label : IDN.toASCII(label, IDN.ALLOW_UNASSIGNED));
            } catch (IllegalArgumentException e) {
                out.add(label);
            }
        }
        return out.toString();
    }

    /** The characters UTS #46 maps to nothing: soft hyphen, zero-width space, joiners' kin, variation selectors. */
    private static boolean ignorable(int c) {
        return c == 0xAD || c == 0x34F || (c >= 0x180B && c <= 0x180D) || c == 0x200B || (c >= 0x2060 && c <= 0x2064)
                || (c >= 0xFE00 && c <= 0xFE0F) || c == 0xFEFF || (c >= 0xE0100 && c <= 0xE01EF);
    }

    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(s.length());
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '%' && i + 2 < b.length && hex(b[i + 1]) >= 0 && hex(b[i + 2]) >= 0) {
                out.write(hex(b[i + 1]) * 16 + hex(b[i + 2]));
                i += 2;
            } else {
                out.write(b[i]);
            }
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static String clean(String raw) {
        int a = 0;
        int b = raw.length();
        while (a < b && raw.charAt(a) <= ' ') {
            a++;
        }
        while (b > a && raw.charAt(b - 1) <= ' ') {
            b--;
        }
        String s = raw.substring(a, b);
        if (s.indexOf('\t') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            s = s.replace("\t", "").replace("\n", "").replace("\r", "");
        }
        return s;
    }

    private static int schemeEnd(String s) {
        if (s.isEmpty() || !Character.isLetter(s.charAt(0)) || s.charAt(0) >= 0x80) {
            return -1;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ':') {
                return i;
            }
            if (!(c < 0x80 && (Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.'))) {
                return -1;
            }
        }
        return -1;
    }

    private static boolean isSlash(char c) {
        return c == '/' || c == '\\';
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
    }

    /**
     * Inline markers as bytes of one charset, with a hash filter over each position's next four
     * bytes so that most positions cost one table probe.
     */
    static final class Markers {
        private static final java.lang.invoke.VarHandle INTS =
                java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

        private final byte[][] text;
        private final long[] bit;
        private final int[] hashes;
        private final long[] filter = new long[1 << 10];
        /** Markers shorter than four bytes, checked at every position (none in the catalogue). */
        private final boolean anyShort;
        /** The shortest marker of four bytes or more (at most 128); 0 if there is none. */
        private final int minLength;
        /** Per two-byte block (hashed): how far the window may move on when the block ends it. */
        private final byte[] shift;
        /** Marker indices by the low bits of their hash. */
        private final int[][] bucket = new int[256][];
        private final long gtagTrackers;

        Markers(List<String> markers, List<Long> bits, Charset cs, long gtagTrackers) {
            this.gtagTrackers = gtagTrackers;
            text = new byte[markers.size()][];
            bit = new long[markers.size()];
            hashes = new int[markers.size()];
            boolean shortOne = false;
            for (int i = 0; i < text.length; i++) {
                text[i] = lower(markers.get(i).getBytes(cs));
                bit[i] = bits.get(i);
                if (text[i].length < 4) {
                    shortOne = true;
                    hashes[i] = -1;
                } else {
                    int h = hash((int) INTS.get(text[i], 0) | FOLD4);
                    hashes[i] = h;
                    filter[h >>> 6] |= 1L << h;
                }
            }
            anyShort = shortOne;
            int min = 0;
            for (byte[] t : text) {
                if (t.length >= 4 && (min == 0 || t.length < min)) {
                    min = t.length;
                }
            }
            minLength = Math.min(min, 128);
            for (int k = 0; k < bucket.length; k++) {
                final int slot = k;
                bucket[k] = java.util.stream.IntStream.range(0, text.length)
                        .filter(m -> hashes[m] != -1 && (hashes[m] & (bucket.length - 1)) == slot).toArray();
            }
            shift = new byte[minLength == 0 ? 0 : 1 << 12];
            java.util.Arrays.fill(shift, (byte) (minLength - 1));
            for (byte[] t : text) {
                if (t.length < 4) {
                    continue;
                }
                for (int q = 1; q < minLength; q++) {
                    int block = block(t[q - 1], t[q]);
                    shift[block] = (byte) Math.min(shift[block], minLength - 1 - q);
                }
            }
        }

        /**
         * A two-byte block's slot in a table small enough to stay in cache; collisions only shorten
         * shifts. Bytes are taken with bit 5 set, which joins an ASCII letter's two cases (and some
         * other pairs, which only shortens shifts too).
         */
        private static int block(byte a, byte b) {
            return (((a | 0x20) & 0xff) * 67 + ((b | 0x20) & 0xff)) & 0xfff;
        }

        /** Bit 5 of each of four bytes, for the hash filter: as {@link #block}. */
        private static final int FOLD4 = 0x20202020;

        /** ASCII letters lower-cased (the same bytes in every charset the gate reads). */
        private static byte[] lower(byte[] t) {
            byte[] l = t.clone();
            for (int k = 0; k < l.length; k++) {
                l[k] = fold(l[k]);
            }
            return l;
        }

        private static byte fold(byte c) {
            return c >= 'A' && c <= 'Z' ? (byte) (c + 32) : c;
        }

        private static int hash(int v) {
            return (v * 0x9E3779B1) >>> 16;
        }

        /**
         * The bits of every tracker with a marker in {@code b[off, end)}, in any case of its ASCII
         * letters (a {@code gtag(} call resolved as the class says). A Wu-Manber search: the
         * two bytes at the end of a window of the shortest marker's length say how far no marker
         * can start, so most of a script is skipped a few bytes at a time.
         */
        long scan(byte[] b, int off, int end) {
            long found = 0;
            if (minLength > 0) {
                found = end - off < CHAINED ? windows(b, off + minLength - 1, end, end, 0) : chained(b, off, end);
            }
            if (anyShort) {
                for (int i = off; i < end; i++) {
                    for (int m = 0; m < text.length; m++) {
                        if (hashes[m] == -1 && matches(text[m], b, i, end)) {
                            found |= bit[m];
                        }
                    }
                }
            }
            if ((found & GTAG_CALL) != 0) {
                found &= ~GTAG_CALL;
                if ((found & gtagTrackers) == 0) {
                    found |= gtagTrackers;
                }
            }
            return found;
        }

        /** Shorter texts are searched in one chain of windows. */
        private static final int CHAINED = 64;

        /**
         * {@link #scan}'s windows in four chains at once, each over a quarter of the windows'
         * starts. One chain is a series of dependent loads (where it looks next depends on the
         * byte it just read) that leaves the CPU idle; four independent ones overlap (measured on
         * jQuery's 89 KB: 0.52 against 1.34 ns a byte for one chain).
         */
        private long chained(byte[] b, int off, int end) {
            int m1 = minLength - 1;
            int quarter = (end - off) >>> 2;
            // chain k starts its windows in [off + k * quarter, off + (k + 1) * quarter)
            int p0 = off + m1;
            int p1 = Math.min(p0 + quarter, end);
            int p2 = Math.min(p1 + quarter, end);
            int p3 = Math.min(p2 + quarter, end);
            int e0 = p1;
            int e1 = p2;
            int e2 = p3;
            byte[] sh = shift;
            long found = 0;
            while (p0 < e0 && p1 < e1 && p2 < e2 && p3 < end) {
                int s0 = sh[block(b[p0 - 1], b[p0])];
                int s1 = sh[block(b[p1 - 1], b[p1])];
                int s2 = sh[block(b[p2 - 1], b[p2])];
                int s3 = sh[block(b[p3 - 1], b[p3])];
                if ((s0 == 0) | (s1 == 0) | (s2 == 0) | (s3 == 0)) {
                    if (s0 == 0) {
                        found = at(b, p0 - m1, end, found);
                        s0 = 1;
                    }
                    if (s1 == 0) {
                        found = at(b, p1 - m1, end, found);
                        s1 = 1;
                    }
                    if (s2 == 0) {
                        found = at(b, p2 - m1, end, found);
                        s2 = 1;
                    }
                    if (s3 == 0) {
                        found = at(b, p3 - m1, end, found);
                        s3 = 1;
                    }
                }
                p0 += s0;
                p1 += s1;
                p2 += s2;
                p3 += s3;
            }
            found = windows(b, p0, e0, end, found);
            found = windows(b, p1, e1, end, found);
            found = windows(b, p2, e2, end, found);
            return windows(b, p3, end, end, found);
        }

        /** One chain of {@link #scan}'s windows, whose last bytes are at {@code pos} and on, before {@code stop}. */
        private long windows(byte[] b, int pos, int stop, int end, long found) {
            int m1 = minLength - 1;
            while (pos < stop) {
                int s = shift[block(b[pos - 1], b[pos])];
                if (s > 0) {
                    pos += s;
                    continue;
                }
                found = at(b, pos - m1, end, found);
                pos++;
            }
            return found;
        }

        /** {@code found} with the bits of the markers of four bytes or more that start at {@code i}. */
        private long at(byte[] b, int i, int end, long found) {
            int h = hash((int) INTS.get(b, i) | FOLD4);
            if ((filter[h >>> 6] & (1L << h)) != 0) {
                for (int m : bucket[h & (bucket.length - 1)]) {
                    if (hashes[m] == h && (bit[m] & ~found) != 0 && matches(text[m], b, i, end)) {
                        found |= bit[m];
                    }
                }
            }
            return found;
        }

        private static boolean matches(byte[] t, byte[] b, int i, int end) {
            if (i + t.length > end) {
                return false;
            }
            for (int k = 0; k < t.length; k++) {
                if (fold(b[i + k]) != t[k]) {
                    return false;
                }
            }
            return true;
        }

        /** Whether any marker occurs in text (for {@code srcdoc}). */
        long scan(String s, Charset cs) {
            byte[] b = s.getBytes(cs);
            return scan(b, 0, b.length);
        }
    }

    /**
     * Whether a raw attribute value could name a host: false only for values that are plainly
     * relative (no scheme, not {@code //}), so that ordinary URLs cost no allocation. Tabs and
     * newlines are skipped as the URL parser drops them; a value with a character reference is
     * always examined in full.
     */
    static boolean mayHaveHost(byte[] b, int from, int to) {
        int i = from;
        while (i < to && (b[i] & 0xff) <= ' ') {
            i++;
        }
        int c0 = -1;
        int n = 0;
        for (; i < to; i++) {
            int c = b[i] & 0xff;
            if (c == '\t' || c == '\n' || c == '\r') {
                continue;
            }
            if (c == '&') {
                return true;
            }
            if (n == 0) {
                c0 = c;
                if (c == '/' || c == '\\') {
                    n++;
                    continue;
                }
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
                    return false;
                }
                n++;
                continue;
            }
            if (c0 == '/' || c0 == '\\') {
                return c == '/' || c == '\\';
            }
            if (c == ':') {
                return true;
            }
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-'
                    || c == '.')) {
                return false;
            }
            n++;
        }
        return false;
    }

    /**
     * The host of an absolute or protocol-relative http(s) URL, lower case, without user or port;
     * null for any other value. For reports, not for verdicts: {@link #matchUrl} judges.
     */
    static String hostOf(String url) {
        String v = url.strip().replace("\t", "").replace("\n", "").replace("\r", "").replace('\\', '/');
        int i;
        if (v.startsWith("//")) {
            i = 2;
        } else {
            String lower = v.toLowerCase(Locale.ROOT);
            if (lower.startsWith("https://")) {
                i = 8;
            } else if (lower.startsWith("http://")) {
                i = 7;
            } else {
                return null;
            }
        }
        int end = i;
        while (end < v.length() && "/?#".indexOf(v.charAt(end)) < 0) {
            end++;
        }
        String authority = v.substring(i, end);
        authority = authority.substring(authority.lastIndexOf('@') + 1);
        int colon = authority.lastIndexOf(':');
        String host = (colon >= 0 && authority.indexOf(']') < colon ? authority.substring(0, colon) : authority)
                .toLowerCase(Locale.ROOT);
        return HOST_NAME.matcher(host).matches() ? host : null;
    }

    private static final java.util.regex.Pattern HOST_NAME =
            java.util.regex.Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

    /** {@link #mayHaveHost} for each candidate of a srcset or list (separated by white space, commas or {@code ;}). */
    static boolean mayHaveHostSrcset(byte[] b, int from, int to) {
        int i = from;
        while (i < to) {
            while (i < to && ((b[i] & 0xff) <= ' ' || b[i] == ',' || b[i] == ';')) {
                i++;
            }
            int s = i;
            while (i < to && (b[i] & 0xff) > ' ' && b[i] != ',' && b[i] != ';') {
                i++;
            }
            if (i > s && mayHaveHost(b, s, i)) {
                return true;
            }
        }
        return false;
    }
}
