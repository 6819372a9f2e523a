package nl.i3groep.consent.ledger;

/**
 * One link of a ledger's chain as a store keeps it: a consent record with its MAC, or what is
 * left of an erased one. Package-private: the public face is {@link ConsentRecord}.
 */
sealed interface Entry {

    long sequence();

    /** The link's value, which the next entry's MAC covers. */
    String mac();

    /** A consent record and the MAC over it and the link before; {@code key} made the MAC. */
    record Kept(ConsentRecord record, String key, String mac) implements Entry {
        @Override
        public long sequence() {
            return record.sequence();
        }
    }

    /**
     * An erased record: its sequence number and MAC, nothing about the visitor; sealed with
     * {@code key} by the ledger that erased it, so that no one else can pass a record off as erased.
     */
    record Erased(long sequence, String key, String mac, String seal) implements Entry {
    }

    /**
     * A signed statement about the chain: its head (the newest link) or its start (the link a purge
     * left the chain to continue from).
     */
    record Anchor(long sequence, String mac, String key, String seal) {
    }
}
