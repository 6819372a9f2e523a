package nl.i3groep.consent.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CspTest {

    @Test
    void theNonceGoesIntoTheDirectiveThatGovernsScripts() {
        assertEquals("script-src 'nonce-N' 'self'; object-src 'none'",
                Csp.withNonce("script-src 'self'; object-src 'none'", "N"));
        assertEquals("default-src 'nonce-N' 'self'", Csp.withNonce("default-src 'self'", "N"));
        assertEquals("img-src *", Csp.withNonce("img-src *", "N"), "no script directive: scripts are unrestricted");
    }
}
