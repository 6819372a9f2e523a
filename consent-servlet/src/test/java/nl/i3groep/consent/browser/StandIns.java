package nl.i3groep.consent.browser;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Every tracker vendor at once: an HTTPS server on 127.0.0.1:443 with a throw-away certificate, to
 * which the browser's resolver sends every host. It answers scripts with a beacon back, pixels with
 * a GIF, and keeps a log of every request and of the host name of every connection: the proof of
 * what reached a tracker.
 */
final class StandIns implements AutoCloseable {

    private static final byte[] GIF = Base64.getDecoder().decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    private final Server server;
    private final List<String> log = new ArrayList<>();
    private final List<String> connections = new ArrayList<>();

    StandIns() throws Exception {
        Path dir = Files.createTempDirectory("stand-ins");
        File keystore = dir.resolve("stand-in.p12").toFile();
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "stand-in", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=stand-in", "-storetype", "PKCS12", "-keystore", keystore.getPath(),
                "-storepass", "stand-in", "-keypass", "stand-in").redirectErrorStream(true).start();
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + new String(keytool.getInputStream().readAllBytes()));
        }
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStorePath(keystore.getPath());
        tls.setKeyStorePassword("stand-in");
        tls.setKeyStoreType("PKCS12");
        tls.setSniRequired(false);
        server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false); // one throw-away certificate answers for every vendor
        http.addCustomizer(secure);
        ServerConnector connector = new ServerConnector(server, tls, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(443);
        connector.addBean(new org.eclipse.jetty.io.ssl.SslHandshakeListener() {
            @Override
            public void handshakeSucceeded(Event event) {
                // a connection of its own per host (no HTTP/2 here to share one): the name it was opened for
                if (event.getSSLEngine().getSession() instanceof javax.net.ssl.ExtendedSSLSession session) {
                    synchronized (log) {
                        session.getRequestedServerNames().forEach(n -> connections.add(
                                ((javax.net.ssl.SNIHostName) n).getAsciiName()));
                    }
                }
            }
        });
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String host = request.getHttpURI().getHost();
                String path = request.getHttpURI().getPathQuery();
                synchronized (log) {
                    log.add(host + path);
                }
                boolean script = path.contains(".js") || path.contains("/gtag/js") || host.equals("script.leadboxer.com");
                // each run reports back, synchronously (so before the page's load event), numbered
                // (so that no cache answers a second run)
                byte[] body = script ? ("(function(){var x=new XMLHttpRequest();x.open('GET','https://" + runOf(host + path)
                        + "&n='+(window.__standInRuns=(window.__standInRuns||0)+1),false);try{x.send();}catch(e){}"
                        + "new Image().src='https://" + host + "/collect?from=script';})();")
                        .getBytes(StandardCharsets.UTF_8) : GIF;
                response.getHeaders().put("Content-Type", script ? "text/javascript" : "image/gif");
                response.getHeaders().put("Access-Control-Allow-Origin", "*");
                response.getHeaders().put("Cache-Control", "no-store");
                response.write(true, ByteBuffer.wrap(body), callback);
                return true;
            }
        });
        try {
            server.start();
        } catch (IOException e) {
            throw new IllegalStateException("the tracker stand-in needs port 443 on 127.0.0.1 (run as root, as CI does): "
                    + e.getMessage(), e);
        }
    }

    /** The start of the request each run of the stand-in script {@code hostAndPath} makes. */
    static String runOf(String hostAndPath) {
        String host = hostAndPath.substring(0, hostAndPath.indexOf('/'));
        return host + "/run?script=" + java.net.URLEncoder.encode(hostAndPath, StandardCharsets.UTF_8);
    }

    /** The vendors' hosts; anything else reaching here is the browser's own traffic (update checks, start page). */
    private static final List<String> TRACKER_DOMAINS = List.of("googletagmanager.com", "google-analytics.com",
            "doubleclick.net", "googleadservices.com", "licdn.com", "linkedin.com", "leadboxer.com", "oktopost.com",
            "okt.to");

    /** Every request that reached a tracker so far, as host and path. */
    List<String> log() {
        synchronized (log) {
            return log.stream().filter(r -> {
                String host = r.substring(0, r.indexOf('/'));
                return TRACKER_DOMAINS.stream().anyMatch(d -> host.equals(d) || host.endsWith("." + d));
            }).toList();
        }
    }

    /** Everything, the browser's own traffic included. */
    List<String> everything() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    /** The hosts that received anything. */
    Set<String> hosts() {
        Set<String> hosts = new TreeSet<>();
        for (String r : log()) {
            hosts.add(r.substring(0, r.indexOf('/')));
        }
        return hosts;
    }

    /**
     * The host names connections were opened for, in order: a {@code <link rel="preconnect">} opens
     * one without a request.
     */
    List<String> connections() {
        synchronized (log) {
            return List.copyOf(connections);
        }
    }

    void clear() {
        synchronized (log) {
            log.clear();
            connections.clear();
        }
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
