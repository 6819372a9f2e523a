package nl.i3groep.consent.html;

import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import nl.i3groep.consent.Decisions;
import nl.i3groep.consent.Tracker;

/**
 * Gates trackers in an HTML body while it streams: one pass, bounded memory, untouched bytes
 * passed on as they came.
 *
 * <p>Security rules:
 * <ul>
 *   <li><b>Deny unless allowed.</b> A script or fetching element that belongs to a tracker is made
 *       inert unless the request's {@link Decisions} allow every tracker it belongs to. A script,
 *       whatever its type (a plugin's {@code rocketlazyloadscript}, {@code text/partytown}, a
 *       parked {@code text/plain}: a first-party loader may revive it), belongs to the trackers
 *       its {@code data-consent} mark names (white-space separated ids), those whose host rules
 *       match one of its URL attributes (below, and every {@code data-*src} a lazy loader reads)
 *       and, inline, those whose markers occur in its text, marked or not (every host rule is a
 *       marker too, its slashes also JSON-escaped; markers match in any case). JSON data blocks
 *       ({@code application/json}, {@code application/ld+json}) run nothing: they are judged
 *       only on the tracker hosts they name (AMP's {@code amp-analytics} reads its requests from
 *       one), not on code markers, and not denied for their length. Denied scripts get {@code type="text/plain"} as their first attribute (so it
 *       wins over any other {@code type}), the old type renamed {@code data-type}, their URL
 *       attributes renamed {@code data-consent-*} (so that no loader finds them), and a
 *       {@code data-consent} mark; an allowed one parked that way ({@code type="text/plain"} with a
 *       mark) gets its {@code data-type} back. On the other elements below, denied URL attributes (every
 *       occurrence, since a duplicate would take effect) are renamed {@code data-consent-*} and the
 *       element marked; a denied {@code data-consent} mark renames them all. Allowed ones are left
 *       as they are. The URL attributes, per element (a {@code srcset} or {@code imagesrcset} is
 *       judged per candidate, a {@code srcdoc} as a document):
 *       <ul>
 *         <li>{@code script}: {@code src}, {@code href}, {@code xlink:href}</li>
 *         <li>{@code img}, {@code image}, {@code feImage}: {@code src}, {@code srcset}, {@code href},
 *             {@code xlink:href}</li>
 *         <li>{@code iframe}: {@code src}, {@code srcdoc}</li>
 *         <li>{@code source}: {@code src}, {@code srcset}</li>
 *         <li>{@code link}: {@code href}, {@code imagesrcset}</li>
 *         <li>{@code video}: {@code src}, {@code poster}</li>
 *         <li>{@code object}: {@code data}</li>
 *         <li>{@code base}: {@code href}</li>
 *         <li>{@code embed}, {@code frame}, {@code audio}, {@code input}, {@code track}: {@code src}</li>
 *       </ul>
 *       On every element, these above or any other, every other attribute that reaches a denied
 *       tracker is renamed the same way: a value that is an absolute URL or a list of them (a lazy
 *       loader's {@code data-src}, {@code data-bg}, {@code data-srcset}; {@code ping};
 *       {@code background}; AMP's {@code src} and {@code config}), an event handler
 *       ({@code on…}) whose code holds a marker, a {@code style} whose CSS names a URL on a
 *       tracker's host ({@code url(…)} or a string), a {@code content} that is a refresh to one
 *       ({@code <meta http-equiv=refresh>}). A {@code data:} or {@code javascript:} URL is judged
 *       by the document or code it carries, as a {@code srcdoc}. On a script, such a handler or
 *       URL makes the script the tracker's. Only the first of attributes of one name counts, as in
 *       browsers. Host names are mapped as browsers map them (UTS #46), after every named
 *       character reference that can spell one is decoded.
 *       An inline script in SVG or MathML, whose content a browser reads as markup, is made inert
 *       (marked {@code unknown}) unless it is self-closed.
 *       A {@code <style>} whose CSS (its first 64 KiB) fetches from a denied tracker gets
 *       {@code type="text/plain"}, which browsers do not apply, and a mark; each {@code @} in
 *       it becomes {@code @x-consent-}, since Chromium's preload scanner fetches an
 *       {@code @import} whatever the type.
 *       Under a response nonce, every script kept executable or inserted carries it in place of
 *       its own {@code nonce}.</li>
 *   <li><b>Unknown is denied.</b> A mark naming no tracker of the site is denied, and so are the
 *       hosts and markers of catalogue trackers the site did not configure. A URL on
 *       {@code www.googletagmanager.com} that no rule claims is taken for a Tag Manager tag.</li>
 *   <li><b>An uninspectable body fails closed.</b> Only ASCII-compatible charsets are accepted
 *       ({@link #supports}); {@link #open} refuses others, and the caller must then keep the body
 *       from the browser or neutralise it. If anything inside the rewriter throws (or the
 *       body's charset malfunctions), the rest of the body (and whatever was held) is passed on with
 *       every {@code <} escaped, so no tag, and so no tracker, can follow; the failure is logged
 *       once per body, with its cause, at ERROR on this class's logger.</li>
 *   <li>An inline script longer than 64 KiB is judged on its first 64 KiB, and made inert (marked
 *       {@code unknown}) when they name no tracker: what cannot be read whole is not let run
 *       undecided. A fetching tag longer than 64 KiB is renamed {@code x-consent-<name>} and so
 *       fetches nothing.</li>
 * </ul>
 *
 * <p>Insertion (Consent Mode defaults, snippets of allowed trackers, the banner) happens only in
 * whole documents: bodies that begin, after white space, a byte order mark and comments, with
 * {@code <!doctype} or {@code <html}.
 *
 * <p>Thread-safe; build one per site and open one stream per response. Between responses it keeps
 * up to 16 rewriters for the next ones, so that a warm gate allocates next to nothing per page.
 */
