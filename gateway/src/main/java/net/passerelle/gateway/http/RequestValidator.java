package net.passerelle.gateway.http;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import net.passerelle.gateway.routing.HostNormalizer;

import java.util.Iterator;

/**
 * The checks a request passes before anything routes it: what Netty's decoder found, then the rules of RFC 9112
 * that a proxy has to enforce itself. Pure: no channel, no I/O, so every rule is a table test.
 */
public final class RequestValidator {
    private final int maxHeaderCount;
    private final long maxBodySize;

    public RequestValidator(int maxHeaderCount, long maxBodySize) {
        this.maxHeaderCount = maxHeaderCount;
        this.maxBodySize = maxBodySize;
    }

    /**
     * @param normalizedHost the request's (first) Host header through {@link HostNormalizer#normalize}, which the
     *                       caller needs for routing anyway: normalised once per request
     * @return why the request is refused, or null when it may go on
     */
    public Rejection validate(HttpRequest request, String normalizedHost) {
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            return decoderRejection(result.cause());
        }
        HttpVersion version = request.protocolVersion();
        if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0
                && !version.equals(HttpVersion.HTTP_1_1) && !version.equals(HttpVersion.HTTP_1_0)) {
            return Rejection.MALFORMED;
        }
        HttpHeaders headers = request.headers();
        if (headers.size() > maxHeaderCount) {
            return Rejection.HEADERS_TOO_LARGE;
        }
        HttpMethod method = request.method();
        if (method == HttpMethod.CONNECT || method == HttpMethod.TRACE) {
            return Rejection.METHOD_REFUSED;
        }
        Iterator<String> hosts = headers.valueStringIterator(HttpHeaderNames.HOST);
        if (!hosts.hasNext()) {
            return Rejection.MISSING_HOST;
        }
        hosts.next();
        if (hosts.hasNext()) {
            return Rejection.SEVERAL_HOSTS;
        }
        if (normalizedHost == null) {
            return Rejection.INVALID_HOST;
        }
        Rejection target = checkTarget(request.uri(), method, normalizedHost);
        if (target != null) {
            return target;
        }
        if (headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            // Netty checked that chunked comes last; anything before it would be a coding we cannot forward.
            Iterator<String> it = headers.valueStringIterator(HttpHeaderNames.TRANSFER_ENCODING);
            int codings = 0;
            while (it.hasNext()) {
                for (String coding : it.next().split(",")) {
                    String c = coding.trim();
                    if (!c.isEmpty()) {
                        codings++;
                        if (!HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(c)) {
                            return Rejection.UNSUPPORTED_CODING;
                        }
                    }
                }
            }
            if (codings != 1) {
                return Rejection.UNSUPPORTED_CODING;
            }
        }
        long length = HttpUtil.getContentLength(request, -1L);
        if (length > maxBodySize) {
            return Rejection.BODY_TOO_LARGE;
        }
        return null;
    }

    static Rejection decoderRejection(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return Rejection.URI_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            return Rejection.HEADERS_TOO_LARGE;
        }
        return Rejection.MALFORMED;
    }

    private static Rejection checkTarget(String uri, HttpMethod method, String normalizedHost) {
        if (uri.isEmpty()) {
            return Rejection.BAD_TARGET;
        }
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '#') {
                return Rejection.BAD_TARGET;
            }
        }
        char first = uri.charAt(0);
        if (first == '/') {
            return null;
        }
        if (first == '*') {
            return uri.length() == 1 && method == HttpMethod.OPTIONS ? null : Rejection.BAD_TARGET;
        }
        String authority = absoluteFormAuthority(uri);
        if (authority == null) {
            return Rejection.BAD_TARGET;
        }
        String normalized = HostNormalizer.normalize(authority);
        if (normalized == null || authority.indexOf('@') >= 0) {
            return Rejection.BAD_TARGET;
        }
        return normalized.equals(normalizedHost) ? null : Rejection.AUTHORITY_MISMATCH;
    }

    /** The authority of an {@code http://} or {@code https://} target, or null when the target is not one. */
    public static String absoluteFormAuthority(String uri) {
        int schemeEnd;
        if (uri.regionMatches(true, 0, "http://", 0, 7)) {
            schemeEnd = 7;
        } else if (uri.regionMatches(true, 0, "https://", 0, 8)) {
            schemeEnd = 8;
        } else {
            return null;
        }
        int end = schemeEnd;
        while (end < uri.length()) {
            char c = uri.charAt(end);
            if (c == '/' || c == '?') {
                break;
            }
            end++;
        }
        return end == schemeEnd ? null : uri.substring(schemeEnd, end);
    }

    /** The origin-form of a target: absolute-form loses its scheme and authority, the rest is kept as sent. */
    public static String originForm(String uri) {
        String authority = absoluteFormAuthority(uri);
        if (authority == null) {
            return uri;
        }
        int start = uri.indexOf(authority) + authority.length();
        String rest = uri.substring(start);
        return rest.isEmpty() ? "/" : rest.charAt(0) == '?' ? "/" + rest : rest;
    }

}
