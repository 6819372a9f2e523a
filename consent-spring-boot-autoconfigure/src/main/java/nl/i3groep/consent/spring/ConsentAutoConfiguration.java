package nl.i3groep.consent.spring;

import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;
import nl.i3groep.consent.Gatekeeper;
import nl.i3groep.consent.config.ConfigException;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.ledger.ConsentLedger;
import nl.i3groep.consent.report.UndeclaredHosts;
import nl.i3groep.consent.servlet.ConsentFilter;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

/**
 * Registers the consent filter in a Spring Boot servlet application: first of all filters, for
 * requests, error pages and async dispatches (Spring Boot maps a filter for requests alone unless
 * told otherwise, which would leave its error pages ungated). The configuration, the
 * {@link Gatekeeper}, the {@link ConsentLedger} and the report of undeclared hosts are beans; an
 * application that defines one of its own is given it.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(ConsentFilter.class)
@ConditionalOnProperty(prefix = "consent", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(ConsentProperties.class)
public class ConsentAutoConfiguration {

    /** The filter's registration, under this bean name: an application's own takes its place. */
    public static final String REGISTRATION = "consentFilterRegistration";

    @Bean
    @ConditionalOnMissingBean
    public ConsentConfig consentConfig(ConsentProperties properties, ResourceLoader resources,
            Environment environment) {
        String location = properties.getConfig();
        Resource resource = resources.getResource(location);
        if (!resource.exists()) {
            throw new IllegalStateException("consent.config: " + location + " does not exist");
        }
        String json;
        try (InputStream in = resource.getInputStream()) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("consent.config: cannot read " + location + ": " + e.getMessage(), e);
        }
        try {
            return ConsentConfig.parse(json, secrets(environment));
        } catch (ConfigException e) {
            throw new IllegalStateException("consent.config " + location + ": " + e.getMessage(), e);
        }
    }

    /**
     * The configuration's env: secrets, looked up by name in the Spring environment (the process
     * environment, system properties, the application's property sources). Only looked up: nothing
     * can list a Spring environment's every name.
     */
    private static Map<String, String> secrets(Environment environment) {
        return new AbstractMap<>() {
            @Override
            public String get(Object name) {
                return name instanceof String s ? environment.getProperty(s) : null;
            }

            @Override
            public Set<Entry<String, String>> entrySet() {
                return Set.of();
            }
        };
    }

    @Bean
    @ConditionalOnMissingBean
    public Gatekeeper consentGatekeeper(ConsentConfig config) {
        return Gatekeeper.create(config);
    }

    /** The store the configuration names; closed with the application (closing twice does no harm). */
    @Bean
    @ConditionalOnMissingBean
    public ConsentLedger consentLedger(ConsentConfig config) {
        return ConsentLedger.open(config.ledger());
    }

    /** What the site's pages contact that nobody declared, as browsers report it; filled by the filter. */
    @Bean
    @ConditionalOnMissingBean
    public UndeclaredHosts consentUndeclaredHosts(ConsentConfig config) {
        return new UndeclaredHosts(config, Clock.systemUTC());
    }

    @Bean(name = REGISTRATION)
    @ConditionalOnMissingBean(name = REGISTRATION)
    public FilterRegistrationBean<ConsentFilter> consentFilterRegistration(Gatekeeper gatekeeper,
            ConsentLedger ledger, UndeclaredHosts undeclared) {
        FilterRegistrationBean<ConsentFilter> registration =
                new FilterRegistrationBean<>(new ConsentFilter(gatekeeper, ledger, undeclared));
        registration.setName("consent");
        registration.addUrlPatterns("/*");
        registration.setAsyncSupported(true);
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ERROR, DispatcherType.ASYNC);
        // before every other filter: what they write into the page is gated too
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }
}
