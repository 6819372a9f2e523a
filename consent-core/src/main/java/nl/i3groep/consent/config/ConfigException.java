package nl.i3groep.consent.config;

/**
 * The configuration is wrong. The message starts with the JSON path of the field at fault
 * ({@code trackers.google-analytics.measurementId}), so that whoever reads the start-up log
 * knows what to fix.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String path;

    ConfigException(String path, String problem) {
        this(path, problem, null);
    }

    ConfigException(String path, String problem, Throwable cause) {
        super("consent configuration: " + (path.isEmpty() ? "" : path + ": ") + problem, cause);
        this.path = path;
    }

    /** The JSON path of the field at fault, such as {@code signingKeys[0].secret}; empty for the document. */
    public String path() {
        return path;
    }
}
