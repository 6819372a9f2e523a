package nl.i3groep.consent.servlet;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import nl.i3groep.consent.Decisions;
import nl.i3groep.consent.Purpose;
import nl.i3groep.consent.Tracker;
import nl.i3groep.consent.config.ConsentConfig;
import nl.i3groep.consent.ledger.Notice;

/**
 * The consent banner, in Dutch or English. Its rules: rejecting is as easy as accepting (the same
 * button, side by side); nothing but {@code necessary} is switched on in advance; every choice works
 * without JavaScript (a form that POSTs to the endpoint and comes back with 303); the visitor sees
 * what each purpose is for, which trackers fall under it, how long the choice lasts, and where the
 * privacy statement is.
 */
final class Banner {

    private static final Map<String, Map<String, String>> TEXTS = Map.of(
            "nl", Map.ofEntries(
                    Map.entry("title", "Cookies en trackers"),
                    Map.entry("who", "Alleen als u daarmee instemt, gebruiken wij trackers van {companies} voor {purposes}."),
                    Map.entry("and", "en"),
                    Map.entry("intro", "Weigeren is even gemakkelijk als accepteren, en u kunt uw keuze altijd wijzigen via "
                            + "\u201cCookie-instellingen\u201d."),
                    Map.entry("duration", "Uw keuze geldt {days} dagen; daarna vragen wij het opnieuw."),
                    Map.entry("privacy", "Privacyverklaring"),
                    Map.entry("gpc", "Uw browser stuurt het signaal Global Privacy Control. Daarom blijft marketing uit."),
                    Map.entry("accept-all", "Alles accepteren"),
                    Map.entry("reject-all", "Alles weigeren"),
                    Map.entry("settings", "Instellingen per doel"),
                    Map.entry("save", "Keuze opslaan"),
                    Map.entry("always", "altijd aan"),
                    Map.entry("control", "Cookie-instellingen"),
                    Map.entry("records", "Mijn toestemmingsgeschiedenis downloaden"),
                    Map.entry("embed", "Deze inhoud van {vendor} laden wij pas als u dat wilt: {company} ontvangt dan uw gegevens."),
                    Map.entry("embed.once", "E\u00e9n keer laden"),
                    Map.entry("embed.always", "{purpose} altijd toestaan"),
                    Map.entry("allow", "{purpose} toestaan"),
                    Map.entry("tracker.session-cookies", "Sessiecookies van deze site"),
                    Map.entry("purpose.necessary", "Noodzakelijk"),
                    Map.entry("purpose.necessary.about", "Nodig om de site te laten werken, zoals uw sessie. Kan niet uit."),
                    Map.entry("purpose.analytics", "Statistieken"),
                    Map.entry("purpose.analytics.about", "Meten hoe de site gebruikt wordt, zodat wij haar kunnen verbeteren."),
                    Map.entry("purpose.marketing", "Marketing"),
                    Map.entry("purpose.marketing.about", "Advertenties meten en tonen, en zien welke organisaties de site bezoeken.")),
            "en", Map.ofEntries(
                    Map.entry("title", "Cookies and trackers"),
                    Map.entry("who", "Only if you agree do we use trackers from {companies} for {purposes}."),
                    Map.entry("and", "and"),
                    Map.entry("intro", "Rejecting is as easy as accepting, and you can change your choice at any time "
                            + "under \u201cCookie settings\u201d."),
                    Map.entry("duration", "Your choice holds for {days} days; then we ask again."),
                    Map.entry("privacy", "Privacy statement"),
                    Map.entry("gpc", "Your browser sends the Global Privacy Control signal, so marketing stays off."),
                    Map.entry("accept-all", "Accept all"),
                    Map.entry("reject-all", "Reject all"),
                    Map.entry("settings", "Settings per purpose"),
                    Map.entry("save", "Save choices"),
                    Map.entry("always", "always on"),
                    Map.entry("control", "Cookie settings"),
                    Map.entry("records", "Download my consent history"),
                    Map.entry("embed", "We load this {vendor} content only if you want it: {company} then receives your data."),
                    Map.entry("embed.once", "Load once"),
                    Map.entry("embed.always", "Always allow {purpose}"),
                    Map.entry("allow", "Allow {purpose}"),
                    Map.entry("tracker.session-cookies", "This site's session cookies"),
                    Map.entry("purpose.necessary", "Necessary"),
                    Map.entry("purpose.necessary.about", "Needed for the site to work, such as your session. Cannot be switched off."),
                    Map.entry("purpose.analytics", "Analytics"),
                    Map.entry("purpose.analytics.about", "Measuring how the site is used, so that we can improve it."),
                    Map.entry("purpose.marketing", "Marketing"),
                    Map.entry("purpose.marketing.about", "Measuring and showing adverts, and seeing which organisations visit the site.")));

