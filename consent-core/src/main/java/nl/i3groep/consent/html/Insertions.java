package nl.i3groep.consent.html;

import java.io.IOException;
import java.nio.charset.Charset;

/**
 * What a whole document gets besides the blocking: Google Consent Mode defaults at the start of
 * the head (before any Google tag can run), the banner at the end of the document, and the snippets
 * of allowed trackers the page does not install itself at the end of the document, once all of it
 * has been seen. Each at most once.
 */
final class Insertions {

    private final HtmlGate gate;
    private final Rules rules;
    private final Output output;

    private Charset cs;
    private long allowed;
    private Page page;
    /** {@code nonce="…"} with a space before it, or null when the response has no nonce. */
    private byte[] nonceAttr;
    private boolean consentModeDone;
    private boolean bannerDone;
    /** Trackers whose scripts the page installs itself. */
    private long installed;

    Insertions(HtmlGate gate, Rules rules, Output output) {
        this.gate = gate;
        this.rules = rules;
        this.output = output;
    }

    void start(Charset cs, long allowed, Page page, byte[] nonceAttr) {
        this.cs = cs;
        this.allowed = allowed;
        this.page = page;
        this.nonceAttr = nonceAttr;
        consentModeDone = false;
        bannerDone = false;
        installed = 0;
    }

    void installed(long bits) {
        installed |= bits;
    }

    void consentMode() throws IOException {
        if (!consentModeDone) {
            consentModeDone = true;
            if (rules.googleBits != 0) {
                output.insert(gate.consentMode(allowed, cs, page));
            }
        }
    }

    /** At the end of the document: each allowed tracker's snippet, unless the page installed it. */
    void snippets() throws IOException {
        for (int k = 0; k < rules.configured; k++) {
            long bit = 1L << k;
            if ((allowed & bit) != 0 && (installed & bit) == 0) {
                byte[] snippet = gate.snippet(k, cs, page);
                if (snippet != null) {
                    output.insert(snippet);
                }
            }
        }
    }

    void banner() throws IOException {
        if (!bannerDone) {
            bannerDone = true;
            if (!page.bodyEndHtml().isEmpty()) {
                byte[][] parts = gate.banner(cs, page);
                output.insert(parts[0]);
                for (int i = 1; i < parts.length; i++) {
                    output.insert(nonceAttr);
                    output.insert(parts[i]);
                }
            }
        }
    }
}
