package nl.i3groep.consent.html;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import nl.i3groep.consent.Decisions;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.SiteConfigs;
import nl.i3groep.consent.config.ConsentConfig;

/** The example site's gate and decisions, and a way to run HTML through it in chunks. */
final class Fixture {

    static final ConsentConfig CONFIG = SiteConfigs.example();
    static final Gatekeeper GATEKEEPER = Gatekeeper.create(CONFIG);
    static final HtmlGate GATE = HtmlGate.create(CONFIG.trackers());

    /** No decision: every tracker but session-cookies denied. */
    static final Decisions NONE = GATEKEEPER.decide(null, false);
    /** Everything granted. */
    static final Decisions ALL = granted(true, true);
    /** Analytics granted, marketing refused. */
    static final Decisions ANALYTICS = granted(true, false);
    /** Marketing granted, analytics refused. */
    static final Decisions MARKETING = granted(false, true);

    static final List<String> SIX = List.of("google-analytics", "google-ads", "linkedin-insight", "leadboxer",
            "oktopost", "session-cookies");

    private Fixture() {
    }

    static Decisions granted(boolean analytics, boolean marketing) {
        return GATEKEEPER.decisionsFor(GATEKEEPER.consent(Map.of("analytics", analytics, "marketing", marketing),
                Map.of()), false);
    }

    static String gate(String html, Decisions d) {
        return gate(html, d, Page.PLAIN, Integer.MAX_VALUE);
    }

    static String gate(String html, Decisions d, int chunk) {
        return gate(html, d, Page.PLAIN, chunk);
    }

    static String gate(String html, Decisions d, Page page, int chunk) {
        return new String(gate(GATE, html.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8, d, page,
                new int[] {chunk}), StandardCharsets.UTF_8);
    }

    /** Runs bytes through the gate, writing chunks of the given sizes in turn (cycled). */
    static byte[] gate(HtmlGate gate, byte[] in, Charset cs, Decisions d, Page page, int[] chunks) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream o = gate.open(sink, cs, d, page)) {
            int i = 0;
            int k = 0;
            while (i < in.length) {
                int n = (int) Math.min(Math.max(1, chunks[k++ % chunks.length]), (long) in.length - i);
                if (n == 1 && (k & 1) == 0) {
                    o.write(in[i]);
                } else {
                    o.write(in, i, n);
                }
                i += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sink.toByteArray();
    }

    static Page banner(String html) {
        return new Page(html, Optional.empty());
    }
}
