package nl.i3groep.consent.servlet;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import nl.i3groep.consent.Decisions;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.html.Page;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's response, seen through the gate. Decides at the first byte of the body, or when
 * the application commits the response before it (by then it has said what it writes, and the
 * headers of the decision must go out with the response): an HTML body in a charset the rewriter reads
 * streams through it; an HTML body it cannot read passes under a fail-closed
 * Content-Security-Policy; anything else passes untouched and unbuffered, the script of a worker
 * with the fetch policy a page would get (a worker's fetches obey its script's policy).
 *
 * <p>Headers that would betray the rewriting ({@code Content-Length}, {@code Content-Encoding}) are
 * held back until that moment, and {@code Set-Cookie} of denied trackers never reaches the
 * container, whichever API set it.
 */
final class GatedResponse extends HttpServletResponseWrapper {

    private static final Logger LOG = LoggerFactory.getLogger(GatedResponse.class);

    private enum Mode { UNDECIDED, GATED, PASSTHROUGH, ABANDONED, FAILED }

    private final ConsentFilter.Site site;
    private final Decisions decisions;
    private final boolean bodyless;
    /** Expiries of the denied trackers' cookies the request carries: sent again if the application clears the headers. */
    private final List<String> expiries;
    /** Built only for a body that is gated: the banner is the larger part of a response's own work. */
    private final Supplier<Page> page;

    private Mode mode = Mode.UNDECIDED;
    private long heldLength = -1;
    private String heldEncoding;
    private OutputStream target;
    private Body body;
    private PrintWriter writer;
    private EncodingWriter encoding;
    private Charset writerCharset;
    private String nonce;
    /** A length or an encoding of a body passed on unread reached the container. */
    private boolean passedHeaders;
    /** What the container held of a body passed on unread, to be read again now that it is HTML. */
    private byte[] readAgain;

    /** The request, as the policy's reporting and the report of undeclared hosts need it. */
    private final ConsentFilter.Visit visit;
    /** Whether the gate's time is measured: only where a meter takes it. */
    private final boolean timed;
    /** The time the body spent in the gate so far. */
    private long gateNanos;
    private boolean countedFailedClosed;

    GatedResponse(HttpServletResponse response, ConsentFilter.Site site, Decisions decisions, boolean bodyless,
            List<String> expiries, Supplier<Page> page, ConsentFilter.Visit visit) {
        super(response);
        this.visit = visit;
        this.timed = site.meters().timing();
        this.site = site;
        this.decisions = decisions;
        this.bodyless = bodyless;
        this.expiries = expiries;
        this.page = page;
        sendExpiries();
    }

    private void sendExpiries() {
        for (String expiry : expiries) {
            super.addHeader("Set-Cookie", expiry);
        }
    }

    // ---- cookies ----------------------------------------------------------------------------

    @Override
    public void addCookie(Cookie cookie) {
        if (site.cookies().denied(cookie.getName(), decisions)) {
            LOG.debug("dropped Set-Cookie of a denied tracker: {}", cookie.getName());
            return;
        }
        super.addCookie(cookie);
    }

    @Override
    public void addHeader(String name, String value) {
        if (!intercepted(name, value, false)) {
            super.addHeader(name, value);
        }
    }

    @Override
    public void setHeader(String name, String value) {
        if (!intercepted(name, value, true)) {
            super.setHeader(name, value);
        }
    }

    @Override
    public void setIntHeader(String name, int value) {
        if (!intercepted(name, Integer.toString(value), true)) {
            super.setIntHeader(name, value);
        }
    }

    @Override
    public void addIntHeader(String name, int value) {
        if (!intercepted(name, Integer.toString(value), false)) {
            super.addIntHeader(name, value);
        }
    }

    /**
     * The application says HTML after its body began as something else. While the container still
     * holds all of that body, it is taken back and read as HTML ({@link #readAgain}); otherwise the
     * response can only be served under the fail-closed policy. Whether it was taken back.
     */
    private boolean htmlTooLate(String type) {
        if (mode == Mode.PASSTHROUGH && !bodyless && !isCommitted() && isHtml(type) && !isHtml(getContentType())) {
            if (target instanceof Passed passed && !passed.sent && !passedHeaders) {
                readAgain = passed.copy == null ? new byte[0] : passed.copy.toByteArray();
                getResponse().resetBuffer();
                mode = Mode.UNDECIDED;
                target = null;
                return true;
            }
            failClosed("html-late");
        }
        return false;
    }

