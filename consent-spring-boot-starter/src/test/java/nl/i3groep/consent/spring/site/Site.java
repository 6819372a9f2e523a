package nl.i3groep.consent.spring.site;

import java.util.concurrent.Callable;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** A Spring Boot site as a team writes one: Thymeleaf pages, Boot's error page, an async answer. */
@SpringBootApplication
public class Site {

    @Controller
    static class Pages {
        @GetMapping("/page")
        String page(Model model) {
            model.addAttribute("title", "Welkom");
            return "page";
        }

        /** Rendered on the async dispatch. */
        @GetMapping("/later")
        Callable<String> later(Model model) {
            return () -> {
                model.addAttribute("title", "Later");
                return "page";
            };
        }

        @GetMapping("/fails")
        String fails() {
            throw new IllegalStateException("the page failed");
        }
    }
}
