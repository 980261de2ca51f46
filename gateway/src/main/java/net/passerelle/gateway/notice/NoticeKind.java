package net.passerelle.gateway.notice;

import io.netty.handler.codec.http.HttpResponseStatus;

/** PLACEHOLDER until the notice branch lands. */
public enum NoticeKind {
    READ_ONLY(503), QUEUED(202), MAINTENANCE(503), UNKNOWN_HOST(404), BAD_GATEWAY(502), GATEWAY_TIMEOUT(504),
    DEFAULT_PAGE(502), BAD_REQUEST(400), REQUEST_TIMEOUT(408), PAYLOAD_TOO_LARGE(413), URI_TOO_LONG(414),
    HEADERS_TOO_LARGE(431), METHOD_NOT_ALLOWED(405), TOO_MANY_CONNECTIONS(429);

    private final int status;

    NoticeKind(int status) {
        this.status = status;
    }

    public HttpResponseStatus status() {
        return HttpResponseStatus.valueOf(status);
    }
}
