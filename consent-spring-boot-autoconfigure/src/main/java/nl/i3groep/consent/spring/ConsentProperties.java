package nl.i3groep.consent.spring;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code consent.*} properties: where the consent configuration is, and whether the filter is
 * registered at all. The configuration itself stays one JSON file, the one the filter in
 * {@code web.xml} and the operator's command line read too.
 */
@ConfigurationProperties(prefix = "consent")
public class ConsentProperties {

    /** Whether the consent filter is registered; without it no tracker is gated. */
    private boolean enabled = true;

    /**
     * Where the consent configuration is, as a Spring resource location: classpath:consent.json,
     * file:/etc/site/consent.json. Its env: secrets are looked up in the Spring environment, which
     * holds the process environment too.
     */
    private String config = "classpath:consent.json";

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getConfig() {
        return config;
    }

    public void setConfig(String config) {
        this.config = config;
    }
}
