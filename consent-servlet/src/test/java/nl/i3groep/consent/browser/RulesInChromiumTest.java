package nl.i3groep.consent.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.List;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.ledger.MemoryLedger;
import nl.i3groep.consent.servlet.ConsentFilter;
import org.eclipse.jetty.ee10.servlet.ErrorPageErrorHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The rewriter's newer rules as a browser meets them: one page per rule, served once without the
 * filter (the control: the browser reaches the tracker's stand-in, so the page really loads it)
 * and once with it (nothing reaches the tracker), for a visitor who has not decided. Every page
 * ends by loading a pixel from a host that is no tracker's; its arrival says the page has done all
 * it would do. The filter is registered for {@code REQUEST} alone, as Spring Boot maps it.
 */
class RulesInChromiumTest {

    /** An image that is no image, for a lazy loader to replace. */
    private static final String BLANK = "data:image/gif;base64,R0lGODlhAQABAAAAACw=";

    /** The pixel every page loads last, after what it does with the tracker. */
    private static final String DONE = "https://cdn.example.org/done.gif";

    /** A page, what it holds, and the stand-in request that shows the tracker was reached. */
    enum Case {
        LINK_PRELOAD("a Link header preloading LinkedIn's script", "snap.licdn.com/li.lms-analytics/insight.min.js") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                resp.addHeader("Link", "<https://snap.licdn.com/li.lms-analytics/insight.min.js>; rel=preload; as=script");
                html(resp, "<p>preload</p>");
            }
        },
        REFRESH("a Refresh header to LinkedIn's pixel", "px.ads.linkedin.com/collect/?pid=123456&refresh") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                resp.setHeader("Refresh", "0; url=https://px.ads.linkedin.com/collect/?pid=123456&refresh");
                html(resp, "<p>refresh</p>");
            }
        },
        WP_ROCKET("WP Rocket's delayed script, revived by its own loader", "snap.licdn.com/li.lms-analytics/insight.min.js") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                html(resp, "<script type=\"rocketlazyloadscript\" data-rocket-src=\"https://snap.licdn.com/li.lms-analytics/"
                        + "insight.min.js\"></script>" + revive("script[type=rocketlazyloadscript]", "data-rocket-src"));
            }
        },
        LITESPEED("LiteSpeed's deferred script, revived by its own loader", "www.googletagmanager.com/gtag/js?id=G-ABC123") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                html(resp, "<script type=\"litespeed/javascript\" data-src=\"https://www.googletagmanager.com/gtag/js?id=G-ABC123\">"
                        + "</script>" + revive("script[type='litespeed/javascript']", "data-src"));
            }
        },
        PARTYTOWN("a Partytown script, revived by a stand-in of its loader", "www.googletagmanager.com/gtag/js?id=G-ABC123") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                html(resp, "<script type=\"text/partytown\" src=\"https://www.googletagmanager.com/gtag/js?id=G-ABC123\">"
                        + "</script>" + revive("script[type='text/partytown']", "src"));
            }
        },
        AMP("AMP's amp-pixel and amp-analytics, read by a stand-in of AMP's runtime", "px.ads.linkedin.com/collect/?pid=123456&amp") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                html(resp, "<amp-pixel src=\"https://px.ads.linkedin.com/collect/?pid=123456&amp;amp\" layout=\"nodisplay\">"
                        + "</amp-pixel><amp-analytics><script type=\"application/json\">{\"requests\": {\"pageview\": "
                        + "\"https://px.ads.linkedin.com/collect/?pid=123456&ampanalytics\"}, \"triggers\": {\"v\": "
                        + "{\"on\": \"visible\", \"request\": \"pageview\"}}}</script></amp-analytics>"
                        // what the runtime does with them: fetch each pixel, and each request its config names
                        + "<script>document.querySelectorAll('amp-pixel[src]').forEach(function (p) {"
                        + "new Image().src = p.getAttribute('src'); });"
                        + "document.querySelectorAll('amp-analytics > script[type=\"application/json\"]').forEach("
                        + "function (c) { var r = JSON.parse(c.textContent).requests;"
                        + "Object.keys(r).forEach(function (k) { new Image().src = r[k]; }); });</script>");
            }
        },
        MARKED_NECESSARY("a script marked necessary that loads LinkedIn's", "snap.licdn.com/li.lms-analytics/insight.min.js") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                html(resp, "<script data-consent=\"session-cookies\">var s=document.createElement('script');"
                        + "s.src='https://snap.licdn.com/li.lms-analytics/insight.min.js';document.head.appendChild(s);</script>");
            }
        },
        GOOGLE_COUNTRY("a Google Ads conversion pixel on www.google.co.uk", "www.google.co.uk/pagead/1p-conversion/123456789/") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                html(resp, "<img alt=\"\" src=\"https://www.google.co.uk/pagead/1p-conversion/123456789/\">");
            }
        },
        NUMBERED_PIXEL("LinkedIn's pixel on a numbered host", "px4.ads.linkedin.com/collect/?pid=123456") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                html(resp, "<img alt=\"\" src=\"https://px4.ads.linkedin.com/collect/?pid=123456&fmt=gif\">");
            }
        },
        LONG_SCRIPT("an inline script over 64 KiB that loads the pixel after its first 64 KiB",
                "px.ads.linkedin.com/collect/?pid=123456&long") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                html(resp, "<script>var pad = '" + "x".repeat(70_000) + "';"
                        + "new Image().src='https://px.ads.linkedin.com/collect/?pid=123456&long';</script>");
            }
        },
        SHIFT_JIS("a Shift_JIS page with Google's tag", "www.googletagmanager.com/gtag/js?id=G-ABC123") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                Charset sjis = Charset.forName("Shift_JIS");
                resp.setContentType("text/html;charset=Shift_JIS");
                resp.getOutputStream().write(("<!doctype html><html><head><title>ソ表能</title>"
                        + "<script async src=\"https://www.googletagmanager.com/gtag/js?id=G-ABC123\"></script></head>"
                        + "<body><p>日本語のページ</p><img alt=\"\" src=\"" + DONE + "\"></body></html>").getBytes(sjis));
            }
        },
        LAZY_PIXEL("a lazy-loaded pixel (data-src), set by the page's loader", "px.ads.linkedin.com/collect/?pid=123456&lazy") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                html(resp, "<img alt=\"\" class=\"lazy\" src=\"" + BLANK + "\" "
                        + "data-src=\"https://px.ads.linkedin.com/collect/?pid=123456&amp;lazy\">"
                        + "<script>document.querySelectorAll('img[data-src]').forEach(function (i) {"
                        + "i.src = i.getAttribute('data-src'); });</script>");
            }
        },
        LAZY_BACKGROUND("a lazy background (data-bg), set by the page's loader", "px.ads.linkedin.com/collect/?pid=123456&bg") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                html(resp, "<div style=\"width:10px;height:10px\" data-bg=\"https://px.ads.linkedin.com/collect/?pid=123456&amp;bg\">"
                        + "</div><script>document.querySelectorAll('[data-bg]').forEach(function (e) {"
                        + "e.style.backgroundImage = 'url(' + e.getAttribute('data-bg') + ')'; });</script>");
            }
        },
        INLINE_PIXEL("a hand-written pixel built in an inline script", "px.ads.linkedin.com/collect/?pid=123456&inline") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                html(resp, "<script>new Image().src = 'https://px.ads.linkedin.com/collect/?pid=123456&inline';</script>");
            }
        },
        JSON_ESCAPED("a loader whose URL is JSON-escaped", "snap.licdn.com/li.lms-analytics/insight.min.js") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                html(resp, "<script>var cfg = {\"src\":\"https:\\/\\/snap.licdn.com\\/li.lms-analytics\\/insight.min.js\"};"
                        + "var s = document.createElement('script'); s.src = cfg.src; document.head.appendChild(s);</script>");
            }
        },
        EVENT_HANDLER("an onerror handler that loads the pixel", "px.ads.linkedin.com/collect/?pid=123456&onerror") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                html(resp, "<img alt=\"\" src=\"data:,\" onerror=\"this.onerror=null;"
                        + "this.src='https://px.ads.linkedin.com/collect/?pid=123456&amp;onerror'\">");
            }
        },
        STYLE_ATTRIBUTE("a style attribute's background", "px.ads.linkedin.com/collect/?pid=123456&style") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                html(resp, "<div style=\"width:10px;height:10px;"
                        + "background-image:url('https://px.ads.linkedin.com/collect/?pid=123456&amp;style')\"></div>");
            }
        },
        STYLESHEET_IMPORT("a stylesheet importing from LinkedIn's host", "snap.licdn.com/li.lms-analytics/site.css") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                html(resp, "<style>@import url(\"https://snap.licdn.com/li.lms-analytics/site.css\"); p { color: #333 }</style><p>x</p>");
            }
        },
        BACKGROUND_ATTRIBUTE("a table's legacy background attribute", "px.ads.linkedin.com/collect/?pid=123456&table") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                html(resp, "<table background=\"https://px.ads.linkedin.com/collect/?pid=123456&amp;table\">"
                        + "<tr><td>x</td></tr></table>");
            }
        },
        META_REFRESH("a meta refresh to LinkedIn's pixel", "px.ads.linkedin.com/collect/?pid=123456&meta") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                html(resp, "<meta http-equiv=\"refresh\" content=\"0; url=https://px.ads.linkedin.com/collect/?pid=123456&amp;meta\">");
            }
        },
        SVG_CDATA("a pixel after an SVG whose CDATA section holds '>' and '<script>'", "px.ads.linkedin.com/collect/?pid=123456&cdata") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                html(resp, "<svg width=\"1\" height=\"1\"><![CDATA[ a > <script> b ]]></svg>"
                        + "<img alt=\"\" src=\"https://px.ads.linkedin.com/collect/?pid=123456&amp;cdata\">");
            }
        },
        SVG_SCRIPT("an SVG script that builds the pixel", "px.ads.linkedin.com/collect/?pid=123456&svg") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                html(resp, "<svg width=\"1\" height=\"1\"><script>new Image().src = "
                        + "'https://px.ads.linkedin.com/collect/?pid=123456&amp;svg';</script></svg>");
            }
        },
        DATA_FRAME("a frame whose data: document loads the pixel", "px.ads.linkedin.com/collect/?pid=123456&frame") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                html(resp, "<iframe src=\"data:text/html,<img src='https://px.ads.linkedin.com/collect/?pid=123456%26frame'>\">"
                        + "</iframe>");
            }
        },
        NOSCRIPT_END("a noscript whose first '</noscript>' lies in an attribute: a browser running scripts ends it there",
                "px.ads.linkedin.com/collect/?pid=123456&noscript") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                html(resp, "<noscript><p title=\"</noscript><img alt='' src='https://px.ads.linkedin.com/collect/?pid=123456"
                        + "&amp;noscript'>\">Zet JavaScript aan</p></noscript>");
            }
        },
        FULL_WIDTH_HOST("a pixel whose host is spelled in full-width letters", "px.ads.linkedin.com/collect/?pid=123456&wide") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                html(resp, "<img alt=\"\" src=\"https://\uff50\uff58.ads.linkedin.com/collect/?pid=123456&amp;wide\">");
            }
        },
        NAMED_REFERENCE_HOST("a pixel whose host is spelled with named character references",
                "px.ads.linkedin.com/collect/?pid=123456&named") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                html(resp, "<img alt=\"\" src=\"https://&pfr;x.ads&period;linked&iscr;n.com/collect/?pid=123456&amp;named\">");
            }
        },
        SMIL_SET("an SVG image whose href a SMIL set gives", "px.ads.linkedin.com/collect/?pid=123456&smil") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                html(resp, "<svg width=\"1\" height=\"1\"><image width=\"1\" height=\"1\"><set attributeName=\"href\" "
                        + "to=\"https://px.ads.linkedin.com/collect/?pid=123456&amp;smil\"/></image></svg>");
            }
        },
        INTEGRATION_POINT("an image after a style in an SVG foreignObject (HTML raw text there), whose '<!--' would hide"
                + " it as markup", "px.ads.linkedin.com/collect/?pid=123456&foreign") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                html(resp, "<svg width=\"1\" height=\"1\"><foreignObject><style><!--</style>"
                        + "<img alt=\"\" src=\"https://px.ads.linkedin.com/collect/?pid=123456&amp;foreign\">--></foreignObject></svg>");
            }
        },
        META_CHARSET("a page whose charset only its meta gives, with a pixel on a full-width host",
                "px.ads.linkedin.com/collect/?pid=123456&meta-charset") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                resp.setContentType("text/html");
                resp.getOutputStream().write(("<!doctype html><html><head><meta charset=\"utf-8\"><title>t</title></head><body>"
                        + "<p>Caf\u00e9</p><img alt=\"\" src=\"https://\uff50\uff58.ads.linkedin.com/collect/?pid=123456"
                        + "&amp;meta-charset\"><img alt=\"\" src=\"" + DONE + "\"></body></html>")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        },
        XHTML("an XHTML page whose charset only its XML declaration gives, a pixel in an SVG image's xlink:href",
                "px.ads.linkedin.com/collect/?pid=123456&xhtml") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                resp.setContentType("application/xhtml+xml");
                resp.getOutputStream().write(("<?xml version=\"1.0\" encoding=\"windows-1252\"?>\n"
                        + "<html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>t</title></head><body><p>Caf\u00e9</p>"
                        + "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"1\""
                        + " height=\"1\"><image width=\"1\" height=\"1\" xlink:href=\"https://px.ads.linkedin.com/collect/"
                        + "?pid=123456&amp;xhtml\"/></svg><p id=\"after\">after</p><img alt=\"\" src=\"" + DONE + "\"/></body></html>")
                        .getBytes(Charset.forName("windows-1252")));
            }
        },
        DEFLATE("a page the application deflates though the request it saw offered no encoding",
                "px.ads.linkedin.com/collect/?pid=123456&deflate") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
                try (java.util.zip.DeflaterOutputStream z = new java.util.zip.DeflaterOutputStream(zipped)) {
                    z.write(("<!doctype html><html><head><title>t</title></head><body><img alt=\"\" src=\"https://px.ads"
                            + ".linkedin.com/collect/?pid=123456&amp;deflate\"><img alt=\"\" src=\"" + DONE + "\"></body></html>")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
                resp.setContentType("text/html;charset=UTF-8");
                resp.setHeader("Content-Encoding", "deflate");
                resp.getOutputStream().write(zipped.toByteArray());
            }
        },
        UNKNOWN_CHARSET("a header charset no browser knows, so the page's meta decides",
                "px.ads.linkedin.com/collect/?pid=123456&unknown-charset") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                resp.setHeader("Content-Type", "text/html;charset=x-no-such-charset");
                resp.getOutputStream().write(("<!doctype html><html><head><meta charset=\"utf-8\"><title>t</title></head>"
                        + "<body><p>Caf\u00e9</p><img alt=\"\" src=\"https://px.ads.linkedin.com/collect/?pid=123456"
                        + "&amp;unknown-charset\"><img alt=\"\" src=\"" + DONE + "\"></body></html>")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        },
        ERROR_PAGE("the site's error page, which the filter does not see", "px.ads.linkedin.com/collect/?pid=123456&error") {
            @Override
            void serve(HttpServletResponse resp) throws IOException {
                resp.sendError(404);
            }
        };

        final String what;
        final String reached;

        Case(String what, String reached) {
            this.what = what;
            this.reached = reached;
        }

        abstract void serve(HttpServletResponse resp) throws IOException;

        static void html(HttpServletResponse resp, String body) throws IOException {
            resp.setContentType("text/html;charset=UTF-8");
            resp.getWriter().write("<!doctype html><html><head><title>t</title></head><body>" + body
                    + "<img alt=\"\" src=\"" + DONE + "\"></body></html>");
        }

        /** A plugin's loader: every script it selects becomes a live one from the attribute it keeps the URL in. */
        static String revive(String selector, String attribute) {
            return "<script>document.querySelectorAll(\"" + selector + "\").forEach(function (p) {"
                    + "var u = p.getAttribute('" + attribute + "'); if (!u) { return; }"
                    + "var s = document.createElement('script'); s.src = u; document.head.appendChild(s); });</script>";
        }
    }

    /**
     * A page whose only contact with a tracker is a connection, in a body the filter once passed on
     * unread (a policy does not govern a preconnect): a hint to a tracker's host, then one to a host
     * that is no tracker's, whose connection says the browser has acted on the hints. Both names
     * are new on each load, so that no connection the browser learned to open early counts.
     */
    enum Hinted {
        BROTLI("a page in brotli, though the request the application saw offered no encoding") {
            @Override
            void serve(HttpServletResponse resp, byte[] page) throws IOException {
                resp.setContentType("text/html;charset=UTF-8");
                resp.setHeader("Content-Encoding", "br");
                resp.getOutputStream().write(nl.i3groep.consent.servlet.Brotli.stored(page));
            }
        },
        ZSTD("a page in zstd, though the request the application saw offered no encoding") {
            @Override
            void serve(HttpServletResponse resp, byte[] page) throws IOException {
                java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
                try (java.io.OutputStream z = new io.airlift.compress.zstd.ZstdOutputStream(zipped)) {
                    z.write(page);
                }
                resp.setContentType("text/html;charset=UTF-8");
                resp.setHeader("Content-Encoding", "zstd");
                resp.getOutputStream().write(zipped.toByteArray());
            }
        },
        LATE_HTML("a page said to be HTML only after it was written as text") {
            @Override
            void serve(HttpServletResponse resp, byte[] page) throws IOException {
                resp.setContentType("text/plain;charset=UTF-8");
                resp.getOutputStream().write(page);
                resp.setContentType("text/html;charset=UTF-8");
            }
        };

        final String what;

        Hinted(String what) {
            this.what = what;
        }

        abstract void serve(HttpServletResponse resp, byte[] page) throws IOException;

        static String tracker(String n) {
            return "t" + n + ".google-analytics.com";
        }

        static String sentinel(String n) {
            return "s" + n + ".example.org";
        }
    }

    static final class HintedPages extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String n = req.getParameter("n");
            Hinted.valueOf(req.getPathInfo().substring(1)).serve(resp, ("<!doctype html><html><head><title>t</title>"
                    + "<link rel=\"preconnect\" href=\"https://" + Hinted.tracker(n) + "\">"
                    + "<link rel=\"preconnect\" href=\"https://" + Hinted.sentinel(n) + "\"></head>"
                    + "<body><p>hinted</p></body></html>").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** The site's error page, with LinkedIn's pixel on it as error pages often have. */
    static final class ErrorPage extends HttpServlet {
        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("text/html;charset=UTF-8");
            resp.getWriter().write("<!doctype html><html><head><title>Niet gevonden</title></head><body><h1>404</h1>"
                    + "<img alt=\"\" src=\"https://px.ads.linkedin.com/collect/?pid=123456&error\">"
                    + "<img alt=\"\" src=\"" + DONE + "\"></body></html>");
        }
    }

    /** The vendors' own snippets pasted before {@code </body>}, as agencies often paste them. */
    static final String FOOTER = "<!doctype html><html><head><title>Over ons</title></head><body><h1>Over ons</h1>"
            + "<script async src=\"https://www.googletagmanager.com/gtag/js?id=G-ABC123\"></script>"
            + "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}"
            + "gtag('js',new Date());gtag('config','G-ABC123');</script>"
            + "<script type=\"text/javascript\">_linkedin_partner_id = \"123456\";"
            + "window._linkedin_data_partner_ids = window._linkedin_data_partner_ids || [];"
            + "window._linkedin_data_partner_ids.push(_linkedin_partner_id);</script>"
            + "<script type=\"text/javascript\">(function(l) {if (!l){window.lintrk = function(a,b){window.lintrk.q.push([a,b])};"
            + "window.lintrk.q=[]}var s = document.getElementsByTagName(\"script\")[0];"
            + "var b = document.createElement(\"script\");b.type = \"text/javascript\";b.async = true;"
            + "b.src = \"https://snap.licdn.com/li.lms-analytics/insight.min.js\";"
            + "s.parentNode.insertBefore(b, s);})(window.lintrk);</script>"
            + "<script defer src=\"https://script.leadboxer.com/?dataset=abc123\"></script>"
            + "</body></html>";

    /** The scripts the footer's snippets load. */
    static final List<String> FOOTER_SCRIPTS = List.of("www.googletagmanager.com/gtag/js?id=G-ABC123",
            "snap.licdn.com/li.lms-analytics/insight.min.js", "script.leadboxer.com/?dataset=abc123");

    static final class Pages extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            if (req.getPathInfo().equals("/footer")) {
                resp.setContentType("text/html;charset=UTF-8");
                resp.getWriter().write(FOOTER);
                return;
            }
            Case.valueOf(req.getPathInfo().substring(1)).serve(resp);
        }
    }

    private static StandIns standIns;
    private static Server bare;
    private static Server filtered;
    private static ChromeDriver driver;

    @BeforeAll
    static void start() throws Exception {
        standIns = new StandIns();
        bare = site(false);
        filtered = site(true);
        driver = Browser.start("nl", true);
    }

    @AfterAll
    static void stop() throws Exception {
        if (driver != null) {
            driver.quit();
        }
        filtered.stop();
        bare.stop();
        standIns.close();
    }

    private static Server site(boolean withFilter) throws Exception {
        return Sites.start(withFilter ? new ConsentFilter(Gatekeeper.create(ConsentConfig.load("classpath:consent.json")),
                new MemoryLedger()) : null, context -> {
                    context.addServlet(new ServletHolder(new Pages()), "/rule/*");
                    context.addServlet(new ServletHolder(new HintedPages()), "/hinted/*");
                    context.addServlet(new ServletHolder(new ErrorPage()), "/error-page");
                    ErrorPageErrorHandler errors = new ErrorPageErrorHandler();
                    errors.addErrorPage(404, "/error-page");
                    context.setErrorHandler(errors);
                });
    }

    /**
     * Loads the case's page and waits until it has done all it does: the document complete and
     * every image loaded or refused (its last one is the pixel from a host that is no tracker's).
     */
    private static List<String> visit(Server server, Case c) {
        standIns.clear();
        driver.get("http://localhost:" + Sites.port(server) + "/rule/" + c);
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> Boolean.TRUE.equals(((JavascriptExecutor) driver)
                .executeScript("return document.readyState === 'complete'"
                        + " && Array.prototype.every.call(document.images, function (i) { return i.complete; })")));
        return standIns.everything();
    }

    /**
     * How often the page at {@code path} requests each of {@link #FOOTER_SCRIPTS} and how often each
     * runs (a browser may fetch a script once for two elements that load it at the same time, and
     * run it twice), once the page is complete.
     */
    private static List<List<Long>> scriptLoads(Server server, String path) {
        standIns.clear();
        driver.get("http://localhost:" + Sites.port(server) + path);
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> Boolean.TRUE.equals(((JavascriptExecutor) driver)
                .executeScript("return document.readyState === 'complete'")));
        List<String> reached = standIns.everything();
        return FOOTER_SCRIPTS.stream().map(u -> List.of(reached.stream().filter(r -> r.equals(u)).count(),
                reached.stream().filter(r -> r.startsWith(StandIns.runOf(u))).count())).toList();
    }

    @Test
    void afterAcceptAllATrackerThePageInstallsInItsFooterLoadsAsOftenAsWithoutTheFilter() {
        List<List<Long>> bareLoads = scriptLoads(bare, "/rule/footer");
        assertTrue(bareLoads.stream().allMatch(n -> n.get(0) >= 1 && n.get(1) >= 1), "the control loads and runs each: "
                + bareLoads);
        driver.manage().deleteAllCookies();
        driver.get("http://localhost:" + Sites.port(filtered) + "/rule/INLINE_PIXEL");
        Object status = ((JavascriptExecutor) driver).executeAsyncScript("var done = arguments[arguments.length - 1];"
                + "fetch('/consent', {method: 'POST', headers: {'Content-Type': 'application/json'},"
                + " body: JSON.stringify({purposes: {analytics: true, marketing: true}})})"
                + ".then(function (r) { done(r.status); }, function (e) { done(String(e)); });");
        assertEquals(200L, status, "accept-all recorded");
        try {
            assertEquals(bareLoads, scriptLoads(filtered, "/rule/footer"),
                    "[requests, runs] of " + FOOTER_SCRIPTS + " after accept-all");
        } finally {
            driver.manage().deleteAllCookies();
        }
    }

    /** What the gate held back comes alive when the visitor accepts, on the same page, by the banner's script. */
    @ParameterizedTest
    @EnumSource(value = Case.class, names = {"STYLESHEET_IMPORT", "STYLE_ATTRIBUTE", "INLINE_PIXEL", "EVENT_HANDLER"})
    void afterAcceptAllInTheBannerWhatWasHeldBackLoads(Case c) {
        driver.manage().deleteAllCookies();
        try {
            List<String> before = visit(filtered, c);
            assertTrue(before.stream().noneMatch(r -> r.startsWith(c.reached)), c.what + " before the decision: " + before);
            Browser.inBanner(driver, "[data-consent-action=accept-all]")
                    .click();
            new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> standIns.everything().stream()
                    .anyMatch(r -> r.startsWith(c.reached)));
        } finally {
            driver.manage().deleteAllCookies();
        }
    }

    private static int hinted;

    /** The host names the browser opened connections for on loading the page, once it opened one for the sentinel. */
    private static List<String> connectionsOf(Server server, Hinted h, String n) {
        standIns.clear();
        driver.get("http://localhost:" + Sites.port(server) + "/hinted/" + h + "?n=" + n);
        assertEquals("hinted", driver.findElement(org.openqa.selenium.By.tagName("p")).getText(), h.what);
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> standIns.connections().contains(Hinted.sentinel(n)));
        return standIns.connections();
    }

    @ParameterizedTest
    @EnumSource(Hinted.class)
    void aPreconnectInABodyOnceUnreadOpensNoConnectionToTheTracker(Hinted h) {
        String control = "c" + ++hinted;
        List<String> opened = connectionsOf(bare, h, control);
        assertTrue(opened.contains(Hinted.tracker(control)), h.what + ": the control connects: " + opened);
        String gated = "g" + hinted;
        opened = connectionsOf(filtered, h, gated);
        assertTrue(!opened.contains(Hinted.tracker(gated)), h.what + ": connected with the filter: " + opened);
    }

    @ParameterizedTest
    @EnumSource(Case.class)
    void withoutTheFilterThePageReachesTheTrackerWithItNothingDoes(Case c) {
        visit(bare, c);
        // the control; a refresh navigates once the page is complete
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> standIns.everything().stream()
                .anyMatch(r -> r.startsWith(c.reached)));
        List<String> gated = visit(filtered, c);
        // the trackers' hosts, and the case's own (www.google.co.uk); not the browser's own traffic,
        // nor the icon of a host the control navigated to (a refresh), which may come in late: a
        // navigation with the filter would show its own request
        List<String> reached = standIns.everything().stream().filter(r -> (standIns.log().contains(r)
                || r.startsWith(c.reached.substring(0, c.reached.indexOf('/')))) && !r.endsWith("/favicon.ico")).toList();
        assertEquals(List.of(), reached, c.what + ": reached with the filter");
        if (c == Case.XHTML) { // under the fail-closed policy too, but still a well-formed page to the XML parser
            assertEquals(List.of(), driver.findElements(org.openqa.selenium.By.tagName("parsererror")), c.what);
            assertEquals("after", driver.findElement(org.openqa.selenium.By.id("after")).getText(), c.what);
            assertEquals("Caf\u00e9", driver.findElement(org.openqa.selenium.By.tagName("p")).getText(), "read in its charset");
        } else if (c != Case.ERROR_PAGE) { // under the fail-closed policy no third party's pixel loads
            assertTrue(gated.contains("cdn.example.org/done.gif"), c.what + ": the page itself still works: " + gated);
        }
    }
}
