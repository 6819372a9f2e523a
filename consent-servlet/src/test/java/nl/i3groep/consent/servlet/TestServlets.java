package nl.i3groep.consent.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import nl.i3groep.consent.Decisions;

/** The servlets the filter is tested around: they write pages the ways real applications do. */
final class TestServlets {

    private TestServlets() {
    }

    /** A company page with trackers installed the vendors' way. */
    static String document(String text) {
        return """
                <!DOCTYPE html>
                <html lang="nl">
                <head>
                <meta charset="%s">
                <title>Voorbeeld</title>
                <script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"></script>
                <script>
                  window.dataLayer = window.dataLayer || [];
                  function gtag(){dataLayer.push(arguments);}
                  gtag('js', new Date());
                  gtag('config', 'G-ABC123');
                </script>
                <script src="/static/site.js"></script>
                </head>
                <body>
                <h1>%s</h1>
                <p>Welkom. <a href="/privacyverklaring">Privacyverklaring</a></p>
                <script type="text/javascript">
                _linkedin_partner_id = "123456";
                window._linkedin_data_partner_ids = window._linkedin_data_partner_ids || [];
                window._linkedin_data_partner_ids.push(_linkedin_partner_id);
                </script>
                <noscript><img height="1" width="1" style="display:none;" alt=""
                  src="https://px.ads.linkedin.com/collect/?pid=123456&fmt=gif" /></noscript>
                <script defer src="//script.leadboxer.com/?dataset=abc123"></script>
                </body>
                </html>
                """.formatted("%s", text);
    }

