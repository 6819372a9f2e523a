package nl.i3groep.consent.ledger;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Connections to one JDBC URL, the idle ones kept for reuse: a connection per append would cost a
 * login per consent. No limit on connections in use, a few kept idle; one that failed is dropped.
 */
final class UrlConnections implements JdbcLedger.Connections {

    private static final int IDLE = 8;

    private final Driver driver;
    private final String url;
    private final Properties properties;
    private final BlockingQueue<Connection> idle = new ArrayBlockingQueue<>(IDLE);
    private volatile boolean closed;

    private UrlConnections(Driver driver, String url, Properties properties) {
        this.driver = driver;
        this.url = url;
        this.properties = properties;
    }

    static UrlConnections of(String url, String user, String password) {
        Properties properties = new Properties();
        if (user != null) {
            properties.setProperty("user", user);
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
        return new UrlConnections(driver(url), url, properties);
    }

    /**
     * The driver for {@code url}, looked up in this library's class loader and the context class
     * loader too: in a servlet container the driver sits in the web application, where
     * {@code DriverManager} alone may not see it.
     */
    private static Driver driver(String url) {
        Set<ClassLoader> loaders = new LinkedHashSet<>();
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null) {
            loaders.add(context);
        }
        loaders.add(UrlConnections.class.getClassLoader());
        for (ClassLoader loader : loaders) {
            for (Driver d : ServiceLoader.load(Driver.class, loader)) {
                try {
                    if (d.acceptsURL(url)) {
                        return d;
                    }
                } catch (SQLException e) {
                    // not this one
                }
            }
        }
        try {
            return DriverManager.getDriver(url);
        } catch (SQLException e) {
            throw new LedgerException("no JDBC driver on the class path accepts " + describe(url)
                    + " (for PostgreSQL add org.postgresql:postgresql)", e);
        }
    }

    /** The URL without its query, where a password may be. */
    static String describe(String url) {
        int q = url.indexOf('?');
        int semi = url.startsWith("jdbc:h2:") ? url.indexOf(';') : -1;
        int cut = q < 0 ? semi : semi < 0 ? q : Math.min(q, semi);
        return cut < 0 ? url : url.substring(0, cut);
    }

    @Override
    public Connection get() throws SQLException {
        Connection c = idle.poll();
        if (c != null) {
            return c;
        }
        c = driver.connect(url, properties);
        if (c == null) {
            throw new SQLException("the driver " + driver.getClass().getName() + " refused " + describe(url));
        }
        return c;
    }

    @Override
    public void release(Connection c, boolean healthy) {
        if (!healthy || closed || !idle.offer(c)) {
            closeQuietly(c);
        }
        if (closed) {
            drain();
        }
    }

    @Override
    public void close() {
        closed = true;
        drain();
    }

    private void drain() {
        for (Connection c; (c = idle.poll()) != null;) {
            closeQuietly(c);
        }
    }

    static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // nothing more to do with it
        }
    }
}