    /** Whether the header was taken care of here rather than passed on. */
    private boolean intercepted(String name, String value, boolean replace) {
        if (name == null) {
            return false;
        }
        switch (name.toLowerCase(Locale.ROOT)) {
            case "set-cookie" -> {
                if (value != null && site.cookies().denied(TrackerCookies.name(value), decisions)) {
                    LOG.debug("dropped Set-Cookie of a denied tracker: {}", TrackerCookies.name(value));
                    return true;
                }
                if (replace && !expiries.isEmpty()) {
                    super.setHeader(name, value);
                    sendExpiries();
                    return true;
                }
                return false;
            }
            case "content-length" -> {
                if (mode == Mode.UNDECIDED) {
                    heldLength = value == null ? -1 : parseLength(value);
                    return true;
                }
                passedHeaders |= mode != Mode.GATED;
                return mode == Mode.GATED;
            }
            case "content-encoding" -> {
                if (mode == Mode.UNDECIDED) {
                    heldEncoding = value;
                    return true;
                }
                passedHeaders |= mode != Mode.GATED;
                return mode == Mode.GATED;
            }
            case "content-security-policy", "content-security-policy-report-only" -> {
                if (nonce != null && value != null) {
                    if (replace) {
                        super.setHeader(name, Csp.withNonce(value, nonce));
                    } else {
                        super.addHeader(name, Csp.withNonce(value, nonce));
                    }
                    return true;
                }
                return false;
            }
            case "content-type" -> {
                if (htmlTooLate(value)) {
                    if (replace) {
                        super.setHeader(name, value);
                    } else {
                        super.addHeader(name, value);
                    }
                    return true;
                }
                return false;
            }
            case "link", "refresh" -> {
                if (value == null) {
                    return false;
                }
                String kept = name.equalsIgnoreCase("link") ? FetchHeaders.link(value, this::fetchAllowed)
                        : FetchHeaders.refresh(value, this::fetchAllowed);
                if (kept == value) {
                    return false;
                }
                LOG.debug("dropped from {} what points at a denied tracker: {}", name, value);
                if (kept != null) {
                    if (replace) {
                        super.setHeader(name, kept);
                    } else {
                        super.addHeader(name, kept);
                    }
                } else if (replace) {
                    super.setHeader(name, null); // what it replaced goes as well
                }
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    @Override
    public void setContentLength(int len) {
        setContentLengthLong(len);
    }

    @Override
    public void setContentLengthLong(long len) {
        if (mode == Mode.UNDECIDED) {
            heldLength = len;
        } else if (mode != Mode.GATED) {
            passedHeaders = true;
            super.setContentLengthLong(len);
        }
    }

    @Override
    public void setCharacterEncoding(String charset) {
        if (writer == null) {
            super.setCharacterEncoding(charset);
        }
    }

    @Override
    public void setContentType(String type) {
        htmlTooLate(type); // the body taken back is read as the type set now
        super.setContentType(type);
        if (writer != null) {
            // the writer already encodes in its charset: the header must keep saying so
            super.setCharacterEncoding(writerCharset.name());
        }
    }

    // ---- body -------------------------------------------------------------------------------

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        if (writer != null) {
            throw new IllegalStateException("getWriter() has already been called for this response");
        }
        if (body == null) {
            body = new Body(super.getOutputStream());
        }
        return body;
    }

    @Override
    public PrintWriter getWriter() throws IOException {
        if (writer == null) {
            if (body != null) {
                throw new IllegalStateException("getOutputStream() has already been called for this response");
            }
            writerCharset = charset(getCharacterEncoding());
            super.setCharacterEncoding(writerCharset.name());
            body = new Body(super.getOutputStream());
            encoding = new EncodingWriter(body, writerCharset);
            writer = new PrintWriter(encoding, false);
        }
        return writer;
    }

    @Override
    public void flushBuffer() throws IOException {
        if (writer != null) {
            writer.flush();
        }
        if (mode == Mode.UNDECIDED && !isCommitted()) {
            decide(-1);
        }
        if (target != null && mode == Mode.GATED) {
            target.flush();
        }
        super.flushBuffer();
    }

    @Override
    public void resetBuffer() {
        super.resetBuffer();
        restart();
    }

    @Override
    public void reset() {
        super.reset();
        sendExpiries();
        heldLength = -1;
        heldEncoding = null;
        passedHeaders = false;
        restart();
    }

    /** What the gate held belongs to a body the application has thrown away. */
    private void restart() {
        mode = Mode.UNDECIDED;
        target = null;
        readAgain = null;
        if (encoding != null) {
            encoding.reset();
        }
    }

    @Override
    public void sendError(int sc) throws IOException {
        mode = Mode.ABANDONED;
        errorPageFollows();
        super.sendError(sc);
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
        mode = Mode.ABANDONED;
        errorPageFollows();
        super.sendError(sc, msg);
    }

    /**
     * The container renders an error page next, through this filter only where it is registered
     * for the {@code ERROR} dispatch (Spring Boot's {@code FilterRegistrationBean} maps
     * {@code REQUEST} alone by default): the page goes out under the fail-closed policy, so that
     * an error page with trackers cannot load a denied one either way.
     */
    void errorPageFollows() {
        if (!isCommitted()) {
            // what the application wrote is thrown away for the error page; a committed body is
            // finished as it was gated
            mode = Mode.ABANDONED;
            failClosed("error-page");
        }
    }

    @Override
    public void sendRedirect(String location) throws IOException {
        mode = Mode.ABANDONED;
        super.sendRedirect(location);
    }

    /** Sends the fetch policy of the visitor's decision, enforced or reported as the site says. */
    private void addFetchPolicy(String nonce) {
        super.addHeader(site.csp() == ConsentConfig.CspMode.ENFORCE ? "Content-Security-Policy"
                : "Content-Security-Policy-Report-Only",
                Csp.policy(nonce, allowedHosts()) + Csp.reporting(visit.reportUri(), visit.secure()));
        if (visit.secure()) {
            super.addHeader("Reporting-Endpoints", Csp.REPORT_GROUP + "=\"" + visit.reportUri() + "\"");
        }
    }

    /** Sends the fail-closed policy, and counts the body as failed closed. */
    private void failClosed(String reason) {
        super.addHeader("Content-Security-Policy", Csp.failClosed(allowedHosts()));
        countFailedClosed(reason);
    }

    /** Counts the body as failed closed, once, for its first reason. */
    private void countFailedClosed(String reason) {
        if (!countedFailedClosed) {
            countedFailedClosed = true;
            site.meters().failedClosed(reason);
        }
    }

    /**
     * What lies in front of the gate broke (the gate fails closed by itself, and logs why). Whatever
     * was held is lost (it may have been a tracker); the rest of the body is served with every
     * {@code <} escaped, so the page still arrives and no tag, so no tracker, follows. The
     * container's own connection errors are not this: they surface when the raw stream is written.
     */
    private void failed(RuntimeException e) {
        LOG.error("gating this page failed; the rest of it is served with its markup escaped", e);
        countFailedClosed("gate-error");
        mode = Mode.FAILED;
        target = new EscapingStream(body.raw);
    }

    /** The nonce of this response's CSP, once the body turned out to be gated with CSP on. */
    Optional<String> nonce() {
        return Optional.ofNullable(nonce);
    }

    /**
     * Ends the body: passes on what the gate held, inserts what never found its place. Called when
     * the application is done (the filter chain returned, or an async request completes).
     */
    void finish() throws IOException {
        if (encoding != null) {
            encoding.held();
        }
        if (mode == Mode.UNDECIDED && !bodyless && !isCommitted() && body != null) {
            decide(-1); // an HTML response whose body was empty
        }
        if (mode == Mode.UNDECIDED) {
            releaseHeld();
        }
        if (target != null && (mode == Mode.GATED || mode == Mode.FAILED)) {
            long start = timed ? System.nanoTime() : 0;
            try {
                target.close();
            } catch (RuntimeException e) {
                failed(e); // what the gate still held is dropped
            }
            target = null;
            if (timed) {
                site.meters().gated(gateNanos + System.nanoTime() - start);
            }
        }
    }

    private void releaseHeld() {
        passedHeaders |= heldLength >= 0 || heldEncoding != null;
        if (heldLength >= 0) {
            super.setContentLengthLong(heldLength);
        }
        if (heldEncoding != null) {
            super.setHeader("Content-Encoding", heldEncoding);
        }
        heldLength = -1;
        heldEncoding = null;
    }

    /**
     * Where the body goes: decided once, at its first byte ({@code first}; -1 where the application
     * commits or flushes before writing one).
     */
    private OutputStream target(OutputStream raw, int first) throws IOException {
        if (mode == Mode.UNDECIDED) {
            decide(first);
        }
        if (mode == Mode.GATED || mode == Mode.FAILED) {
            return target;
        }
        if (mode == Mode.ABANDONED) {
            return OutputStream.nullOutputStream();
        }
        return target != null ? target : raw;
    }

    /** Decides where the body goes; a body taken back ({@link #htmlTooLate}) is written there first. */
    private void decide(int first) throws IOException {
        byte[] again = readAgain;
        readAgain = null;
        if (again == null || again.length == 0) {
            decideNow(first);
            return;
        }
        decideNow(again[0] & 0xff);
        body.write(again, 0, again.length);
    }

    private void decideNow(int first) throws IOException {
        String type = getContentType();
        boolean html = !bodyless && isHtml(type);
        if (!html) {
            boolean untyped = type == null && !bodyless;
            if (untyped) {
                // a body of no stated type, which a browser may sniff as HTML: it cannot load a denied tracker
                failClosed("untyped");
            }
            if (untyped && writerCharset == null && heldEncoding == null) {
                // and if its first bytes make it HTML to a browser, it is gated as HTML too
                super.addHeader("Vary", "Cookie");
                heldLength = -1;
                OutputStream raw = body != null ? body.raw : getResponse().getOutputStream();
                target = new Untyped(raw, page.get());
                mode = Mode.GATED;
                return;
            }
            if (visit.worker() && site.csp() != ConsentConfig.CspMode.OFF) {
                // a worker fetches under its script's policy, not the page's: the same one, then
                super.addHeader("Vary", "Cookie");
                addFetchPolicy(Csp.nonce());
            }
            mode = Mode.PASSTHROUGH;
            releaseHeld();
            target = new Passed(body != null ? body.raw : getResponse().getOutputStream());
            return;
        }
        Charset charset = charsetOrNull(getCharacterEncoding());
        // the compressions a browser undoes are undone here; with another one a browser shows nothing
        Optional<List<String>> codings = ContentCodings.of(heldEncoding);
        boolean decompressible = codings.isPresent();
        // a header without a charset leaves it to the page (a byte-order mark, a <meta>), as the
        // browser reads it: found in the body's first bytes, before the gate opens
        // XHTML is parsed as XML: gated by XML's reading, without insertions, and under the
        // fail-closed policy as well (its charset is the header's, else XML's: see XmlSniffing)
        boolean xhtml = mime(type).equals("application/xhtml+xml");
        // a charset name Java does not know is, but for a few, no label of the Encoding standard
        // either, which a browser ignores: as if the header named none
        boolean named = hasCharset(type) && charset != null;
        boolean sniff = writerCharset == null && !named && !xhtml;
        // XHTML without a charset: a byte-order mark or its XML declaration says, else UTF-8
        boolean sniffXml = writerCharset == null && !named && xhtml;
        // a byte-order mark of UTF-16 overrides the declared charset in a browser
        boolean readable = (sniff || sniffXml || charset != null && nl.i3groep.consent.html.HtmlGate.supports(charset))
                && decompressible
                && (sniff || sniffXml || first != 0xFE && first != 0xFF);
        super.addHeader("Vary", "Cookie");
        // a charset the gate cannot read but Java can decode (UTF-16, also by its byte-order mark;
        // ISO-2022-JP): read through a decoded copy, and written back in the body's own charset
        Charset decodable = !sniff && (first == 0xFE || first == 0xFF) ? StandardCharsets.UTF_16 : charset;
        boolean transcode = !readable && !xhtml && decodable != null && decompressible;
        if (!readable) {
            // fail closed: the page is served, but nothing beyond the site and allowed trackers may load
            LOG.debug("HTML body the gate cannot read (charset {}, encoding {}): served under a fail-closed CSP{}",
                    charset, heldEncoding, transcode ? ", and gated through a decoded copy" : "");
            failClosed(transcode ? "charset" : decompressible ? "unreadable" : "encoding");
            if (!transcode) {
                mode = Mode.PASSTHROUGH;
                releaseHeld();
                return;
            }
        }
        Page pageNow = page.get();
        if (site.csp() != ConsentConfig.CspMode.OFF) {
            nonce = Csp.nonce();
            // the application's own policies must admit what the filter keeps and inserts
            for (String header : List.of("Content-Security-Policy", "Content-Security-Policy-Report-Only")) {
                List<String> own = List.copyOf(getHeaders(header));
                for (int i = 0; i < own.size(); i++) {
                    if (i == 0) {
                        super.setHeader(header, Csp.withNonce(own.get(i), nonce));
                    } else {
                        super.addHeader(header, Csp.withNonce(own.get(i), nonce));
                    }
                }
            }
            addFetchPolicy(nonce);
            pageNow = new Page(pageNow.bodyEndHtml(), Optional.of(nonce), pageNow.placeholders());
        }
        heldLength = -1;
        heldEncoding = null;
        // the container's stream, also when the application has not asked for one yet (it flushed first)
        OutputStream raw = body != null ? body.raw : getResponse().getOutputStream();
        OutputStream gated;
        if (transcode) {
            gated = transcoded(raw, decodable, pageNow);
        } else if (xhtml) {
            failClosed("xhtml");
            gated = sniffXml ? new XmlSniffing(raw) : site.gate().openXhtml(new Unclosable(raw), charset, decisions);
        } else if (sniff) {
            gated = new Sniffing(raw, pageNow, charset == null ? StandardCharsets.ISO_8859_1 : charset, true);
        } else {
            gated = site.gate().open(new Unclosable(raw), charset, decisions, pageNow, contacts());
        }
        target = ContentCodings.undo(codings.get(), gated);
        mode = Mode.GATED;
    }

    /**
     * The gate in front of {@code raw} for a body in {@code cs}, which it cannot read: the bytes
     * decoded and gated as UTF-8, and what the gate writes encoded back into {@code cs} (with
     * UTF-16's byte-order mark where {@code cs} is plain UTF-16). The markup of a stateful charset
     * is seen as its text is, whatever escape sequences spell it.
     */
    private OutputStream transcoded(OutputStream raw, Charset cs, Page pageNow) {
        Writer back = new java.io.OutputStreamWriter(new Unclosable(raw), cs);
        OutputStream gate = site.gate().open(new Transcoding(StandardCharsets.UTF_8, back), StandardCharsets.UTF_8,
                decisions, pageNow, contacts());
        return new Transcoding(cs, new EncodingWriter(gate, StandardCharsets.UTF_8));
    }

    /**
     * The first bytes of a body of no stated type, held until they show whether a browser takes
     * it for HTML (the MIME sniffing standard's HTML signatures, after leading white space): then
     * it is gated as HTML whose charset the page gives ({@link Sniffing}), else passed on as it is.
     */
    private final class Untyped extends HeldHead {
        private final OutputStream raw;
        private final Page pageNow;

        Untyped(OutputStream raw, Page pageNow) {
            super(SNIFF_BYTES);
            this.raw = raw;
            this.pageNow = pageNow;
        }

        @Override
        boolean enough(byte[] head, int n) {
            return decided(head, n);
        }

        @Override
        OutputStream next(byte[] head, int n) {
            return sniffsAsHtml(head, n) ? new Sniffing(raw, pageNow, StandardCharsets.ISO_8859_1, false)
                    : new Unclosable(raw);
        }
    }

    /** How many of an untyped body's first bytes decide whether it is HTML. */
    private static final int SNIFF_BYTES = 512;

    private static final String[] HTML_SIGNATURES = {"<!doctype html", "<html", "<head", "<script", "<iframe", "<h1",
        "<div", "<font", "<table", "<a", "<style", "<title", "<b", "<body", "<br", "<p", "<!--"};

    /** Whether the first bytes, after white space, are long enough to say whether they sniff as HTML. */
    static boolean decided(byte[] b, int n) {
        int i = skipWhite(b, n);
        return n - i > "<!doctype html".length();
    }

    /**
     * Whether a browser sniffs these first bytes as HTML: after white space, one of the HTML
     * signatures (any case) followed by a space or {@code >} ({@code <!--} by anything).
     */
    static boolean sniffsAsHtml(byte[] b, int n) {
        int i = skipWhite(b, n);
        for (String sig : HTML_SIGNATURES) {
            int e = i + sig.length();
            if (e > n || !new String(b, i, sig.length(), StandardCharsets.ISO_8859_1).equalsIgnoreCase(sig)) {
                continue;
            }
            if (sig.equals("<!--") || (e < n && (b[e] == ' ' || b[e] == '>'))) {
                return true;
            }
        }
        return false;
    }

    private static int skipWhite(byte[] b, int n) {
        int i = 0;
        while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\f' || b[i] == '\r')) {
            i++;
        }
        return i;
    }

    /** Whether a Content-Type names a charset. */
    static boolean hasCharset(String contentType) {
        return contentType != null && CHARSET_PARAMETER.matcher(contentType).find();
    }

    private static final java.util.regex.Pattern CHARSET_PARAMETER =
            java.util.regex.Pattern.compile(";\\s*charset\\s*=", java.util.regex.Pattern.CASE_INSENSITIVE);

    /**
     * The first bytes of a body whose header names no charset, held until they show the charset a
     * browser reads it in ({@link nl.i3groep.consent.html.HtmlGate#charsetOf}: a byte-order mark, a
     * {@code <meta>} in the first 1024 bytes, else the servlet's default), which then goes into the
     * header explicitly (Jetty and Tomcat differ in what they send otherwise) and is the one the
     * gate reads the body in. A charset the gate cannot read serves it under the fail-closed policy,
     * or, once the response is committed, with its markup escaped.
     */
    private final class Sniffing extends HeldHead {
        private final OutputStream raw;
        private final Page pageNow;
        private final Charset fallback;
        /** Whether the charset found goes into the header (not for a body of no stated type). */
        private final boolean announce;

        Sniffing(OutputStream raw, Page pageNow, Charset fallback, boolean announce) {
            super(nl.i3groep.consent.html.HtmlGate.PRESCAN_BYTES);
            this.raw = raw;
            this.pageNow = pageNow;
            this.fallback = fallback;
            this.announce = announce;
        }

        @Override
        OutputStream next(byte[] head, int n) {
            Charset cs = nl.i3groep.consent.html.HtmlGate.charsetOf(head, n, fallback);
            boolean committed = isCommitted();
            if (nl.i3groep.consent.html.HtmlGate.supports(cs)) {
                if (!committed && announce) {
                    GatedResponse.super.setCharacterEncoding(cs.name());
                }
                return site.gate().open(new Unclosable(raw), cs, decisions, pageNow, contacts());
            }
            if (!committed) {
                LOG.debug("HTML body in {} (found in the body), which the gate cannot read: served under a fail-closed"
                        + " CSP, and gated through a decoded copy", cs);
                if (announce) { // an untyped body has the policy already
                    failClosed("charset");
                }
                return transcoded(raw, cs, pageNow);
            }
            LOG.debug("HTML body in {} (found in the body) after the headers went out: served with its markup escaped", cs);
            return new EscapingStream(raw);
        }
    }

    /**
     * The first bytes of an XHTML body whose header names no charset, held until they show the one
     * a browser reads it in ({@link nl.i3groep.consent.html.HtmlGate#xmlCharsetOf}), which then goes
     * into the header; in a charset the gate cannot read it is passed on under the fail-closed
     * policy alone, as XHTML with such a charset in its header is.
     */
    private final class XmlSniffing extends HeldHead {
        private final OutputStream raw;

        XmlSniffing(OutputStream raw) {
            super(nl.i3groep.consent.html.HtmlGate.PRESCAN_BYTES);
            this.raw = raw;
        }

        @Override
        boolean enough(byte[] head, int n) {
            return nl.i3groep.consent.html.HtmlGate.xmlCharsetOf(head, n, false) != null;
        }

        @Override
        OutputStream next(byte[] head, int n) {
            Charset cs = nl.i3groep.consent.html.HtmlGate.xmlCharsetOf(head, n, true);
            boolean readable = nl.i3groep.consent.html.HtmlGate.supports(cs);
            if (!isCommitted()) {
                GatedResponse.super.setCharacterEncoding(cs.name());
            }
            if (readable) {
                return site.gate().openXhtml(new Unclosable(raw), cs, decisions);
            }
            LOG.debug("XHTML body in {} (found in the body), which the gate cannot read: served under the fail-closed"
                    + " CSP", cs);
            return new Unclosable(raw);
        }
    }

    /**
     * A body's first bytes, held until they say where the body goes ({@link #next}): when the
     * buffer is full, when {@link #enough} says so, or at the end. A flush passes nothing on
     * before then: the browser, too, waits for these bytes before it decides.
     */
    private abstract static class HeldHead extends OutputStream {
        private final byte[] head;
        private int n;
        private OutputStream next;

        HeldHead(int size) {
            head = new byte[size];
        }

        /** Where the body goes, given its first {@code n} bytes; they are written to it next. */
        abstract OutputStream next(byte[] head, int n) throws IOException;

        /** Whether the first {@code n} bytes decide it before the buffer is full. */
        boolean enough(byte[] head, int n) {
            return false;
        }

        @Override
        public void write(int b) throws IOException {
            if (next != null) {
                next.write(b);
                return;
            }
            head[n++] = (byte) b;
            if (n == head.length || enough(head, n)) {
                open();
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (next == null) {
                int take = Math.min(len, head.length - n);
                System.arraycopy(b, off, head, n, take);
                n += take;
                off += take;
                len -= take;
                if (n < head.length && !enough(head, n)) {
                    return;
                }
                open();
            }
            if (len > 0) {
                next.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            if (next != null) {
                next.flush();
            }
        }

        @Override
        public void close() throws IOException {
            if (next == null) {
                open();
            }
            next.close();
        }

        private void open() throws IOException {
            next = next(head, n);
            next.write(head, 0, n);
        }
    }

    private boolean fetchAllowed(String url) {
        return site.gate().allows(url, decisions);
    }

    /**
     * Tells the report of undeclared hosts what this page fetches from other sites' hosts that
     * are no tracker's, each host once per page; with {@code "undeclared": "block"} it also has
     * the gate hold back the scripts, frames and pixels of those hosts. The site's own hosts are
     * left out: the request's, and those under it once a leading {@code www.} is dropped
     * ({@code static.example.nl} for {@code www.example.nl}).
     */
    private nl.i3groep.consent.html.HtmlGate.Contacts contacts() {
        String own = visit.host().startsWith("www.") ? visit.host().substring(4) : visit.host();
        boolean block = site.gatekeeper().config().undeclared() == ConsentConfig.UndeclaredMode.BLOCK;
        java.util.Map<String, Boolean> undeclared = new java.util.HashMap<>();
        return new nl.i3groep.consent.html.HtmlGate.Contacts() {
            @Override
            public boolean contact(String host, String kind) {
                if (host.equals(own) || host.endsWith("." + own)) {
                    return false;
                }
                Boolean u = undeclared.get(host);
                if (u == null) {
                    u = site.undeclared().seen(host, kind, visit.path());
                    if (undeclared.size() < 256) {
                        undeclared.put(host, u);
                    }
                }
                return block && u && (kind.equals("script") || kind.equals("frame") || kind.equals("img"));
            }

            @Override
            public void failed() {
                countFailedClosed("gate-error");
            }
        };
    }

    private Set<String> allowedHosts() {
        return Csp.allowedHosts(site.gatekeeper().config().thirdParties(), site.gatekeeper().trackers(), decisions);
    }

    static boolean isHtml(String contentType) {
        String mime = mime(contentType);
        return mime.equals("text/html") || mime.equals("application/xhtml+xml");
    }

    /**
     * The media type of a Content-Type value, lower case, without parameters; "" for none. A value
     * listing several (combined headers, {@code text/plain, text/html}) counts as browsers count it
     * (the Fetch standard): the last one that is a valid {@code type/subtype}.
     */
    static String mime(String contentType) {
        if (contentType == null) {
            return "";
        }
        String found = "";
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i <= contentType.length(); i++) {
            char c = i < contentType.length() ? contentType.charAt(i) : ',';
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                String one = contentType.substring(start, i);
                int semi = one.indexOf(';');
                String essence = (semi < 0 ? one : one.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
                if (essence.matches("[!#$%&'*+.^_`|~0-9a-z-]+/[!#$%&'*+.^_`|~0-9a-z-]+") && !essence.equals("*/*")) {
                    found = essence;
                }
                start = i + 1;
            }
        }
        if (found.isEmpty()) {
            int semi = contentType.indexOf(';');
            return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        }
        return found;
    }

    private static Charset charset(String name) {
        Charset c = charsetOrNull(name);
        return c == null ? StandardCharsets.ISO_8859_1 : c;
    }

    private static Charset charsetOrNull(String name) {
        if (name == null || name.isBlank()) {
            return StandardCharsets.ISO_8859_1; // the servlet default
        }
        try {
            return Charset.forName(name.trim());
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            return null;
        }
    }

    private static long parseLength(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The stream the application writes to. */
    private final class Body extends ServletOutputStream {
        final ServletOutputStream raw;

        Body(ServletOutputStream raw) {
            this.raw = raw;
        }

        @Override
        public void write(int b) throws IOException {
            // print(String) comes here byte by byte: no array per byte
            OutputStream t = target(raw, b & 0xff);
            if (mode != Mode.GATED) {
                t.write(b);
                return;
            }
            try {
                t.write(b);
            } catch (RuntimeException e) {
                failed(e);
                target.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len <= 0) {
                return;
            }
            // single bytes are not timed: two clock readings would cost more than gating one
            long start = timed ? System.nanoTime() : 0;
            OutputStream t = target(raw, b[off] & 0xff);
            if (mode != Mode.GATED) {
                t.write(b, off, len);
                return;
            }
            try {
                t.write(b, off, len);
            } catch (RuntimeException e) {
                failed(e);
                target.write(b, off, len);
            } finally {
                if (timed) {
                    gateNanos += System.nanoTime() - start;
                }
            }
        }

        @Override
        public void flush() throws IOException {
            OutputStream t = target(raw, -1);
            if (mode == Mode.GATED) {
                try {
                    t.flush();
                } catch (RuntimeException e) {
                    failed(e);
                }
                raw.flush();
            } else {
                t.flush();
            }
        }

        @Override
        public void close() throws IOException {
            finish();
            raw.close();
        }

        @Override
        public boolean isReady() {
            return raw.isReady();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            raw.setWriteListener(listener);
        }
    }

    /** Passes bytes on with {@code <} written as {@code &lt;}: text survives, markup does not. */
    private static final class EscapingStream extends FilterOutputStream {
        private static final byte[] LT = {'&', 'l', 't', ';'};

        EscapingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            if (b == '<') {
                out.write(LT);
            } else {
                out.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int start = off;
            for (int i = off; i < off + len; i++) {
                if (b[i] == '<') {
                    out.write(b, start, i - start);
                    out.write(LT);
                    start = i + 1;
                }
            }
            out.write(b, start, off + len - start);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }

    /**
     * A body passed on unread, with a copy of what the container has not yet committed: should the
     * application still say it is HTML, that much is read again ({@link #htmlTooLate}). The copy is
     * at most the container's buffer, and dropped once the container sends the response.
     */
    private final class Passed extends OutputStream {
        private final OutputStream raw;
        /** What the container holds; null until a write stays there, and once it has sent it. */
        ByteArrayOutputStream copy;
        private boolean sent;

        Passed(OutputStream raw) {
            this.raw = raw;
        }

        @Override
        public void write(int b) throws IOException {
            raw.write(b);
            if (held()) {
                if (copy == null) {
                    copy = new ByteArrayOutputStream(256);
                }
                copy.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            raw.write(b, off, len);
            if (held()) {
                if (copy == null) {
                    copy = new ByteArrayOutputStream(Math.max(len, 256));
                }
                copy.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            raw.flush();
            held();
        }

        /** Whether the container still holds all that was written: most bodies it sends at once. */
        private boolean held() {
            if (!sent && isCommitted()) {
                sent = true;
                copy = null;
            }
            return !sent;
        }
    }

    /**
     * The container's stream as the gate writes to it, which the container sends as it would the
     * application's own body: whole, with its length, where it fits the buffer. Hence in pieces
     * small enough for the container to gather into its buffer (Jetty sends a write of more than
     * its aggregation size, 8 KB by default, at once, and with it the headers, without a length),
     * and never closed nor flushed at the end: the container completes the response.
     */
    private static final class Unclosable extends FilterOutputStream {
        private static final int PIECE = 4096;

        Unclosable(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int end = off + len; off < end; off += PIECE) {
                out.write(b, off, Math.min(PIECE, end - off));
            }
        }

        @Override
        public void close() {
        }
    }
}
