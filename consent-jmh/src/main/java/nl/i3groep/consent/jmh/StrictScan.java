package nl.i3groep.consent.jmh;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The price of reading HTML strictly, deciding nothing: finds where every tag starts and ends as
 * the WHATWG tokenizer does, and counts the tags (start and end tags; not comments, doctypes or
 * other markup declarations). {@code RewriteBenchmark.floor} runs it and then writes the page: the
 * least any rewriter that reads HTML correctly must pay, against which the gate is compared.
 *
 * <p>It must neither cut corners nor be crippled, or the comparison means nothing:
 * <ul>
 * <li>{@code <} followed by an ASCII letter starts a start tag, {@code </} followed by one an end
 * tag; any other {@code <} is text.
 * <li>Inside a tag, quotes count only where they open an attribute value, right after the
 * {@code =} that follows an attribute name (and optional white space), as in the tokenizer's
 * attribute states: in {@code <p a"b=c>} the quote is part of the name, in {@code <p a=b"c>} part of
 * the unquoted value, and an {@code =} where a name should start ({@code <p ="x>}) starts the name.
 * A quoted value is skipped whole; the tag ends at the first {@code >} outside one.
 * <li>{@code <!--} starts a comment that ends at {@code -->} or {@code --!>} (or at once, for
 * {@code <!-->} and {@code <!--->}); every other {@code <!}, {@code <?} and {@code </} + non-letter
 * is a bogus comment ending at the next {@code >} ({@code </>} is nothing at all).
 * <li>After a {@code <script>}, {@code <style>}, {@code <textarea>} or {@code <title>} start tag,
 * everything up to the matching {@code </name} (any case, followed by white space, {@code /} or
 * {@code >}) is raw text. Not modelled: script data's escaped states ({@code <!--} inside a script
 * that hides a {@code </script>} after a {@code <script>}), nor the other raw text elements
 * ({@code xmp}, {@code iframe}, {@code noembed}, {@code noframes}, {@code plaintext}), which the tree
 * builder, not the tokenizer, switches to.
 * <li>A tag cut off by the end of the input is no tag, as in the tokenizer.
 * </ul>
 *
 * <p>It is written as fast as a competent implementation: the {@code <} of each tag, the
 * {@code >} that ends a comment and the quote that closes a value are found eight bytes at a time
 * (a little-endian {@code long} read and the SWAR zero-byte test); the few bytes of names and
 * unquoted values go a byte at a time through a class table, with no virtual call and no
 * allocation. In a plain timing loop over the 50 KB page it takes 17 µs, against 13 µs for merely
 * finding each {@code <} and the next {@code >} with no regard for quotes, and 34 µs for a first
 * version that searched eight bytes at a time for the next {@code =}, quote or {@code >} inside
 * tags as well: those searches are short, and each ends in a mispredicted branch. Works on one
 * whole array (bytes of any ASCII-compatible charset).
 */
final class StrictScan {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long LT = '<' * ONES;
    private static final long GT = '>' * ONES;
    private static final long DQ = '"' * ONES;
    private static final long SQ = '\'' * ONES;

    private static final byte SPACE = 1;
    private static final byte NAME_STOP = 2;
    private static final byte VALUE_STOP = 4;
    private static final byte TAG_NAME_STOP = 8;
    /**
     * Per byte: white space; ends an attribute name (white space, "/", ">", "="); ends an unquoted
     * value (white space, ">"); ends a tag name (white space, "/", ">").
     */
    private static final byte[] CLASS = new byte[256];

    static {
        for (char c : new char[] {' ', '\n', '\t', '\r', '\f'}) {
            CLASS[c] = SPACE | NAME_STOP | VALUE_STOP | TAG_NAME_STOP;
        }
        CLASS['/'] = NAME_STOP | TAG_NAME_STOP;
        CLASS['='] = NAME_STOP;
        CLASS['>'] = NAME_STOP | VALUE_STOP | TAG_NAME_STOP;
    }

    /** The elements whose content the scan takes for raw text, in lower case. */
    private static final byte[][] RAW = {bytes("script"), bytes("style"), bytes("textarea"), bytes("title")};

    private StrictScan() {
    }

    /** The number of start and end tags in {@code b[from, to)}. */
    static int tags(byte[] b, int from, int to) {
        int count = 0;
        int i = from;
        while (true) {
            i = indexOf(b, LT, (byte) '<', i, to);
            if (i + 1 >= to) {
                return count;
            }
            byte c = b[i + 1];
            if (letter(c)) {
                int nameEnd = nameEnd(b, i + 2, to);
                byte[] raw = raw(b, i + 1, nameEnd);
                int end = tagEnd(b, nameEnd, to);
                if (end < 0) {
                    return count;
                }
                count++;
                i = raw == null ? end : rawTextEnd(b, end, to, raw);
            } else if (c == '/') {
                if (i + 2 >= to) {
                    return count; // "</" at the end is text
                }
                if (letter(b[i + 2])) {
                    int end = tagEnd(b, nameEnd(b, i + 3, to), to);
                    if (end < 0) {
                        return count;
                    }
                    count++;
                    i = end;
                } else {
                    i = bogusCommentEnd(b, i + 2, to); // "</>" too: it ends there, as nothing
                }
            } else if (c == '!') {
                i = i + 3 < to && b[i + 2] == '-' && b[i + 3] == '-'
                        ? commentEnd(b, i + 4, to)
                        : bogusCommentEnd(b, i + 2, to); // doctype, CDATA outside foreign content, others
            } else if (c == '?') {
                i = bogusCommentEnd(b, i + 2, to);
            } else {
                i++; // a "<" in text
            }
        }
    }

    /** Where the tag name that starts before {@code i} ends: at white space, "/", ">" or the end. */
    private static int nameEnd(byte[] b, int i, int to) {
        byte[] cls = CLASS;
        while (i < to && (cls[b[i] & 0xff] & TAG_NAME_STOP) == 0) {
            i++;
        }
        return i;
    }

    /**
     * The attributes and the end of a tag whose name ended at {@code p}: the index after its
     * {@code >}, or -1 if the input ends first. The tokenizer's attribute states, a byte at a time
     * through names and unquoted values (a few bytes each), a quoted value skipped eight bytes at a
     * time (see the class on why not more).
     */
    private static int tagEnd(byte[] b, int p, int to) {
        byte[] cls = CLASS;
        while (p < to) {
            byte c = b[p];
            if (c == '>') {
                return p + 1;
            }
            if ((cls[c & 0xff] & SPACE) != 0 || c == '/') {
                p++; // before-attribute-name (the self-closing state goes back to it, unless ">")
                continue;
            }
            // an attribute name: its first byte whatever it is ("=" and quotes too), then up to
            // white space, "/", ">" or "="
            p++;
            while (p < to && (cls[b[p] & 0xff] & NAME_STOP) == 0) {
                p++;
            }
            while (p < to && (cls[b[p] & 0xff] & SPACE) != 0) {
                p++; // after-attribute-name
            }
            if (p >= to || b[p] != '=') {
                continue; // ">", "/" or the next name
            }
            p++;
            while (p < to && (cls[b[p] & 0xff] & SPACE) != 0) {
                p++; // before-attribute-value
            }
            if (p >= to) {
                return -1;
            }
            byte q = b[p];
            if (q == '"' || q == '\'') {
                p = indexOf(b, q == '"' ? DQ : SQ, q, p + 1, to);
                if (p >= to) {
                    return -1;
                }
                p++; // after-attribute-value-quoted: whatever follows is read as before a name
            } else {
                while (p < to && (cls[b[p] & 0xff] & VALUE_STOP) == 0) {
                    p++; // unquoted, up to white space or ">" (which ends the tag, above)
                }
            }
        }
        return -1;
    }

    /**
     * The end of a comment whose content starts at {@code j}: after {@code -->} or {@code --!>}, or
     * after the {@code >} of {@code <!-->} and {@code <!--->}; the end of the input if none.
     */
    private static int commentEnd(byte[] b, int j, int to) {
        int k = j;
        while (true) {
            k = indexOf(b, GT, (byte) '>', k, to);
            if (k >= to) {
                return to;
            }
            if (k == j || (k == j + 1 && b[j] == '-')
                    || (k - 2 >= j && b[k - 1] == '-' && b[k - 2] == '-')
                    || (k - 3 >= j && b[k - 1] == '!' && b[k - 2] == '-' && b[k - 3] == '-')) {
                return k + 1;
            }
            k++;
        }
    }

    private static int bogusCommentEnd(byte[] b, int i, int to) {
        int k = indexOf(b, GT, (byte) '>', i, to);
        return k >= to ? to : k + 1;
    }

    /**
     * The start of the end tag that closes the raw text element {@code name} (lower case), from
     * {@code i}: the first {@code </name} in any case followed by white space, "/" or ">"; the end of
     * the input if none.
     */
    private static int rawTextEnd(byte[] b, int i, int to, byte[] name) {
        int n = name.length;
        while (true) {
            i = indexOf(b, LT, (byte) '<', i, to);
            if (i + 2 + n >= to) {
                return to; // no room for "</name" and the byte after it
            }
            if (b[i + 1] == '/' && named(b, i + 2, name)) {
                byte after = b[i + 2 + n];
                if (after == '>' || after == '/' || space(after)) {
                    return i;
                }
            }
            i++;
        }
    }

    /** The raw text element the tag name {@code b[from, to)} names, or null. */
    private static byte[] raw(byte[] b, int from, int to) {
        int n = to - from;
        if (n != 5 && n != 6 && n != 8) {
            return null;
        }
        for (byte[] name : RAW) {
            if (name.length == n && named(b, from, name)) {
                return name;
            }
        }
        return null;
    }

    /** Whether {@code b} at {@code i} holds {@code name} (lower case ASCII letters) in any case. */
    private static boolean named(byte[] b, int i, byte[] name) {
        for (int k = 0; k < name.length; k++) {
            // for ASCII letters, OR 0x20 is the lower case; no other byte ORs to a lower-case letter
            if ((b[i + k] | 0x20) != name[k]) {
                return false;
            }
        }
        return true;
    }

    private static boolean letter(byte c) {
        int l = c | 0x20;
        return l >= 'a' && l <= 'z';
    }

    /** HTML's white space: tab, line feed, form feed, carriage return, space. */
    private static boolean space(byte c) {
        return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f';
    }

    /** The first {@code c} (whose eight-fold pattern is {@code pattern}) in {@code b[i, to)}, or {@code to}. */
    private static int indexOf(byte[] b, long pattern, byte c, int i, int to) {
        for (; i + 8 <= to; i += 8) {
            long found = zero((long) LONGS.get(b, i) ^ pattern);
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return to;
    }

    /** The high bit of each zero byte of {@code x} (and possibly of bytes above the lowest one). */
    private static long zero(long x) {
        return (x - ONES) & ~x & HIGHS;
    }

    private static byte[] bytes(String ascii) {
        return ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