    private final ConsentConfig config;
    private final Map<String, Map<String, String>> texts = new HashMap<>();
    private final Map<String, Notice> notices = new HashMap<>();
    private final String css;
    private final String js;
    private final String embedCss;

    Banner(ConsentConfig config) {
        this.config = config;
        for (String language : List.of("nl", "en")) {
            Map<String, String> merged = new HashMap<>(TEXTS.get(language));
            merged.putAll(config.banner().texts().getOrDefault(language, Map.of()));
            texts.put(language, Map.copyOf(merged));
            notices.put(language, notice(language, merged));
        }
        this.css = compact(resource("banner.css"));
        this.js = compact(resource("banner.js"));
        this.embedCss = compact(resource("embed.css"));
    }

    /**
     * What the banner shows in {@code language}, for the ledger: every text, the policy version and
     * the trackers by the names the banner gives them.
     */
    private Notice notice(String language, Map<String, String> t) {
        List<Notice.Tracker> named = config.trackers().stream().map(tr -> new Notice.Tracker(tr.id(),
                t.getOrDefault("tracker." + tr.id(), tr.vendor()), tr.company(), tr.purpose().id())).toList();
        return new Notice(language, config.policyVersion(), t, named);
    }

    /** The notices of both languages, to be kept in the ledger before the first decision. */
    List<Notice> notices() {
        return List.copyOf(notices.values());
    }

    /** The notice of one of the banner's languages now whose hash is {@code hash}. */
    Optional<Notice> shown(String hash) {
        return notices.values().stream().filter(n -> noticeHash(n.language()).equals(hash)).findFirst();
    }

    /**
     * What a page gets while the visitor has not decided: the banner, open, and its script, in
     * {@code language} ({@link #language} of the request's {@code Accept-Language}).
     */
    String forUndecided(String endpoint, String returnTo, String language, Decisions decisions, boolean reload) {
        if (decisions.decided()) {
            return markup(endpoint, returnTo, language, decisions, false) + script(endpoint, reload, allowed(decisions));
        }
        // an undecided visitor's banner differs only by these and the page's own address, so it is
        // built once per key and the address spliced in: it goes out with every such page
        Undecided key = new Undecided(endpoint, language, decisions.gpc(), reload);
        String[] parts = undecided.get(key);
        if (parts == null) {
            // undecided, a visitor is allowed the necessary trackers alone, whatever else the key holds
            String whole = markup(endpoint, RETURN_SLOT, key.language(), decisions, false)
                    + script(endpoint, reload, allowed(decisions));
            int at = whole.indexOf(RETURN_SLOT);
            parts = new String[] {whole.substring(0, at), whole.substring(at + RETURN_SLOT.length())};
            if (undecided.size() < CACHED_KEYS) {
                undecided.put(key, parts);
            }
        }
        return parts[0] + escape(returnTo) + parts[1];
    }

    /**
     * What a page gets once decided: the script, which fetches the settings on request, and the
     * banner's own control that opens them (unless the site switched it off).
     */
    String forDecided(String endpoint, String language, Decisions decisions, boolean reload) {
        Decided key = new Decided(endpoint, language, allowed(decisions), reload);
        String html = decided.get(key);
        if (html == null) {
            html = (config.banner().settingsControl() ? control(endpoint, key.language()) : "")
                    + script(endpoint, reload, key.allowed());
            if (decided.size() < CACHED_KEYS) {
                decided.put(key, html);
            }
        }
        return html;
    }

