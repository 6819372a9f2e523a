package nl.i3groep.consent.html;

import java.nio.charset.Charset;
import java.util.Locale;

/**
 * The verdict on a held tag or script: which trackers it belongs to (by its {@code data-consent}
 * mark, the hosts of its URL attributes, the markers in its inline text), whether the request
 * allows all of them, and the {@link Edit} that follows: made inert, restored, renamed, or kept.
 */
final class Verdict {

    /** The URL attributes of a script: href and xlink:href load an SVG script (on an HTML one they do nothing). */
    static final String[] SCRIPT_URLS = {"src", "href", "xlink:href"};
    // href and xlink:href: an SVG <image> or <feImage> (read as img here) loads from them
    static final String[] IMG = {"src", "srcset", "href", "xlink:href"};
    static final String[] IFRAME = {"src", "srcdoc"};
    static final String[] SRC = {"src"};
    static final String[] OBJECT = {"data"};
    static final String[] SOURCE = {"src", "srcset"};
    static final String[] LINK = {"href", "imagesrcset"};
    static final String[] VIDEO = {"src", "poster"};
    static final String[] BASE_HREF = {"href"};

    private final Rules rules;
    private final Edit edit;
    private final Tag tag;
    private final Tree tree;
    private final Insertions insertions;

    private Charset cs;
    private long allowed;
    private Rules.Markers markers;
    /** What {@link #scriptTag} found of a script whose content is still to come. */
    private long heldBits;
    private boolean heldExecutable;
    private boolean heldParked;
    private boolean heldMarked;
    /** The held script is a JSON data block. */
    private boolean heldData;
    private Rules.Markers hostMarkers;

    Verdict(Rules rules, Edit edit, Tree tree, Insertions insertions) {
        this.rules = rules;
        this.edit = edit;
        this.tag = edit.tag;
        this.tree = tree;
        this.insertions = insertions;
    }

    void start(Charset cs, long allowed, Rules.Markers markers, java.util.Map<String, String> placeholders) {
        this.cs = cs;
        this.allowed = allowed;
        this.markers = markers;
        this.placeholders = placeholders;
        this.hostMarkers = rules.hostMarkers(cs);
    }

    /** Per embed tracker, what goes in place of its denied frames ({@link Page#placeholders}). */
    private java.util.Map<String, String> placeholders = java.util.Map.of();

    /** Told of each URL of the page on a host that is no tracker's; null when nobody asked. */
    HtmlGate.Contacts contacts;

    /**
     * Tells {@link #contacts} of attribute {@code k}'s host, which {@code bits} say is no
     * tracker's: {@link Rules#UNKNOWN} where it says to hold the URL back, else 0.
     */
    private long contact(int k, long bits, String kind) {
        if (contacts != null && bits == 0 && tag.valueStart[k] >= 0
                && Rules.mayHaveHost(tag.b, tag.valueStart[k], tag.valueStop[k])) {
            String host = Rules.hostOf(tag.value(k, cs));
            if (host != null && contacts.contact(host, kind)) {
                return Rules.UNKNOWN;
            }
        }
        return 0;
    }

    /** How a page fetches what an element's own URL attributes name, as a report says it. */
    private static String fetchKind(int el) {
        return switch (el) {
            case Names.IMG, Names.SOURCE, Names.INPUT -> "img";
            case Names.IFRAME, Names.FRAME -> "frame";
            case Names.OBJECT, Names.EMBED -> "object";
            case Names.VIDEO, Names.AUDIO, Names.TRACK -> "media";
            case Names.SCRIPT -> "script";
            default -> "link";
        };
    }

