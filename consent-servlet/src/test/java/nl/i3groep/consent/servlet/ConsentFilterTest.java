package nl.i3groep.consent.servlet;

import static nl.i3groep.consent.servlet.Http.get;
import static nl.i3groep.consent.servlet.Http.send;
import static nl.i3groep.consent.servlet.Http.setCookies;
import static nl.i3groep.consent.servlet.Http.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.ledger.MemoryLedger;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The filter in Jetty 12 and Tomcat 11, registered by class name with its init-parameter (as
 * web.xml does) and as an instance built in Java, over real HTTP.
 */
class ConsentFilterTest {

    record Target(String name, int port, MemoryLedger ledger) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<Container.Running> RUNNING = new ArrayList<>();
    private static final List<Target> TARGETS = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        for (Container c : Container.values()) {
            Container.Running byName = c.start(Container.Registration.byClassName("classpath:consent.json"),
                    TestServlets.all());
            RUNNING.add(byName);
            TARGETS.add(new Target(c + " web.xml-style", byName.port(), null));
            MemoryLedger ledger = new MemoryLedger();
            Gatekeeper gatekeeper = Gatekeeper.create(ConsentConfig.load("classpath:consent.json"));
            Container.Running instance = c.start(Container.Registration.instance(new ConsentFilter(gatekeeper, ledger)),
                    TestServlets.all());
            RUNNING.add(instance);
            TARGETS.add(new Target(c + " programmatic", instance.port(), ledger));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (Container.Running r : RUNNING) {
            r.close();
        }
    }

    static Stream<Target> targets() {
        return TARGETS.stream();
    }

    /** A consent cookie from the endpoint itself. */
    static String consent(Target t, String purposesJson) throws Exception {
        HttpResponse<byte[]> r = send(t.port(), "POST", "/consent", "application/json",
                ("{\"purposes\":" + purposesJson + "}").getBytes(StandardCharsets.UTF_8),
                "Origin", "http://127.0.0.1:" + t.port());
        assertEquals(200, r.statusCode(), text(r));
        return "i3_consent=" + Http.consentCookie(r);
    }

    private static boolean inert(Element script) {
        return "text/plain".equals(script.attr("type"));
    }

