package net.passerelle.gateway.notice;

import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.Locale;

/**
 * What a notice is about. Each kind knows the HTTP status it is answered with, the machine-readable
 * code used in JSON ({@code "error"}) and in the message bundles, and whether the gateway should close
 * the connection after sending it (a hint for the caller: the renderer itself never sets {@code Connection}).
 */
public enum NoticeKind {
    /**
     * A write refused while the group is read-only (reject policy); reading still works, and so does signing in and
     * out unless {@code classification.signInDuringReadOnly} is false (see the policy's {@code PiwigoProfile}).
     */
    READ_ONLY(503, false),
    /** A write received, fsynced to the spool and queued under a reference id (queue policy). */
    QUEUED(202, false),
    /** The group is in maintenance: nothing is proxied. */
    MAINTENANCE(503, false),
    /** No gallery is registered for this Host. */
    UNKNOWN_HOST(404, false),
    /** The gallery's backend (and spares) are not answering. */
    BAD_GATEWAY(502, false),
    /** The gallery's backend did not answer in time. */
    GATEWAY_TIMEOUT(504, false),
    /**
     * A backend served a web server's default page ("Apache2 Debian Default Page", "Welcome to nginx!")
     * instead of the gallery. 502: the gateway got an answer it must not pass on, which is what
     * Bad Gateway means; the page tells the visitor to try again shortly.
     */
    DEFAULT_PAGE(502, false),
    BAD_REQUEST(400, true),
    REQUEST_TIMEOUT(408, true),
    PAYLOAD_TOO_LARGE(413, true),
    URI_TOO_LONG(414, true),
    HEADERS_TOO_LARGE(431, true),
    /** TRACE and CONNECT (the response carries an {@code Allow} header). */
    METHOD_NOT_ALLOWED(405, false),
    /** Too many connections from one client address: 429, a per-client limit rather than an overloaded server. */
    TOO_MANY_CONNECTIONS(429, true),
    /** Over TLS, a Host the connection's certificate does not cover: the browser connects again for that name. */
    MISDIRECTED(421, false),
    /** The gateway holds as much memory for clients as it may ({@code limits.maxBufferedMemory}): new work waits. */
    OVERLOADED(503, true);

    private final HttpResponseStatus status;
    private final boolean closesConnection;
    private final String code;

    NoticeKind(int status, boolean closesConnection) {
        this.status = HttpResponseStatus.valueOf(status);
        this.closesConnection = closesConnection;
        this.code = name().toLowerCase(Locale.ROOT);
    }

    public HttpResponseStatus status() {
        return status;
    }

    public int statusCode() {
        return status.code();
    }

    /** Lower-case code, e.g. {@code read_only}; used as {@code "error"} in JSON and as the message-bundle prefix. */
    public String code() {
        return code;
    }

    /** Whether the gateway should close the connection after this notice (the request could not be framed or finished). */
    public boolean closesConnection() {
        return closesConnection;
    }

    /** Whether a {@code Retry-After} header is sent when a delay is known (503 and 429). */
    public boolean sendsRetryAfter() {
        int c = status.code();
        return c == 503 || c == 429;
    }
}
