package nl.i3groep.consent.config;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import nl.i3groep.consent.Purpose;

/**
 * The catalogue: the trackers this library knows without being told, with the facts gathered in
 * {@code trackers.md}. A site activates one by naming it in {@code trackers} with its account id;
 * it may add hosts, markers and cookies (or replace them, where a fact here is wrong for it).
 *
 * <p>In hosts, markers and snippets {@code {id}} stands for the site's account id. Account ids are
 * checked against a strict pattern because they are written into inline scripts.
 */
enum BuiltInTracker {

    SESSION_COOKIES("session-cookies", "this site", Purpose.NECESSARY, null, null,
            List.of(), List.of(), List.of("JSESSIONID"), ""),

    GOOGLE_ANALYTICS("google-analytics", "Google Analytics", Purpose.ANALYTICS,
            "measurementId", "G-[A-Z0-9]{4,16}|UA-[0-9]{4,12}-[0-9]{1,4}",
            List.of("www.googletagmanager.com/gtag/js?id=G-", "www.googletagmanager.com/gtag/js?id=UA-",
                    "googletagmanager.com/gtag/js?id=G-", "googletagmanager.com/gtag/js?id=UA-",
                    "www.google-analytics.com", "*.google-analytics.com", "*.analytics.google.com"),
            List.of("{id}", "GoogleAnalyticsObject", "google-analytics.com/analytics.js",
                    "google-analytics.com/ga.js"),
            List.of("_ga", "_ga_*", "_gid", "_gat", "_gat_*", "_dc_gtm_*", "_gac_*", "AMP_TOKEN"),
            "<script async src=\"https://www.googletagmanager.com/gtag/js?id={id}\"></script>\n"
                    + "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}"
                    + "gtag('js',new Date());gtag('config','{id}');</script>\n"),

    GOOGLE_ADS("google-ads", "Google Ads", Purpose.MARKETING, "conversionId", "AW-[0-9]{6,12}",
            // pagead and rmkt on every country domain of Google's: www.google.de, www.google.co.uk, ...
            List.of("www.googletagmanager.com/gtag/js?id=AW-", "googletagmanager.com/gtag/js?id=AW-",
                    "www.googleadservices.com", "*.doubleclick.net", "www.google.*/rmkt/collect", "www.google.*/pagead"),
            List.of("{id}", "google_conversion_id", "googleadservices.com/pagead/conversion"),
            List.of("_gcl_au", "_gcl_aw", "_gcl_dc", "_gac_*"),
            "<script async src=\"https://www.googletagmanager.com/gtag/js?id={id}\"></script>\n"
                    + "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}"
                    + "gtag('js',new Date());gtag('config','{id}');</script>\n"),

    LINKEDIN_INSIGHT("linkedin-insight", "LinkedIn", Purpose.MARKETING, "partnerId", "[0-9]{3,12}",
            // the pixel also answers on numbered hosts: px4.ads.linkedin.com
            List.of("snap.licdn.com", "*.ads.linkedin.com", "www.linkedin.com/px"),
            // window.lintrk: the queue stub and every conversion call name it, whatever the loader URL
            List.of("_linkedin_partner_id", "_linkedin_data_partner_ids", "snap.licdn.com/li.lms-analytics",
                    "window.lintrk", "lintrk("),
            List.of("li_fat_id", "ln_or"),
            "<script>_linkedin_partner_id=\"{id}\";window._linkedin_data_partner_ids="
                    + "window._linkedin_data_partner_ids||[];"
                    + "window._linkedin_data_partner_ids.push(_linkedin_partner_id);</script>\n"
                    + "<script>(function(l){if(!l){window.lintrk=function(a,b){window.lintrk.q.push([a,b])};"
                    + "window.lintrk.q=[]}var s=document.getElementsByTagName(\"script\")[0];"
                    + "var b=document.createElement(\"script\");b.type=\"text/javascript\";b.async=true;"
                    + "b.src=\"https://snap.licdn.com/li.lms-analytics/insight.min.js\";"
                    + "s.parentNode.insertBefore(b,s);})(window.lintrk);</script>\n"),

    LEADBOXER("leadboxer", "LeadBoxer", Purpose.MARKETING, "datasetId", "[A-Za-z0-9]{1,64}",
            List.of("script.leadboxer.com", "log.leadboxer.com", "ip.leadboxer.com", "kibana.leadboxer.com",
                    "track.leadboxer.com", "pixel.leadboxer.com"),
            List.of("OTLogService", "ot_uid(", "OTMap", "script.leadboxer.com"),
            // _otr and ip4 are unconfirmed: a site that uses either name itself sets replaceDefaults
            List.of("_otui", "_ots", "_otpe", "_otr", "ip4"),
            "<script defer src=\"https://script.leadboxer.com/?dataset={id}\"></script>\n"),

