package net.passerelle.gateway.proxy;

import net.passerelle.gateway.proxy.ProxyListener.Outcome;
import net.passerelle.gateway.routing.Backend;
import net.passerelle.gateway.routing.GroupRoute;

/**
 * What an exchange did, as {@link ProxyListener#exchangeDone} sees it once at its end: who asked for what, how it was
 * answered, by whom and how fast. A view over the exchange itself, valid only during that call (the exchange is
 * reused for the connection's next request): listeners copy what they keep.
 */
public interface ExchangeRecord {
    String requestId();

    /** The address of the client as the gateway saw its peer, as text ({@code 192.0.2.7}); null without one. */
    String clientAddress();

    /** The Host, normalised when it could be, as sent otherwise (null when there was none). */
    String host();

    /** The group that served the request, or null when it never reached one. */
    GroupRoute group();

    /** Null for an answer without a request (a head too slow to arrive). */
    String method();

    /** The request target as received (null without a request). */
    String target();

    String userAgent();

    String referer();

    /** {@code HTTP/1.1}, {@code HTTP/1.0} or {@code h2}. */
    String protocol();

    /** The TLS protocol of the connection ({@code TLSv1.3}), or null over plain HTTP. */
    String tlsProtocol();

    /** The status sent to the client (0 when nothing was). */
    int status();

    Outcome outcome();

    /** Request body bytes read from the client. */
    long bytesIn();

    /** Response body bytes written to the client. */
    long bytesOut();

    /** The backend the request went to, or null. */
    Backend backend();

    /**
     * Backends that could not be connected to before the one in {@link #backend()} (or, with a 502/504, including it):
     * 0 in the common case. Such a request paid a refusal or a connect timeout even when it ended well.
     */
    int connectFailures();

    /** Time spent waiting in the backend's line ({@code upstream.maxPendingPerBackend}); -1 when it did not wait. */
    long queueNanos();

    /** Time to open the backend connection; 0 for a pooled one, -1 without a backend. */
    long connectNanos();

    /** From the request sent to the backend to its response head; -1 when no head came. */
    long firstByteNanos();

    /** From the request head's arrival to the end of the exchange. */
    long totalNanos();
}