    /**
     * Endpoints differ only per context path, languages are two, and the sets of trackers visitors
     * allow are few in practice: a few keys per web application, and beyond these built anew.
     */
    private static final int CACHED_KEYS = 64;
    /** Where the page's address goes; nothing that {@link #escape} changes, nothing a text contains. */
    private static final String RETURN_SLOT = "\u0000return\u0000";

    private record Undecided(String endpoint, String language, boolean gpc, boolean reload) {
    }

    private record Decided(String endpoint, String language, String allowed, boolean reload) {
    }

    private final Map<Undecided, String[]> undecided = new ConcurrentHashMap<>();
    private final Map<Decided, String> decided = new ConcurrentHashMap<>();

    /** The banner itself; {@code hidden} when it is fetched to reopen the settings. */
    String markup(String endpoint, String returnTo, String acceptLanguage, Decisions decisions, boolean hidden) {
        String lang = language(acceptLanguage);
        Map<String, String> t = texts.get(lang);
        StringBuilder h = new StringBuilder(4096);
        // in a shadow root, declared in the markup (no script needed), so that the site's styles do
        // not reach it
        h.append("<consent-banner data-consent-banner lang=\"").append(lang).append("\" data-decided=\"")
                .append(decisions.decided() ? 1 : 0).append("\" data-consent-state=\"")
                .append(escape(stateJson(decisions))).append('"').append(hidden ? " hidden" : "")
                .append("><template shadowrootmode=\"open\"><style>").append(css).append("</style>")
                .append("<div class=\"i3c\" role=\"dialog\" aria-modal=\"false\" aria-labelledby=\"i3c-title\" ")
                .append("aria-describedby=\"i3c-intro\" tabindex=\"-1\" lang=\"").append(lang).append("\">")
                .append("<form method=\"post\" action=\"").append(escape(endpoint)).append("\">")
                // what Escape leaves of the first layer: no decision, one button back
                .append("<div class=\"i3c-bar\"><button type=\"button\" class=\"i3c-btn\" data-consent-action=\"expand\">")
                .append(escape(t.get("control"))).append("</button></div>")
                .append("<input type=\"hidden\" name=\"return\" value=\"").append(escape(returnTo)).append("\">")
                .append("<input type=\"hidden\" name=\"refine\" value=\"1\">")
                // what the visitor read, for the record of what they decide
                .append("<input type=\"hidden\" name=\"notice\" value=\"").append(noticeHash(lang)).append("\">")
                .append("<h2 id=\"i3c-title\">").append(escape(t.get("title"))).append("</h2>")
                .append("<p id=\"i3c-intro\">").append(who(t)).append(escape(t.get("intro"))).append(' ')
                .append(escape(t.get("duration").replace("{days}", Long.toString(config.consentMaxAge().toDays()))));
        config.banner().privacyPolicyUrl().ifPresent(url -> h.append(" <a href=\"").append(escape(url)).append("\">")
                .append(escape(t.get("privacy"))).append("</a>"));
        h.append("</p>");
        if (decisions.gpc()) {
            h.append("<p class=\"i3c-gpc\" data-consent-gpc>").append(escape(t.get("gpc"))).append("</p>");
        }
        h.append("<div class=\"i3c-actions\">");
        button(h, "reject-all", t);
        button(h, "accept-all", t);
        h.append("</div><details><summary data-consent-action=\"settings\">").append(escape(t.get("settings")))
                .append("</summary>");
        for (Purpose p : config.purposes()) {
            purpose(h, p, t, decisions);
        }
        h.append("<div class=\"i3c-actions\">");
        button(h, "save", t);
        h.append("</div>");
        if (decisions.decided()) {
            // what the ledger holds of this visitor, for them to keep
            h.append("<p><a href=\"").append(escape(endpoint)).append("/records\" download>").append(escape(t.get("records")))
                    .append("</a></p>");
        }
        // the parser streams into a declared shadow root: shown once its end has arrived, it never grows
        h.append("</details></form><i class=\"i3c-end\"></i></div></template></consent-banner>");
        return h.toString();
    }

