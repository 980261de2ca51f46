package net.passerelle.gateway.policy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import net.passerelle.gateway.uri.PercentDecoder;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the classifier needs from a request head, copied out of it (a {@link NeedsBody} outlives the head object).
 * The path and query are parsed lazily, so a request no rule looks at costs little.
 */
final class RequestFacts {
    enum FormKind { NONE, URLENCODED, MULTIPART }

    /**
     * Marks a path naming two different scripts (e.g. {@code /index.php/ws.php}), or one with a bad {@code %} escape
     * (nginx and Apache refuse it, PHP's own server keeps it, another front end may guess): never a read.
     */
    static final String AMBIGUOUS_SCRIPT = "<ambiguous>";

    final String httpMethod;
    final String rawUri;
    final long contentLength;      // -1 when unknown (chunked)
    final boolean hasBody;
    final FormKind formKind;
    final String boundary;         // multipart only; null when missing or malformed
    final boolean contentEncoded;  // Content-Encoding other than identity: the body bytes are not the form
    /** A POST whose body PHP parses into {@code $_POST}: parameters may hide in it. */
    final boolean formBody;

    private String path;
    private String loosePath;
    private String script;
    private boolean scriptDone;
    private Params query;

    private RequestFacts(String httpMethod, String rawUri, long contentLength, boolean hasBody, FormKind formKind,
                         String boundary, boolean contentEncoded) {
        this.httpMethod = httpMethod;
        this.rawUri = rawUri;
        this.contentLength = contentLength;
        this.hasBody = hasBody;
        this.formKind = formKind;
        this.boundary = boundary;
        this.contentEncoded = contentEncoded;
        this.formBody = "POST".equals(httpMethod) && hasBody && formKind != FormKind.NONE;
    }

    /** @throws IllegalArgumentException when the head is too odd to classify (the caller then says WRITE) */
    static RequestFacts of(HttpRequest head) {
        HttpHeaders h = head.headers();
        long length;
        try {
            length = HttpUtil.getContentLength(head, -1L);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad Content-Length", e);
        }
        boolean chunked = HttpUtil.isTransferEncodingChunked(head);
        if (chunked) {
            length = -1;
        }
        boolean hasBody = chunked || length > 0;
        FormKind kind = FormKind.NONE;
        String boundary = null;
        String method = head.method().name();
        // only a POST body ever reaches $_POST, so other methods skip the Content-Type work (hot path)
        List<String> types = "POST".equals(method) ? h.getAll(HttpHeaderNames.CONTENT_TYPE) : List.of();
        if (types.size() > 1) {
            throw new IllegalArgumentException("several Content-Type headers");
        }
        if (types.size() == 1) {
            String ct = types.get(0);
            String type = phpContentType(ct);
            if (type.equals("application/x-www-form-urlencoded")) {
                kind = FormKind.URLENCODED;
            } else if (type.equals("multipart/form-data")) {
                kind = FormKind.MULTIPART;
                boundary = phpBoundary(ct);
            }
        }
        String encoding = h.get(HttpHeaderNames.CONTENT_ENCODING);
        boolean encoded = encoding != null && !encoding.trim().equalsIgnoreCase("identity");
        return new RequestFacts(method, head.uri(), length, hasBody, kind, boundary, encoded);
    }

