package nl.i3groep.consent.ledger;

import java.nio.charset.StandardCharsets;
import java.util.List;
import nl.i3groep.consent.cookie.SigningKey;

/** The ledger keys of the tests. */
final class LedgerKeys {

    static final SigningKey FIRST = new SigningKey("l1", "ledger key one, thirty-two bytes!".getBytes(StandardCharsets.UTF_8));
    static final SigningKey SECOND = new SigningKey("l2", "ledger key two, thirty-two bytes!".getBytes(StandardCharsets.UTF_8));
    static final List<SigningKey> KEYS = List.of(FIRST);

    private LedgerKeys() {
    }
}
