package nl.i3groep.consent.html;

import java.io.IOException;

/**
 * The fast path of the data state, for the bulk of a page: text, comments, and complete tags
 * that cannot concern a tracker and change nothing in the tree, passed over without a round
 * through the tokenizer's states.
 *
 * <p>Only valid after the head (or in a fragment), outside SVG/MathML, when nothing is held; then
 * such a tag's only effect in the tokenizer would be to stay in the data state. It reads a tag
 * exactly as {@link Tokenizer#tagName} and {@link Tag#skipTo} do, and stops at the {@code <} of
 * anything else (or of a tag not complete in this write), which the tokenizer then takes from the
 * start: raw text after it, SVG/MathML, an end of head, body or html, and start tags unless
 * {@link #plainTag} or {@link #plainScript} show them unchanged. Kept small so that the JIT
 * compiles {@link #run} on its own, whole.
 */
final class FastScan {

    /**
     * Finds the ends of tags that need no inspection, here and in the tokenizer: kept apart from
     * the held tag, which may be a script's whose content is still coming.
     */
    final Tag skip = new Tag();

    private Rules.Markers markers;
    /** {@code nonce="…"} with a space before it, for the inline scripts it passes; null when the response has none. */
    private byte[] nonceAttr;
    /** Where the nonce goes, between runs of the caller's bytes. */
    private final Output output;
    /** Sees every tag it passes over, for the tokenizer conformance test; null otherwise. */
    Rewriter.Trace trace;

    FastScan(Output output) {
        this.output = output;
    }

    void start(Rules.Markers markers, byte[] nonceAttr) {
        this.markers = markers;
        this.nonceAttr = nonceAttr;
    }

    /** From {@code i}: the index of the first {@code <} it does not pass over, or {@code end}. */
    int run(byte[] b, int i, int end) throws IOException {
        while (true) {
            int j = Bytes.indexOf(b, (byte) '<', i, end);
            if (j + 2 >= end) {
                return j;
            }
            int p = j + 1;
            boolean et = b[p] == '/';
            if (et) {
                p++;
            }
            if (!Tokenizer.isAlpha(b[p])) {
                if (!et && b[p] == '!') {
                    int after = commentEnd(b, j, end);
                    if (after > 0) {
                        i = after;
                        continue;
                    }
                }
                return j;
            }
            // the name's end first; only a name that may be notable is lower-cased and looked up
            int s = p;
            while (p < end && !Tokenizer.NAME_END[b[p] & 0xff]) {
                p++;
            }
            if (p == end) {
                return j;
            }
            int n = p - s;
            int code = Names.mayBeNotable(b[s], n) ? Names.lookupIgnoringCase(b, s, n) : 0;
            int el = code & 0xff;
            int after;
            if (et ? el == Names.HEAD || el == Names.BODY || el == Names.HTML
                    : (code & Names.F_RAW) != 0 || el == Names.SVG || el == Names.MATH || el == Names.PLAINTEXT
                            || el == Names.NOSCRIPT) {
                return j;
            }
            if (et) {
                after = skip.skipTo(b, p, end);
            } else if (el == Names.SCRIPT) {
                after = plainScript(b, j, p, end);
                if (after < 0) {
                    return j;
                }
                i = after;
                continue;
            } else {
                after = plainTag(b, j, p, end);
            }
            if (after < 0) {
                return j;
            }
            if (trace != null) {
                trace.tag(b, j, after, et);
            }
            i = after;
        }
    }

    /**
     * A start tag (of any element but a script) that the verdict would pass unchanged, as
     * {@link Tag#skipPlainTo} shows: the index after its end, else -1 (the tokenizer then holds it
     * for a verdict).
     */
    private int plainTag(byte[] b, int j, int p, int end) {
        int after = skip.skipPlainTo(b, p, end, markers);
        return after - j > Rewriter.CAP ? -1 : after;
    }

    /**
     * A script that stays as it is, but for the response's nonce: a {@linkplain Tag#skipPlainTo
     * plain} start tag, its content complete in this write without {@code <!} (where the escaped
     * states begin) and without any tracker's marker. The index after its end tag, else -1.
     * Whatever its type and a relative src, such a script is kept by {@link Verdict#scriptTag} and
     * {@link Verdict#inlineScript}, which give the nonce to one without a URL and without a nonce
     * of its own ({@link Edit#keep}): written here after its name, as the edit would. One that may
     * have a URL or a nonce goes to the tokenizer.
     */
    private int plainScript(byte[] b, int j, int p, int end) throws IOException {
        int content = skip.skipPlainTo(b, p, end, markers);
        if (nonceAttr != null && content > 0 && (names(b, p, content, "nonce") || names(b, p, content, "src")
                || names(b, p, content, "href"))) {
            return -1;
        }
        if (content < 0 || content - j > Rewriter.CAP) {
            return -1;
        }
        int q = content;
        while (true) {
            q = Bytes.indexOf(b, (byte) '<', q, end);
            if (q + 8 >= end || q - content > Rewriter.CAP || b[q + 1] == '!') {
                return -1;
            }
            if (b[q + 1] == '/' && Tokenizer.isScriptName(b, q + 2) && Tokenizer.NAME_END[b[q + 8] & 0xff]) {
                break;
            }
            q++;
        }
        if (markers.scan(b, content, q) != 0) {
            return -1;
        }
        int after = skip.skipTo(b, q + 8, end);
        if (after < 0) {
            return -1;
        }
        if (trace != null) {
            trace.tag(b, j, content, false);
            trace.tag(b, q, after, true);
        }
        if (nonceAttr != null) {
            output.emitTo(p);
            output.insert(nonceAttr);
        }
        return after;
    }

    /** Whether {@code lower} occurs in {@code b[from, to)} in any case: where an attribute of that name may be. */
    private static boolean names(byte[] b, int from, int to, String lower) {
        int n = lower.length();
        for (int i = from; i + n <= to; i++) {
            if ((b[i] | 0x20) == lower.charAt(0) && Tag.is(b, i, lower)) {
                return true;
            }
        }
        return false;
    }

    /**
     * If {@code b[j]} begins a comment ({@code <!--}) that ends in this write, the index after its
     * end; else -1. The same ends as the comment states: {@code <!-->}, {@code <!--->}, then the
     * first {@code -->} or {@code --!>} whose dashes follow the opening.
     */
    private static int commentEnd(byte[] b, int j, int end) {
        int p = j + 4; // after "<!--"
        if (p + 1 >= end || b[j + 2] != '-' || b[j + 3] != '-') {
            return -1;
        }
        if (b[p] == '>') {
            return p + 1;
        }
        if (b[p] == '-' && b[p + 1] == '>') {
            return p + 2;
        }
        for (int k = Bytes.indexOf(b, (byte) '>', p, end); k < end; k = Bytes.indexOf(b, (byte) '>', k + 1, end)) {
            if (k - 2 >= p && b[k - 1] == '-' && b[k - 2] == '-'
                    || k - 3 >= p && b[k - 1] == '!' && b[k - 2] == '-' && b[k - 3] == '-') {
                return k + 1;
            }
        }
        return -1;
    }
}