    /** PHP's SAPI: the content type is lower-cased and cut at the first {@code ';'}, {@code ','} or space. */
    static String phpContentType(String ct) {
        String t = ct.trim();
        int end = t.length();
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == ';' || c == ',' || c == ' ') {
                end = i;
                break;
            }
        }
        return t.substring(0, end).toLowerCase(Locale.ROOT);
    }

    /** PHP's {@code rfc1867.c}: "boundary" anywhere, then {@code '='}, then a quoted string or up to , or ;. */
    static String phpBoundary(String ct) {
        int at = ct.indexOf("boundary");
        if (at < 0) {
            at = ct.toLowerCase(Locale.ROOT).indexOf("boundary");
        }
        if (at < 0) {
            return null;
        }
        int eq = ct.indexOf('=', at);
        if (eq < 0) {
            return null;
        }
        String b = ct.substring(eq + 1);
        if (b.startsWith("\"")) {
            int end = b.indexOf('"', 1);
            if (end < 0) {
                return null;
            }
            b = b.substring(1, end);
        } else {
            for (int i = 0; i < b.length(); i++) {
                if (b.charAt(i) == ',' || b.charAt(i) == ';') {
                    b = b.substring(0, i);
                    break;
                }
            }
        }
        return b.isEmpty() ? null : b;
    }

    /** The query string's parameters, PHP-style. */
    Params query() {
        if (query == null) {
            String q = rawQuery(rawUri);
            query = q == null ? Params.EMPTY : Params.parseUrlEncoded(q);
        }
        return query;
    }

    /** The path, percent-decoded once, backslashes as slashes, empty and dot segments resolved. */
    String path() {
        if (path == null) {
            path = normalisePath(rawPath(rawUri));
        }
        return path;
    }

    /** {@link #path()} lower-cased, each segment cut at {@code ';'} and stripped of trailing dots and spaces. */
    String loosePath() {
        if (loosePath == null) {
            String p = path();
            StringBuilder sb = new StringBuilder(p.length());
            for (String seg : p.split("/", -1)) {
                if (sb.length() > 0 || !seg.isEmpty()) {
                    sb.append('/').append(looseSegment(seg));
                }
            }
            loosePath = sb.length() == 0 ? "/" : sb.toString();
        }
        return loosePath;
    }

    /**
     * The PHP script the web server would run, lower-cased ({@code "ws.php"}), or null when the path names none.
     * The first segment that ends in {@code .php} (or is a Piwigo script name without it: Piwigo can be set up
     * without extensions in URLs) is the script, the rest being PATH_INFO; a later {@code .php} segment naming
     * another script makes the path {@link #AMBIGUOUS_SCRIPT} (some nginx set-ups would run that one).
     */
    String script() {
        if (!scriptDone) {
            scriptDone = true;
            String raw = rawPath(rawUri);
            if (PercentDecoder.hasInvalidEscape(raw, 0, raw.length())) {
                script = AMBIGUOUS_SCRIPT;
                return script;
            }
            String found = null;
            for (String seg : path().split("/")) {
                if (seg.isEmpty()) {
                    continue;
                }
                String key = looseSegment(seg);
                if (found == null) {
                    if (key.endsWith(".php")) {
                        found = key;
                    } else if (PiwigoProfile.SCRIPT_BASE_NAMES.contains(key)) {
                        found = key + ".php";
                    }
                } else if (key.endsWith(".php") && !key.equals(found)) {
                    found = AMBIGUOUS_SCRIPT;
                    break;
                }
            }
            script = found;
        }
        return script;
    }

    private static String looseSegment(String seg) {
        String key = seg.toLowerCase(Locale.ROOT);
        int semi = key.indexOf(';');
        if (semi >= 0) {
            key = key.substring(0, semi);
        }
        int end = key.length();
        while (end > 0 && (key.charAt(end - 1) == '.' || key.charAt(end - 1) == ' ')) {
            end--;
        }
        return key.substring(0, end);
    }

    static String rawQuery(String uri) {
        int q = uri.indexOf('?');
        if (q < 0) {
            return null;
        }
        int hash = uri.indexOf('#', q);
        return hash < 0 ? uri.substring(q + 1) : uri.substring(q + 1, hash);
    }

    static String rawPath(String uri) {
        String u = uri;
        int scheme = u.indexOf("://");
        int q0 = u.indexOf('?');
        if (!u.startsWith("/") && scheme > 0 && (q0 < 0 || scheme < q0)) {
            int slash = u.indexOf('/', scheme + 3);
            int q = u.indexOf('?', scheme + 3);
            if (slash < 0 || (q >= 0 && q < slash)) {
                return "/";
            }
            u = u.substring(slash);
        }
        int end = u.length();
        int q = u.indexOf('?');
        if (q >= 0) {
            end = q;
        }
        int hash = u.indexOf('#');
        if (hash >= 0 && hash < end) {
            end = hash;
        }
        return u.substring(0, end);
    }

    /**
     * Decodes %XX once as a web server does ({@link PercentDecoder#decodePath}: malformed escapes kept, no '+'),
     * turns {@code \\} into {@code /}, resolves segments. {@code raw} is a byte string, as the request line is.
     */
    static String normalisePath(String raw) {
        String decoded = PercentDecoder.decodePath(raw); // returns raw's text at once when there is nothing to decode
        decoded = decoded.replace('\\', '/');
        boolean trailingSlash = decoded.endsWith("/");
        List<String> segs = new ArrayList<>();
        for (String seg : decoded.split("/")) {
            int nul = seg.indexOf('\0');
            if (nul >= 0) {
                seg = seg.substring(0, nul);
            }
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                if (!segs.isEmpty()) {
                    segs.remove(segs.size() - 1);
                }
                continue;
            }
            segs.add(seg);
        }
        if (segs.isEmpty()) {
            return "/";
        }
        StringBuilder sb = new StringBuilder(decoded.length() + 1);
        for (String s : segs) {
            sb.append('/').append(s);
        }
        if (trailingSlash) {
            sb.append('/');
        }
        return sb.toString();
    }
}
