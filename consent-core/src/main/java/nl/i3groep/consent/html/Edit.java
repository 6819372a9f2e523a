package nl.i3groep.consent.html;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The rewrite of one held start tag ({@link #tag}): attributes inserted after its name, some
 * renamed or deleted, the rest of its bytes kept as they were; built whole in {@link #result},
 * then written at once. Also the rename of a tag too long to hold.
 */
final class Edit {

    private static final byte[] OVERLONG = "<x-consent-".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TEXT_PLAIN = " type=\"text/plain\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA_CONSENT_ = "data-consent-".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA_TYPE = "data-type".getBytes(StandardCharsets.US_ASCII);

    private static final int OP_NONE = 0, OP_PREFIX = 1, OP_DATA_TYPE = 2, OP_DELETE = 3;

    /** The held start tag, parsed. */
    final Tag tag;
    private final Rules rules;
    private final Bytes.Buf ins = new Bytes.Buf(64);
    private final Bytes.Buf scratch = new Bytes.Buf(256);
    private int[] ops = new int[8];
    private boolean edited;

    private Charset cs;
    /**
     * XHTML, read as XML: there a renamed {@code xlink:href} would name an undeclared namespace
     * ({@code data-consent-xlink}), which makes the whole page an XML error; its {@code :} becomes
     * {@code -}.
     */
    boolean xml;
    /** {@code nonce="…"} with a space before it, or null when the response has no nonce. */
    private byte[] nonceAttr;

    Edit(Tag tag, Rules rules) {
        this.tag = tag;
        this.rules = rules;
    }

    void start(Charset cs, byte[] nonceAttr) {
        this.cs = cs;
        this.nonceAttr = nonceAttr;
        edited = false;
    }

    /** Lets buffers that grew past {@code kept} go, when the response is done. */
    void trim(int kept) {
        ins.trim(kept);
        scratch.trim(kept);
    }

    /** The tag's new bytes, or null if it stays as it is. */
    Bytes.Buf result() {
        return edited ? scratch : null;
    }

    /** Unchanged. */
    void none() {
        edited = false;
    }

    /**
     * Denied: {@code type="text/plain"} first (the first of duplicate attributes wins), the old type
     * kept as {@code data-type}, its URL attributes ({@code src}, {@code href},
     * {@code xlink:href}, a loader's {@code data-*src}) renamed {@code data-consent-…}, and the
     * mark of the trackers it belongs to if it has none.
     */
    void inert(long bits, boolean addMark) {
        ins.n = 0;
        ins.add(TEXT_PLAIN);
        if (addMark) {
            ins.add(rules.markAttribute(bits & ~Rules.UNKNOWN));
        }
        clearOps();
        for (int k = 0; k < tag.count; k++) {
            if (tag.nameIs(k, "type")) {
                ops[k] = OP_DATA_TYPE;
            } else if (tag.nameIs(k, "src") || tag.nameIs(k, "href") || tag.nameIs(k, "xlink:href") || tag.loaderUrl(k)) {
                ops[k] = OP_PREFIX; // so that no loader finds the URL, whatever it selects scripts by
            }
        }
        apply();
    }

    /**
     * Executable and allowed (or no tracker's): unchanged but for the response's nonce where it
     * gets one ({@link #nonced}), which replaces one of the application's own (its policy is given
     * this nonce; the filter's policy, enforced beside it, admits no other).
     */
    void keep() {
        if (nonceAttr == null || !nonced()) {
            none();
            return;
        }
        ins.n = 0;
        ins.add(nonceAttr);
        clearOps();
        deleteOwnNonce();
        apply();
    }

    /**
     * Whether the script gets the response's nonce: an inline one, which the policy admits by
     * nothing else, and an external one that carries the application's own nonce (its policy
     * admits it so). Any other external script is the policy's to judge by its host, which a nonce
     * would overrule: a page's script from a host nobody declared would load whatever the policy says.
     */
    private boolean nonced() {
        for (String url : Verdict.SCRIPT_URLS) {
            if (tag.find(url) >= 0) {
                return tag.find("nonce") >= 0;
            }
        }
        return true;
    }

    /** A parked ({@code text/plain}, marked) script that is allowed: its {@code data-type}, or no type. */
    void restore() {
        ins.n = 0;
        String dataType = tag.value("data-type", cs);
        if (dataType != null && !dataType.isBlank()) {
            addAttr("type", dataType);
        }
        clearOps();
        if (nonceAttr != null && nonced()) {
            ins.add(nonceAttr);
            deleteOwnNonce();
        }
        for (int k = 0; k < tag.count; k++) {
            if (tag.nameIs(k, "type")) {
                ops[k] = OP_DELETE;
            }
        }
        apply();
    }

    /** Starts a rename of URL attributes ({@link #rename}, then {@link #renamed}). */
    void beginRenames() {
        clearOps();
    }

    /** Attribute {@code k} and every later one of the same name become {@code data-consent-…}. */
    void rename(int k, String lowerName) {
        // every occurrence: renaming only the first would let a duplicate take effect
        for (int d = k; d < tag.count; d++) {
            if (tag.nameIs(d, lowerName)) {
                ops[d] = OP_PREFIX;
            }
        }
    }

    /** Attribute {@code k} and every later one of its name become {@code data-consent-…}. */
    void renameAll(int k) {
        for (int d = k; d < tag.count; d++) {
            if (tag.sameName(d, k)) {
                ops[d] = OP_PREFIX;
            }
        }
    }

    /** The renames are marked; {@code markBits} the trackers to name in a mark, or 0 for none. */
    void renamed(boolean addMark, long markBits) {
        ins.n = 0;
        if (addMark) {
            ins.add(rules.markAttribute(markBits & ~Rules.UNKNOWN));
        }
        apply();
    }

    /**
     * The renamed frame ({@link #renamed}) goes behind {@code html}, its placeholder, and hidden
     * until it is allowed.
     */
    void placeholder(byte[] html) {
        int name = tag.nameEnd - tag.start;
        byte[] renamed = Arrays.copyOf(scratch.a, scratch.n);
        scratch.n = 0;
        scratch.add(html);
        scratch.add(renamed, 0, name);
        scratch.add(HIDDEN);
        scratch.add(renamed, name, renamed.length - name);
    }

    private static final byte[] HIDDEN = " hidden".getBytes(StandardCharsets.US_ASCII);

    /** A tag too long to hold, {@code b[from, to)} (its start): renamed {@code x-consent-…}, so it loads nothing. */
    Bytes.Buf overlong(byte[] b, int from, int to) {
        scratch.n = 0;
        scratch.add(OVERLONG);
        scratch.add(b, from + 1, to - from - 1);
        edited = true;
        return scratch;
    }

    private void deleteOwnNonce() {
        for (int k = 0; k < tag.count; k++) {
            if (tag.nameIs(k, "nonce")) {
                ops[k] = OP_DELETE;
            }
        }
    }

    private void addAttr(String attr, String value) {
        ins.add(' ');
        ins.add(attr.getBytes(StandardCharsets.US_ASCII));
        ins.add('=');
        ins.add('"');
        ins.add(escape(value).getBytes(cs));
        ins.add('"');
    }

    private static String escape(String v) {
        if (v.indexOf('&') < 0 && v.indexOf('"') < 0) {
            return v;
        }
        return v.replace("&", "&amp;").replace("\"", "&quot;");
    }

    private void clearOps() {
        if (ops.length < tag.count) {
            ops = new int[Math.max(tag.count, ops.length * 2)];
        }
        Arrays.fill(ops, 0, tag.count, OP_NONE);
    }

    /** The tag with {@code ins} after its name and {@code ops} applied. */
    private void apply() {
        byte[] b = tag.b;
        scratch.n = 0;
        scratch.add(b, tag.start, tag.nameEnd - tag.start);
        scratch.add(ins.a, 0, ins.n);
        int cursor = tag.nameEnd;
        for (int k = 0; k < tag.count; k++) {
            int op = ops[k];
            if (op == OP_NONE) {
                continue;
            }
            int ns = tag.nameStart[k];
            scratch.add(b, cursor, ns - cursor);
            if (op == OP_PREFIX) {
                scratch.add(DATA_CONSENT_);
                cursor = ns;
                int colon = xml ? Bytes.indexOf(b, (byte) ':', ns, tag.nameStop[k]) : tag.nameStop[k];
                if (colon < tag.nameStop[k]) {
                    scratch.add(b, ns, colon - ns);
                    scratch.add('-');
                    cursor = colon + 1;
                }
            } else if (op == OP_DATA_TYPE) {
                scratch.add(DATA_TYPE);
                cursor = tag.nameStop[k];
            } else {
                int vs = tag.valueStart[k];
                if (vs < 0) {
                    cursor = tag.nameStop[k];
                } else if (b[vs - 1] == '"' || b[vs - 1] == '\'') {
                    cursor = tag.valueStop[k] + 1;
                } else {
                    cursor = tag.valueStop[k];
                }
            }
        }
        scratch.add(b, cursor, tag.end - cursor);
        edited = true;
    }
}
