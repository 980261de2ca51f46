package net.passerelle.gateway.notice;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import net.passerelle.gateway.uri.PercentDecoder;

import java.util.List;

/**
 * Chooses the format and language of a notice from the request. Pure functions, no allocation beyond a few
 * small strings; safe on the request path.
 *
 * <p>Format: Piwigo's web service ({@code …/ws.php}) gets Piwigo's own error shapes, chosen like Piwigo does, by
 * the {@code format} parameter of the query string only ({@code json}, {@code jsonalt}: JSON; anything else,
 * including none, {@code rest}, {@code php} and {@code xmlrpc}: the REST XML, Piwigo's default). Other requests are
 * negotiated on {@code Accept} with q-values: the best of HTML ({@code text/html}, {@code application/xhtml+xml}),
 * JSON ({@code application/json}) and plain text ({@code text/plain}), where a more specific range wins over a
 * wildcard and, at equal q and specificity, the range listed first wins; a wildcard-only tie ({@code *}{@code /*},
 * {@code text/*}) or no acceptable type at all gives plain text. A missing request gives HTML.
 */
public final class NoticeNegotiator {
    private NoticeNegotiator() {
    }

    private static final int CAND_HTML = 0, CAND_JSON = 1, CAND_TEXT = 2;
    private static final Language[] LANGUAGES = Language.values();
    /** The media types a notice comes in (type, subtype), and the candidate format each one stands for. */
    private static final String[][] TYPES = {{"text", "html"}, {"application", "xhtml+xml"}, {"application", "json"}, {"text", "plain"}};
    private static final int[] CANDIDATE_OF = {CAND_HTML, CAND_HTML, CAND_JSON, CAND_TEXT};
    /** Ties on everything go to TEXT, then HTML, then JSON, so that a bare wildcard gives plain text. */
    private static final int[] TIE_ORDER = {CAND_TEXT, CAND_HTML, CAND_JSON};

    public static NoticeFormat format(HttpRequest request) {
        if (request == null) {
            return NoticeFormat.HTML;
        }
        String uri = request.uri();
        if (uri != null && isWsPhp(uri)) {
            String f = queryParameter(uri, "format");
            if ("json".equals(f) || "jsonalt".equals(f)) {
                return NoticeFormat.PIWIGO_JSON;
            }
            return NoticeFormat.PIWIGO_XML;
        }
        List<String> accepts = request.headers().getAll(HttpHeaderNames.ACCEPT);
        String accept = accepts.isEmpty() ? null : accepts.size() == 1 ? accepts.get(0) : String.join(",", accepts);
        return formatForAccept(accept);
    }

    /** Format for a non-Piwigo request with this {@code Accept} header (null: none). */
    public static NoticeFormat formatForAccept(String accept) {
        if (accept == null || accept.isBlank()) {
            return NoticeFormat.TEXT;
        }
        // q (thousandths), specificity and position of the range that decides, per media type
        int[] q = new int[TYPES.length];
        int[] spec = {-1, -1, -1, -1};
        int[] pos = new int[TYPES.length];
        decideMediaTypes(accept, q, spec, pos);
        int winner = bestCandidate(q, spec, pos);
        if (winner == CAND_HTML) {
            return NoticeFormat.HTML;
        }
        if (winner == CAND_JSON) {
            return NoticeFormat.JSON;
        }
        return NoticeFormat.TEXT;
    }

    /** For each media type, the most specific range of {@code accept} that matches it (RFC 9110 §12.5.1). */
    private static void decideMediaTypes(String accept, int[] q, int[] spec, int[] pos) {
        int len = accept.length();
        int i = 0;
        int index = 0;
        while (i < len) {
            int end = indexOfUnquoted(accept, ',', i);
            int semi = indexOfUnquoted(accept, ';', i);
            int rangeEnd = semi >= 0 && semi < end ? semi : end;
            String range = accept.substring(i, rangeEnd).trim();
            int qv = rangeEnd < end ? parseQ(accept, rangeEnd, end) : 1000;
            int slash = range.indexOf('/');
            if (slash > 0) {
                String type = range.substring(0, slash).trim();
                String sub = range.substring(slash + 1).trim();
                for (int t = 0; t < TYPES.length; t++) {
                    int s = specificity(type, sub, t);
                    if (s > spec[t]) { // on a tie the range listed first keeps deciding
                        spec[t] = s;
                        q[t] = qv;
                        pos[t] = index;
                    }
                }
            }
            index++;
            i = end + 1;
        }
    }