    private static Element script(Document d, String srcOrText) {
        return d.select("script").stream()
                .filter(s -> s.attr("src").contains(srcOrText) || s.attr("data-consent-src").contains(srcOrText)
                        || s.data().contains(srcOrText))
                .findFirst().orElseThrow(() -> new AssertionError("no script with " + srcOrText + " in " + d));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void withoutADecisionEveryTrackerIsInertAndTheBannerAsks(Target t) throws Exception {
        HttpResponse<byte[]> r = get(t.port(), "/page");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().allValues("Vary").stream().anyMatch(v -> v.contains("Cookie")), r.headers().toString());
        String body = text(r);
        Document d = Jsoup.parse(body);
        assertTrue(inert(script(d, "gtag/js?id=G-ABC123")));
        assertTrue(inert(script(d, "gtag('config', 'G-ABC123')")));
        assertTrue(inert(script(d, "_linkedin_partner_id")));
        assertTrue(inert(script(d, "script.leadboxer.com")));
        assertFalse(inert(script(d, "/static/site.js")), "the site's own script is left alone");
        assertFalse(body.matches("(?s).*\\ssrc=\"https://px\\.ads\\.linkedin\\.com.*"), "the noscript pixel fetches nothing");
        assertTrue(body.contains("data-consent-src=\"https://px.ads.linkedin.com"));
        assertTrue(body.contains("Café € ✓"));
        Element banner = d.selectFirst("[data-consent-banner]");
        assertTrue(banner != null, "banner shown");
        for (String action : List.of("accept-all", "reject-all", "settings", "save")) {
            assertTrue(banner.selectFirst("[data-consent-action=" + action + "]") != null, action);
        }
        assertEquals("/consent", banner.selectFirst("form").attr("action"));
        r.headers().firstValueAsLong("Content-Length")
                .ifPresent(len -> assertEquals(r.body().length, len, "never a stale Content-Length"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void afterAcceptingAllTheTrackersRunAndMissingOnesAreInserted(Target t) throws Exception {
        String cookie = consent(t, "{\"analytics\":true,\"marketing\":true}");
        String body = text(get(t.port(), "/page", "Cookie", cookie));
        Document d = Jsoup.parse(body);
        assertFalse(inert(script(d, "gtag/js?id=G-ABC123")));
        assertFalse(inert(script(d, "_linkedin_partner_id")));
        assertFalse(inert(script(d, "script.leadboxer.com")));
        assertTrue(body.matches("(?s).*\\ssrc=\"https://px\\.ads\\.linkedin\\.com.*"));
        assertTrue(d.select("[data-consent-banner]").isEmpty(), "no banner once decided");
        assertEquals(1, count(body, "gtag/js?id=G-ABC123"), "the page installs GA itself: not inserted again");
        // inserted at the end, once the whole page is known not to install them itself
        assertEquals(1, count(body, "gtag/js?id=AW-123456789"), body);
        assertEquals(1, count(body, "_oktrk('create','001abc')"), body);
        assertTrue(body.lastIndexOf("_oktrk('create','001abc')") > body.lastIndexOf("</body>"), body);
        assertTrue(d.body().html().contains("gtag/js?id=AW-123456789"), "a browser runs them in the body");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void aPageIsReadInTheCharsetTheBrowserReadsItIn(Target t) throws Exception {
        for (String chunk : List.of("0", "1", "100")) {
            // a <meta charset> under a header without one: read as UTF-8, and said so in the header
            // (where the application flushed its first bytes the header went out as it was: the
            // browser then finds the same meta)
            HttpResponse<byte[]> meta = get(t.port(), "/sniffed?case=meta&chunk=" + chunk);
            String type = meta.headers().firstValue("Content-Type").orElse("").toLowerCase();
            assertTrue(chunk.equals("0") ? type.matches("text/html;\\s*charset=utf-8") : type.equals("text/html"), type);
            assertTrue(text(meta).contains("data-consent-src=\"https://\uff50\uff58.ads.linkedin.com"), text(meta));
            assertTrue(text(meta).contains("<p>Caf\u00e9</p>"), "the text as the page wrote it");
            // a charset no browser knows is ignored as browsers ignore it: the meta says
            HttpResponse<byte[]> unknown = get(t.port(), "/sniffed?case=unknown-label&chunk=" + chunk);
            assertTrue(text(unknown).contains("data-consent-src=\"https://\uff50\uff58.ads.linkedin.com"), text(unknown));
            // a UTF-8 byte-order mark wins over the header's charset
            HttpResponse<byte[]> bom = get(t.port(), "/sniffed?case=bom&chunk=" + chunk);
            assertTrue(text(bom).contains("data-consent-src=\"https://\uff50\uff58.ads.linkedin.com"), text(bom));
        }
        // a meta naming a charset the gate cannot read: the fail-closed policy
        HttpResponse<byte[]> jis = get(t.port(), "/sniffed?case=meta-jis");
        assertTrue(jis.headers().firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'self'"),
                jis.headers().toString());
    }

    /** XHTML without a charset in its header: its XML declaration's, also in the header then. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void anXhtmlPageIsReadInItsXmlDeclarationsCharset(Target t) throws Exception {
        for (String chunk : List.of("0", "1", "100")) {
            HttpResponse<byte[]> r = get(t.port(), "/sniffed?case=xhtml&chunk=" + chunk);
            String type = r.headers().firstValue("Content-Type").orElse("").toLowerCase();
            String body = new String(r.body(), java.nio.charset.Charset.forName("windows-1252"));
            assertTrue(body.contains("<p>Caf\u00e9</p>"), "the text as the page wrote it: " + body);
            // the prefix cannot stay one: data-consent-xlink would be an undeclared namespace
            assertTrue(body.contains("data-consent-xlink-href=\"https://px.ads.linkedin.com"), body);
            assertTrue(r.headers().firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'self'"));
            if (chunk.equals("0")) {
                assertTrue(type.matches("application/xhtml\\+xml;\\s*charset=windows-1252"), type);
            }
        }
        // a declaration naming a charset the gate cannot read: the fail-closed policy, the body as it was
        HttpResponse<byte[]> jis = get(t.port(), "/sniffed?case=xhtml-jis");
        assertTrue(jis.headers().firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'self'"),
                jis.headers().toString());
        assertTrue(new String(jis.body(), java.nio.charset.Charset.forName("ISO-2022-JP")).contains(" xlink:href=\"https://px"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void aBodyOfNoTypeThatIsNoHtmlPassesAsItIsUnderThePolicy(Target t) throws Exception {
        HttpResponse<byte[]> r = get(t.port(), "/sniffed?case=untyped-data");
        assertEquals("{\"a\": \"<script src=//snap.licdn.com/x.js></script>\"}", text(r));
        assertTrue(r.headers().firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'self'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void aContentTypeListingSeveralTypesIsHtmlWhenItsLastIs(Target t) throws Exception {
        HttpResponse<byte[]> r = get(t.port(), "/sniffed?case=types");
        String type = r.headers().firstValue("Content-Type").orElse("");
        assertTrue(GatedResponse.isHtml(type), "what the browser is sent: " + type);
        assertTrue(text(r).contains("data-consent-src=\"https://\uff50\uff58.ads.linkedin.com")
                || r.headers().firstValue("Content-Security-Policy").isPresent(), type + ": " + text(r));
    }

    /**
     * The banner's script is told what the page's decision allows, Global Privacy Control included:
     * it retires a service worker installed while a tracker it now denies was allowed.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void theBannersScriptIsToldWhichTrackersThePageAllows(Target t) throws Exception {
        String all = consent(t, "{\"analytics\":true,\"marketing\":true}");
        assertEquals(List.of("session-cookies"), allowed(get(t.port(), "/page")), "undecided");
        assertEquals(List.of("google-analytics", "google-ads", "linkedin-insight", "leadboxer", "oktopost",
                "session-cookies"), allowed(get(t.port(), "/page", "Cookie", all)), "accept-all");
        assertEquals(List.of("google-analytics", "session-cookies"), allowed(get(t.port(), "/page", "Cookie", all,
                "Sec-GPC", "1")), "accept-all, and GPC denies marketing");
        assertEquals(List.of("google-analytics", "session-cookies"),
                allowed(get(t.port(), "/page", "Cookie", consent(t, "{\"analytics\":true,\"marketing\":false}"))));
    }

    private static List<String> allowed(HttpResponse<byte[]> page) {
        Element script = Jsoup.parse(text(page)).selectFirst("script[data-endpoint]");
        assertTrue(script != null, "the banner's script");
        return script.attr("data-allowed").isEmpty() ? List.of() : List.of(script.attr("data-allowed").split(" "));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void analyticsOnlyLetsOnlyAnalyticsRun(Target t) throws Exception {
        String cookie = consent(t, "{\"analytics\":true,\"marketing\":false}");
        Document d = Jsoup.parse(text(get(t.port(), "/page", "Cookie", cookie)));
        assertFalse(inert(script(d, "gtag/js?id=G-ABC123")));
        assertTrue(inert(script(d, "_linkedin_partner_id")));
        assertTrue(inert(script(d, "script.leadboxer.com")));
        assertFalse(d.head().html().contains("oktrk"), "a refused tracker is not inserted");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void everyWayOfWritingThePageGivesTheSameResult(Target t) throws Exception {
        for (String cookie : List.of("", consent(t, "{\"analytics\":true,\"marketing\":false}"))) {
            String[] headers = cookie.isEmpty() ? new String[0] : new String[] {"Cookie", cookie};
            byte[] reference = get(t.port(), "/page", headers).body();
            for (String api : List.of("stream", "writer")) {
                for (String chunk : List.of("0", "1", "7")) {
                    for (String length : List.of("false", "true")) {
                        String path = "/page?api=" + api + "&chunk=" + chunk + "&length=" + length;
                        HttpResponse<byte[]> r = get(t.port(), path, headers);
                        assertEquals(200, r.statusCode(), path);
                        assertEquals(withoutReturn(new String(reference, StandardCharsets.UTF_8)),
                                withoutReturn(text(r)), path);
                        r.headers().firstValueAsLong("Content-Length")
                                .ifPresent(len -> assertEquals(r.body().length, len, path));
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void latin1PagesKeepTheirCharacters(Target t) throws Exception {
        for (String api : List.of("stream", "writer")) {
            HttpResponse<byte[]> r = get(t.port(), "/page?charset=ISO-8859-1&chunk=3&api=" + api);
            String body = new String(r.body(), StandardCharsets.ISO_8859_1);
            assertTrue(body.contains("Café ü"), body);
            assertTrue(r.headers().firstValue("Content-Type").orElseThrow().toUpperCase().contains("ISO-8859-1"));
            assertTrue(inert(script(Jsoup.parse(body), "_linkedin_partner_id")));
        }
    }

    /** A Shift_JIS or GB18030 page is gated as a UTF-8 one is, not served under the fail-closed policy. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void eastAsianPagesAreGatedAndKeepTheirCharacters(Target t) throws Exception {
        for (String charset : List.of("Shift_JIS", "EUC-JP", "GB18030")) {
            for (String api : List.of("stream", "writer")) {
                HttpResponse<byte[]> r = get(t.port(), "/page?charset=" + charset + "&chunk=3&api=" + api);
                String body = new String(r.body(), java.nio.charset.Charset.forName(charset));
                assertTrue(body.contains("ソ表能 日本語") && body.contains("Welkom"), charset + " " + api + ": " + body);
                assertTrue(r.headers().allValues("Content-Security-Policy").isEmpty(), charset + ": gated, not fail-closed");
                Document d = Jsoup.parse(body);
                assertTrue(inert(script(d, "_linkedin_partner_id")), charset + " " + api);
                assertTrue(inert(script(d, "gtag/js?id=G-ABC123")), charset + " " + api);
                assertTrue(body.contains("data-consent-banner"), charset + ": the banner");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void aCompressedPageIsInspectedNotPassedOn(Target t) throws Exception {
        for (String chunk : List.of("0", "5")) {
            // what browsers undo, also where the request offered none of it; and one over another
            for (String zip : List.of("gzip", "deflate", "raw-deflate", "br", "zstd", "gzip,br", "zstd,deflate")) {
                HttpResponse<byte[]> r = get(t.port(), "/page?zip=" + zip + "&chunk=" + chunk, "Accept-Encoding", "gzip");
                assertEquals(200, r.statusCode());
                assertEquals("identity", r.headers().firstValue("Content-Encoding").orElse("identity"), zip);
                Document d = Jsoup.parse(text(r));
                assertTrue(inert(script(d, "_linkedin_partner_id")), zip);
                assertTrue(d.selectFirst("[data-consent-banner]") != null, zip);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void fragmentsAreGatedButGetNothingInserted(Target t) throws Exception {
        String body = text(get(t.port(), "/page?fragment=true"));
        assertTrue(inert(script(Jsoup.parse(body), "snap.licdn.com")));
        assertFalse(body.contains("data-consent-banner"));
        assertFalse(body.contains("gtag('consent'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void otherContentPassesByteForByte(Target t) throws Exception {
        HttpResponse<byte[]> r = get(t.port(), "/json");
        assertArrayEquals(TestServlets.Json.BODY, r.body());
        assertEquals(TestServlets.Json.BODY.length, r.headers().firstValueAsLong("Content-Length").orElseThrow());
        assertTrue(r.headers().allValues("Vary").stream().noneMatch(v -> v.contains("Cookie")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void headNotModifiedErrorsAndRedirectsKeepTheirMeaning(Target t) throws Exception {
        HttpResponse<byte[]> head = send(t.port(), "HEAD", "/page", null, null);
        assertEquals(200, head.statusCode());
        assertEquals(0, head.body().length);
        assertEquals(304, get(t.port(), "/status?do=not-modified").statusCode());
        HttpResponse<byte[]> error = get(t.port(), "/status?do=error");
        assertEquals(404, error.statusCode());
        assertFalse(text(error).contains("<script src=\"https://snap.licdn.com"));
        HttpResponse<byte[]> redirect = get(t.port(), "/status?do=redirect");
        assertEquals(302, redirect.statusCode());
        assertTrue(redirect.headers().firstValue("Location").orElseThrow().endsWith("/elsewhere"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void aServletThatFailsHalfWayLeavesNoTrackerLive(Target t) throws Exception {
        String raw = Http.raw(t.port(), "/status?do=throw");
        assertTrue(raw.contains("googletagmanager.com/gtag/js?id=G-ABC123"), raw);
        int at = raw.indexOf("gtag/js?id=G-ABC123");
        String tag = raw.substring(raw.lastIndexOf("<script", at), raw.indexOf('>', at) + 1);
        assertTrue(tag.contains("type=\"text/plain\""), tag);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void deniedTrackersCookiesAreDroppedWhateverTheApi(Target t) throws Exception {
        List<String> undecided = setCookies(get(t.port(), "/cookies"));
        assertTrue(undecided.stream().anyMatch(c -> c.startsWith("app_pref=")), undecided.toString());
        assertTrue(undecided.stream().anyMatch(c -> c.startsWith("JSESSIONID=")), undecided.toString());
        for (String tracker : List.of("_ga=", "li_fat_id=", "_gcl_au=")) {
            assertTrue(undecided.stream().noneMatch(c -> c.startsWith(tracker)), tracker + " in " + undecided);
        }
        String all = consent(t, "{\"analytics\":true,\"marketing\":true}");
        List<String> granted = setCookies(get(t.port(), "/cookies", "Cookie", all));
        for (String tracker : List.of("_ga=", "li_fat_id=", "_gcl_au=")) {
            assertTrue(granted.stream().anyMatch(c -> c.startsWith(tracker)), tracker + " missing from " + granted);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void deniedTrackersCookiesTheBrowserSendsAreExpired(Target t) throws Exception {
        for (String path : List.of("/page", "/json")) {
            List<String> set = setCookies(get(t.port(), path, "Cookie", "_ga=GA1.1.1.1; li_fat_id=x; app_pref=dark"));
            assertTrue(set.stream().anyMatch(c -> c.startsWith("_ga=;") && c.contains("Max-Age=0")), set.toString());
            assertTrue(set.stream().anyMatch(c -> c.startsWith("li_fat_id=;") && c.contains("Max-Age=0")), set.toString());
            assertTrue(set.stream().noneMatch(c -> c.startsWith("app_pref=")), set.toString());
        }
        // an application that replaces the Set-Cookie headers, or resets the response, does not undo the expiry
        for (String path : List.of("/cookies", "/reset")) {
            List<String> set = setCookies(get(t.port(), path, "Cookie", "_ga=GA1.1.1.1; li_fat_id=x"));
            assertTrue(set.stream().anyMatch(c -> c.startsWith("_ga=;") && c.contains("Max-Age=0")), path + ": " + set);
            assertTrue(set.stream().anyMatch(c -> c.startsWith("li_fat_id=;") && c.contains("Max-Age=0")), path + ": " + set);
        }
        String analytics = consent(t, "{\"analytics\":true,\"marketing\":false}");
        List<String> set = setCookies(get(t.port(), "/json", "Cookie", analytics + "; _ga=GA1.1.1.1; li_fat_id=x"));
        assertTrue(set.stream().noneMatch(c -> c.startsWith("_ga=")), "granted: kept " + set);
        assertTrue(set.stream().anyMatch(c -> c.startsWith("li_fat_id=;")), "refused: expired " + set);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void templatesSeeTheDecisions(Target t) throws Exception {
        assertEquals("google-analytics=false", text(get(t.port(), "/template")));
        String cookie = consent(t, "{\"analytics\":true}");
        assertEquals("google-analytics=true", text(get(t.port(), "/template", "Cookie", cookie)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void forwardedIncludedAndAsyncPagesAreGated(Target t) throws Exception {
        for (String path : List.of("/dispatch?how=forward", "/dispatch?how=include", "/async")) {
            HttpResponse<byte[]> r = get(t.port(), path);
            assertEquals(200, r.statusCode(), path);
            Document d = Jsoup.parse(text(r));
            assertTrue(inert(script(d, "_linkedin_partner_id")), path);
            assertTrue(d.selectFirst("[data-consent-banner]") != null, "banner in " + path + ": " + text(r));
            // the visitor returns to the address asked for, not to where it was dispatched
            assertEquals(path, d.selectFirst("input[name=return]").attr("value"), path);
        }
    }

    /** The banner's form carries the page's own address back: it differs by query, rightly. */
    private static String withoutReturn(String body) {
        return body.replaceAll("name=\"return\" value=\"[^\"]*\"", "");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void aPageCommittedBeforeItsFirstByteIsStillGated(Target t) throws Exception {
        for (String api : List.of("stream", "writer")) {
            HttpResponse<byte[]> r = get(t.port(), "/page?commit=true&api=" + api);
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().allValues("Vary").stream().anyMatch(v -> v.contains("Cookie")), r.headers().toString());
            Document d = Jsoup.parse(text(r));
            assertTrue(inert(script(d, "_linkedin_partner_id")), api);
            assertTrue(inert(script(d, "gtag/js?id=G-ABC123")), api);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void theContainersErrorPageIsGatedToo(Target t) throws Exception {
        HttpResponse<byte[]> r = get(t.port(), "/status?do=error");
        assertEquals(404, r.statusCode());
        Document d = Jsoup.parse(text(r));
        assertTrue(text(r).contains("Niet gevonden"), "the error page was served: " + text(r));
        assertTrue(inert(script(d, "_linkedin_partner_id")));
        assertTrue(inert(script(d, "gtag/js?id=G-ABC123")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void theApplicationIsNotOfferedCompression(Target t) throws Exception {
        assertEquals("header=null headers=[] named=false",
                text(get(t.port(), "/accept-encoding", "Accept-Encoding", "gzip, br")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void aResetBodyIsForgottenAndTheNewOneGated(Target t) throws Exception {
        for (String how : List.of("buffer", "all")) {
            HttpResponse<byte[]> r = get(t.port(), "/reset?how=" + how);
            assertEquals(200, r.statusCode(), how);
            String body = text(r);
            assertTrue(body.startsWith("<!DOCTYPE html>\n<html lang=\"nl\">"), how + ": " + body);
            assertEquals(1, count(body, "<!DOCTYPE"), how);
            assertFalse(body.contains("insight.min.js"), how);
            Document d = Jsoup.parse(body);
            assertTrue(inert(script(d, "_linkedin_partner_id")), how);
            assertTrue(d.selectFirst("[data-consent-banner]") != null, how);
            r.headers().firstValueAsLong("Content-Length").ifPresent(len -> assertEquals(r.body().length, len, how));
        }
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    /** Link and Refresh headers to denied trackers go, on HTML and on other answers, set or added. */
    @ParameterizedTest
    @MethodSource("targets")
    void headersThatFetchADeniedTrackerAreDropped(Target t) throws Exception {
        for (String query : List.of("", "?set=true", "?type=json", "?type=json&set=true")) {
            HttpResponse<byte[]> r = get(t.port(), "/fetch-headers" + query);
            assertEquals(200, r.statusCode());
            String links = String.join(", ", r.headers().allValues("Link"));
            assertTrue(links.contains("</css/site.css>; rel=preload; as=style") && links.contains("<https://fonts.example.org>"),
                    query + ": the site's own and a third party's that is no tracker stay: " + links);
            for (String denied : List.of("licdn", "googletagmanager", "leadboxer", "linkedin")) {
                assertFalse(links.contains(denied), query + ": " + links);
            }
            assertFalse(links.contains("own.js"), query + ": a replaced value stays replaced: " + links);
            if (query.contains("set")) {
                assertTrue(r.headers().allValues("Refresh").isEmpty(), query + ": " + r.headers().allValues("Refresh"));
            } else {
                assertEquals(List.of("0;URL=/elders"), r.headers().allValues("Refresh"), query);
            }
        }
        String cookie = consent(t, "{\"analytics\":true,\"marketing\":true}");
        HttpResponse<byte[]> allowed = get(t.port(), "/fetch-headers?set=true", "Cookie", cookie);
        String links = String.join(", ", allowed.headers().allValues("Link"));
        assertTrue(links.contains("snap.licdn.com") && links.contains("googletagmanager") && links.contains("leadboxer"),
                "allowed, they stay: " + links);
        assertEquals(1, allowed.headers().allValues("Refresh").size(), "allowed, the refresh stays");
    }
}
