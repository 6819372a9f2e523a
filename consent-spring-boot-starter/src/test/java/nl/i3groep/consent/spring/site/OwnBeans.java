package nl.i3groep.consent.spring.site;

import nl.i3groep.consent.ledger.ConsentLedger;
import nl.i3groep.consent.ledger.MemoryLedger;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** A site's own ledger, in place of the one the configuration names. */
@Configuration
public class OwnBeans {
    @Bean
    public ConsentLedger siteLedger() {
        return new MemoryLedger();
    }
}