    /**
     * The banner's own way back to the settings on a decided page, at its end: a link to the
     * settings as a page of their own, which the script opens in place, and removes where the page
     * has a {@code data-consent-settings} element of its own.
     */
    private String control(String endpoint, String language) {
        return "<consent-settings data-consent-settings lang=\"" + language + "\"><template shadowrootmode=\"open\"><style>"
                + CONTROL_CSS + "</style><a href=\"" + escape(endpoint) + "/banner?page=1\">" + escape(texts.get(language)
                .get("control")) + "</a></template></consent-settings>";
    }

    /** The banner's {@code markup} as a page of its own. */
    String page(String markup, String acceptLanguage) {
        String lang = language(acceptLanguage);
        return "<!doctype html><html lang=\"" + lang + "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                + "content=\"width=device-width,initial-scale=1\"><title>" + escape(texts.get(lang).get("control"))
                + "</title></head><body><main>" + markup.replace("<details>", "<details open>") + "</main></body></html>";
    }

    /**
     * Per embed tracker the site configured, what goes in place of each of its denied frames
     * ({@link nl.i3groep.consent.html.Page#placeholders}): the vendor named, "load once" (not
     * recorded: the script loads the frame in place; without it, the page comes back with it) and
     * "always allow" its purpose (recorded like any choice), both buttons of one form. In a shadow
     * root, as the banner is.
     */
    Map<String, String> placeholders(String endpoint, String language) {
        return placeholders.computeIfAbsent(new Embeds(endpoint, language), key -> {
            Map<String, String> t = texts.get(key.language());
            Map<String, String> all = new HashMap<>();
            for (Tracker tr : config.trackers()) {
                if (!tr.embed() || tr.purpose().necessary()) {
                    continue;
                }
                String vendor = t.getOrDefault("tracker." + tr.id(), tr.vendor());
                String purpose = t.getOrDefault("purpose." + tr.purpose().id(), tr.purpose().id());
                String always = t.get("embed.always");
                all.put(tr.id(), "<consent-embed data-consent-embed=\"" + tr.id() + "\" lang=\"" + key.language()
                        + "\" style=\"display:block;box-sizing:border-box;max-width:100%;width:{width};height:{height}\">"
                        + "<template shadowrootmode=\"open\"><style>" + embedCss + "</style><div class=\"e\" role=\"group\""
                        + " aria-label=\"" + escape(vendor) + "\"><p>" + escape(t.get("embed").replace("{vendor}", vendor)
                                .replace("{company}", tr.company())) + "</p><form method=\"post\" action=\""
                        + escape(key.endpoint()) + "\">"
                        + "<input type=\"hidden\" name=\"purpose\" value=\"" + tr.purpose().id() + "\">"
                        + "<input type=\"hidden\" name=\"tracker\" value=\"" + tr.id() + "\">"
                        + "<input type=\"hidden\" name=\"notice\" value=\"" + noticeHash(key.language()) + "\">"
                        + "<button class=\"b\" name=\"action\" value=\"once\" data-consent-action=\"once\">"
                        + escape(t.get("embed.once")) + "</button><button class=\"b\" name=\"action\" value=\"allow\""
                        + " data-consent-action=\"allow\">"
                        + escape(always.replace("{purpose}", always.startsWith("{") ? purpose : inSentence(purpose)))
                        + "</button></form></div><i class=\"e-end\"></i></template></consent-embed>");
            }
            return Map.copyOf(all);
        });
    }

    private record Embeds(String endpoint, String language) {
    }

    private final Map<String, String> noticeHashes = new ConcurrentHashMap<>();

    private String noticeHash(String language) {
        return noticeHashes.computeIfAbsent(language, l -> notices.get(l).hash());
    }

