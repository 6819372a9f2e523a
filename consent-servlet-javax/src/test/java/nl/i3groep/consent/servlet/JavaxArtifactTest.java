package nl.i3groep.consent.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the copied tests take for granted here: they run in the Servlet 4 containers (Tomcat 9,
 * Jetty 10), and the artifact is the filter for javax.servlet with nothing of jakarta.servlet left.
 */
class JavaxArtifactTest {

    @ParameterizedTest
    @EnumSource(Container.class)
    void theFilterRunsInAServlet4Container(Container c) throws Exception {
        HttpServlet info = new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                resp.setContentType("text/plain");
                resp.getWriter().print(getServletContext().getMajorVersion() + " " + getServletContext().getServerInfo());
            }
        };
        try (Container.Running site = c.start(Container.Registration.byClassName("classpath:consent.json"),
                Map.of("/info", info))) {
            assertTrue(site.available(), "the filter started");
            String answer = Http.text(Http.get(site.port(), "/info"));
            String server = c == Container.TOMCAT ? "Apache Tomcat/9." : "jetty/10.";
            assertTrue(answer.startsWith("4 " + server), answer);
        }
    }

    @Test
    void noClassOfTheArtifactNamesJakarta() throws IOException {
        Path classes = Path.of(ConsentFilter.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        List<Path> named;
        try (Stream<Path> files = Files.walk(classes)) {
            named = files.filter(p -> p.toString().endsWith(".class")).filter(JavaxArtifactTest::namesJakarta).toList();
        }
        assertEquals(List.of(), named);
        assertTrue(javax.servlet.Filter.class.isAssignableFrom(ConsentFilter.class));
    }

    /** Put together at run time: the transformer would rename the literal, as it does in this class. */
    private static final String JAKARTA = String.join("/", "jakarta", "servlet");

    private static boolean namesJakarta(Path classFile) {
        try {
            return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1).contains(JAKARTA);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
