package nl.i3groep.consent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CookiePatternTest {

    @Test
    void exactNamesMatchOnlyThemselves() {
        CookiePattern ga = new CookiePattern("_ga");
        assertTrue(ga.matches("_ga"));
        assertFalse(ga.matches("_ga_ABC"));
        assertFalse(ga.matches("_GA"), "cookie names are case-sensitive");
    }

    @Test
    void globsMatchAnyRun() {
        assertTrue(new CookiePattern("_ga_*").matches("_ga_ABC123"));
        assertTrue(new CookiePattern("_ga_*").matches("_ga_"));
        assertFalse(new CookiePattern("_ga_*").matches("_ga"));
        assertTrue(new CookiePattern("*_id").matches("li_fat_id"));
        assertTrue(new CookiePattern("a*b*c").matches("axxbyyc"));
        assertFalse(new CookiePattern("a*b*c").matches("axxbyy"));
    }

    @Test
    void rejectsWhatCannotBeACookieName() {
        assertThrows(IllegalArgumentException.class, () -> new CookiePattern("a b"));
        assertThrows(IllegalArgumentException.class, () -> new CookiePattern(""));
        assertThrows(IllegalArgumentException.class, () -> new CookiePattern("a;b"));
    }
}