    /**
     * A script start tag in {@link Edit#tag}, of any type (a performance or privacy plugin's own
     * type, {@code text/partytown}, a parked {@code text/plain}: a first-party loader may revive
     * it): its trackers are those its {@code data-consent} mark names and those its URL attributes
     * point to ({@code src}, {@code href}, {@code xlink:href}, and every {@code data-*src} a
     * loader reads). One with a {@code src} is decided here; an inline one only with its content
     * ({@link #inlineScript}), which counts whatever the mark says. Returns false for the latter.
     */
    boolean scriptTag() {
        int type = tag.find("type");
        String mark = tag.value("data-consent", cs);
        long bits = mark == null ? 0 : rules.bitsOfMark(mark);
        boolean hasSrc = false;
        for (String attr : SCRIPT_URLS) {
            int k = tag.find(attr);
            if (k >= 0) {
                hasSrc |= attr.equals("src");
                long urlBits = urlBits(k);
                bits |= urlBits | contact(k, urlBits, "script");
            }
        }
        for (int k = 0; k < tag.count; k++) {
            if (tag.loaderUrl(k)) {
                bits |= urlBits(k);
            } else if (tag.valueStart[k] >= 0 && tag.kind(k) == Tag.HANDLER) {
                bits |= otherBits(k, Tag.HANDLER); // an onload or onerror that loads a tracker
            }
        }
        heldExecutable = executable(type);
        // JSON is read, never run: judged on the tracker hosts it names (AMP's amp-analytics reads
        // its requests from one), not on code markers, which a search engine's ld+json may hold
        heldData = !heldExecutable && dataBlock(tag.value(type, cs));
        heldParked = mark != null && type >= 0 && tag.value(type, cs).strip().equalsIgnoreCase("text/plain");
        heldMarked = mark != null;
        heldBits = bits;
        if (!hasSrc) {
            return false;
        }
        decideScript(bits);
        return true;
    }

    /**
     * The content of the inline script whose start tag {@link #scriptTag} read, {@code b[content,
     * contentEnd)} after the start tag {@code b[start, content)}: its trackers are those of the
     * start tag and those whose markers its first {@link Rewriter#CAP} bytes name. A longer one in
     * whose first {@link Rewriter#CAP} bytes nothing names a tracker is undecided, and so denied.
     */
    void inlineScript(byte[] b, int start, int content, int contentEnd) {
        Rules.Markers m = heldData ? hostMarkers : markers;
        long bits = heldBits | m.scan(b, content, Math.min(contentEnd, content + Rewriter.CAP));
        if (bits == 0 && contentEnd - content > Rewriter.CAP && !heldData) {
            bits = Rules.UNKNOWN; // code undecided on what could be read: fail closed (data runs nothing)
        }
        // the start tag was parsed when it ended; its spans still hold if it has not moved since
        // (held bytes only move to a new array, and are only appended to)
        if (tag.b != b || tag.start != start || tag.end != content) {
            tag.parse(b, start, content);
        }
        decideScript(bits);
    }

    /**
     * The content of a stylesheet ({@code <style>}) whose start tag is {@code b[start, content)}:
     * made inert ({@code type="text/plain"}, which browsers do not apply) when its CSS, in its
     * first {@link Rewriter#CAP} bytes, fetches from a denied tracker ({@link Css}).
     */
    void inlineStyle(byte[] b, int start, int content, int contentEnd) {
        int end = Math.min(contentEnd, content + Rewriter.CAP);
        long bits = Css.mayHaveHost(b, content, end) ? Css.bits(rules, new String(b, content, end - content, cs)) : 0;
        if (bits == 0 || allows(bits)) {
            edit.none();
            return;
        }
        if (tag.b != b || tag.start != start || tag.end != content) {
            tag.parse(b, start, content);
        }
        edit.inert(bits, tag.find("data-consent") < 0);
    }

    /**
     * An inline script in SVG/MathML, decided on its start tag: its content is markup to a browser
     * (tags in it are tags, read here as such), so it cannot be held and read as code. One that
     * may have content is undecided, and so denied ({@code unknown}); a self-closed one has none.
     */
    void foreignInlineScript(boolean mayHaveContent) {
        decideScript(heldBits | (mayHaveContent ? Rules.UNKNOWN : 0));
    }

    private void decideScript(long bits) {
        seen(bits);
        if (heldParked) {
            if (allows(bits)) {
                edit.restore();
            } else {
                edit.none();
            }
        } else if (bits != 0 && !allows(bits)) {
            edit.inert(bits, !heldMarked);
        } else if (heldExecutable) {
            edit.keep();
        } else {
            edit.none();
        }
    }