    /** How closely {@code type/sub} names media type {@code t}: 2 exactly, 1 by its type, 0 by a wildcard, else -1. */
    private static int specificity(String type, String sub, int t) {
        if (type.equals("*") && sub.equals("*")) {
            return 0;
        }
        if (type.equalsIgnoreCase(TYPES[t][0]) && sub.equals("*") && t != 1) { // application/* is not a page
            return 1;
        }
        if (type.equalsIgnoreCase(TYPES[t][0]) && sub.equalsIgnoreCase(TYPES[t][1])) {
            return 2;
        }
        return -1;
    }

    /** The candidate whose best acceptable media type ranks highest; -1 when none is acceptable. */
    private static int bestCandidate(int[] q, int[] spec, int[] pos) {
        int[] bestQ = {0, 0, 0};
        int[] bestSpec = {-1, -1, -1};
        int[] bestPos = {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE};
        for (int t = 0; t < TYPES.length; t++) {
            if (spec[t] < 0 || q[t] <= 0) {
                continue;
            }
            int c = CANDIDATE_OF[t];
            if (better(q[t], spec[t], pos[t], bestQ[c], bestSpec[c], bestPos[c])) {
                bestQ[c] = q[t];
                bestSpec[c] = spec[t];
                bestPos[c] = pos[t];
            }
        }
        int winner = -1;
        for (int c : TIE_ORDER) {
            if (bestQ[c] <= 0) {
                continue;
            }
            if (winner < 0 || better(bestQ[c], bestSpec[c], bestPos[c], bestQ[winner], bestSpec[winner], bestPos[winner])) {
                winner = c;
            }
        }
        return winner;
    }

    private static boolean better(int q, int spec, int pos, int q2, int spec2, int pos2) {
        if (q != q2) {
            return q > q2;
        }
        if (spec != spec2) {
            return spec > spec2;
        }
        return pos < pos2;
    }

    /**
     * Language for an {@code Accept-Language} header: the supported language with the highest q, where a range
     * matches a language when its primary subtag is that language ({@code fr-CH} matches French) and {@code *}
     * matches any language not named otherwise; ties go to the range listed first; English when nothing matches.
     */
    public static Language language(String acceptLanguage) {
        if (acceptLanguage == null || acceptLanguage.isBlank()) {
            return Language.EN;
        }
        Language[] langs = LANGUAGES;
        int[] q = new int[langs.length];
        int[] pos = new int[langs.length];
        boolean[] named = new boolean[langs.length];
        int starQ = -1, starPos = 0;
        int len = acceptLanguage.length();
        int i = 0, index = 0;
        while (i < len) {
            int end = acceptLanguage.indexOf(',', i);
            if (end < 0) {
                end = len;
            }
            int semi = acceptLanguage.indexOf(';', i);
            int rangeEnd = semi >= 0 && semi < end ? semi : end;
            // Indexes, not substrings: a refusal's notice parsed this header into some 700 bytes of strings.
            int rs = skipSpaces(acceptLanguage, i, rangeEnd);
            int re = trimEnd(acceptLanguage, rs, rangeEnd);
            int qv = rangeEnd < end ? parseQ(acceptLanguage, rangeEnd, end) : 1000;
            if (re - rs == 1 && acceptLanguage.charAt(rs) == '*') {
                if (starQ < 0) {
                    starQ = qv;
                    starPos = index;
                }
            } else if (re > rs) {
                int l = languageOf(acceptLanguage, rs, re);
                if (l >= 0 && (!named[l] || qv > q[l])) {
                    if (!named[l]) {
                        pos[l] = index;
                    }
                    q[l] = Math.max(q[l], qv);
                    named[l] = true;
                }
            }
            index++;
            i = end + 1;
        }
        Language best = null;
        int bq = 0, bpos = Integer.MAX_VALUE;
        for (int l = 0; l < langs.length; l++) {
            int lq = named[l] ? q[l] : (starQ > 0 ? starQ : 0);
            int lpos = named[l] ? pos[l] : starPos;
            if (!named[l] && starQ > 0 && langs[l] != Language.EN) {
                continue; // '*' means "anything": that is English, the default
            }
            if (lq > bq || (lq == bq && lq > 0 && lpos < bpos)) {
                best = langs[l];
                bq = lq;
                bpos = lpos;
            }
        }
        return best == null ? Language.EN : best;
    }

    /** The index in {@link #LANGUAGES} of the language range {@code s[from, to)} names by its primary subtag, or -1. */
    private static int languageOf(String s, int from, int to) {
        int dash = s.indexOf('-', from);
        int primaryEnd = dash < 0 || dash > to ? to : dash;
        for (int l = 0; l < LANGUAGES.length; l++) {
            String tag = LANGUAGES[l].tag();
            if (primaryEnd - from == tag.length() && s.regionMatches(true, from, tag, 0, tag.length())) {
                return l;
            }
        }
        return -1;
    }

