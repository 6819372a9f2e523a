package nl.i3groep.consent.html;

import java.io.IOException;

/**
 * What the rewriter approximates of a browser's tree construction: whether the body is a whole
 * document or a fragment (insertions go only into documents), where the head ends (Consent Mode
 * defaults and snippets go there), SVG/MathML nesting (inside it, {@code style}, {@code title}
 * and the like are markup, and {@code <script/>} has no content), and the head's
 * {@code noscript} and {@code template}, which neither end the head nor may hold an insertion.
 *
 * <p>The tokenizer reports names and ends of tags and text in the head; this class decides what
 * they mean for the tree and triggers the insertions.
 */
final class Tree {

    static final int UNKNOWN = 0, DOCUMENT = 1, FRAGMENT = 2;
    static final int BEFORE_HEAD = 0, IN_HEAD = 1, AFTER_HEAD = 2;

    private final Output output;
    private final Insertions insertions;

    int doc;
    int phase;
    /** Open SVG/MathML elements. */
    int foreign;
    /** Of {@link #foreign}, the open {@code svg} elements: a browser ignores a {@code </math>} that closes none. */
    private int svgOpen;
    /**
     * Inside a {@code <noscript>} (raw text to a browser that runs scripts) or a {@code <template>}
     * of the head: nothing there ends the head, and nothing inserted there would run.
     */
    private boolean inNoscript;
    private int inTemplates;
    /**
     * The integration points open (SVG {@code foreignObject}, {@code desc}, {@code title}; MathML
     * {@code mi}, {@code mo}, {@code mn}, {@code ms}, {@code mtext}, an {@code annotation-xml} of
     * HTML), whose content is HTML again: per level its element and the foreign nesting around it.
     */
    private int[] points = new int[16];
    int pointDepth;
    /** HTML elements open inside the innermost integration point (void ones never are). */
    private int pointChildren;
    /** The start tag that just ended opened an integration point: its own content, not itself, is HTML. */
    boolean openedPoint;
    /** The {@code annotation-xml} start tag being read has an HTML {@code encoding}. */
    boolean htmlAnnotation;

    Tree(Output output, Insertions insertions) {
        this.output = output;
        this.insertions = insertions;
    }

    /** XHTML: nothing is inserted (the banner's HTML is not XML), and the fast scan stays out. */
    private boolean xml;

    void start(boolean xml) {
        this.xml = xml;
        doc = xml ? FRAGMENT : UNKNOWN;
        phase = BEFORE_HEAD;
        foreign = 0;
        svgOpen = 0;
        inNoscript = false;
        inTemplates = 0;
        pointDepth = 0;
        pointChildren = 0;
        openedPoint = false;
        htmlAnnotation = false;
    }

    /** Whether the fast scan may read on: HTML content outside SVG/MathML and integration points. */
    boolean plainHtml() {
        return foreign == 0 && pointDepth == 0 && !xml;
    }

    /**
     * Before the head has ended, or before the kind of body is known: text and every tag may
     * matter. After it (or in a fragment), the fast scan may take over.
     */
    boolean beforeBody() {
        return doc == UNKNOWN || (doc == DOCUMENT && phase != AFTER_HEAD);
    }

    /**
     * Whether a script seen now counts as the tracker's install (so its snippet is not inserted):
     * anywhere but in a noscript or template of the head, which never run.
     */
    boolean installs() {
        return !hiddenInHead();
    }

    /** Text before the head has ended or before the document kind is known: each byte may matter. */
    int text(byte[] b, int i, int end) throws IOException {
        for (; i < end; i++) {
            int c = b[i] & 0xff;
            if (c == '<') {
                return i;
            }
            if (c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r') {
                continue;
            }
            if (doc == UNKNOWN) {
                if (c == 0xEF || c == 0xBB || c == 0xBF) {
                    continue; // byte order mark
                }
                doc = FRAGMENT;
                return i;
            }
            if (hiddenInHead()) {
                continue;
            }
            // text ends the head
            output.emitTo(i);
            headEnd();
            return i;
        }
        return i;
    }

    /** A {@code <} that begins no tag: text. */
    void lessThanAsText() throws IOException {
        if (doc == UNKNOWN) {
            doc = FRAGMENT;
        } else if (doc == DOCUMENT && phase != AFTER_HEAD && !hiddenInHead()) {
            headEnd();
        }
    }

    /** A doctype (a bogus comment that begins with {@code doctype}). */
    void doctype() {
        if (doc == UNKNOWN) {
            doc = DOCUMENT;
        }
    }

