package net.passerelle.gateway.proxy;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import net.passerelle.gateway.http.ForwardingHeaders;
import net.passerelle.gateway.http.Rejection;
import net.passerelle.gateway.notice.HttpDate;
import net.passerelle.gateway.notice.Language;
import net.passerelle.gateway.notice.NoticeContext;
import net.passerelle.gateway.notice.NoticeFormat;
import net.passerelle.gateway.notice.NoticeKind;
import net.passerelle.gateway.notice.NoticeNegotiator;
import net.passerelle.gateway.proxy.ProxyListener.Outcome;
import net.passerelle.gateway.routing.GroupRoute;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Every response the gateway makes itself: the unknown-host page, read-only and maintenance notices, the 202 of a
 * queued write, 4xx refusals, 502/504 when backends fail. The one place that computes {@code Retry-After}. A notice
 * that cannot be rendered (whatever the request carried) still answers: a plain-text fallback with the same status.
 */
final class LocalAnswer {
    private static final Logger log = LoggerFactory.getLogger(LocalAnswer.class);

    /** The reference id of a queued write, for API clients that do not parse the notice. */
    static final AsciiString QUEUE_REFERENCE = AsciiString.cached("x-passerelle-reference");
    private static final HttpDate DATE = new HttpDate();
    private static final int OVERLOAD_RETRY_SECONDS = 5;

    private final Exchange ex;

    LocalAnswer(Exchange ex) {
        this.ex = ex;
    }

    /**
     * Answers the current request with a notice that announces no end.
     *
     * @param close the connection must be closed after it (malformed or unfinished request)
     */
    void answer(NoticeKind kind, boolean close, Outcome outcome) {
        send(render(kind, null, null, null), close, outcome);
    }

    /**
     * 503 for a gateway or backend that takes no more work for now (buffered memory, or a backend's line waited out):
     * a moment's overload, so the visitor is told to come back in a few seconds, not at some window's end.
     */
    void overloaded(boolean close) {
        send(render(NoticeKind.OVERLOADED, OVERLOAD_RETRY_SECONDS, null, null), close, Outcome.OVERLOADED);
    }

    /**
     * The group's read-only or maintenance notice: 503 and {@code Retry-After}; the end time only when a window
     * says it (a mode set with no window has no known end: the notice promises none).
     */
    void notice(NoticeKind kind) {
        Instant endsAt = ex.group.modeEndsAt();
        send(render(kind, retryAfter(endsAt), endsAt, null), false, Outcome.NOTICE);
    }

    /** A write is on disk under {@code referenceId}: 202, with the reference in a header and in the notice. */
    void queued(String referenceId) {
        FullHttpResponse response = render(NoticeKind.QUEUED, null, ex.group.modeEndsAt(), referenceId);
        response.headers().set(QUEUE_REFERENCE, referenceId);
        send(response, false, Outcome.QUEUED);
    }

    /** {@code 308} to the same URL over https ({@code tls.redirectHttp}). */
    void redirect(String location) {
        FullHttpResponse response = plain(HttpResponseStatus.PERMANENT_REDIRECT, "This gallery is served over https: " + location + "\n");
        response.headers().set(HttpHeaderNames.LOCATION, location);
        send(response, false, Outcome.REDIRECTED);
    }

    /** {@code 200 text/plain} with a text of the gateway's own (an ACME challenge's key authorisation). */
    void text(String body) {
        send(plain(HttpResponseStatus.OK, body), false, Outcome.ANSWERED);
    }

    private FullHttpResponse plain(HttpResponseStatus status, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                ex.headRequest ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return response;
    }

    /** Seconds to the window's end; without a window, the group's {@code retryAfterSeconds}. */
    private int retryAfter(Instant endsAt) {
        if (endsAt == null) {
            return ex.group.retryAfterSeconds();
        }
        long seconds = Math.max(0, endsAt.getEpochSecond() - ex.px.clock().instant().getEpochSecond());
        return (int) Math.min(Integer.MAX_VALUE, seconds);
    }

    static NoticeKind noticeFor(Rejection rejection) {
        return switch (rejection) {
            case URI_TOO_LONG -> NoticeKind.URI_TOO_LONG;
            case HEADERS_TOO_LARGE -> NoticeKind.HEADERS_TOO_LARGE;
            case BODY_TOO_LARGE -> NoticeKind.PAYLOAD_TOO_LARGE;
            case METHOD_REFUSED -> NoticeKind.METHOD_NOT_ALLOWED;
            default -> NoticeKind.BAD_REQUEST;
        };
    }

    private void send(FullHttpResponse response, boolean close, Outcome outcome) {
        response.headers().set(ForwardingHeaders.X_REQUEST_ID, ex.requestId).set(HttpHeaderNames.DATE, DATE.at(ex.px.clock().millis()));
        ex.trace.bytesOut += response.content().readableBytes();
        ex.addHsts(response.headers());
        ex.finish(outcome, response.status().code());
        ex.client.sendLocal(response, close);
    }

    private FullHttpResponse render(NoticeKind kind, Integer retryAfter, Instant endsAt, String referenceId) {
        HttpRequest request = ex.request;
        GroupRoute group = ex.group;
        try {
            NoticeFormat format = NoticeNegotiator.format(request);
            Language language = NoticeNegotiator.language(request == null ? null : request.headers().get(HttpHeaderNames.ACCEPT_LANGUAGE));
            NoticeContext context = new NoticeContext(kind, group == null ? null : group.name(),
                    group == null ? null : group.message(), endsAt, retryAfter, referenceId, ex.requestId,
                    group == null ? null : group.readOnlySince());
            return ex.px.notices().render(context, format, language, ex.client.channel().alloc(), ex.headRequest);
        } catch (RuntimeException e) {
            // A notice is the gateway's own answer: it must go out whatever the request looked like.
            log.warn("request {}: the {} notice could not be rendered ({}); answering in plain text", ex.requestId,
                    kind.code(), e.toString());
            return fallback(kind);
        }
    }

    private FullHttpResponse fallback(NoticeKind kind) {
        return plain(kind.status(), kind.status().reasonPhrase() + "\n");
    }
}