    /** Parses the {@code q} parameter among {@code ;params} in {@code s[from, to)}; returns thousandths, 1000 if absent. */
    private static int parseQ(String s, int from, int to) {
        int i = from;
        while (i < to) {
            int semi = indexOfUnquoted(s, ';', i + 1);
            int pEnd = semi < 0 || semi > to ? to : semi;
            int ps = skipSpaces(s, i + 1, pEnd);
            int pe = trimEnd(s, ps, pEnd);
            if (pe - ps >= 2 && (s.charAt(ps) == 'q' || s.charAt(ps) == 'Q')) {
                int eq = skipSpaces(s, ps + 1, pe);
                if (eq < pe && s.charAt(eq) == '=') {
                    return parseQValue(s, skipSpaces(s, eq + 1, pe), pe);
                }
            }
            i = pEnd;
        }
        return 1000;
    }

    /** RFC 9110 qvalue: 0[.ddd] or 1[.000]; anything unparsable counts as 0 (not acceptable). */
    static int parseQValue(String v) {
        return parseQValue(v, 0, v.length());
    }

    private static int parseQValue(String v, int from, int to) {
        if (from >= to) {
            return 0;
        }
        char c0 = v.charAt(from);
        if (c0 != '0' && c0 != '1') {
            return 0;
        }
        int value = (c0 - '0') * 1000;
        if (to - from > 1) {
            if (v.charAt(from + 1) != '.') {
                return 0;
            }
            int scale = 100;
            for (int k = from + 2; k < to && k < from + 5; k++) {
                char d = v.charAt(k);
                if (d < '0' || d > '9') {
                    return 0;
                }
                value += (d - '0') * scale;
                scale /= 10;
            }
        }
        return Math.min(1000, value);
    }

    /** The first index in {@code [from, to)} past what {@link String#trim} would drop, or {@code to}. */
    private static int skipSpaces(String s, int from, int to) {
        while (from < to && s.charAt(from) <= ' ') {
            from++;
        }
        return from;
    }

    /** The end of {@code [from, to)} without what {@link String#trim} would drop. */
    private static int trimEnd(String s, int from, int to) {
        while (to > from && s.charAt(to - 1) <= ' ') {
            to--;
        }
        return to;
    }

    private static int indexOfUnquoted(String s, char ch, int from) {
        boolean quoted = false;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\\' && quoted) {
                i++;
            } else if (c == ch && !quoted) {
                return i;
            }
        }
        return ch == ',' ? s.length() : -1;
    }

    /** Whether the path of this request target ends in {@code /ws.php} (origin- or absolute-form). */
    static boolean isWsPhp(String uri) {
        int start = 0;
        if (!uri.startsWith("/")) {
            int scheme = uri.indexOf("://");
            if (scheme < 0) {
                return false;
            }
            start = uri.indexOf('/', scheme + 3);
            if (start < 0) {
                return false;
            }
        }
        int end = uri.length();
        for (int i = start; i < end; i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        int lastSlash = uri.lastIndexOf('/', end - 1);
        String segment = uri.substring(lastSlash + 1, end);
        if (segment.indexOf('%') >= 0) {
            segment = PercentDecoder.decodePath(segment); // never throws: "/ws.php%" is simply not ws.php
        }
        return segment.equals("ws.php");
    }

    /** The last value of a query-string parameter (as PHP's {@code $_GET} keeps the last), decoded; null if absent. */
    static String queryParameter(String uri, String name) {
        int q = uri.indexOf('?');
        if (q < 0) {
            return null;
        }
        int end = uri.indexOf('#', q);
        if (end < 0) {
            end = uri.length();
        }
        String found = null;
        int i = q + 1;
        while (i < end) {
            int amp = uri.indexOf('&', i);
            if (amp < 0 || amp > end) {
                amp = end;
            }
            int eq = uri.indexOf('=', i);
            int nameEnd = eq >= 0 && eq < amp ? eq : amp;
            String n = uri.substring(i, nameEnd);
            if (n.indexOf('%') >= 0 || n.indexOf('+') >= 0) {
                n = PercentDecoder.decodeForm(n);
            }
            if (n.equals(name)) {
                String v = nameEnd < amp ? uri.substring(nameEnd + 1, amp) : "";
                if (v.indexOf('%') >= 0 || v.indexOf('+') >= 0) {
                    v = PercentDecoder.decodeForm(v);
                }
                found = v;
            }
            i = amp + 1;
        }
        return found;
    }
}
