package nl.i3groep.consent.jmh;

import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.ledger.MemoryLedger;
import nl.i3groep.consent.servlet.ConsentFilter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.thymeleaf.TemplateEngine;
import org.thymeleaf.context.Context;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;

/**
 * The whole filter around a servlet that writes RewriteBenchmark's 50 KB page, against the same
 * servlet without the filter: the decision, the request and response wrappers, the banner, the
 * gate and the writer's encoding, through the real {@link ConsentFilter} and its package-private
 * response wrapper. No container: the request and response are {@link StubRequest} and
 * {@link StubResponse}, which write into a reusable array (see there why), so that the difference
 * between {@code bare…} and {@code filtered…} is the filter's.
 *
 * <ul>
 * <li>{@code bare}, {@code filtered}, {@code filteredWithCookie}: the servlet writes the page's UTF-8
 * bytes in one {@code getOutputStream().write}; {@code filtered} for a visitor without a cookie
 * (every tracker denied, the banner inserted), {@code filteredWithCookie} for a returning visitor
 * whose signed consent cookie accepts everything (every tracker allowed, their snippets inserted).
 * <li>{@code bareWriter}, {@code filteredWriter}: the same page as a {@code String} through
 * {@code getWriter().write}, encoded by the container's writer, or through the filter's.
 * <li>{@code bareJson}, {@code filteredJson}: a 50 KB {@code application/json} body, which the filter
 * passes through untouched.
 * <li>{@code thymeleaf}, {@code thymeleafFiltered}: the servlet renders the same page with Thymeleaf
 * (HTML mode, {@code templates/nieuws.html} from the classpath, the template cache on as in
 * production, the engine built once) from a model of its cards, through {@code getWriter}: what
 * producing the page costs a typical Spring application, beside which the filter's cost is to be
 * read; without the filter, and through it for a visitor without a cookie.
 * </ul>
 *
 * <p>The set-up runs the measured case once and refuses to start if the filtered page was not gated
 * (no banner, or a Google tag still live), if the returning visitor's page was not allowed, if
 * the JSON did not pass byte for byte, or if Thymeleaf's page is not RewriteBenchmark's 50 KB page
 * byte for byte: a benchmark that silently measures nothing is worse than none.
 *
 * <p>Run: {@code mvn -B -q -pl consent-jmh package -DskipTests && java -jar consent-jmh/target/benchmarks.jar
 * FilterBenchmark -f 2 -wi 3 -i 5 -w 1 -r 1 -prof gc} (the consent-core and consent-servlet
 * snapshots installed first, by {@code mvn -B -q install -DskipTests} from the root).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FilterBenchmark {

    private static final String HTML = "text/html;charset=UTF-8";
    private static final String JSON = "application/json";
    /** The 50 KB page, the banner (about 15 KB) and snippets fit without the array growing. */
    private static final int SINK_CAPACITY = 256 * 1024;
    /** A script tag that loads or mentions Google's tag, with its attributes. */
    private static final Pattern GOOGLE_TAG = Pattern.compile("<script\\b[^>]*googletagmanager[^>]*>");

    private ConsentFilter filter;
    private StubRequest visitor;
    private StubRequest returning;
    private StubResponse response;
    private FilterChain pageStream;
    private FilterChain pageWriter;
    private FilterChain json;
    private FilterChain thymeleaf;

    /** The application: writes its body in one write to the stream, as a servlet serving bytes does. */
    private record StreamServlet(String contentType, byte[] body) implements FilterChain {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response) throws IOException {
            response.setContentType(contentType);
            response.getOutputStream().write(body);
        }
    }

    /** The application: writes its body in one write to the writer, as a template engine's last step does. */
    private record WriterServlet(String contentType, String body) implements FilterChain {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response) throws IOException {
            response.setContentType(contentType);
            response.getWriter().write(body);
        }
    }

    /**
     * The application as a Spring MVC one serves the page: a controller's model (the cards, from a
     * repository or cache, so built once here) and Thymeleaf rendering the view into
     * {@code getWriter}. The context is per request, as Spring's view builds it.
     */
    private record ThymeleafServlet(TemplateEngine engine, String template, List<Card> cards) implements FilterChain {
        private static final Locale DUTCH = Locale.forLanguageTag("nl-NL");

        @Override
        public void doFilter(ServletRequest request, ServletResponse response) throws IOException {
            response.setContentType(HTML);
            engine.process(template, new Context(DUTCH, Map.of("cards", cards)), response.getWriter());
        }
    }

    /**
     * One card of the page, as the template reads it: a JavaBean with public getters, since
     * Thymeleaf without Spring reads properties through OGNL.
     */
    public static final class Card {
        private final int index;
        private final String title;
        private final String url;
        private final String image;
        private final String image2x;
        private final String alt;

        Card(int index) {
            this.index = index;
            this.title = "Nieuwsbericht " + index;
            this.url = "/nieuws/" + index;
            this.image = "/img/nieuws/" + index + ".jpg";
            this.image2x = "/img/nieuws/" + index + "@2x.jpg";
            this.alt = "Afbeelding " + index;
        }

        public int getIndex() {
            return index;
        }

        public String getTitle() {
            return title;
        }

        public String getUrl() {
            return url;
        }

        public String getImage() {
            return image;
        }

        public String getImage2x() {
            return image2x;
        }

        public String getAlt() {
            return alt;
        }

        /** Every third card has an inline script, as in {@link RewriteBenchmark#page(int)}. */
        public boolean isClickable() {
            return index % 3 == 0;
        }
    }

    /** The filter is built in Java; {@code init} reads no parameter then, but a container passes a config. */
    private record NoParameters(String getFilterName) implements FilterConfig {
        @Override
        public ServletContext getServletContext() {
            throw new UnsupportedOperationException("the benchmark has no servlet context");
        }

        @Override
        public String getInitParameter(String name) {
            return null;
        }

        @Override
        public Enumeration<String> getInitParameterNames() {
            return Collections.emptyEnumeration();
        }
    }

    @Setup
    public void setUp(BenchmarkParams params) throws Exception {
        Gatekeeper gatekeeper = Gatekeeper.create(ConsentConfig.parse(ExampleSite.CONFIG, Map.of()));
        filter = new ConsentFilter(gatekeeper, new MemoryLedger());
        filter.init(new NoParameters("consent"));

        String page = RewriteBenchmark.page(50_000);
        byte[] pageBytes = page.getBytes(StandardCharsets.UTF_8);
        byte[] jsonBytes = json(pageBytes.length).getBytes(StandardCharsets.UTF_8);
        pageStream = new StreamServlet(HTML, pageBytes);
        pageWriter = new WriterServlet(HTML, page);
        json = new StreamServlet(JSON, jsonBytes);
        thymeleaf = new ThymeleafServlet(templateEngine(), "nieuws", cards(page));

        Map<String, String> headers = Map.of("Host", "www.voorbeeld.nl", "Accept", "text/html,*/*;q=0.8",
                "Accept-Language", "nl-NL,nl;q=0.9,en;q=0.8", "Accept-Encoding", "gzip, deflate, br",
                "User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0");
        visitor = new StubRequest("/nieuws", headers, null);
        // the cookie the endpoint would have set after "accept all", made by the project's own codec;
        // a returning visitor also brings the session and the analytics cookie that consent allowed
        String consent = gatekeeper.cookieValue(gatekeeper.consent(
                Map.of("analytics", true, "marketing", true), Map.of()));
        returning = new StubRequest("/nieuws", headers, new Cookie[] {new Cookie("JSESSIONID", "node01x7k2m9q"),
                new Cookie("_ga", "GA1.2.1234567890.1700000000"), new Cookie(gatekeeper.config().cookie().name(), consent)});
        response = new StubResponse(SINK_CAPACITY);

        String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
        check(method, pageBytes, jsonBytes);
    }

    /**
     * The measured case once, checked: the benchmark must measure what its name says. Only that
     * case: a run of another path (the writer's, say) would shape the JIT's profile of the gate,
     * and so the figure.
     */
    private void check(String method, byte[] page, byte[] jsonBytes) throws Exception {
        switch (method) {
            case "bare" -> {
                bare();
                same(method, page, response.bodyBytes());
            }
            case "bareWriter" -> {
                bareWriter();
                same(method, page, response.bodyBytes());
            }
            case "bareJson" -> {
                bareJson();
                same(method, jsonBytes, response.bodyBytes());
            }
            case "thymeleaf" -> {
                thymeleaf();
                same(method, page, response.bodyBytes());
            }
            case "filtered", "filteredWriter", "thymeleafFiltered" -> {
                switch (method) {
                    case "filtered" -> filtered();
                    case "filteredWriter" -> filteredWriter();
                    default -> thymeleafFiltered();
                }
                String denied = response.body();
                if (!denied.contains("<consent-banner data-consent-banner") || live(denied)
                        || !"Cookie".equals(response.getHeader("Vary"))) {
                    throw new IllegalStateException(method + ": the page was not gated (banner, inert Google tag, Vary)");
                }
            }
            case "filteredWithCookie" -> {
                filteredWithCookie();
                String allowed = response.body();
                if (allowed.contains("<consent-banner data-consent-banner") || !live(allowed)
                        || allowed.contains("type=\"text/plain\"")) {
                    throw new IllegalStateException(method + ": the returning visitor's page was not allowed");
                }
                if (response.getHeaders("Set-Cookie").size() > 0) {
                    throw new IllegalStateException(method + ": an allowed tracker's cookie was expired");
                }
            }
            case "filteredJson" -> {
                filteredJson();
                same(method, jsonBytes, response.bodyBytes());
                if (response.getHeader("Vary") != null) {
                    throw new IllegalStateException(method + ": the JSON was treated as HTML");
                }
            }
            default -> throw new IllegalStateException("no check for " + method);
        }
    }

    /**
     * Thymeleaf as a Spring Boot application configures it: templates from {@code templates/} on the
     * classpath, HTML mode, UTF-8, parsed templates cached.
     */
    private static TemplateEngine templateEngine() {
        ClassLoaderTemplateResolver resolver = new ClassLoaderTemplateResolver(FilterBenchmark.class.getClassLoader());
        resolver.setPrefix("templates/");
        resolver.setSuffix(".html");
        resolver.setTemplateMode(TemplateMode.HTML);
        resolver.setCharacterEncoding("UTF-8");
        resolver.setCacheable(true);
        TemplateEngine engine = new TemplateEngine();
        engine.setTemplateResolver(resolver);
        return engine;
    }

    /** The page's cards, as many as RewriteBenchmark's generator wrote into it. */
    private static List<Card> cards(String page) {
        List<Card> cards = new ArrayList<>();
        while (page.contains("<article class=\"card\" id=\"card-" + cards.size() + "\">")) {
            cards.add(new Card(cards.size()));
        }
        return List.copyOf(cards);
    }

    /** Whether any Google tag in the page can run: one without {@code type="text/plain"}. */
    private static boolean live(String html) {
        Matcher m = GOOGLE_TAG.matcher(html);
        boolean found = false;
        while (m.find()) {
            found = true;
            if (!m.group().contains("type=\"text/plain\"")) {
                return true;
            }
        }
        if (!found) {
            throw new IllegalStateException("the page has no Google tag to check");
        }
        return false;
    }

    private static void same(String name, byte[] expected, byte[] actual) {
        if (!Arrays.equals(expected, actual)) {
            throw new IllegalStateException(name + ": the body did not arrive byte for byte (" + actual.length
                    + " of " + expected.length + " bytes)");
        }
    }

    @TearDown
    public void tearDown() {
        filter.destroy();
    }

    @Benchmark
    public int bare() throws IOException, ServletException {
        return bare(visitor, pageStream);
    }

    @Benchmark
    public int filtered() throws IOException, ServletException {
        return filtered(visitor, pageStream);
    }

    @Benchmark
    public int filteredWithCookie() throws IOException, ServletException {
        return filtered(returning, pageStream);
    }

    @Benchmark
    public int bareWriter() throws IOException, ServletException {
        return bare(visitor, pageWriter);
    }

    @Benchmark
    public int filteredWriter() throws IOException, ServletException {
        return filtered(visitor, pageWriter);
    }

    @Benchmark
    public int bareJson() throws IOException, ServletException {
        return bare(visitor, json);
    }

    @Benchmark
    public int filteredJson() throws IOException, ServletException {
        return filtered(visitor, json);
    }

    @Benchmark
    public int thymeleaf() throws IOException, ServletException {
        return bare(visitor, thymeleaf);
    }

    @Benchmark
    public int thymeleafFiltered() throws IOException, ServletException {
        return filtered(visitor, thymeleaf);
    }

    private int bare(StubRequest request, FilterChain servlet) throws IOException, ServletException {
        StubResponse r = response.recycle();
        servlet.doFilter(request.recycle(), r);
        r.complete();
        return r.bodyLength();
    }

    private int filtered(StubRequest request, FilterChain servlet) throws IOException, ServletException {
        StubResponse r = response.recycle();
        filter.doFilter(request.recycle(), r, servlet);
        r.complete();
        return r.bodyLength();
    }

    /** A JSON document of about {@code size} bytes: a list of articles, as an API would answer. */
    static String json(int size) {
        StringBuilder sb = new StringBuilder(size + 512).append("{\"articles\":[");
        for (int i = 0; sb.length() < size - 200; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"title\":\"Nieuwsbericht ").append(i)
                    .append("\",\"summary\":\"Lorem ipsum dolor sit amet, consectetur adipiscing elit. Caf\u00e9 & ")
                    .append("cr\u00e8me br\u00fbl\u00e9e.\",\"url\":\"/nieuws/").append(i).append("\",\"image\":\"/img/nieuws/")
                    .append(i).append(".jpg\",\"tags\":[\"nieuws\",\"software\"],\"published\":\"2026-11-")
                    .append(String.format("%02d", 1 + i % 28)).append("T09:00:00Z\"}");
        }
        return sb.append("]}").toString();
    }
}