    OKTOPOST("oktopost", "Oktopost", Purpose.MARKETING, "trackingId", "[A-Za-z0-9]{3,32}",
            List.of("static.oktopost.com", "okt.to"),
            List.of("OktopostTrackerObject", "_oktrk(", "static.oktopost.com/oktrk.js"),
            List.of(),
            "<script>(function(a,b,c,d,e,m){a['OktopostTrackerObject']=d;a[d]=a[d]||function(){"
                    + "(a[d].q=a[d].q||[]).push(arguments)};e=b.createElement('script');"
                    + "m=b.getElementsByTagName('script')[0];e.async=1;e.src=c;m.parentNode.insertBefore(e,m)})"
                    + "(window,document,'https://static.oktopost.com/oktrk.js','_oktrk');"
                    + "_oktrk('create','{id}');</script>\n"),

    /**
     * Not one of the six: a container loads any tag, so the site must name the purpose that
     * governs it; so must it for the tag managers and the customer data platform below.
     */
    GOOGLE_TAG_MANAGER("google-tag-manager", "Google Tag Manager", null, "containerId", "GTM-[A-Z0-9]{4,12}",
            List.of("www.googletagmanager.com/gtm.js", "www.googletagmanager.com/ns.html", "googletagmanager.com/gtm.js",
                    "googletagmanager.com/ns.html"),
            List.of("{id}", "googletagmanager.com/gtm.js"),
            List.of(),
            "<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),"
                    + "event:'gtm.js'});var f=d.getElementsByTagName(s)[0],j=d.createElement(s),"
                    + "dl=l!='dataLayer'?'&l='+l:'';j.async=true;"
                    + "j.src='https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);"
                    + "})(window,document,'script','dataLayer','{id}');</script>\n"),

    /**
     * Adobe's tag manager (Experience Platform Tags, formerly Launch, and DTM before it): a
     * property loads any tag. The account is the embed code's path on assets.adobedtm.com.
     */
    ADOBE_LAUNCH("adobe-launch", "Adobe Experience Platform Tags", null, "embedPath",
            "[A-Za-z0-9]{6,40}/[A-Za-z0-9]{6,40}/launch-[A-Za-z0-9-]{6,64}(-development|-staging)?(\\.min)?\\.js",
            List.of("assets.adobedtm.com"),
            // _satellite is the library's global, which every rule and page-bottom call names
            List.of("{id}", "assets.adobedtm.com/", "_satellite"),
            List.of(),
            "<script src=\"https://assets.adobedtm.com/{id}\" async></script>\n"),

    /** Tealium iQ: a profile loads any tag. The account is {@code account/profile/environment}. */
    TEALIUM("tealium", "Tealium iQ", null, "profile", "[a-z0-9-]{2,64}/[a-z0-9-]{2,64}/[a-z0-9-]{2,32}",
            List.of("tags.tiqcdn.com", "*.tealiumiq.com", "*.tiqcdn.cn"),
            List.of("{id}", "tags.tiqcdn.com/utag/", "utag_data", "utag.js"),
            List.of("utag_main"),
            "<script>(function(a,b,c,d){a='https://tags.tiqcdn.com/utag/{id}/utag.js';b=document;c='script';"
                    + "d=b.createElement(c);d.src=a;d.type='text/java'+c;d.async=true;"
                    + "a=b.getElementsByTagName(c)[0];a.parentNode.insertBefore(d,a);})();</script>\n"),

    /**
     * Segment (Twilio), a customer data platform: in device mode its analytics.js loads the
     * destinations the workspace names, whatever they are. The account is the source's write key.
     */
    SEGMENT("segment", "Segment", null, "writeKey", "[A-Za-z0-9]{10,64}",
            List.of("cdn.segment.com", "api.segment.io", "cdn.segment.io", "events.eu1.segmentapis.com",
                    "cdn.edge.segment.com"),
            List.of("{id}", "cdn.segment.com/analytics.js", "analytics.load("),
            List.of("ajs_anonymous_id", "ajs_user_id", "ajs_group_id"),
            "<script async src=\"https://cdn.segment.com/analytics.js/v1/{id}/analytics.min.js\"></script>\n"),

    /*
     * Media and social embeds: a frame or a widget script that the vendor serves, and through
     * which it sees (and mostly sets cookies for) the visitor. The site names the purpose its
     * visitors allow them under; while denied, a frame of one is replaced by a placeholder.
     */

