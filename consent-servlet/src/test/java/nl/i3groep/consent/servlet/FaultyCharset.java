package nl.i3groep.consent.servlet;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.util.Iterator;
import java.util.List;

/**
 * A Latin-1 charset, by name one that the gate accepts ({@code ISO-8859-*}), whose decoder is
 * broken: it throws. The gate decodes an attribute value in the body's charset where the value
 * holds a character reference or a non-ASCII byte, so a page in this charset makes the real gate
 * fail from the inside at its first such value, as a bug in it would. Registered for the tests
 * through {@code META-INF/services}.
 */
final class FaultyCharset extends Charset {

    static final String NAME = "ISO-8859-1-faulty";

    FaultyCharset() {
        super(NAME, new String[0]);
    }

    @Override
    public boolean contains(Charset cs) {
        return cs instanceof FaultyCharset;
    }

    @Override
    public CharsetDecoder newDecoder() {
        return new CharsetDecoder(this, 1f, 1f) {
            @Override
            protected CoderResult decodeLoop(ByteBuffer in, CharBuffer out) {
                throw new IllegalStateException("the faulty charset's decoder");
            }
        };
    }

    @Override
    public CharsetEncoder newEncoder() {
        return new CharsetEncoder(this, 1f, 1f) {
            @Override
            public boolean isLegalReplacement(byte[] replacement) {
                return true; // the default check would decode it
            }

            @Override
            protected CoderResult encodeLoop(CharBuffer in, ByteBuffer out) {
                while (in.hasRemaining()) {
                    char c = in.get(in.position());
                    if (c > 0xFF) {
                        return CoderResult.unmappableForLength(1);
                    }
                    if (!out.hasRemaining()) {
                        return CoderResult.OVERFLOW;
                    }
                    out.put((byte) c);
                    in.position(in.position() + 1);
                }
                return CoderResult.UNDERFLOW;
            }
        };
    }

    /** Found by {@link Charset#forName} through the service loader. */
    public static final class Provider extends java.nio.charset.spi.CharsetProvider {
        private static final Charset FAULTY = new FaultyCharset();

        @Override
        public Iterator<Charset> charsets() {
            return List.of(FAULTY).iterator();
        }

        @Override
        public Charset charsetForName(String name) {
            return NAME.equalsIgnoreCase(name) ? FAULTY : null;
        }
    }
}