    private final Map<Embeds, Map<String, String>> placeholders = new ConcurrentHashMap<>();

    private static final String CONTROL_CSS = ":host{all:initial;display:block;padding:.75rem;text-align:center;"
            + "font:16px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;background:#fff}"
            + "a{color:#0b4f9c;text-decoration:underline;display:inline-block;padding:.5rem}"
            + "a:focus-visible{outline:3px solid #0b4f9c;outline-offset:2px}";

    /**
     * The first layer's sentence of who receives what: the companies of the trackers that need
     * consent, and their purposes, as the configuration lists them; nothing when there are none.
     */
    private String who(Map<String, String> t) {
        List<Tracker> consented = config.trackers().stream().filter(tr -> !tr.purpose().necessary()).toList();
        if (consented.isEmpty()) {
            return "";
        }
        List<String> companies = consented.stream().map(Tracker::company).distinct().toList();
        List<String> purposes = config.purposes().stream()
                .filter(p -> consented.stream().anyMatch(tr -> tr.purpose().equals(p)))
                .map(p -> inSentence(t.getOrDefault("purpose." + p.id(), p.id()))).toList();
        return escape(t.get("who").replace("{companies}", list(companies, t.get("and")))
                .replace("{purposes}", list(purposes, t.get("and")))) + ' ';
    }

    /** A purpose's name inside a sentence: a capital that only starts the word goes ({@code Marketing}, not {@code GPS}). */
    private static String inSentence(String name) {
        return name.length() > 1 && Character.isUpperCase(name.charAt(0)) && Character.isLowerCase(name.charAt(1))
                ? Character.toLowerCase(name.charAt(0)) + name.substring(1) : name;
    }

    private static String list(List<String> items, String and) {
        return items.size() == 1 ? items.get(0)
                : String.join(", ", items.subList(0, items.size() - 1)) + ' ' + and + ' ' + items.get(items.size() - 1);
    }

    private void purpose(StringBuilder h, Purpose p, Map<String, String> t, Decisions decisions) {
        List<Tracker> under = config.trackers().stream().filter(tr -> tr.purpose().equals(p)).toList();
        String name = t.getOrDefault("purpose." + p.id(), p.id());
        boolean gpcLocked = decisions.gpc() && p.deniedByGpc();
        h.append("<fieldset><legend>").append(escape(name)).append("</legend><label><input type=\"checkbox\" ")
                .append("role=\"switch\" name=\"purpose\" value=\"").append(p.id()).append('"');
        if (p.necessary()) {
            h.append(" checked disabled");
        } else if (gpcLocked) {
            h.append(" disabled");
        } else if (decisions.allowsPurpose(p.id())) {
            h.append(" checked");
        }
        // the switch says what it does, the group's legend what it is about
        h.append("> ").append(escape(p.necessary() ? t.get("always") : t.get("allow").replace("{purpose}",
                t.get("allow").startsWith("{") ? name : inSentence(name)))).append("</label>");
        String about = t.get("purpose." + p.id() + ".about");
        if (about != null) {
            h.append("<p><small>").append(escape(about)).append("</small></p>");
        }
        if (!under.isEmpty()) {
            h.append("<ul>");
            for (Tracker tr : under) {
                h.append("<li><label>");
                String vendor = t.getOrDefault("tracker." + tr.id(), tr.vendor());
                if (p.necessary()) {
                    h.append(escape(vendor));
                } else {
                    // each switch shows what saving saves: what the visitor allows now, so all off
                    // until a decision; the script switches a purpose's trackers with it
                    boolean shown = decisions.decided() && decisions.allows(tr);
                    h.append("<input type=\"checkbox\" role=\"switch\" name=\"tracker\" value=\"").append(tr.id())
                            .append("\" data-purpose=\"").append(p.id()).append('"').append(shown ? " checked" : "")
                            .append(gpcLocked ? " disabled" : "").append("> ").append(escape(vendor));
                }
                h.append("</label></li>");
            }
            h.append("</ul>");
        }
        h.append("</fieldset>");
    }

