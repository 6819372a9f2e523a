package nl.i3groep.consent.jmh;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import nl.i3groep.consent.Decisions;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.html.HtmlGate;
import nl.i3groep.consent.html.Page;
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

/**
 * Gating an HTML page for a visitor who has not decided (every tracker denied, banner inserted):
 * the streaming rewriter against a plain copy (the floor) and against parsing, rewriting and
 * serialising with jsoup. Pages are realistic: all six trackers' install code among ordinary
 * content (articles, images, inline scripts, comments, a form). Besides {@code copy},
 * {@code gatekeeper} and {@code jsoup}, which the issue defines: {@code gatekeeperOwn} (the gate into
 * a sink that keeps nothing), {@code copyWriter} and {@code gatekeeperWriter} (the page as a String
 * through a writer, as a servlet's {@code getWriter} takes it), {@code gatekeeperNoTrackers} (a page
 * of the same size and layout with no tracker installed). Non-HTML responses never reach the gate:
 * FilterBenchmark's {@code filteredJson} measures their passage through the filter.
 *
 * <p>Run: {@code mvn -B -q install -DskipTests && java -jar consent-jmh/target/benchmarks.jar
 * RewriteBenchmark -p pageSize=50k -f 3 -wi 3 -i 5 -w 1 -r 1 -prof gc}
 */
@State(Scope.Benchmark)
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

    static final String BANNER = "<div data-consent-banner role=\"dialog\"><p>Wij gebruiken cookies.</p>"
            + "<form method=\"post\" action=\"/consent\"><button data-consent-action=\"reject-all\">Weigeren</button>"
            + "<button data-consent-action=\"accept-all\">Accepteren</button></form></div>";

    /**
     * Checks, before measuring, only the path the measured method takes: a run of another path
     * (the writer's 8 KB pieces, say) would shape the JIT's profile of the gate and so the figure
     * (measured: 44.5 µs for {@code gatekeeperOwn} after a writer run, 38 µs without).
     */
    @Setup
    public void setUp(BenchmarkParams params) {
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
        String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
        if (method.equals("gatekeeperNoTrackers")) {
            String plain = gatekeeperNoTrackers().toString(StandardCharsets.UTF_8);
            if (!plain.contains("data-consent-banner") || plain.contains("data-consent=")) {
                throw new IllegalStateException("the page without trackers was not passed as it is, with the banner");
            }
            return;
        }
        ByteArrayOutputStream gated = method.equals("gatekeeperWriter") ? gatekeeperWriter() : gatekeeper();
        String out = gated.toString(StandardCharsets.UTF_8);
        if (!out.contains("data-consent-banner") || out.contains("<script async src=\"https://www.googletagmanager")
                || !out.contains("<script type=\"text/plain\" data-consent=\"oktopost\">")) {
            throw new IllegalStateException(method + ": the gate did not gate the benchmark page");
        }
    }

    @Benchmark
    public ByteArrayOutputStream copy() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(page, 0, page.length);
        return out;
    }

    @Benchmark
    public ByteArrayOutputStream gatekeeper() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream o = gate.open(out, StandardCharsets.UTF_8, decisions, insert)) {
            o.write(page, 0, page.length);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /**
     * The gate alone: the same work as {@link #gatekeeper} into a sink that keeps nothing, so that
     * the time and allocation are the gate's own, without the growing ByteArrayOutputStream (which
     * gatekeeper pays for in every write that outgrows it).
     */
    @Benchmark
    public OutputStream gatekeeperOwn() {
        OutputStream sink = OutputStream.nullOutputStream();
        try (OutputStream o = gate.open(sink, StandardCharsets.UTF_8, decisions, insert)) {
            o.write(page, 0, page.length);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return sink;
    }

    /** The floor of the writer path: the page as a String, encoded by a writer into a new buffer. */
    @Benchmark
    public ByteArrayOutputStream copyWriter() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
            w.write(pageText);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** The same writer in front of the gate: a servlet that writes its page through getWriter. */
    @Benchmark
    public ByteArrayOutputStream gatekeeperWriter() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Writer w = new OutputStreamWriter(gate.open(out, StandardCharsets.UTF_8, decisions, insert),
                StandardCharsets.UTF_8)) {
            w.write(pageText);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** A page of the same size and layout without any tracker: what most of a site's pages cost. */
    @Benchmark
    public ByteArrayOutputStream gatekeeperNoTrackers() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream o = gate.open(out, StandardCharsets.UTF_8, decisions, insert)) {
            o.write(plainPage, 0, plainPage.length);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    @Benchmark
    public ByteArrayOutputStream jsoup() {
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
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] html = doc.outerHtml().getBytes(StandardCharsets.UTF_8);
        out.write(html, 0, html.length);
        return out;
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
