package nl.i3groep.consent.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrackerCookiesTest {

    @Test
    void parentDomainsReachTheRegistrableDomain() {
        assertEquals(List.of("www.example.nl", "example.nl"), TrackerCookies.parentDomains("www.example.nl"));
        assertEquals(List.of("a.shop.example.nl", "shop.example.nl", "example.nl"),
                TrackerCookies.parentDomains("A.Shop.Example.NL"));
        assertEquals(List.of(), TrackerCookies.parentDomains("localhost"));
        assertEquals(List.of(), TrackerCookies.parentDomains("127.0.0.1"));
        assertEquals(List.of(), TrackerCookies.parentDomains("::1"));
    }

    @Test
    void theNameOfASetCookie() {
        assertEquals("_ga", TrackerCookies.name("_ga=GA1.1; Path=/"));
        assertEquals("li_fat_id", TrackerCookies.name(" li_fat_id =x"));
        assertEquals("", TrackerCookies.name("garbage"));
    }
}