    private static void button(StringBuilder h, String action, Map<String, String> t) {
        h.append("<button type=\"submit\" class=\"i3c-btn\" name=\"action\" value=\"").append(action)
                .append("\" data-consent-action=\"").append(action).append("\">").append(escape(t.get(action)))
                .append("</button>");
    }

    /**
     * The banner's script, told which trackers the page's decision allows: it retires a service
     * worker installed while one of them was allowed that no longer is, however the decision
     * changed (banner.js, {@code retire}).
     */
    private String script(String endpoint, boolean reload, String allowed) {
        return "<script data-endpoint=\"" + escape(endpoint) + "\" data-allowed=\"" + escape(allowed) + "\""
                + (reload ? " data-reload=\"1\"" : "") + ">" + js + "</script>";
    }

    /** The ids of the trackers {@code decisions} allows, space-separated (ids are tokens). */
    private static String allowed(Decisions decisions) {
        StringBuilder s = new StringBuilder();
        decisions.trackers().forEach((id, allowed) -> {
            if (allowed) {
                s.append(s.length() > 0 ? " " : "").append(id);
            }
        });
        return s.toString();
    }

    private static String stateJson(Decisions decisions) {
        StringBuilder s = new StringBuilder("{");
        decisions.trackers().forEach((id, allowed) -> s.append(s.length() > 1 ? "," : "").append('"').append(id)
                .append("\":").append(allowed));
        return s.append('}').toString();
    }

    /** {@code en} when the visitor prefers English to Dutch; otherwise the configured default. */
    String language(String acceptLanguage) {
        String fallback = config.banner().defaultLanguage();
        if (acceptLanguage == null) {
            return fallback;
        }
        double en = -1;
        double nl = -1;
        for (String part : acceptLanguage.toLowerCase(Locale.ROOT).split(",")) {
            String[] bits = part.trim().split(";", -1); // ";" gives two empty parts, not none
            double quality = 1;
            for (int i = 1; i < bits.length; i++) {
                String b = bits[i].trim();
                if (b.startsWith("q=")) {
                    try {
                        quality = Double.parseDouble(b.substring(2));
                    } catch (NumberFormatException e) {
                        quality = 0;
                    }
                }
            }
            String tag = bits[0].trim();
            if (tag.equals("en") || tag.startsWith("en-")) {
                en = Math.max(en, quality);
            } else if (tag.equals("nl") || tag.startsWith("nl-")) {
                nl = Math.max(nl, quality);
            }
        }
        if (en < 0 && nl < 0) {
            return fallback;
        }
        return en > nl ? "en" : nl > en ? "nl" : fallback;
    }

    /**
     * Text or an attribute value as ASCII HTML: markup characters and every non-ASCII character as
     * character references, so that the banner reads the same in any charset a page declares
     * (ISO-8859-1 has no curly quotes) and is inserted without encoding work.
     */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    if (c < 0x80) {
                        b.append(c);
                    } else {
                        int cp = s.codePointAt(i);
                        b.append("&#").append(cp).append(';');
                        i += Character.charCount(cp) - 1;
                    }
                }
            }
        }
        return b.toString();
    }

    /** Drops comment lines and indentation: the banner travels with every undecided page. */
    private static String compact(String source) {
        StringBuilder out = new StringBuilder(source.length());
        boolean inComment = false;
        for (String line : source.split("\n")) {
            String l = line.strip();
            if (inComment) {
                if (l.contains("*/")) {
                    inComment = false;
                    l = l.substring(l.indexOf("*/") + 2).strip();
                } else {
                    continue;
                }
            }
            if (l.startsWith("/*")) {
                if (!l.contains("*/")) {
                    inComment = true;
                    continue;
                }
                l = l.substring(l.indexOf("*/") + 2).strip();
            }
            if (!l.isEmpty()) {
                out.append(l).append('\n');
            }
        }
        return out.toString();
    }

    private static String resource(String name) {
        try (InputStream in = Banner.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