public final class HtmlGate {

    /** Rewriters between responses; a slot is empty while its rewriter serves one. */
    private static final int SPARE = 16;

    private final Rules rules;
    private final Map<Charset, byte[][]> snippets = new ConcurrentHashMap<>();
    private final AtomicReferenceArray<Rewriter> spare = new AtomicReferenceArray<>(SPARE);
    /** Per charset, the Consent Mode defaults without a nonce: analytics granted (bit 1), ads (bit 2). */
    private final Map<Charset, byte[][]> consentModes = new ConcurrentHashMap<>();
    /** The last banner encoded without a nonce. */
    private volatile EncodedBanner lastBanner;

    private HtmlGate(List<Tracker> trackers) {
        this.rules = new Rules(trackers);
    }

    /** A gate for the site's trackers (as configured, in configuration order). */
    public static HtmlGate create(List<Tracker> trackers) {
        return new HtmlGate(Objects.requireNonNull(trackers, "trackers"));
    }

    /**
     * The URL a refresh sends the browser to (a {@code Refresh} header's value, a
     * {@code <meta http-equiv=refresh>}'s {@code content}), read as browsers read it (HTML's shared
     * declarative refresh steps): a delay, then after {@code ;} or {@code ,} an optional
     * {@code url=}, the URL possibly in quotes. Null where there is no delay (no refresh at all),
     * "" where it reloads the page itself.
     */
    public static String refreshUrl(String v) {
        int n = v.length();
        int i = skipSpace(v, 0);
        int digits = i;
        while (i < n && (Character.isDigit(v.charAt(i)) || v.charAt(i) == '.')) {
            i++;
        }
        if (i == digits) {
            return null;
        }
        i = skipSpace(v, i);
        if (i < n && (v.charAt(i) == ';' || v.charAt(i) == ',')) {
            i = skipSpace(v, i + 1);
        }
        if (i + 3 <= n && v.substring(i, i + 3).toLowerCase(Locale.ROOT).equals("url")) {
            int j = skipSpace(v, i + 3);
            if (j < n && v.charAt(j) == '=') {
                i = skipSpace(v, j + 1);
            }
        }
        if (i < n && (v.charAt(i) == '"' || v.charAt(i) == '\'')) {
            char q = v.charAt(i);
            int close = v.indexOf(q, i + 1);
            return v.substring(i + 1, close < 0 ? n : close);
        }
        return v.substring(i).strip();
    }