    /** The trackers attribute {@code k}'s value points to, as a URL. */
    private long urlBits(int k) {
        int vs = tag.valueStart[k];
        int ve = tag.valueStop[k];
        return vs >= 0 && Rules.mayHaveHost(tag.b, vs, ve) ? rules.urlBits(tag.b, vs, ve, Rules.URL, cs) | inline(k) : 0;
    }

    /**
     * A {@code data:} or {@code javascript:} URL in attribute {@code k} carries its document or
     * code with it (a frame's {@code data:text/html,<img src=…>}, a script's
     * {@code data:,new Image().src=…}): judged as a {@code srcdoc} is, percent-escapes and base64
     * decoded. 0 for any other value.
     */
    private long inline(int k) {
        int i = tag.valueStart[k];
        int ve = tag.valueStop[k];
        while (i < ve && (tag.b[i] & 0xff) <= ' ') {
            i++;
        }
        if (i == ve || ((tag.b[i] | 0x20) != 'd' && (tag.b[i] | 0x20) != 'j' && tag.b[i] != '&')) {
            return 0;
        }
        String v = tag.value(k, cs).strip().replace("\t", "").replace("\n", "").replace("\r", "");
        int colon = v.indexOf(':');
        String scheme = colon < 0 ? "" : v.substring(0, colon).toLowerCase(Locale.ROOT);
        if (scheme.equals("javascript")) {
            return matchDocument(Rules.percentDecode(v.substring(colon + 1)));
        }
        int comma = v.indexOf(',');
        if (!scheme.equals("data") || comma < 0) {
            return 0;
        }
        String body = v.substring(comma + 1);
        if (v.substring(0, comma).toLowerCase(Locale.ROOT).replace(" ", "").endsWith(";base64")) {
            try {
                byte[] bytes = java.util.Base64.getMimeDecoder().decode(Rules.percentDecode(body).replaceAll("\\s", ""));
                return matchDocument(new String(bytes, java.nio.charset.StandardCharsets.UTF_8))
                        | matchDocument(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1));
            } catch (IllegalArgumentException undecodable) {
                return Rules.UNKNOWN; // a browser may read more of it than the decoder does: fail closed
            }
        }
        return matchDocument(Rules.percentDecode(body));
    }

    /**
     * A start tag other than a script's ({@code el}, 0 for an element without a number of its own):
     * its attributes that point to denied trackers are renamed {@code data-consent-…} and the
     * element marked. They are the element's own URL attributes ({@link #urlAttributes}) and, on
     * any element, every other attribute whose value is an absolute URL or a list of them (a lazy
     * loader's {@code data-src}, {@code data-bg}, {@code data-srcset}; {@code ping};
     * {@code background}), an event handler whose code names a tracker, a {@code style} whose CSS
     * does, and a {@code content} that is a refresh to one. A denied {@code data-consent} mark
     * renames the element's URL attributes, loaders' and handlers whatever they name.
     */
    void element(int el) {
        String[] attrs = urlAttributes(el);
        String mark = tag.value("data-consent", cs);
        long markBits = mark == null ? 0 : rules.bitsOfMark(mark);
        boolean markDenied = mark != null && !allows(markBits);
        long deniedBits = 0;
        edit.beginRenames();
        boolean any = false;
        for (String attr : attrs) {
            int k = tag.find(attr);
            if (k < 0) {
                continue;
            }
            long bits = 0;
            int vs = tag.valueStart[k];
            int ve = tag.valueStop[k];
            if (vs < 0) {
                bits = 0;
            } else if (attr.endsWith("srcset")) {
                if (Rules.mayHaveHostSrcset(tag.b, vs, ve)) {
                    bits = rules.urlBits(tag.b, vs, ve, Rules.SRCSET, cs);
                }
            } else if (attr.equals("srcdoc")) {
                bits = matchDocument(tag.value(k, cs));
            } else if (Rules.mayHaveHost(tag.b, vs, ve)) {
                bits = rules.urlBits(tag.b, vs, ve, el == Names.BASE ? Rules.BASE : Rules.URL, cs) | inline(k);
                bits |= contact(k, bits, fetchKind(el));
            }
            if (markDenied || (bits != 0 && !allows(bits))) {
                deniedBits |= bits;
                any = true;
                edit.rename(k, attr);
            }
        }
        for (int k = 0; k < tag.count; k++) {
            if (tag.valueStart[k] < 0 || isNamed(k, attrs) || tag.nameIs(k, "data-consent") || firstOfName(k) < k) {
                continue;
            }
            int kind = tag.kind(k);
            long bits = otherBits(k, kind);
            boolean loads = kind == Tag.HANDLER || tag.loaderUrl(k);
            if ((markDenied && loads) || (bits != 0 && !allows(bits))) {
                deniedBits |= bits;
                any = true;
                edit.renameAll(k);
            }
        }
        if (!any) {
            edit.none();
            return;
        }
        edit.renamed(mark == null, deniedBits);
        if (el == Names.IFRAME && !placeholders.isEmpty()) {
            String placeholder = placeholder(deniedBits | (markDenied ? markBits : 0));
            if (placeholder != null) {
                edit.placeholder(placeholder.getBytes(cs));
            }
        }
    }

    /**
     * What goes in place of the held frame, denied for {@code bits}: the placeholder of the first
     * embed tracker among them, sized as the frame; none for a frame that is not to be seen (no
     * size, hidden), as tag managers' are.
     */
    private String placeholder(long bits) {
        String template = null;
        for (int k = 0; k < rules.ids.length && template == null; k++) {
            if ((bits & (1L << k)) != 0) {
                template = placeholders.get(rules.ids[k]);
            }
        }
        if (template == null || tag.find("hidden") >= 0) {
            return null;
        }
        String style = tag.value("style", cs);
        if (style != null && style.replace(" ", "").toLowerCase(Locale.ROOT).matches(".*(display:none|visibility:hidden).*")) {
            return null;
        }
        String width = cssLength(tag.value("width", cs), "100%");
        String height = cssLength(tag.value("height", cs), "315px");
        if (width.matches("0+(\\.0*)?(px)?") || height.matches("0+(\\.0*)?(px)?")) {
            return null;
        }
        return template.replace("{width}", width).replace("{height}", height);
    }

    /** A frame's {@code width} or {@code height} as CSS: a number is pixels, a percentage stays one. */
    private static String cssLength(String value, String fallback) {
        if (value == null) {
            return fallback;
        }
        String v = value.strip();
        if (v.matches("[0-9]{1,5}(\\.[0-9]{1,3})?")) {
            return v + "px";
        }
        return v.matches("[0-9]{1,5}(\\.[0-9]{1,3})?(%|px)") ? v : fallback;
    }


    private static final String[] NONE = {};

    /**
     * The trackers attribute {@code k} (not one of its element's own URL attributes) points to, as
     * the attribute of its kind ({@link Tag#kind}) it is: code, CSS, a refresh, a list of URLs or
     * one URL.
     */
    private long otherBits(int k, int kind) {
        byte[] b = tag.b;
        int vs = tag.valueStart[k];
        int ve = tag.valueStop[k];
        switch (kind) {
            case Tag.HANDLER: {
                long bits = markers.scan(b, vs, ve);
                return bits != 0 || !hasRef(b, vs, ve) ? bits : markers.scan(tag.value(k, cs), cs);
            }
            case Tag.STYLE:
                return Css.mayHaveHost(b, vs, ve) ? Css.bits(rules, tag.value(k, cs)) : 0;
            case Tag.CONTENT: {
                if (!Tag.mayBeRefresh(b, vs, ve)) {
                    return 0;
                }
                String url = HtmlGate.refreshUrl(tag.value(k, cs));
                return url == null || url.isEmpty() ? 0 : rules.matchUrl(url);
            }
            default: {
                long bits = Rules.mayHaveHost(b, vs, ve) ? rules.urlBits(b, vs, ve, Rules.URL, cs) | inline(k) : 0;
                return kind == Tag.LIST && Rules.mayHaveHostSrcset(b, vs, ve)
                        ? bits | rules.urlBits(b, vs, ve, Rules.SRCSET, cs) : bits;
            }
        }
    }

    private static boolean hasRef(byte[] b, int from, int to) {
        return Bytes.indexOf(b, (byte) '&', from, to) < to;
    }

    private boolean isNamed(int k, String[] names) {
        for (String n : names) {
            if (tag.nameIs(k, n)) {
                return true;
            }
        }
        return false;
    }

    /** The first attribute with attribute {@code k}'s name: browsers ignore the later ones. */
    private int firstOfName(int k) {
        for (int d = 0; d < k; d++) {
            if (tag.sameName(d, k)) {
                return d;
            }
        }
        return k;
    }

    static String[] urlAttributes(int el) {
        return switch (el) {
            case Names.IMG -> IMG;
            case Names.IFRAME -> IFRAME;
            case Names.OBJECT -> OBJECT;
            case Names.SOURCE -> SOURCE;
            case Names.LINK -> LINK;
            case Names.BASE -> BASE_HREF;
            case Names.VIDEO -> VIDEO;
            case Names.EMBED, Names.AUDIO, Names.INPUT, Names.TRACK, Names.FRAME -> SRC;
            default -> NONE;
        };
    }

    private void seen(long bits) {
        if (tree.installs()) {
            insertions.installed(bits);
        }
    }

    private boolean allows(long bits) {
        return (bits & ~allowed) == 0;
    }

    /**
     * An iframe's srcdoc is a document: any tracker host or marker in it counts, also a host spelled
     * with character references (decoded again for each level of nesting), percent-escapes, or the
     * tabs and line breaks that a URL parser drops.
     */
    private long matchDocument(String v) {
        long bits = markers.scan(v, cs);
        String plain = v;
        for (int level = 0; level < 4 && plain.indexOf('&') >= 0; level++) {
            plain = CharRefs.decode(plain);
        }
        plain = Rules.percentDecode(plain.replace("\t", "").replace("\n", "").replace("\r", ""));
        bits |= markers.scan(plain, cs);
        String lower = plain.toLowerCase(Locale.ROOT);
        for (String host : rules.hostNames) {
            if (lower.contains(host)) {
                long b = rules.matchHost(host, "/", "");
                bits |= b != 0 ? b : Rules.UNKNOWN;
            }
        }
        return bits;
    }

    /** The types a browser runs a script of, lower case. */
    private static final String[] EXECUTABLE = {"", "module", "text/javascript", "application/javascript",
        "application/ecmascript", "application/x-ecmascript", "application/x-javascript", "text/ecmascript",
        "text/javascript1.0", "text/javascript1.1", "text/javascript1.2", "text/javascript1.3", "text/javascript1.4",
        "text/javascript1.5", "text/jscript", "text/livescript", "text/x-ecmascript", "text/x-javascript"};

    /**
     * Whether a script whose {@code type} is attribute {@code k} of the tag (-1: none) runs. A
     * plain ASCII value is read in place, as {@link #executable(String)} reads its string.
     */
    private boolean executable(int k) {
        if (k < 0 || tag.valueStart[k] < 0) {
            return true;
        }
        byte[] b = tag.b;
        int from = tag.valueStart[k];
        int to = tag.valueStop[k];
        for (int i = from; i < to; i++) {
            if (b[i] <= 0 || b[i] == '&') {
                return executable(tag.value(k, cs));
            }
        }
        while (from < to && Character.isWhitespace(b[from])) {
            from++;
        }
        for (int i = from; i < to; i++) {
            if (b[i] == ';') {
                to = i;
                break;
            }
        }
        while (to > from && Character.isWhitespace(b[to - 1])) {
            to--;
        }
        for (String t : EXECUTABLE) {
            if (t.length() == to - from && Tag.is(b, from, t)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a script of this type is JSON data: {@code application/json}, {@code application/ld+json}, {@code *+json}. */
    private static boolean dataBlock(String type) {
        String t = mediaType(type);
        return t.equals("application/json") || t.equals("text/json") || t.endsWith("+json");
    }

    private static boolean executable(String type) {
        return java.util.Arrays.asList(EXECUTABLE).contains(mediaType(type));
    }

    /** A type attribute's media type, as browsers compare it: trimmed, lower case, without parameters. */
    private static String mediaType(String type) {
        String t = type.strip().toLowerCase(Locale.ROOT);
        int semi = t.indexOf(';');
        return semi < 0 ? t : t.substring(0, semi).strip();
    }
}
