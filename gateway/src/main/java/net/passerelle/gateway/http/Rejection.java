package net.passerelle.gateway.http;

import io.netty.handler.codec.http.HttpResponseStatus;

/** Why the gateway answers a request itself without looking further; each carries its status. */
public enum Rejection {
    MALFORMED(HttpResponseStatus.BAD_REQUEST, "malformed request"),
    MISSING_HOST(HttpResponseStatus.BAD_REQUEST, "missing Host header"),
    SEVERAL_HOSTS(HttpResponseStatus.BAD_REQUEST, "several Host headers"),
    INVALID_HOST(HttpResponseStatus.BAD_REQUEST, "invalid Host header"),
    AUTHORITY_MISMATCH(HttpResponseStatus.BAD_REQUEST, "absolute-form target disagrees with Host"),
    BAD_TARGET(HttpResponseStatus.BAD_REQUEST, "invalid request target"),
    UNSUPPORTED_CODING(HttpResponseStatus.BAD_REQUEST, "unsupported transfer coding"),
    METHOD_REFUSED(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed through the gateway"),
    URI_TOO_LONG(HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line too long"),
    HEADERS_TOO_LARGE(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers too large or too many"),
    BODY_TOO_LARGE(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body too large");

    private final HttpResponseStatus status;
    private final String reason;

    Rejection(HttpResponseStatus status, String reason) {
        this.status = status;
        this.reason = reason;
    }

    public HttpResponseStatus status() {
        return status;
    }

    public String reason() {
        return reason;
    }
}
