package nl.i3groep.consent.jmh;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A container's response as far as a filter can tell: status, headers, content type and character
 * encoding, a buffer whose overflow commits the response, {@code reset}, {@code resetBuffer},
 * {@code flushBuffer}, and either the body's stream or the writer a container hands out, never both.
 * After the commit, status and headers no longer change and {@code reset} throws, as in Jetty and
 * Tomcat.
 *
 * <p>The body goes into one byte array, sized when the benchmark is set up and reused by every
 * invocation ({@link #recycle} sets its count back to zero), the way a container reuses a fixed
 * response buffer: writing costs a copy and allocates nothing. A {@code ByteArrayOutputStream}
 * instead would grow by doubling within each invocation, which for a 50 KB page costs more than the
 * gate itself (see RewriteBenchmark's notes), and the benchmark would measure that rather than the
 * filter. Unlike a container's buffer the array keeps every byte rather than sending what overflows
 * {@link #BUFFER_SIZE}, so that the set-up can check the whole body; it grows only if a body
 * outgrows it, and then keeps its size.
 *
 * <p>The writer encodes straight into the same array, UTF-8 by a loop of its own and other charsets
 * by a {@link CharsetEncoder}, holding nothing back but half a surrogate pair: as Jetty's
 * {@code Utf8HttpWriter} does, rather than an {@code OutputStreamWriter} with a buffer of its own.
 *
 * <p>One instance serves one thread; not thread-safe.
 */
final class StubResponse implements HttpServletResponse {

    /** Where a container commits: Jetty 12's default output buffer. */
    static final int BUFFER_SIZE = 32 * 1024;

    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final Sink sink;
    private final BodyWriter bodyWriter;
    private ContainerWriter writer;

    private int status;
    private boolean committed;
    private boolean streamUsed;
    private boolean writerUsed;
    private int bufferSize;
    private Locale locale;

    private String mimeType;
    private String charset;
    // the last content type parsed and the last one reported: servlets set the same few types
    // again and again, and a container caches them too (Jetty's MimeTypes), so a request allocates
    // no string for them
    private String parsedType;
    private String parsedMime;
    private String parsedCharset;
    private String reportedMime;
    private String reportedCharset;
    private String reported;

    /** @param capacity the body's array, large enough for the largest body of the benchmark */
    StubResponse(int capacity) {
        sink = new Sink(capacity);
        bodyWriter = new BodyWriter();
        writer = new ContainerWriter(bodyWriter);
        recycle();
    }

    /** Ready for the next request: nothing written, nothing set, nothing committed. */
    StubResponse recycle() {
        headers.clear();
        status = SC_OK;
        committed = false;
        bufferSize = BUFFER_SIZE;
        locale = Locale.getDefault();
        mimeType = null;
        charset = null;
        clearBody();
        return this;
    }

    private void clearBody() {
        sink.count = 0;
        sink.closed = false;
        streamUsed = false;
        writerUsed = false;
        bodyWriter.reset();
        if (bodyWriter.closed) {
            // a servlet closed the writer: a container hands the next request an open one
            bodyWriter.closed = false;
            writer = new ContainerWriter(bodyWriter);
        } else {
            writer.recycle();
        }
    }

    /** What the container does once the chain has returned: the body is complete and sent. */
    void complete() {
        if (writerUsed) {
            writer.flush();
        }
        committed = true;
    }

    /** The body written so far, in bytes. */
    int bodyLength() {
        return sink.count;
    }

    /** The body, decoded in the response's charset: for the set-up's checks. */
    String body() {
        return new String(sink.buf, 0, sink.count, Charset.forName(getCharacterEncoding()));
    }

    /** The body's bytes: for the set-up's checks. */
    byte[] bodyBytes() {
        return Arrays.copyOf(sink.buf, sink.count);
    }

    // ---- status and headers -----------------------------------------------------------------

    @Override
    public void setStatus(int sc) {
        if (!committed) {
            status = sc;
        }
    }

    @Override
    public int getStatus() {
        return status;
    }

    @Override
    public void setHeader(String name, String value) {
        if (committed || name == null) {
            return;
        }
        if (name.equalsIgnoreCase("Content-Type")) {
            setContentType(value);
        } else if (value == null) {
            headers.remove(name);
        } else {
            List<String> values = new ArrayList<>(1);
            values.add(value);
            headers.put(name, values);
        }
    }

    @Override
    public void addHeader(String name, String value) {
        if (committed || name == null || value == null) {
            return;
        }
        if (name.equalsIgnoreCase("Content-Type")) {
            setContentType(value);
        } else {
            headers.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
        }
    }

    @Override
    public void setIntHeader(String name, int value) {
        setHeader(name, Integer.toString(value));
    }

    @Override
    public void addIntHeader(String name, int value) {
        addHeader(name, Integer.toString(value));
    }

    @Override
    public void setDateHeader(String name, long date) {
        setHeader(name, HTTP_DATE.format(Instant.ofEpochMilli(date)));
    }

    @Override
    public void addDateHeader(String name, long date) {
        addHeader(name, HTTP_DATE.format(Instant.ofEpochMilli(date)));
    }

    @Override
    public boolean containsHeader(String name) {
        return name.equalsIgnoreCase("Content-Type") ? mimeType != null : headers.containsKey(name);
    }

    @Override
    public String getHeader(String name) {
        if (name.equalsIgnoreCase("Content-Type")) {
            return getContentType();
        }
        List<String> values = headers.get(name);
        return values == null ? null : values.get(0);
    }

    @Override
    public Collection<String> getHeaders(String name) {
        if (name.equalsIgnoreCase("Content-Type")) {
            return mimeType == null ? List.of() : List.of(getContentType());
        }
        List<String> values = headers.get(name);
        return values == null ? List.of() : List.copyOf(values);
    }

    @Override
    public Collection<String> getHeaderNames() {
        List<String> names = new ArrayList<>(headers.keySet());
        if (mimeType != null) {
            names.add("Content-Type");
        }
        return names;
    }

    @Override
    public void addCookie(Cookie cookie) {
        StringBuilder c = new StringBuilder(cookie.getName()).append('=').append(cookie.getValue());
        if (cookie.getPath() != null) {
            c.append("; Path=").append(cookie.getPath());
        }
        if (cookie.getDomain() != null) {
            c.append("; Domain=").append(cookie.getDomain());
        }
        if (cookie.getMaxAge() >= 0) {
            c.append("; Max-Age=").append(cookie.getMaxAge());
        }
        if (cookie.getSecure()) {
            c.append("; Secure");
        }
        if (cookie.isHttpOnly()) {
            c.append("; HttpOnly");
        }
        addHeader("Set-Cookie", c.toString());
    }

    @Override
    public void setContentLength(int len) {
        setContentLengthLong(len);
    }

    @Override
    public void setContentLengthLong(long len) {
        setHeader("Content-Length", len < 0 ? null : Long.toString(len));
    }

    // ---- content type and charset -----------------------------------------------------------

    @Override
    public void setContentType(String type) {
        if (committed) {
            return;
        }
        if (type == null) {
            mimeType = null;
            return;
        }
        if (!type.equals(parsedType)) {
            parse(type);
        }
        mimeType = parsedMime;
        // once the writer is out its charset is fixed: a later charset parameter is ignored
        if (parsedCharset != null && !writerUsed) {
            charset = parsedCharset;
        }
    }

    private void parse(String type) {
        int semi = type.indexOf(';');
        String mime = (semi < 0 ? type : type.substring(0, semi)).trim();
        String cs = null;
        if (semi >= 0) {
            for (String param : type.substring(semi + 1).split(";")) {
                int eq = param.indexOf('=');
                if (eq > 0 && param.substring(0, eq).trim().equalsIgnoreCase("charset")) {
                    cs = param.substring(eq + 1).trim().replace("\"", "");
                }
            }
        }
        parsedType = type;
        parsedMime = mime;
        parsedCharset = cs;
    }

    @Override
    public String getContentType() {
        if (mimeType == null) {
            return null;
        }
        if (mimeType != reportedMime || charset != reportedCharset) {
            reportedMime = mimeType;
            reportedCharset = charset;
            reported = charset == null ? mimeType : mimeType + ";charset=" + charset;
        }
        return reported;
    }

    @Override
    public void setCharacterEncoding(String cs) {
        if (!committed && !writerUsed) {
            charset = cs;
        }
    }

    @Override
    public String getCharacterEncoding() {
        return charset == null ? "ISO-8859-1" : charset;
    }

    @Override
    public void setLocale(Locale loc) {
        if (!committed) {
            locale = loc;
        }
    }

    @Override
    public Locale getLocale() {
        return locale;
    }

    // ---- body -------------------------------------------------------------------------------

    @Override
    public ServletOutputStream getOutputStream() {
        if (writerUsed) {
            throw new IllegalStateException("getWriter() has already been called for this response");
        }
        streamUsed = true;
        return sink;
    }

    @Override
    public PrintWriter getWriter() {
        if (streamUsed) {
            throw new IllegalStateException("getOutputStream() has already been called for this response");
        }
        if (!writerUsed) {
            writerUsed = true;
            bodyWriter.charset(getCharacterEncoding());
        }
        return writer;
    }

    @Override
    public void setBufferSize(int size) {
        if (sink.count > 0 || committed) {
            throw new IllegalStateException("setBufferSize after content was written");
        }
        bufferSize = size;
    }

    @Override
    public int getBufferSize() {
        return bufferSize;
    }

    @Override
    public void flushBuffer() {
        if (writerUsed) {
            writer.flush();
        }
        committed = true;
    }

    @Override
    public void resetBuffer() {
        if (committed) {
            throw new IllegalStateException("resetBuffer after the response was committed");
        }
        sink.count = 0;
        bodyWriter.reset();
    }

    @Override
    public boolean isCommitted() {
        return committed;
    }

    @Override
    public void reset() {
        if (committed) {
            throw new IllegalStateException("reset after the response was committed");
        }
        headers.clear();
        status = SC_OK;
        mimeType = null;
        charset = null;
        // Servlet 6: "The state of calling getWriter() or getOutputStream() is also cleared"
        clearBody();
    }

    @Override
    public void sendError(int sc, String msg) {
        if (committed) {
            throw new IllegalStateException("sendError after the response was committed");
        }
        resetBuffer();
        status = sc;
        committed = true;
    }

    @Override
    public void sendError(int sc) {
        sendError(sc, null);
    }

    @Override
    public void sendRedirect(String location) {
        if (committed) {
            throw new IllegalStateException("sendRedirect after the response was committed");
        }
        resetBuffer();
        status = SC_FOUND;
        setHeader("Location", location);
        committed = true;
    }

    @Override
    public String encodeURL(String url) {
        return url;
    }

    @Override
    public String encodeRedirectURL(String url) {
        return url;
    }

    /** Makes room for {@code n} more bytes; the array keeps the size it grows to. */
    private void ensure(int n) {
        if (sink.count + n > sink.buf.length) {
            sink.buf = Arrays.copyOf(sink.buf, Math.max(sink.buf.length * 2, sink.count + n));
        }
    }

    /** The buffer overflowed: a container sends the headers and what it held, so it has committed. */
    private void wrote() {
        if (sink.count > bufferSize) {
            committed = true;
        }
    }

    /** The body's stream, into the reusable array. */
    private final class Sink extends ServletOutputStream {
        byte[] buf;
        int count;
        boolean closed;

        Sink(int capacity) {
            buf = new byte[capacity];
        }

        @Override
        public void write(int b) throws IOException {
            open();
            ensure(1);
            buf[count++] = (byte) b;
            wrote();
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            open();
            ensure(len);
            System.arraycopy(b, off, buf, count, len);
            count += len;
            wrote();
        }

        private void open() throws IOException {
            if (closed) {
                throw new IOException("the response's stream is closed");
            }
        }

        @Override
        public void flush() {
            committed = true; // a container sends what it holds, headers first
        }

        @Override
        public void close() {
            closed = true;
            committed = true;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            throw new IllegalStateException("not an async request");
        }
    }

    /**
     * The writer's encoder, straight into the sink: the JDK's encoder over a reused char array, the
     * fast loop a container's writer takes too (a wrapped String would take the slow one). Its two
     * buffers are reused as well, so a write allocates nothing, as in Jetty's and Tomcat's writers:
     * wrapping them anew cost a template engine's thousands of small writes (Thymeleaf's, in
     * FilterBenchmark) about 300 µs and 1.4 MB per page, half of Thymeleaf's own time.
     */
    private final class BodyWriter extends Writer {
        private Charset encoding = StandardCharsets.UTF_8;
        private CharsetEncoder encoder = newEncoder(encoding);
        private final char[] chunk = new char[4096];
        private final CharBuffer in = CharBuffer.wrap(chunk);
        /** A view of {@code sink.buf}, wrapped again only when the array grows. */
        private ByteBuffer out;
        private byte[] outArray;
        private char pendingHigh;
        private boolean pending;
        boolean closed;

        void charset(String name) {
            Charset c = Charset.forName(name);
            if (!c.equals(encoding)) {
                encoding = c;
                encoder = newEncoder(c);
            }
        }

        private static CharsetEncoder newEncoder(Charset c) {
            return c.newEncoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE);
        }

        void reset() {
            pending = false;
            encoder.reset();
        }

        @Override
        public void write(String s, int off, int len) throws IOException {
            while (len > 0) {
                int start = pending ? 1 : 0;
                int n = Math.min(len, chunk.length - start);
                s.getChars(off, off + n, chunk, start);
                encodeChunk(start + n);
                off += n;
                len -= n;
            }
        }

        @Override
        public void write(char[] c, int off, int len) throws IOException {
            while (len > 0) {
                int start = pending ? 1 : 0;
                int n = Math.min(len, chunk.length - start);
                System.arraycopy(c, off, chunk, start, n);
                encodeChunk(start + n);
                off += n;
                len -= n;
            }
        }

        @Override
        public void write(int c) {
            int start = pending ? 1 : 0;
            chunk[start] = (char) c;
            encodeChunk(start + 1);
        }

        private void encodeChunk(int length) {
            if (pending) {
                chunk[0] = pendingHigh;
                pending = false;
            }
            in.clear().limit(length);
            while (true) {
                ensure((int) (in.remaining() * encoder.maxBytesPerChar()) + 16);
                if (outArray != sink.buf) {
                    outArray = sink.buf;
                    out = ByteBuffer.wrap(outArray);
                }
                out.limit(outArray.length).position(sink.count);
                CoderResult r = encoder.encode(in, out, false);
                sink.count = out.position();
                if (r.isUnderflow()) {
                    break;
                }
            }
            if (in.hasRemaining()) {
                // the first half of a surrogate pair whose second half comes with the next write
                pendingHigh = in.get();
                pending = true;
            }
            wrote();
        }

        @Override
        public void flush() {
            // nothing is held back but half a surrogate pair, which must wait for its other half
        }

        @Override
        public void close() {
            closed = true;
            sink.close();
        }
    }

    /** The writer a container hands out: a {@link PrintWriter} it reuses, its error state cleared. */
    private static final class ContainerWriter extends PrintWriter {
        ContainerWriter(Writer out) {
            super(out, false);
        }

        void recycle() {
            clearError();
        }
    }
}