    private static int skipSpace(String v, int i) {
        while (i < v.length() && (v.charAt(i) == ' ' || v.charAt(i) == '\t' || v.charAt(i) == '\n'
                || v.charAt(i) == '\f' || v.charAt(i) == '\r')) {
            i++;
        }
        return i;
    }

    /** How many of a body's first bytes {@link #charsetOf} looks at, as browsers do. */
    public static final int PRESCAN_BYTES = Prescan.LIMIT;

    /**
     * The charset a browser reads an HTML body in when its {@code Content-Type} names none, from
     * the body's first bytes ({@code head[0, len)}, up to {@link #PRESCAN_BYTES}): a byte-order
     * mark (UTF-8 or UTF-16), else a {@code <meta charset>} or {@code <meta http-equiv=content-type>}
     * found by the WHATWG prescan (a meta's UTF-16 read as UTF-8, as browsers do), else
     * {@code fallback}.
     */
    public static Charset charsetOf(byte[] head, int len, Charset fallback) {
        if (len >= 3 && (head[0] & 0xff) == 0xEF && (head[1] & 0xff) == 0xBB && (head[2] & 0xff) == 0xBF) {
            return StandardCharsets.UTF_8;
        }
        if (len >= 2 && (head[0] & 0xff) == 0xFE && (head[1] & 0xff) == 0xFF) {
            return StandardCharsets.UTF_16BE;
        }
        if (len >= 2 && (head[0] & 0xff) == 0xFF && (head[1] & 0xff) == 0xFE) {
            return StandardCharsets.UTF_16LE;
        }
        Charset declared = Prescan.declared(head, 0, len);
        return declared != null ? declared : fallback;
    }

