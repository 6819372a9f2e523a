package nl.i3groep.consent;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A first-party cookie name, or a glob where {@code *} stands for any run of characters
 * ({@code _ga_*} matches {@code _ga_ABC123}). Matching is case-sensitive, as cookie names are.
 *
 * @param pattern the name or glob
 */
public record CookiePattern(String pattern) {

    private static final Pattern VALID = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]{1,128}");

    public CookiePattern {
        Objects.requireNonNull(pattern, "pattern");
        if (!VALID.matcher(pattern).matches()) {
            throw new IllegalArgumentException("not a cookie name or glob: " + pattern);
        }
    }

    /** Whether this is a glob rather than one exact name. */
    public boolean isGlob() {
        return pattern.indexOf('*') >= 0;
    }

    /** Whether the cookie {@code name} is one this pattern names. */
    public boolean matches(String name) {
        return isGlob() ? glob(pattern, 0, name, 0) : pattern.equals(name);
    }

    private static boolean glob(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            if (c == '*') {
                // collapse consecutive stars, then try every split point of the rest
                while (pi < p.length() && p.charAt(pi) == '*') {
                    pi++;
                }
                if (pi == p.length()) {
                    return true;
                }
                for (int k = si; k <= s.length(); k++) {
                    if (glob(p, pi, s, k)) {
                        return true;
                    }
                }
                return false;
            }
            if (si >= s.length() || s.charAt(si) != c) {
                return false;
            }
            pi++;
            si++;
        }
        return si == s.length();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
