package nl.i3groep.consent.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.io.File;
import java.nio.file.Files;
import java.util.EnumSet;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.valves.RemoteIpValve;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A real servlet container on a free loopback port, with the filter registered as a site would, and
 * set up as behind a TLS-terminating proxy: {@code X-Forwarded-Proto} and {@code -Host} are honoured
 * (requests without them are unaffected).
 *
 * <p>consent-servlet-javax compiles this class again after renaming {@code jakarta.servlet} and
 * Jetty's {@code ee10.servlet} package, and so starts Jetty 10 and Tomcat 9 with it: what it calls
 * must exist in those too.
 */
enum Container {
    JETTY {
        @Override
        Running start(Registration registration, Map<String, HttpServlet> servlets) throws Exception {
            Server server = new Server();
            HttpConfiguration http = new HttpConfiguration();
            http.addCustomizer(new ForwardedRequestCustomizer());
            ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
            connector.setHost("127.0.0.1");
            connector.setPort(0);
            server.addConnector(connector);
            ServletContextHandler context = new ServletContextHandler();
            context.setContextPath("/");
            FilterHolder filter = registration.filter() != null ? new FilterHolder(registration.filter())
                    : new FilterHolder(ConsentFilter.class);
            if (registration.configLocation() != null) {
                filter.setInitParameter("config", registration.configLocation());
            }
            filter.setAsyncSupported(true);
            context.addFilter(filter, "/*", registration.dispatchers());
            servlets.forEach((path, servlet) -> {
                ServletHolder holder = new ServletHolder(servlet);
                holder.setAsyncSupported(true);
                context.addServlet(holder, path);
            });
            org.eclipse.jetty.ee10.servlet.ErrorPageErrorHandler errors = new org.eclipse.jetty.ee10.servlet.ErrorPageErrorHandler();
            errors.addErrorPage(404, "/error-page");
            errors.addErrorPage(500, "/error-page");
            context.setErrorHandler(errors);
            server.setHandler(context);
            server.start();
            boolean available = context.isAvailable();
            return new Running(connector.getLocalPort(), available, server::stop);
        }
    },
    TOMCAT {
        @Override
        Running start(Registration registration, Map<String, HttpServlet> servlets) throws Exception {
            File base = Files.createTempDirectory("tomcat").toFile();
            Tomcat tomcat = new Tomcat();
            tomcat.setBaseDir(base.getAbsolutePath());
            tomcat.setHostname("127.0.0.1");
            tomcat.setPort(0);
            tomcat.getConnector().setProperty("address", "127.0.0.1");
            Context context = tomcat.addContext("", base.getAbsolutePath());
            RemoteIpValve forwarded = new RemoteIpValve();
            forwarded.setHostHeader("X-Forwarded-Host");
            context.getPipeline().addValve(forwarded);
            FilterDef def = new FilterDef();
            def.setFilterName("consent");
            if (registration.filter() != null) {
                def.setFilter(registration.filter());
                def.setFilterClass(registration.filter().getClass().getName());
            } else {
                def.setFilterClass(ConsentFilter.class.getName());
            }
            if (registration.configLocation() != null) {
                def.addInitParameter("config", registration.configLocation());
            }
            def.setAsyncSupported("true");
            context.addFilterDef(def);
            FilterMap map = new FilterMap();
            map.setFilterName("consent");
            map.addURLPattern("/*");
            for (DispatcherType type : registration.dispatchers()) {
                map.setDispatcher(type.name());
            }
            context.addFilterMap(map);
            int i = 0;
            for (Map.Entry<String, HttpServlet> e : servlets.entrySet()) {
                String name = "servlet" + i++;
                Tomcat.addServlet(context, name, e.getValue()).setAsyncSupported(true);
                context.addServletMappingDecoded(e.getKey(), name);
            }
            org.apache.tomcat.util.descriptor.web.ErrorPage notFound = new org.apache.tomcat.util.descriptor.web.ErrorPage();
            notFound.setErrorCode(404);
            notFound.setLocation("/error-page");
            context.addErrorPage(notFound);
            org.apache.tomcat.util.descriptor.web.ErrorPage failed = new org.apache.tomcat.util.descriptor.web.ErrorPage();
            failed.setErrorCode(500);
            failed.setLocation("/error-page");
            context.addErrorPage(failed);
            tomcat.start();
            boolean available = context.getState() == LifecycleState.STARTED;
            return new Running(tomcat.getConnector().getLocalPort(), available, () -> {
                tomcat.stop();
                tomcat.destroy();
            });
        }
    };

    abstract Running start(Registration registration, Map<String, HttpServlet> servlets) throws Exception;

    /**
     * How the filter is registered: by class name with a config location (as web.xml does), or as
     * an instance; for the dispatches the README gives, or for fewer.
     */
    record Registration(Filter filter, String configLocation, EnumSet<DispatcherType> dispatchers) {
        static Registration byClassName(String configLocation) {
            return new Registration(null, configLocation,
                    EnumSet.of(DispatcherType.REQUEST, DispatcherType.ERROR, DispatcherType.ASYNC));
        }

        static Registration instance(Filter filter) {
            return new Registration(filter, null,
                    EnumSet.of(DispatcherType.REQUEST, DispatcherType.ERROR, DispatcherType.ASYNC));
        }

        /** For {@code REQUEST} alone, as Spring Boot's {@code FilterRegistrationBean} maps by default. */
        Registration requestOnly() {
            return new Registration(filter, configLocation, EnumSet.of(DispatcherType.REQUEST));
        }
    }

    /** A started container. */
    record Running(int port, boolean available, Stopper stopper) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            stopper.stop();
        }
    }

    interface Stopper {
        void stop() throws Exception;
    }
}
