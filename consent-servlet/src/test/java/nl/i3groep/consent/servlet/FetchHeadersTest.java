package nl.i3groep.consent.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class FetchHeadersTest {

    private static final Predicate<String> NO_TRACKER = url -> !url.contains("tracker.example");

    @Test
    void linkEntriesToATrackerGoTheRestStayAsWritten() {
        String mine = "</a.css>; rel=preload; as=style";
        assertSame(mine, FetchHeaders.link(mine, NO_TRACKER));
        assertEquals("</a.css>; rel=preload; as=style, <https://cdn.example.org/f.woff2>; rel=preload; title=\"x, <y>\"",
                FetchHeaders.link("<https://tracker.example/p>; rel=preconnect, </a.css>; rel=preload; as=style,"
                        + "<https://cdn.example.org/f.woff2>; rel=preload; title=\"x, <y>\", <//tracker.example/t.js>;"
                        + " rel=modulepreload", NO_TRACKER));
        assertNull(FetchHeaders.link("<https://tracker.example/x?a=1,2>; rel=prefetch", NO_TRACKER),
                "a comma inside the target does not end the entry");
        assertNull(FetchHeaders.link("https://tracker.example/x; rel=preconnect", NO_TRACKER), "not <target>: dropped");
    }

    @Test
    void aRefreshIsReadAsBrowsersReadIt() {
        for (String v : new String[] {"0; url=https://tracker.example/", "5;URL='https://tracker.example/x'",
            "  3 , url = \"//tracker.example\"", "1.5; https://tracker.example/", "0;url=https://tracker.example/"}) {
            assertNull(FetchHeaders.refresh(v, NO_TRACKER), v);
        }
        for (String v : new String[] {"5", "0; url=/next", "abc; url=https://tracker.example/", "2;url=https://example.org/"}) {
            assertSame(v, FetchHeaders.refresh(v, NO_TRACKER), v);
        }
    }
}