    /** Writes {@link #document} as asked: {@code api=stream|writer}, {@code chunk=N} bytes or chars per flushed
     *  write (0: one piece), {@code length=true}, {@code zip=gzip|deflate|raw-deflate|br|zstd} (or several, comma-separated, in the order applied), {@code encoding=…} (declared only),
     *  {@code charset=…}, {@code fragment=true}, {@code type=…} ({@code none}: no Content-Type; {@code late}:
     *  text/plain, HTML said only after the body began), {@code bom=utf-16le} (the body in UTF-16LE after its
     *  byte-order mark, whatever the declared charset). */
    static final class Page extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String charsetName = param(req, "charset", "UTF-8");
            Charset charset = Charset.forName(charsetName);
            String text = charsetName.equalsIgnoreCase("UTF-8") ? "Café € ✓"
                    : charset.newEncoder().canEncode("ソ表能") ? "ソ表能 日本語" : "Café ü";
            String html = "true".equals(req.getParameter("fragment"))
                    ? "<div><p>" + text + "</p><script src=\"https://snap.licdn.com/li.lms-analytics/insight.min.js\"></script></div>"
                    : document(text).formatted(charsetName);
            int chunk = Integer.parseInt(param(req, "chunk", "0"));
            if (req.getParameter("buffer") != null) {
                resp.setBufferSize(Integer.parseInt(req.getParameter("buffer")));
            }
            String type = param(req, "type", "text/html");
            if (!type.equals("none")) {
                resp.setContentType((type.equals("late") ? "text/plain" : type) + ";charset=" + charsetName);
            }
            String zip = param(req, "zip", "");
            if (!zip.isEmpty()) {
                // compressed whatever the request accepts, as some applications do
                byte[] zipped = html.getBytes(charset);
                List<String> codings = new java.util.ArrayList<>();
                for (String coding : zip.split(",")) {
                    zipped = compressed(coding.trim(), zipped);
                    codings.add(coding.trim().equals("raw-deflate") ? "deflate" : coding.trim());
                }
                resp.setHeader("Content-Encoding", String.join(", ", codings));
                resp.setContentLength(zipped.length);
                write(resp.getOutputStream(), zipped, chunk);
                return;
            }
            if (req.getParameter("encoding") != null) {
                // an encoding the filter cannot undo; the bytes are not really encoded, the filter must not care
                resp.setHeader("Content-Encoding", req.getParameter("encoding"));
            }
            if ("true".equals(req.getParameter("commit"))) {
                resp.flushBuffer(); // headers out before the first byte of the body
            }
            byte[] bytes = html.getBytes(charset);
            if ("utf-16le".equals(req.getParameter("bom"))) {
                byte[] utf16 = html.getBytes(StandardCharsets.UTF_16LE);
                bytes = new byte[utf16.length + 2];
                bytes[0] = (byte) 0xFF;
                bytes[1] = (byte) 0xFE;
                System.arraycopy(utf16, 0, bytes, 2, utf16.length);
            }
            if ("true".equals(req.getParameter("length"))) {
                resp.setContentLength(bytes.length);
            }
            if ("writer".equals(req.getParameter("api"))) {
                PrintWriter w = resp.getWriter();
                if (chunk == 0) {
                    w.write(html);
                } else {
                    for (int i = 0; i < html.length(); i += chunk) {
                        w.write(html, i, Math.min(chunk, html.length() - i));
                        w.flush();
                    }
                }
            } else {
                write(resp.getOutputStream(), bytes, chunk);
            }
            if (type.equals("late")) {
                resp.setContentType("text/html;charset=" + charsetName);
            }
        }

        /** {@code plain} in gzip, deflate (zlib's or raw), zstd, or brotli (see {@link Brotli}). */
        static byte[] compressed(String coding, byte[] plain) throws IOException {
            if (coding.equals("br")) {
                return Brotli.stored(plain);
            }
            ByteArrayOutputStream zipped = new ByteArrayOutputStream();
            try (OutputStream z = switch (coding) {
                case "gzip" -> new GZIPOutputStream(zipped);
                case "zstd" -> new io.airlift.compress.zstd.ZstdOutputStream(zipped);
                default -> new java.util.zip.DeflaterOutputStream(zipped,
                        new java.util.zip.Deflater(java.util.zip.Deflater.DEFAULT_COMPRESSION, coding.equals("raw-deflate")));
            }) {
                z.write(plain);
            }
            return zipped.toByteArray();
        }

        static void write(OutputStream out, byte[] bytes, int chunk) throws IOException {
            if (chunk == 0) {
                out.write(bytes);
                return;
            }
            for (int i = 0; i < bytes.length; i += chunk) {
                out.write(bytes, i, Math.min(chunk, bytes.length - i));
                out.flush();
            }
        }
    }

    static String param(HttpServletRequest req, String name, String fallback) {
        String v = req.getParameter(name);
        return v == null ? fallback : v;
    }

    /** JSON that must pass byte for byte. */
    static final class Json extends HttpServlet {
        static final byte[] BODY = "{\"script\":\"<script src=\\\"https://snap.licdn.com/x.js\\\"></script>\"}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("application/json");
            resp.setContentLength(BODY.length);
            resp.getOutputStream().write(BODY);
        }
    }

    /** Sets tracker and other cookies through every API a servlet has. */
    static final class Cookies extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setHeader("Set-Cookie", "app_first=1; Path=/"); // replaces every Set-Cookie before it
            resp.setHeader("Set-Cookie", "_gcl_au=1.1.1; Path=/");
            resp.addCookie(new Cookie("_ga", "GA1.1.123.456"));
            resp.addHeader("Set-Cookie", "li_fat_id=abc; Path=/");
            resp.addCookie(new Cookie("app_pref", "dark"));
            resp.addHeader("Set-Cookie", "JSESSIONID=s1; Path=/; HttpOnly");
            resp.setContentType("text/plain");
            resp.getWriter().write("ok");
        }
    }

    /** What a template sees: the request's decisions. */
    static final class Template extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            Decisions d = (Decisions) req.getAttribute(ConsentFilter.DECISIONS_ATTRIBUTE);
            resp.setContentType("text/plain");
            resp.getWriter().write("google-analytics=" + d.allows("google-analytics"));
        }
    }

    /** sendError, sendRedirect, 304, after writing part of a page or not. */
    static final class Statuses extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("text/html;charset=UTF-8");
            switch (param(req, "do", "")) {
                case "error" -> {
                    resp.getWriter().write("<p>partial <script src=\"https://snap.licdn.com/x.js\"");
                    resp.sendError(404);
                }
                case "fail" -> throw new IllegalStateException("the application failed before its first byte");
                case "redirect" -> resp.sendRedirect("/elsewhere");
                case "not-modified" -> resp.setStatus(304);
                case "throw" -> {
                    resp.getWriter().write(document("Fout").formatted("UTF-8").substring(0, 700));
                    resp.flushBuffer();
                    throw new IllegalStateException("the application failed half-way");
                }
                default -> resp.setStatus(400);
            }
        }
    }

    /** Forwards to, and includes, the page servlet. */
    static final class Dispatching extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
            if ("include".equals(req.getParameter("how"))) {
                resp.setContentType("text/html;charset=UTF-8");
                resp.getWriter().write("<!-- before include -->");
                req.getRequestDispatcher("/page?api=writer").include(req, resp);
            } else {
                req.getRequestDispatcher("/page").forward(req, resp);
            }
        }
    }

    /** Writes the page from another thread, then completes. */
    static final class Async extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
            AsyncContext async = req.startAsync();
            async.start(() -> {
                try {
                    HttpServletResponse r = (HttpServletResponse) async.getResponse();
                    r.setContentType("text/html;charset=UTF-8");
                    // no </body>: the banner can only come at the end, when the async request completes
                    r.getOutputStream().write(document("Async").formatted("UTF-8").replace("</body>\n</html>\n", "")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                } finally {
                    async.complete();
                }
            });
        }
    }

    /** An application that sets its own Content-Security-Policy, with its own nonce on its own script. */
    static final class OwnCsp extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setHeader("Content-Security-Policy", "script-src 'self' 'nonce-app123'; object-src 'none'");
            resp.setContentType("text/html;charset=UTF-8");
            resp.getWriter().write(document("CSP").formatted("UTF-8")
                    .replace("</body>", "<script nonce=\"app123\">window.app = 1;</script></body>"));
        }
    }

    /** The site's error page, with a tracker on it as error pages often have. */
    static final class ErrorPage extends HttpServlet {
        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("text/html;charset=UTF-8");
            resp.getWriter().write(document("Niet gevonden").formatted("UTF-8"));
        }
    }

    /** What the application sees of the request's Accept-Encoding. */
    static final class AcceptEncoding extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("text/plain");
            resp.getWriter().write("header=" + req.getHeader("Accept-Encoding") + " headers="
                    + java.util.Collections.list(req.getHeaders("Accept-Encoding")) + " named="
                    + java.util.Collections.list(req.getHeaderNames()).stream().anyMatch("accept-encoding"::equalsIgnoreCase));
        }
    }

    /** Starts a page, thinks better of it, resets and writes another. */
    static final class Resetting extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("text/html;charset=UTF-8");
            resp.setContentLength(99999);
            PrintWriter w = resp.getWriter();
            w.write("<!DOCTYPE html><html><head><script src=\"https://snap.licdn.com/li.lms-analytics/insight.min.js\">");
            if ("buffer".equals(req.getParameter("how"))) {
                resp.resetBuffer();
            } else {
                resp.reset();
                resp.setContentType("text/html;charset=UTF-8");
            }
            w = resp.getWriter();
            w.write(document("Opnieuw").formatted("UTF-8"));
        }
    }

    /** Everything else: a plain page. */
    static final class Fallback extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("text/html;charset=UTF-8");
            resp.getWriter().write("<!doctype html><html><head><title>x</title></head><body>plain</body></html>");
        }
    }

    /**
     * {@code Link} and {@code Refresh} headers that make a browser connect to or load trackers
     * before reading any markup, beside the site's own; {@code set=true} sets them with
     * {@code setHeader} after an entry of its own, else adds them; {@code type=json} answers JSON.
     */
    static final class FetchingHeaders extends HttpServlet {
        static final String LINKS = "<https://snap.licdn.com>; rel=preconnect, </css/site.css>; rel=preload; as=style, "
                + "<https://www.googletagmanager.com/gtag/js?id=G-ABC123>; rel=\"preload\"; as=script, "
                + "<//script.leadboxer.com/?dataset=abc123>; rel=modulepreload; title=\"a, b\", "
                + "<https://fonts.example.org>; rel=preconnect";

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            boolean json = "json".equals(req.getParameter("type"));
            resp.setContentType(json ? "application/json" : "text/html;charset=UTF-8");
            if ("true".equals(req.getParameter("set"))) {
                resp.setHeader("Link", "</own.js>; rel=preload; as=script");
                resp.setHeader("Link", LINKS);
                resp.setHeader("Refresh", "5; url='https://px.ads.linkedin.com/collect/?pid=123456'");
            } else {
                resp.addHeader("Link", "<https://px.ads.linkedin.com/collect/?pid=123456>; rel=prefetch");
                resp.addHeader("Link", LINKS);
                resp.addHeader("Refresh", "0;URL=/elders");
            }
            resp.getWriter().write(json ? "{}" : "<!doctype html><html><head></head><body>x</body></html>");
        }
    }

    /**
     * Pages whose charset the browser takes from elsewhere than the header's charset: {@code case=meta}
     * (a {@code <meta charset>} under a header without one), {@code case=meta-jis} (the same for
     * ISO-2022-JP), {@code case=bom} (a UTF-8 byte-order mark under a header saying ISO-8859-1),
     * {@code case=types} (a Content-Type listing two types, HTML last). Each holds LinkedIn's pixel
     * with its host in full-width letters, which only a reader of the right charset recognises.
     * {@code case=untyped-data} writes data of no type that is no HTML.
     */
    static final class Sniffed extends HttpServlet {
        static final String PIXEL = "<img alt=\"\" src=\"https://\uff50\uff58.ads.linkedin.com/collect/?pid=123456\">";

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String c = param(req, "case", "meta");
            if (c.equals("untyped-data")) {
                // no type, and bytes that no browser takes for HTML
                resp.getOutputStream().write("{\"a\": \"<script src=//snap.licdn.com/x.js></script>\"}"
                        .getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (c.startsWith("xhtml")) {
                // XHTML whose charset only its XML declaration gives
                String enc = c.equals("xhtml") ? "windows-1252" : "ISO-2022-JP";
                String x = "<?xml version=\"1.0\" encoding=\"" + enc + "\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">"
                        + "<head><title>Caf\u00e9</title></head><body><p>Caf\u00e9</p><svg xmlns=\"http://www.w3.org/2000/svg\""
                        + " xmlns:xlink=\"http://www.w3.org/1999/xlink\"><image xlink:href=\"https://px.ads.linkedin.com/collect/"
                        + "?pid=123456\"/></svg></body></html>";
                resp.setContentType("application/xhtml+xml");
                Page.write(resp.getOutputStream(), x.getBytes(Charset.forName(enc)), Integer.parseInt(param(req, "chunk", "0")));
                return;
            }
            String head = switch (c) {
                case "meta" -> "<meta name=\"viewport\" content=\"width=device-width\"><meta charset=\"utf-8\">";
                case "meta-jis" -> "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-2022-JP\">";
                default -> "";
            };
            String html = "<!doctype html><html><head><!-- <meta charset=\"koi8-r\"> -->" + head
                    + "<title>Caf\u00e9</title></head><body><p>Caf\u00e9</p>" + PIXEL + "</body></html>";
            byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
            switch (c) {
                case "bom" -> {
                    resp.setContentType("text/html;charset=ISO-8859-1");
                    resp.getOutputStream().write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
                }
                case "types" -> resp.setHeader("Content-Type", "text/plain, text/html;charset=UTF-8");
                case "unknown-label" -> resp.setHeader("Content-Type", "text/html;charset=x-no-such-charset");
                default -> resp.setContentType("text/html");
            }
            Page.write(resp.getOutputStream(), bytes, Integer.parseInt(param(req, "chunk", "0")));
        }
    }

    /** A worker's script, which fetches a tracker by itself. */
    static final class WorkerScript extends HttpServlet {
        static final String BODY = "fetch('https://www.google-analytics.com/g/collect?v=2&tid=G-ABC123');";

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("text/javascript;charset=UTF-8");
            resp.getWriter().write(BODY);
        }
    }

    static Map<String, HttpServlet> all() {
        Map<String, HttpServlet> servlets = new LinkedHashMap<>();
        servlets.put("/page", new Page());
        servlets.put("/json", new Json());
        servlets.put("/cookies", new Cookies());
        servlets.put("/template", new Template());
        servlets.put("/status", new Statuses());
        servlets.put("/dispatch", new Dispatching());
        servlets.put("/async", new Async());
        servlets.put("/own-csp", new OwnCsp());
        servlets.put("/error-page", new ErrorPage());
        servlets.put("/accept-encoding", new AcceptEncoding());
        servlets.put("/reset", new Resetting());
        servlets.put("/fetch-headers", new FetchingHeaders());
        servlets.put("/sniffed", new Sniffed());
        servlets.put("/worker.js", new WorkerScript());
        servlets.put("/", new Fallback());
        return servlets;
    }
}
