/**
 * The streaming HTML rewriter: {@link nl.i3groep.consent.html.HtmlGate} makes denied trackers
 * inert in an HTML body while it is written, and inserts Consent Mode defaults, allowed trackers'
 * snippets and the banner into whole documents.
 *
 * <p>How it works: a byte-level, resumable tokenizer ({@code Tokenizer}) follows the WHATWG
 * tokenizer states that decide where tags, comments and raw text begin and end; in the body, a
 * fast scan ({@code FastScan}) passes over text and tags that cannot concern a tracker. Text and
 * tags that need no change are never copied: they go out as runs of the caller's own array, one
 * {@code write} per run ({@code Output}). Only a start tag that may need rewriting (one with an
 * attribute that may name a host, an event handler holding a marker, a {@code style} that may hold
 * a URL, a mark; in the head and in SVG/MathML every start tag) is held until its {@code >}, and
 * an inline script with its content until {@code </script}; a held tag is parsed into attribute
 * spans ({@code Tag}), and only the attributes that matter are decoded to strings for the verdict
 * ({@code Verdict}), which chooses its rewrite ({@code Edit}). An approximation of tree construction ({@code Tree}) knows documents from
 * fragments, the head, SVG/MathML, and places the insertions ({@code Insertions}). Host rules and
 * inline markers are compiled once per gate ({@code Rules}); markers are searched on bytes.
 * {@code Rewriter} joins the parts; one serves one response at a time, behind a {@code GateStream}.
 *
 * <p>Known gaps, each a place where a browser and this scanner can disagree:
 * <ul>
 *   <li>Tree construction is approximated only for SVG/MathML nesting: inside them {@code style},
 *       {@code title}, {@code textarea} are markup and {@code <![CDATA[} opens text to
 *       {@code ]]>}; integration points ({@code foreignObject}, {@code desc}, {@code title},
 *       MathML's text elements, an HTML {@code annotation-xml}) hold HTML again until their end
 *       tag, which counts only where no HTML element is open in them (void ones never are); where
 *       SVG and MathML roots are both open, none is recognised. An SVG {@code <script>}'s content is markup, as browsers read it, so an inline
 *       one cannot be read as code: it is made inert, marked {@code unknown}.</li>
 *   <li>{@code noscript} content is read as markup (as with scripting off, so its pixels are
 *       blocked); where a browser running scripts would end it earlier (its first
 *       {@code </noscript}, inside an attribute value, a comment or raw text), that {@code <} is
 *       written {@code &lt;}, so both readings end it where this one does. In the head, a {@code noscript} or
 *       {@code template} does not end the head, and nothing is inserted inside one, where it would
 *       never run.</li>
 *   <li>Escapes in inline JavaScript (a backslash-u
 *       escape inside a marker, a host built from pieces) hide markers.</li>
 *   <li>Relative URLs are never taken for a tracker (a {@code <base href>} on a denied tracker's
 *       host, or on a host where a denied tracker owns paths, is renamed, so they cannot resolve
 *       there). {@code importmap} and {@code speculationrules} are not inspected yet. A
 *       {@code <style>} is judged on its first 64 KiB: a URL after them is not seen.</li>
 *   <li>The body is read in the charset it is opened with, unless it begins with a UTF-8
 *       byte-order mark (then UTF-8, as browsers read it); a caller whose header names no charset
 *       finds the page's own with {@code HtmlGate.charsetOf}.</li>
 *   <li>A {@code data-consent-src} (or other parked URL) of an allowed tracker is not restored
 *       here: the banner's script does that on consent, or the page's own.</li>
 *   <li>XHTML ({@code openXhtml}) is read by XML's rules where they decide what is markup; a
 *       renamed attribute keeps a namespace prefix in its new name ({@code data-consent-xlink:href}),
 *       which an XML parser refuses, so such a page breaks rather than loads the tracker; the
 *       body's charset is the caller's (an XML declaration's is not read).</li>
 *   <li>An inline script is judged on its first 64 KiB: one that names an allowed tracker there and a
 *       denied one after them runs (one that names none there is made inert).</li>
 * </ul>
 */
package nl.i3groep.consent.html;