    YOUTUBE("youtube", "YouTube", null, null, null,
            List.of("www.youtube.com", "youtube.com", "m.youtube.com", "www.youtube-nocookie.com", "youtube-nocookie.com",
                    "*.ytimg.com", "*.googlevideo.com"),
            List.of("youtube.com/iframe_api", "youtube.com/embed/", "youtube-nocookie.com/embed/"), List.of(), ""),

    VIMEO("vimeo", "Vimeo", null, null, null,
            List.of("player.vimeo.com", "*.vimeocdn.com"),
            List.of("player.vimeo.com/"), List.of(), ""),

    GOOGLE_MAPS("google-maps", "Google Maps", null, null, null,
            List.of("maps.google.*", "www.google.*/maps", "maps.googleapis.com", "maps.gstatic.com"),
            List.of("maps.googleapis.com/maps/api/js"), List.of(), ""),

    LINKEDIN_EMBED("linkedin-embed", "LinkedIn posts and share buttons", null, null, null,
            List.of("platform.linkedin.com", "www.linkedin.com/embed/"),
            List.of("platform.linkedin.com/"), List.of(), ""),

    X_EMBED("x-embed", "X posts and buttons", null, null, null,
            List.of("platform.twitter.com", "syndication.twitter.com", "cdn.syndication.twimg.com", "platform.x.com"),
            List.of("platform.twitter.com/widgets.js"), List.of(), ""),

    /** Facebook's plugins; connect.facebook.net also serves the Meta pixel, which is then gated with them. */
    FACEBOOK_EMBED("facebook-embed", "Facebook posts and buttons", null, null, null,
            List.of("connect.facebook.net", "www.facebook.com/plugins/"),
            List.of("connect.facebook.net/"), List.of(), "");



    final String id;
    final String vendor;
    /** Null where the site must choose the purpose. */
    final Purpose purpose;
    /** The configuration field that holds the account id; null where there is none. */
    final String accountField;
    final Pattern accountPattern;
    final List<String> hosts;
    final List<String> markers;
    final List<String> cookies;
    final String snippet;

    BuiltInTracker(String id, String vendor, Purpose purpose, String accountField, String accountPattern,
            List<String> hosts, List<String> markers, List<String> cookies, String snippet) {
        this.id = id;
        this.vendor = vendor;
        this.purpose = purpose;
        this.accountField = accountField;
        this.accountPattern = accountPattern == null ? null : Pattern.compile(accountPattern);
        this.hosts = hosts;
        this.markers = markers;
        this.cookies = cookies;
        this.snippet = snippet;
    }

    /** The organisation behind it, as a visitor knows it. */
    String company() {
        return switch (this) {
            case SESSION_COOKIES -> vendor;
            case GOOGLE_ANALYTICS, GOOGLE_ADS, GOOGLE_TAG_MANAGER -> "Google";
            case ADOBE_LAUNCH -> "Adobe";
            case TEALIUM -> "Tealium";
            case SEGMENT -> "Twilio Segment";
            case YOUTUBE, GOOGLE_MAPS -> "Google";
            case LINKEDIN_EMBED -> "LinkedIn";
            case X_EMBED -> "X";
            case FACEBOOK_EMBED -> "Meta";
            default -> vendor;
        };
    }

    /** A media or social embed, whose denied frames get a placeholder. */
    boolean embed() {
        return switch (this) {
            case YOUTUBE, VIMEO, GOOGLE_MAPS, LINKEDIN_EMBED, X_EMBED, FACEBOOK_EMBED -> true;
            default -> false;
        };
    }

    static Optional<BuiltInTracker> byId(String id) {
        return Arrays.stream(values()).filter(t -> t.id.equals(id)).findFirst();
    }

    static List<String> ids() {
        return Arrays.stream(values()).map(t -> t.id).toList();
    }

    /** The snippet for {@code account}; Universal Analytics ids get the legacy analytics.js loader. */
    String snippet(String account) {
        if (this == GOOGLE_ANALYTICS && account.startsWith("UA-")) {
            return ("<script>(function(i,s,o,g,r,a,m){i['GoogleAnalyticsObject']=r;i[r]=i[r]||function(){"
                    + "(i[r].q=i[r].q||[]).push(arguments)},i[r].l=1*new Date();a=s.createElement(o),"
                    + "m=s.getElementsByTagName(o)[0];a.async=1;a.src=g;m.parentNode.insertBefore(a,m)"
                    + "})(window,document,'script','https://www.google-analytics.com/analytics.js','ga');"
                    + "ga('create','{id}','auto');ga('send','pageview');</script>\n").replace("{id}", account);
        }
        return snippet.replace("{id}", account);
    }
}
