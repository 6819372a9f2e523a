package nl.i3groep.consent.browser;

import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.function.Consumer;
import nl.i3groep.consent.servlet.ConsentFilter;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** The browser tests' sites: Jetty on 127.0.0.1, any free port. */
final class Sites {

    private Sites() {
    }

    /**
     * A site of what {@code content} puts in its root context, behind {@code filter} unless it is
     * null, registered for {@code REQUEST} alone, as Spring Boot maps a filter.
     */
    static Server start(ConsentFilter filter, Consumer<ServletContextHandler> content) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        if (filter != null) {
            context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
        }
        content.accept(context);
        server.setHandler(context);
        server.start();
        return server;
    }

    static int port(Server server) {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }
}