    /**
     * The charset a browser reads an XHTML body in when its {@code Content-Type} names none, by
     * XML's rules, from the body's first bytes ({@code head[0, len)}): a byte-order mark (UTF-8 or
     * UTF-16), else the {@code encoding} of an XML declaration at the very start
     * ({@code <?xml version="1.0" encoding="…"?>}), else UTF-8. An encoding Java does not know is
     * read as UTF-8: ASCII's bytes spell the markup in any charset a browser would take for it.
     * Null while the bytes leave it open (a declaration not yet complete), unless {@code complete}
     * says no more will come.
     */
    public static Charset xmlCharsetOf(byte[] head, int len, boolean complete) {
        Charset bom = charsetOf(head, Math.min(len, 3), null);
        if (bom != null) {
            return bom;
        }
        if (len < 3 && !complete) {
            return null; // a byte-order mark may still be coming
        }
        byte[] open = {'<', '?', 'x', 'm', 'l'};
        for (int i = 0; i < open.length; i++) {
            if (i >= len) {
                return complete ? StandardCharsets.UTF_8 : null;
            }
            if (head[i] != open[i]) {
                return StandardCharsets.UTF_8;
            }
        }
        int end = -1;
        for (int i = open.length; i + 1 < len; i++) {
            if (head[i] == '?' && head[i + 1] == '>') {
                end = i;
                break;
            }
        }
        if (end < 0) {
            return complete ? StandardCharsets.UTF_8 : null;
        }
        String decl = new String(head, 0, end, StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher m = XML_ENCODING.matcher(decl);
        if (!m.find()) {
            return StandardCharsets.UTF_8;
        }
        try {
            return Charset.forName(m.group(2));
        } catch (IllegalArgumentException e) { // unknown or illegal name
            return StandardCharsets.UTF_8;
        }
    }

    /** An XML declaration's encoding: {@code encoding = "name"} (or in single quotes). */
    private static final java.util.regex.Pattern XML_ENCODING =
            java.util.regex.Pattern.compile("[ \\t\\r\\n]encoding[ \\t\\r\\n]*=[ \\t\\r\\n]*"
                    + "([\"'])([A-Za-z][A-Za-z0-9._-]*)\\1");

    /**
     * Whether bodies in this charset can be gated: ASCII-compatible ones in which no byte of a
     * multi-byte character is one the tokenizer reads (white space, quotes, {@code <}, {@code =},
     * {@code >}, {@code &}, {@code /}, {@code !}, {@code -}, {@code ?}): UTF-8, US-ASCII,
     * ISO-8859-*, windows-125*, and the legacy East Asian ones Shift_JIS (and windows-31j), EUC-JP,
     * GBK, GB18030, Big5 and EUC-KR. Their second bytes may be ASCII letters or {@code \}, but
     * a browser that finds such a byte where it expects one decodes it as ASCII again, so it sees
     * every tag, quote and host the gate sees. Stateful encodings (ISO-2022-*) and UTF-16 cannot be
     * gated; a caller must not serve such a body unexamined.
     */
    public static boolean supports(Charset charset) {
        String n = charset.name().toUpperCase(Locale.ROOT);
        return n.equals("UTF-8") || n.equals("US-ASCII") || n.startsWith("ISO-8859-") || n.startsWith("WINDOWS-125")
                || EAST_ASIAN.contains(n);
    }

    /** The legacy multi-byte charsets that can be gated, by canonical name in upper case. */
    private static final java.util.Set<String> EAST_ASIAN = java.util.Set.of("SHIFT_JIS", "WINDOWS-31J", "EUC-JP",
            "GBK", "GB18030", "BIG5", "EUC-KR");

    /**
     * Wraps {@code sink}. Bytes written are an HTML body in {@code charset}; what reaches the sink is
     * the gated body. {@code flush()} passes on everything already decided; {@code close()} finishes
     * (writes what is held, inserts what never found its place) and closes the sink.
     *
     * @throws IllegalArgumentException if the charset is not {@link #supports supported}
     */
    public OutputStream open(OutputStream sink, Charset charset, Decisions decisions, Page page) {
        return openHtml(sink, charset, decisions, page, null);
    }

    private OutputStream openHtml(OutputStream sink, Charset charset, Decisions decisions, Page page, Contacts contacts) {
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(decisions, "decisions");
        Objects.requireNonNull(page, "page");
        if (!supports(charset)) {
            throw new IllegalArgumentException("cannot inspect HTML in " + charset + "; see HtmlGate.supports");
        }
        return open(sink, charset, decisions, page, false, contacts);
    }

    /**
     * {@link #open} for an XHTML body ({@code application/xhtml+xml}), which browsers parse as
     * XML: no element's content is raw text there (a {@code <style>}'s or {@code <textarea>}'s
     * tags are tags), CDATA sections are text anywhere, and a script's code is its text and CDATA
     * sections, judged as an inline script's; an element inside a script (which XML makes an
     * element) fails the gate closed. A renamed prefixed attribute loses its colon
     * ({@code data-consent-xlink-href}), which would otherwise name an undeclared namespace.
     * Nothing is inserted: the banner and snippets are HTML, not XML. The caller should serve it
     * under the fail-closed policy as well, and read a body without a declared charset in
     * {@link #xmlCharsetOf}'s.
     */
    public OutputStream openXhtml(OutputStream sink, Charset charset, Decisions decisions) {
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(decisions, "decisions");
        if (!supports(charset)) {
            throw new IllegalArgumentException("cannot inspect XHTML in " + charset + "; see HtmlGate.supports");
        }
        return open(sink, charset, decisions, Page.PLAIN, true, null);
    }

    /**
     * What a page fetches from hosts that are no tracker's, told while the gate reads it: for a
     * report of what pages contact that nobody declared. Called on the writing thread, once per URL.
     */
    @FunctionalInterface
    public interface Contacts {
        /**
         * The page fetches from {@code host} (lower case) as {@code kind}: {@code script},
         * {@code img}, {@code frame}, {@code object}, {@code media}, or {@code link}.
         *
         * @return whether the gate must hold it back as it does a denied tracker's (the element made
         *         inert or its URL renamed, marked {@code unknown})
         */
        boolean contact(String host, String kind);

        /**
         * The gate failed in this body: the rest of it goes out with every {@code <} escaped. Told
         * once, after the failure is logged; for a count of bodies that failed closed.
         */
        default void failed() {
        }
    }

    /**
     * {@link #open(OutputStream, Charset, Decisions, Page)}, telling {@code contacts} of every URL of
     * a script or of an element's own URL attribute ({@code img src}, {@code iframe src},
     * {@code link href}, …) that names a host no tracker's rules name, and holding back those it
     * says to. Not lists ({@code srcset}), nor other attributes.
     */
    public OutputStream open(OutputStream sink, Charset charset, Decisions decisions, Page page, Contacts contacts) {
        return openHtml(sink, charset, decisions, page, Objects.requireNonNull(contacts, "contacts"));
    }

    private OutputStream open(OutputStream sink, Charset charset, Decisions decisions, Page page, boolean xml,
            Contacts contacts) {
        long allowed = allowed(decisions);
        byte[] nonceAttr = page.nonce().isEmpty() ? null
                : (" nonce=\"" + page.nonce().get() + "\"").getBytes(StandardCharsets.US_ASCII);
        Rewriter r = take();
        r.start(sink, charset, allowed, page, nonceAttr, xml, contacts);
        return new GateStream(this, r);
    }

    /**
     * Whether a browser may fetch {@code url} under these decisions: false if it is an absolute
     * or protocol-relative URL that points to a tracker they do not allow (or to a catalogue
     * tracker the site did not configure), by the same host and path rules as the markup. A
     * relative URL is the site's own. For URLs outside markup, such as a {@code Link} header's.
     */
    public boolean allows(String url, Decisions decisions) {
        Objects.requireNonNull(url, "url");
        return (rules.matchUrl(url) & ~allowed(Objects.requireNonNull(decisions, "decisions"))) == 0;
    }

    private long allowed(Decisions decisions) {
        long allowed = 0;
        for (int k = 0; k < rules.ids.length; k++) {
            if (decisions.allows(rules.ids[k])) {
                allowed |= 1L << k;
            }
        }
        return allowed;
    }

    /** A spare rewriter, or a new one. */
    private Rewriter take() {
        int first = (int) Thread.currentThread().getId();
        for (int k = 0; k < SPARE; k++) {
            int slot = (first + k) & (SPARE - 1);
            if (spare.get(slot) != null) {
                Rewriter r = spare.getAndSet(slot, null);
                if (r != null) {
                    return r;
                }
            }
        }
        return new Rewriter(this, rules);
    }

    /** A rewriter whose response is done: kept for another if it is sound and there is room. */
    void recycle(Rewriter r) {
        if (!r.release()) {
            return;
        }
        int first = (int) Thread.currentThread().getId();
        for (int k = 0; k < SPARE; k++) {
            if (spare.compareAndSet((first + k) & (SPARE - 1), null, r)) {
                return;
            }
        }
    }

    /** The snippet of the site's tracker {@code k} to insert, or null. */
    byte[] snippet(int k, Charset cs, Page page) {
        Tracker t = rules.trackers.get(k);
        if (!t.inject() || t.snippet().isEmpty()) {
            return null;
        }
        if (page.nonce().isPresent()) {
            return withNonce(t.snippet(), page).getBytes(cs);
        }
        return snippets.computeIfAbsent(cs, c -> {
            byte[][] all = new byte[rules.configured][];
            for (int i = 0; i < all.length; i++) {
                all[i] = rules.trackers.get(i).snippet().getBytes(c);
            }
            return all;
        })[k];
    }

    /** Google Consent Mode v2 defaults for this request; also defines {@code dataLayer} and {@code gtag}. */
    byte[] consentMode(long allowed, Charset cs, Page page) {
        boolean analytics = granted(allowed, "google-analytics");
        boolean ads = granted(allowed, "google-ads");
        if (page.nonce().isPresent()) {
            return withNonce(consentModeScript(analytics, ads), page).getBytes(cs);
        }
        byte[][] four = consentModes.get(cs);
        if (four == null) {
            four = consentModes.computeIfAbsent(cs, c -> new byte[][] {consentModeScript(false, false).getBytes(c),
                consentModeScript(true, false).getBytes(c), consentModeScript(false, true).getBytes(c),
                consentModeScript(true, true).getBytes(c)});
        }
        return four[(analytics ? 1 : 0) | (ads ? 2 : 0)];
    }

    private static String consentModeScript(boolean analyticsGranted, boolean adsGranted) {
        String analytics = analyticsGranted ? "granted" : "denied";
        String ads = adsGranted ? "granted" : "denied";
        return "<script>window.dataLayer=window.dataLayer||[];"
                + "window.gtag=window.gtag||function(){dataLayer.push(arguments);};"
                + "gtag('consent','default',{ad_storage:'" + ads + "',ad_user_data:'" + ads
                + "',ad_personalization:'" + ads + "',analytics_storage:'" + analytics
                + "',functionality_storage:'granted',personalization_storage:'" + ads
                + "',security_storage:'granted'});</script>\n";
    }

    /**
     * The page's banner in {@code cs}, in the parts between which the response's nonce goes (one
     * part without a nonce); the last one split and encoded is kept, so that a banner that comes
     * again (the same page, or a banner the caller built once) is not lower-cased, split and
     * encoded again: its script is most of a page's insertions. Compared by content, since a
     * caller builds the string per response; two banners differ early, where the page's address is.
     */
    byte[][] banner(Charset cs, Page page) {
        String html = page.bodyEndHtml();
        boolean nonce = page.nonce().isPresent();
        EncodedBanner last = lastBanner;
        if (last != null && last.html.equals(html) && last.cs.equals(cs) && last.nonce == nonce) {
            return last.parts;
        }
        List<String> split = nonce ? nonceParts(html) : List.of(html);
        byte[][] parts = new byte[split.size()][];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = split.get(i).getBytes(cs);
        }
        lastBanner = new EncodedBanner(html, cs, nonce, parts);
        return parts;
    }

    private record EncodedBanner(String html, Charset cs, boolean nonce, byte[][] parts) {
    }

    private boolean granted(long allowed, String id) {
        long bit = rules.bit(id);
        return bit != Rules.UNKNOWN && (allowed & bit) != 0;
    }

    /** {@code html} with the page's nonce on every {@code <script} start tag. */
    static String withNonce(String html, Page page) {
        if (page.nonce().isEmpty()) {
            return html;
        }
        return String.join(" nonce=\"" + page.nonce().get() + "\"", nonceParts(html));
    }

    /** {@code html} cut after the name of every {@code <script} start tag, where a nonce goes. */
    static List<String> nonceParts(String html) {
        String lower = html.toLowerCase(Locale.ROOT);
        List<String> parts = new ArrayList<>();
        int from = 0;
        int i = 0;
        while ((i = lower.indexOf("<script", i)) >= 0) {
            int after = i + 7;
            char c = after < html.length() ? html.charAt(after) : '>';
            if (c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
                parts.add(html.substring(from, after));
                from = after;
            }
            i = after;
        }
        parts.add(html.substring(from));
        return parts;
    }
}
