package nl.i3groep.consent.jmh;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nl.i3groep.consent.Decisions;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.html.HtmlGate;
import nl.i3groep.consent.html.Page;
import org.attoparser.MarkupParser;
import org.attoparser.ParseException;
import org.attoparser.config.ParseConfiguration;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.xml.sax.SAXException;

/**
 * Gating an HTML page for a visitor who has not decided (every tracker denied, banner inserted):
 * the streaming rewriter against the price of reading HTML strictly and against other ways of doing
 * the same job in Java. Pages are realistic: all six trackers' install code among ordinary content
 * (articles, images, inline scripts, comments, a form).
 *
 * <p>Every method writes into the same sink, a {@link ResponseBuffer}: a fixed 32 KB response
 * buffer sent (copied) whenever it is full, reused by every invocation, allocating nothing. It costs
 * every peer the same per byte, where a growing {@code ByteArrayOutputStream} cost more than the
 * gate itself and more for some peers than for others (it doubles on the write that outgrows it).
 * <ul>
 * <li>{@code copy}: the page's bytes written in one write. What serving the page costs at all.
 * <li>{@code floor}: {@link StrictScan} finds every tag's start and end as a strict HTML tokenizer
 * must (quoted values, comments, raw text) and decides nothing, then the page is written in one
 * write. The least a rewriter that reads HTML correctly pays: the reference for the gate's own work.
 * <li>{@code gatekeeper}: the streaming gate, the page written to it in one write.
 * <li>{@code gatekeeperNoTrackers}: the gate on a page of the same size and layout with no tracker
 * installed: what most of a site's pages cost.
 * <li>{@code copyWriter}, {@code gatekeeperWriter}: the page as a String through an
 * {@code OutputStreamWriter}, into the sink or into the gate, as a servlet's {@code getWriter} takes
 * it.
 * <li>The peers, which do the job of the {@code jsoup} method (below) and write the result into the
 * sink; each decodes the page's bytes into a String first, as a Java team would:
 * <ul>
 * <li>{@code jsoup}: parse into a tree, block by selectors, serialise.
 * <li>{@code attoparser}: Thymeleaf's streaming parser, a {@link MarkupParser} built once, with
 * {@link AttoParserGate} in front of AttoParser's own serializer.
 * <li>{@code validatorNu}: the Validator.nu HTML5 tokenizer (no tree builder) with
 * {@link ValidatorNuGate}, a token handler that serializes the tokens back to HTML; in a fork
 * that lets HotSpot compile the tokenizer's huge state loop (see there).
 * </ul>
 * The two streaming peers write through a {@code BufferedWriter} over an {@code OutputStreamWriter}:
 * they write markup in many small pieces, and the JDK's advice for those is to buffer in front of
 * the encoder ("to avoid frequent converter invocations"); {@code copyWriter} writes one String, so
 * needs no buffer.
 * </ul>
 *
 * <p>The job: every {@code <script>} whose {@code src} names a denied host or whose text contains a
 * denied marker (and that is not already {@code text/plain}) gets {@code type="text/plain"}, its old
 * type kept as {@code data-type}, and {@code data-consent="denied"}; on {@code img}, {@code iframe},
 * {@code embed}, {@code object}, {@code source}, {@code link}, {@code video} and {@code audio}, a URL
 * attribute ({@code src}, {@code srcset}, {@code href}, {@code data}, {@code poster}) that names a
 * denied host is renamed {@code data-consent-<name>} and the element marked
 * {@code data-consent="denied"}; the banner goes before {@code </body>}. A streaming peer holds each
 * script's start tag until its end tag, because the text decides the tag. The gate does somewhat
 * more (its rules are the library's, not these lists: Consent Mode defaults inserted, more elements
 * and attributes), which favours the peers.
 *
 * <p>Before measuring, each fork runs the measured method once into a capturing sink and refuses to
 * start unless its output is what the name says: the banner, no live tracker script, the LinkedIn
 * pixel's {@code src} renamed, every article still there; {@code floor}'s count equal to the
 * Validator.nu tokenizer's and the page passed byte for byte. Non-HTML responses never reach the
 * gate: FilterBenchmark's {@code filteredJson} measures their passage through the filter.
 *
 * <p>Run: {@code mvn -B -q -pl consent-jmh package -DskipTests && java -jar consent-jmh/target/benchmarks.jar
 * RewriteBenchmark -p pageSize=50k -f 3 -wi 3 -i 5 -w 1 -r 1 -prof gc} (the consent-core and
 * consent-servlet snapshots installed first, by {@code mvn -B -q install -DskipTests} from the root).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RewriteBenchmark {

    @Param({"5k", "50k", "500k"})
    public String pageSize;

    private byte[] page;
    private String pageText;
    private byte[] plainPage;
    private HtmlGate gate;
    private Decisions decisions;
    private Page insert;
    private List<String> deniedHosts;
    private List<String> deniedMarkers;
    private DenyList deny;
    private MarkupParser attoParser;
    /** The one sink of every method, reset per invocation (Scope.Thread: one per thread). */
    private ResponseBuffer sink;

    static final String BANNER = "<div data-consent-banner role=\"dialog\"><p>Wij gebruiken cookies.</p>"
            + "<form method=\"post\" action=\"/consent\"><button data-consent-action=\"reject-all\">Weigeren</button>"
            + "<button data-consent-action=\"accept-all\">Accepteren</button></form></div>";

    /** A script start tag with its attributes, its text and its end tag (the pages' scripts hold no "<"). */
    private static final Pattern SCRIPT = Pattern.compile("<script\\b([^>]*)>([^<]*)</script\\s*>");

    /**
     * Checks, before measuring, only the path the measured method takes: a run of another path
     * (the writer's 8 KB pieces, say) would shape the JIT's profile of the gate and so the figure
     * (measured: 44.5 µs for the gate into a null stream after a writer run, 38 µs without).
     */
    @Setup
    public void setUp(BenchmarkParams params) throws Exception {
        ConsentConfig config = ConsentConfig.parse(ExampleSite.CONFIG, Map.of());
        Gatekeeper gatekeeper = Gatekeeper.create(config);
        gate = HtmlGate.create(config.trackers());
        decisions = gatekeeper.decide(null, false);
        insert = new Page(BANNER, Optional.empty());
        int size = Integer.parseInt(pageSize.replace("k", "")) * 1000;
        pageText = page(size, true);
        page = pageText.getBytes(StandardCharsets.UTF_8);
        plainPage = page(size, false).getBytes(StandardCharsets.UTF_8);
        deniedHosts = List.of("googletagmanager.com", "google-analytics.com", "googleadservices.com", "doubleclick.net",
                "licdn.com", "ads.linkedin.com", "leadboxer.com", "oktopost.com", "okt.to");
        deniedMarkers = List.of("G-ABC123", "GoogleAnalyticsObject", "AW-123456789", "google_conversion_id",
                "_linkedin_partner_id", "lintrk(", "OTLogService", "OktopostTrackerObject", "_oktrk(",
                "googletagmanager.com/gtm.js");
        deny = new DenyList(deniedHosts, deniedMarkers);
        attoParser = new MarkupParser(ParseConfiguration.htmlConfiguration());

        String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
        sink = ResponseBuffer.capturing();
        try {
            check(method);
        } finally {
            sink = new ResponseBuffer();
        }
    }

    /** The measured method once, into the capturing sink, checked. */
    private void check(String method) throws Exception {
        switch (method) {
            case "copy" -> {
                copy();
                same(method, page, sink.captured());
            }
            case "copyWriter" -> {
                copyWriter();
                same(method, page, sink.captured());
            }
            case "floor" -> {
                selfCheck();
                int tags = floor();
                int expected = ValidatorNuGate.TagCount.of(pageText);
                if (tags != expected) {
                    throw new IllegalStateException("floor: " + tags + " tags, the Validator.nu tokenizer " + expected);
                }
                same(method, page, sink.captured());
            }
            case "gatekeeperNoTrackers" -> {
                gatekeeperNoTrackers();
                String plain = new String(sink.captured(), StandardCharsets.UTF_8);
                if (!plain.contains("data-consent-banner") || plain.contains("data-consent=")
                        || count(plain, "<article") != count(new String(plainPage, StandardCharsets.UTF_8), "<article")) {
                    throw new IllegalStateException("the page without trackers was not passed as it is, with the banner");
                }
            }
            case "gatekeeper", "gatekeeperWriter", "jsoup", "attoparser", "validatorNu" -> {
                switch (method) {
                    case "gatekeeper" -> gatekeeper();
                    case "gatekeeperWriter" -> gatekeeperWriter();
                    case "jsoup" -> jsoup();
                    case "attoparser" -> attoparser();
                    default -> validatorNu();
                }
                gated(method, new String(sink.captured(), StandardCharsets.UTF_8));
            }
            default -> throw new IllegalStateException("no check for " + method);
        }
    }

    /**
     * Whether {@code out} is the page gated: the banner at its end, after the last article and
     * before {@code </html>} (the peers put it before {@code </body>}, the gate after it, where a
     * parser puts it last in the body all the same); every script that
     * names a denied host or contains a denied marker still there (as many as in the page) and
     * {@code text/plain}; the LinkedIn pixel's {@code src} renamed; every article and image still there.
     */
    private void gated(String method, String out) {
        int banner = out.indexOf("<div data-consent-banner");
        if (banner < out.lastIndexOf("</article>") || banner > out.lastIndexOf("</html>")) {
            throw new IllegalStateException(method + ": no banner at the end of the document");
        }
        int trackers = 0;
        Matcher m = SCRIPT.matcher(pageText);
        while (m.find()) {
            trackers += tracker(m) ? 1 : 0;
        }
        int inert = 0;
        m = SCRIPT.matcher(out);
        while (m.find()) {
            if (tracker(m)) {
                if (!m.group(1).contains("type=\"text/plain\"")) {
                    throw new IllegalStateException(method + ": a tracker's script is live: " + m.group());
                }
                inert++;
            }
        }
        if (trackers < 7 || inert != trackers) {
            throw new IllegalStateException(method + ": " + inert + " inert tracker scripts, the page has " + trackers);
        }
        if (out.contains(" src=\"https://px.ads.linkedin.com")
                || !out.contains("data-consent-src=\"https://px.ads.linkedin.com/collect/?pid=123456")) {
            throw new IllegalStateException(method + ": the LinkedIn pixel's src was not renamed");
        }
        for (String content : List.of("<article", "<img", "<h2>", "<!-- kaart ")) {
            if (count(out, content) != count(pageText, content)) {
                throw new IllegalStateException(method + ": " + count(out, content) + " of the page's "
                        + count(pageText, content) + " " + content);
            }
        }
    }

    /** Whether the script matched names a denied host in its start tag or a denied marker in its text. */
    private boolean tracker(Matcher script) {
        String text = script.group(2);
        for (String marker : deniedMarkers) {
            if (text.contains(marker)) {
                return true;
            }
        }
        return mentions(script.group(1));
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + what.length())) {
            n++;
        }
        return n;
    }

    private static void same(String method, byte[] expected, byte[] actual) {
        if (!Arrays.equals(expected, actual)) {
            throw new IllegalStateException(method + ": the page did not arrive byte for byte (" + actual.length
                    + " of " + expected.length + " bytes)");
        }
    }

    /**
     * The scan on hand-written cases whose tag count is known, each also against the Validator.nu
     * tokenizer: quotes that hold {@code >}, quotes that open no value, comments, bogus comments and
     * raw text.
     */
    private static void selfCheck() throws Exception {
        Object[][] cases = {
            {"<a href=\"x>y\">t</a>", 2},
            {"<a href='x>y' title=\"'\">t</a>", 2},
            {"<p a\"b=c>d", 1},
            {"<p a\"b=\"c>d\">e</p>", 2},
            {"<a x=y\"z>w>", 1},
            {"<a =\"x><b>\">", 2},
            {"<a x=\"1\"=\"><b>\">", 2},
            {"<a x = \"1>2\" y='>'/>", 1},
            {"<br/=\"><i>\">", 2},
            {"<!-- <div> -->", 0},
            {"<!--><b>", 1},
            {"<!---><b>", 1},
            {"<!-- a --!><i>", 1},
            {"<!-- a -- b ---><i></i>", 2},
            {"<!DOCTYPE html><?xml version=\"1.0\"?></ 3><//>x</>", 0},
            {"<![CDATA[<b>]]>", 0},
            {"a < b <3 </ >", 0},
            {"<script>if (a</div>) {}</script>", 2},
            {"<script>x</scriptx><b></SCRIPT >", 2},
            {"<script>a</script/><b>", 3},
            {"<style>p{}</style x=\"</style>\"><b>", 3},
            {"<textarea><b></textarea>", 2},
            {"<title>a<b>c</TITLE>", 2},
            {"<a x=\">\"", 0},
            {"<div><span", 1},
        };
        for (Object[] c : cases) {
            String html = (String) c[0];
            byte[] b = html.getBytes(StandardCharsets.UTF_8);
            int scanned = StrictScan.tags(b, 0, b.length);
            int tokenized = ValidatorNuGate.TagCount.of(html);
            if (scanned != (int) c[1] || tokenized != (int) c[1]) {
                throw new IllegalStateException("StrictScan on " + html + ": " + scanned + " tags, Validator.nu "
                        + tokenized + ", expected " + c[1]);
            }
        }
    }

    @Benchmark
    public long copy() {
        ResponseBuffer out = sink.reset();
        out.write(page, 0, page.length);
        out.close();
        return out.total();
    }

    /** The strict scan of the whole page, then the page written: the price of reading HTML strictly. */
    @Benchmark
    public int floor() {
        ResponseBuffer out = sink.reset();
        int tags = StrictScan.tags(page, 0, page.length);
        out.write(page, 0, page.length);
        out.close();
        return tags;
    }

    @Benchmark
    public long gatekeeper() {
        ResponseBuffer out = sink.reset();
        // the gate closes its sink; the sink's close is the final send and leaves it usable
        try (OutputStream o = gate.open(out, StandardCharsets.UTF_8, decisions, insert)) {
            o.write(page, 0, page.length);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.total();
    }

    /** A page of the same size and layout without any tracker: what most of a site's pages cost. */
    @Benchmark
    public long gatekeeperNoTrackers() {
        ResponseBuffer out = sink.reset();
        try (OutputStream o = gate.open(out, StandardCharsets.UTF_8, decisions, insert)) {
            o.write(plainPage, 0, plainPage.length);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.total();
    }

    /** The floor of the writer path: the page as a String, encoded by a writer into the sink. */
    @Benchmark
    public long copyWriter() {
        ResponseBuffer out = sink.reset();
        try (Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
            w.write(pageText);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.total();
    }

    /** The same writer in front of the gate: a servlet that writes its page through getWriter. */
    @Benchmark
    public long gatekeeperWriter() {
        ResponseBuffer out = sink.reset();
        try (Writer w = new OutputStreamWriter(gate.open(out, StandardCharsets.UTF_8, decisions, insert),
                StandardCharsets.UTF_8)) {
            w.write(pageText);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.total();
    }

    @Benchmark
    public long jsoup() {
        ResponseBuffer out = sink.reset();
        Document doc = Jsoup.parse(new String(page, StandardCharsets.UTF_8));
        for (Element script : doc.select("script")) {
            if (script.attr("type").equalsIgnoreCase("text/plain")) {
                continue;
            }
            boolean tracker = mentions(script.attr("src"));
            String text = script.data();
            for (int i = 0; i < deniedMarkers.size() && !tracker; i++) {
                tracker = text.contains(deniedMarkers.get(i));
            }
            if (tracker) {
                if (script.hasAttr("type")) {
                    script.attr("data-type", script.attr("type"));
                }
                script.attr("type", "text/plain").attr("data-consent", "denied");
            }
        }
        for (Element e : doc.select("img[src], img[srcset], iframe[src], embed[src], object[data], source[src], "
                + "source[srcset], link[href], video[poster], audio[src]")) {
            for (Attribute a : e.attributes().asList()) {
                String k = a.getKey();
                if ((k.equals("src") || k.equals("srcset") || k.equals("href") || k.equals("data") || k.equals("poster"))
                        && mentions(a.getValue())) {
                    e.removeAttr(k);
                    e.attr("data-consent-" + k, a.getValue()).attr("data-consent", "denied");
                }
            }
        }
        doc.body().append(BANNER);
        byte[] html = doc.outerHtml().getBytes(StandardCharsets.UTF_8);
        out.write(html, 0, html.length);
        out.close();
        return out.total();
    }

    /** The job on AttoParser: its streaming parse, AttoParserGate, its serializer, a writer into the sink. */
    @Benchmark
    public long attoparser() {
        ResponseBuffer out = sink.reset();
        try (Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8))) {
            attoParser.parse(new String(page, StandardCharsets.UTF_8), new AttoParserGate(w, deny, BANNER));
        } catch (IOException | ParseException e) {
            throw new IllegalStateException(e);
        }
        return out.total();
    }

    /**
     * The job on the Validator.nu tokenizer: ValidatorNuGate serializes its tokens, a writer into the
     * sink. Its fork lets HotSpot compile huge methods: the tokenizer's {@code stateLoop} is 14,309
     * bytes of bytecode, over the JIT's limit of 8,000, and by default runs interpreted, about six
     * times slower (3.2 against 0.5 ms for the 50 KB page, in a plain timing loop). A team that
     * deployed it would have found that, as this benchmark did; the flag changes nothing else here.
     */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "-XX:-DontCompileHugeMethods")
    public long validatorNu() {
        ResponseBuffer out = sink.reset();
        try (Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8))) {
            ValidatorNuGate.tokenize(new ValidatorNuGate(w, deny, BANNER), new String(page, StandardCharsets.UTF_8));
        } catch (IOException | SAXException e) {
            throw new IllegalStateException(e);
        }
        return out.total();
    }

    private boolean mentions(String url) {
        String u = url.toLowerCase(java.util.Locale.ROOT);
        for (String h : deniedHosts) {
            if (u.contains(h)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A page of about {@code size} bytes as a site serves it: Google's tags in the head, cards of
     * ordinary content (links, images with srcset, small inline scripts, comments), and each other
     * tracker's install code once before {@code </body>}.
     */
    static String page(int size) {
        return page(size, true);
    }

    /** {@link #page(int)}, or without {@code trackers} the same layout and content with none installed. */
    static String page(int size, boolean withTrackers) {
        StringBuilder sb = new StringBuilder(size + 4096);
        sb.append("<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>i3 Groep</title>\n")
                .append("<link rel=\"stylesheet\" href=\"/css/site.css?v=12\">\n<link rel=\"icon\" href=\"/favicon.ico\">\n");
        if (withTrackers) {
            sb.append("<script async src=\"https://www.googletagmanager.com/gtag/js?id=G-ABC123\"></script>\n")
                    .append("<script>window.dataLayer = window.dataLayer || [];function gtag(){dataLayer.push(arguments);}")
                    .append("gtag('js', new Date());gtag('config', 'G-ABC123');gtag('config', 'AW-123456789');</script>\n");
        }
        sb.append("<style>body{margin:0;font:16px/1.5 system-ui,sans-serif}.card{padding:1em}</style>\n")
                .append("</head>\n<body class=\"home\">\n<header><nav><ul><li><a href=\"/\">Home</a></li>")
                .append("<li><a href=\"/diensten\">Diensten</a></li><li><a href=\"/contact\">Contact</a></li></ul></nav></header>\n")
                .append("<main>\n");
        String[] trackers = !withTrackers ? new String[0] : new String[] {
            "<script type=\"text/javascript\">_linkedin_partner_id = \"123456\";window._linkedin_data_partner_ids = "
                    + "window._linkedin_data_partner_ids || [];window._linkedin_data_partner_ids.push(_linkedin_partner_id);"
                    + "</script><script type=\"text/javascript\">(function(l) {if (!l){window.lintrk = function(a,b)"
                    + "{window.lintrk.q.push([a,b])};window.lintrk.q=[]}var s = document.getElementsByTagName(\"script\")[0];"
                    + "var b = document.createElement(\"script\");b.type = \"text/javascript\";b.async = true;"
                    + "b.src = \"https://snap.licdn.com/li.lms-analytics/insight.min.js\";s.parentNode.insertBefore(b, s);"
                    + "})(window.lintrk);</script><noscript><img height=\"1\" width=\"1\" style=\"display:none;\" alt=\"\" "
                    + "src=\"https://px.ads.linkedin.com/collect/?pid=123456&fmt=gif\" /></noscript>\n",
            "<script defer src=\"//script.leadboxer.com/?dataset=0123456789abcdef0123456789abcdef\"></script>\n",
            "<script>(function(a,b,c,d,e,m){a['OktopostTrackerObject']=d;a[d]=a[d]||function(){(a[d].q=a[d].q||[])"
                    + ".push(arguments)};e=b.createElement('script');m=b.getElementsByTagName('script')[0];e.async=1;"
                    + "e.src=c;m.parentNode.insertBefore(e,m)})(window,document,'https://static.oktopost.com/oktrk.js',"
                    + "'_oktrk');_oktrk('create','001abc');</script>\n",
            "<script type=\"text/javascript\">var google_conversion_id = 123456789;var google_remarketing_only = true;</script>"
                    + "<script type=\"text/javascript\" src=\"//www.googleadservices.com/pagead/conversion.js\"></script>"
                    + "<noscript><div style=\"display:inline;\"><img height=\"1\" width=\"1\" style=\"border-style:none;\" alt=\"\" "
                    + "src=\"//googleads.g.doubleclick.net/pagead/viewthroughconversion/123456789/?guid=ON&amp;script=0\"/>"
                    + "</div></noscript>\n",
        };
        int tail = 200;
        for (String t : trackers) {
            tail += t.length();
        }
        int i = 0;
        while (sb.length() < size - tail) {
            sb.append("<article class=\"card\" id=\"card-").append(i).append("\">\n<h2><a href=\"/nieuws/").append(i)
                    .append("\">Nieuwsbericht ").append(i).append("</a></h2>\n")
                    .append("<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut ")
                    .append("labore et dolore magna aliqua. Caf\u00e9 &amp; cr\u00e8me br\u00fbl\u00e9e, <em>nadruk</em> en ")
                    .append("<strong>vet</strong>.</p>\n<img src=\"/img/nieuws/").append(i).append(".jpg\" srcset=\"/img/nieuws/")
                    .append(i).append("@2x.jpg 2x\" alt=\"Afbeelding ").append(i).append("\" width=\"640\" height=\"360\" loading=\"lazy\">\n")
                    .append("<!-- kaart ").append(i).append(" -->\n");
            if (i % 3 == 0) {
                sb.append("<script>document.getElementById('card-").append(i)
                        .append("').addEventListener('click', function (e) { if (e.detail > 1) { return; } });</script>\n");
            }
            sb.append("</article>\n");
            i++;
        }
        sb.append("</main>\n<footer><p>&copy; i3 Groep</p><form action=\"/zoek\"><input name=\"q\" type=\"search\">")
                .append("<button>Zoek</button></form></footer>\n");
        for (String t : trackers) {
            sb.append(t);
        }
        return sb.append("</body>\n</html>\n").toString();
    }
}