    /** A tag's name is complete ({@code code} from {@link Names}): insert before it what it ends. */
    void named(int code, boolean endTag) throws IOException {
        int el = code & 0xff;
        if (doc == UNKNOWN) {
            doc = !endTag && el == Names.HTML ? DOCUMENT : FRAGMENT;
        }
        if (doc != DOCUMENT || phase != AFTER_HEAD && hiddenInHead(el, endTag)) {
            return; // a fragment, or the head goes on around it
        }
        if (!endTag) {
            if (phase == BEFORE_HEAD) {
                if (el != Names.HTML && el != Names.HEAD) {
                    if ((code & Names.F_HEAD) != 0) {
                        insertions.consentMode();
                        phase = IN_HEAD;
                    } else {
                        headEnd();
                    }
                }
            } else if (phase == IN_HEAD && (code & Names.F_HEAD) == 0) {
                headEnd();
            }
        } else if (el == Names.HEAD || el == Names.BODY || el == Names.HTML) {
            if (phase != AFTER_HEAD) {
                headEnd();
            }
            // the banner goes at the document's end: not at a body's, since a layout that nests a
            // second body ends the first mid-page; at the end of html, since a forward's container
            // closes the stream without the filter
            if (el == Names.HTML) {
                insertions.banner();
            }
        }
    }

    /** A start tag ended just before {@code after}: SVG/MathML nesting, and the head's start. */
    void startTagEnded(int code, boolean selfClosing, int after) throws IOException {
        int el = code & 0xff;
        openedPoint = false;
        if (foreign > 0 && (code & Names.F_BREAKOUT) != 0) {
            foreign = 0;
            svgOpen = 0;
        } else if (foreign > 0 && !selfClosing && integrationPoint(el)) {
            if (pointDepth * 4 == points.length) {
                points = java.util.Arrays.copyOf(points, points.length * 2);
            }
            points[pointDepth * 4] = el;
            points[pointDepth * 4 + 1] = foreign;
            points[pointDepth * 4 + 2] = svgOpen;
            points[pointDepth * 4 + 3] = pointChildren;
            pointDepth++;
            foreign = 0;
            svgOpen = 0;
            pointChildren = 0;
            openedPoint = true;
            return;
        } else if (foreign == 0 && pointDepth > 0 && !Names.isVoid(code)) {
            pointChildren++;
        }
        htmlAnnotation = false;
        if ((el == Names.SVG || el == Names.MATH) && !selfClosing) {
            foreign++;
            svgOpen += el == Names.SVG ? 1 : 0;
        }
        if (el == Names.HEAD && doc == DOCUMENT && phase == BEFORE_HEAD) {
            output.emitTo(after);
            insertions.consentMode();
            phase = IN_HEAD;
        }
    }

    void endTagEnded(int el) {
        if (el == Names.SVG ? svgOpen > 0 : el == Names.MATH && foreign > svgOpen) {
            foreign--;
            svgOpen -= el == Names.SVG ? 1 : 0;
        } else if (foreign == 0 && pointDepth > 0 && pointChildren == 0 && points[(pointDepth - 1) * 4] == el) {
            pointDepth--;
            foreign = points[pointDepth * 4 + 1];
            svgOpen = points[pointDepth * 4 + 2];
            pointChildren = points[pointDepth * 4 + 3];
        } else if (foreign == 0 && pointDepth > 0 && pointChildren > 0) {
            pointChildren--;
        }
    }

    /**
     * Whether {@code <![CDATA[} opens a CDATA section here: where the current node is foreign,
     * which an integration point itself is (its HTML children are not).
     */
    boolean cdataSection() {
        return foreign > 0 || (pointDepth > 0 && pointChildren == 0);
    }

    /**
     * Whether element {@code el}, starting in foreign content, holds HTML. Where SVG and MathML
     * roots are both open the namespace is not followed, and nothing counts (an approximation).
     */
    private boolean integrationPoint(int el) {
        boolean svg = svgOpen > 0 && foreign == svgOpen;
        boolean math = svgOpen == 0;
        boolean point = switch (el) {
            case Names.FOREIGN_OBJECT, Names.DESC, Names.TITLE -> svg;
            case Names.MATH_TEXT -> math;
            case Names.ANNOTATION_XML -> math && htmlAnnotation;
            default -> false;
        };
        htmlAnnotation = false;
        return point;
    }

    /**
     * The end of the document: the banner (after everything, where a parser puts it at the end of
     * the body), and the snippets of allowed trackers that the page did not install anywhere in it
     * (inserted earlier, one the page installs further down would load twice).
     */
    void finish() throws IOException {
        if (doc == DOCUMENT) {
            if (phase != AFTER_HEAD) {
                headEnd();
            }
            insertions.banner();
            insertions.snippets();
        }
    }

    private void headEnd() throws IOException {
        insertions.consentMode();
        phase = AFTER_HEAD;
    }

    private boolean hiddenInHead() {
        return inNoscript || inTemplates > 0;
    }

    /**
     * Whether the tag (element {@code el}, named just now) is inside a noscript or template of the
     * head, or closes one; notes the ones it opens and closes. One that it opens is not yet inside.
     */
    private boolean hiddenInHead(int el, boolean endTag) {
        boolean inside = hiddenInHead();
        if (inNoscript) {
            // to a browser that runs scripts, all up to the first </noscript> is text
            inNoscript = !(endTag && el == Names.NOSCRIPT);
        } else if (el == Names.NOSCRIPT && !endTag) {
            inNoscript = true;
        } else if (el == Names.TEMPLATE) {
            inTemplates = endTag ? Math.max(0, inTemplates - 1) : inTemplates + 1;
        }
        return inside;
    }
}
