package nl.i3groep.consent.ledger;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import nl.i3groep.consent.cookie.SigningKey;

/**
 * The MAC chain over a ledger: each record's MAC covers its content and the MAC before it, keyed
 * with the ledger key. The first key makes new MACs; the others are older keys, kept to verify
 * what they made. Seals (of a tombstone, the head, the start) are MACs of their own kind, so that a
 * record's MAC can never pass for one.
 */
final class Chain {

    /** What the first link follows. */
    static final String GENESIS = "";

    private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();

    private final Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
    /** A Mac per key and thread: looking one up and keying it costs more than the MAC of a record. */
    private final ThreadLocal<Map<String, Mac>> macs = ThreadLocal.withInitial(java.util.HashMap::new);
    private final String current;

    Chain(List<SigningKey> keys) {
        if (keys.isEmpty()) {
            throw new LedgerException("the ledger needs at least one key to chain its records");
        }
        for (SigningKey k : keys) {
            if (this.keys.put(k.id(), new SecretKeySpec(k.secret(), "HmacSHA256")) != null) {
                throw new LedgerException("two ledger keys have the id " + k.id());
            }
        }
        current = keys.get(0).id();
    }

    /** A chain under a key that lives as long as the JVM: for the memory store. */
    static Chain ephemeral() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return new Chain(List.of(new SigningKey("memory", secret)));
    }

    /** The id of the key new links are made with. */
    String key() {
        return current;
    }

    boolean knows(String key) {
        return keys.containsKey(key);
    }

    /** The MAC of {@code record} after the link {@code previous}, with the current key. */
    String mac(String previous, ConsentRecord record) {
        return mac(current, previous, record);
    }

    /** Over the record as the export shows it (its time as stored, to the microsecond). */
    String mac(String key, String previous, ConsentRecord record) {
        return hmac(key, "record", previous, RecordJson.bytes(record));
    }

    /** The MAC, with the current key, of a record already written as {@link RecordJson#bytes}. */
    String mac(String previous, byte[] record) {
        return hmac(current, "record", previous, record);
    }

    String seal(String key, String kind, long sequence, String mac) {
        return hmac(key, kind, Long.toString(sequence), mac);
    }

    /** The MAC of a tool's request to the ledger's holder ({@link Requests}), made at {@code at}. */
    String request(String key, String at, Requests.Kind kind, String argument) {
        return hmac(key, "request", at, kind.name().toLowerCase(java.util.Locale.ROOT) + "\n" + argument);
    }

    Entry.Erased erase(Entry entry) {
        return new Entry.Erased(entry.sequence(), current, entry.mac(),
                seal(current, "erased", entry.sequence(), entry.mac()));
    }

    Entry.Anchor anchor(String kind, long sequence, String mac) {
        return new Entry.Anchor(sequence, mac, current, seal(current, kind, sequence, mac));
    }

    boolean holds(String kind, Entry.Anchor anchor) {
        return knows(anchor.key()) && seal(anchor.key(), kind, anchor.sequence(), anchor.mac()).equals(anchor.seal());
    }

    private String hmac(String key, String kind, String first, String second) {
        return hmac(key, kind, first, second.getBytes(StandardCharsets.UTF_8));
    }

    private String hmac(String key, String kind, String first, byte[] second) {
        Mac mac = macs.get().get(key);
        if (mac == null) {
            SecretKeySpec spec = keys.get(key);
            if (spec == null) {
                throw new LedgerException("no ledger key has the id " + key);
            }
            try {
                mac = Mac.getInstance("HmacSHA256");
                mac.init(spec);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is part of every Java platform", e);
            }
            macs.get().put(key, mac);
        }
        try {
            mac.update(kind.getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) '\n');
            mac.update(first.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) '\n');
            mac.update(second);
            return BASE64.encodeToString(mac.doFinal());
        } catch (RuntimeException e) {
            mac.reset();
            throw e;
        }
    }

    /**
     * Walks a ledger's entries in order of sequence number and reports the first broken link. A
     * store hands it what it reads, including what it could not read ({@link #broken}).
     */
    final class Walk {
        private final Optional<Entry.Anchor> head;
        private final String headKind;
        private final String lane;
        private final boolean headExact;
        private final java.util.function.Predicate<String> noticeHeld;
        private final long from;
        private String previous;
        private long last;
        private long records;
        private long erased;
        private Verification.Break broken;

        /**
         * @param headExact whether the head is written with every append (JDBC) rather than after
         *                  it, so that it may lag behind the newest records after a crash (file)
         */
        Walk(Optional<Entry.Anchor> start, Optional<Entry.Anchor> head, boolean headExact,
                java.util.function.Predicate<String> noticeHeld) {
            this("start", start, "head", head, "", headExact, noticeHeld);
        }

        /**
         * One of several chains of a ledger, whose anchors are sealed as {@code startKind} and
         * {@code headKind}; {@code lane} names it in what is reported (empty for the only one).
         */
        Walk(String startKind, Optional<Entry.Anchor> start, String headKind, Optional<Entry.Anchor> head, String lane,
                boolean headExact, java.util.function.Predicate<String> noticeHeld) {
            this.head = head;
            this.headKind = headKind;
            this.lane = lane;
            this.headExact = headExact;
            this.noticeHeld = noticeHeld;
            this.from = start.map(Entry.Anchor::sequence).orElse(0L);
            this.previous = start.map(Entry.Anchor::mac).orElse(GENESIS);
            this.last = from;
            if (start.isPresent() && !holds(startKind, start.get())) {
                broken(from, "the checkpoint a purge left" + lane + " is not sealed by a ledger key: edited, or the key"
                        + " is missing");
            }
        }

        /** Takes the next entry of numbers without gaps; false once a link is broken (the rest is not looked at). */
        boolean next(Entry e) {
            if (broken != null) {
                return false;
            }
            if (e.sequence() <= from) {
                return true; // left by a purge that stopped between its checkpoint and its files
            }
            if (e.sequence() == last) {
                return broken(e.sequence(), "record " + e.sequence() + " is there twice");
            }
            if (e.sequence() != last + 1) {
                return broken(last + 1, (e.sequence() - last == 2 ? "record " + (last + 1) + " is missing"
                        : "records " + (last + 1) + " to " + (e.sequence() - 1) + " are missing")
                        + ": the ledger goes on at " + e.sequence());
            }
            return link(e);
        }

        /**
         * Takes the next entry of a chain whose entries name the number of the one before them
         * ({@code previousNumber}), as chains that share one numbering do; false once a link is broken.
         */
        boolean next(Entry e, long previousNumber) {
            if (broken != null) {
                return false;
            }
            if (e.sequence() <= from) {
                return true;
            }
            if (previousNumber > last && previousNumber < e.sequence()) {
                return broken(previousNumber, "record " + previousNumber + " is missing: record " + e.sequence()
                        + " follows it" + lane);
            }
            if (previousNumber != last) {
                return broken(e.sequence(), "record " + e.sequence() + " is out of place: it names " + previousNumber
                        + " as the record before it, where " + last + " is" + lane);
            }
            return link(e);
        }

        private boolean link(Entry e) {
            if (!knows(keyOf(e))) {
                return broken(e.sequence(), "record " + e.sequence() + " names the unknown ledger key " + keyOf(e));
            }
            if (e instanceof Entry.Kept k) {
                if (!mac(k.key(), previous, k.record()).equals(k.mac())) {
                    return broken(e.sequence(), "record " + e.sequence()
                            + " does not match its MAC: edited, or not the record that followed " + last);
                }
                Optional<String> notice = k.record().notice();
                if (notice.isPresent() && !noticeHeld.test(notice.get())) {
                    return broken(e.sequence(), "record " + e.sequence() + " names the notice " + notice.get()
                            + ", which the ledger does not hold with that hash: removed or edited");
                }
                records++;
            } else if (e instanceof Entry.Erased x) {
                if (!seal(x.key(), "erased", x.sequence(), x.mac()).equals(x.seal())) {
                    return broken(e.sequence(), "the erased record " + e.sequence() + " is not sealed by a ledger key");
                }
                erased++;
            }
            if (head.isPresent() && head.get().sequence() == e.sequence() && !head.get().mac().equals(e.mac())) {
                return broken(e.sequence(), "record " + e.sequence() + " is not the one the ledger's head" + lane
                        + " names");
            }
            previous = e.mac();
            last = e.sequence();
            return true;
        }

        /** A problem the store found itself (an unreadable line, a line out of order). */
        boolean broken(long sequence, String problem) {
            if (broken == null) {
                broken = new Verification.Break(sequence, problem);
            }
            return false;
        }

        Verification result() {
            if (broken == null && head.isPresent() && !holds(headKind, head.get())) {
                broken(head.get().sequence(), "the ledger's head" + lane + " is not sealed by a ledger key: edited, or"
                        + " the key is missing");
            }
            if (broken == null) {
                if (head.isEmpty()) {
                    if (last > from) {
                        broken(last, "the ledger has no head" + lane + ": removed, so that a cut-off end would not show");
                    }
                } else {
                    long h = head.get().sequence();
                    if (h > last) {
                        // in one of several chains sharing the numbers, the first one after the end may be
                        // another chain's: the head's own record is the one surely missing
                        broken(lane.isEmpty() ? last + 1 : h, "the ledger ends at " + last + " but its head" + lane + " names record " + h
                                + ": the newest records were removed");
                    } else if (h == from && h == last && !head.get().mac().equals(previous)) {
                        broken(h, "the ledger's head" + lane + " does not name the link a purge left");
                    } else if (headExact && h < last) {
                        broken(h + 1, "records " + (h + 1) + " to " + last + " follow the ledger's head" + lane
                                + ", which every append moves: written around the ledger");
                    }
                }
            }
            return new Verification(records, erased, from, Optional.ofNullable(broken));
        }
    }

    private static String keyOf(Entry e) {
        return e instanceof Entry.Kept k ? k.key() : ((Entry.Erased) e).key();
    }

    /** The MACs of consecutive records after {@code previous}, with the current key. */
    List<Entry.Kept> link(String previous, List<ConsentRecord> numbered) {
        List<Entry.Kept> linked = new ArrayList<>(numbered.size());
        String p = previous;
        for (ConsentRecord r : numbered) {
            Entry.Kept k = new Entry.Kept(r, current, mac(current, p, r));
            linked.add(k);
            p = k.mac();
        }
        return linked;
    }
}
