package net.passerelle.gateway.proxy;

import net.passerelle.gateway.routing.GroupRoute;

import java.util.Locale;

/**
 * What the proxy reports about each exchange: metrics and the access log listen here, so the proxy itself holds
 * no meter. Called on event loop threads; implementations must be cheap and must not block.
 */
public interface ProxyListener {
    /**
     * How an exchange ended, in the access log's words ({@link #label()}): a closed set, used as a metric tag too.
     */
    enum Outcome {
        /** A backend's response was relayed. */
        PROXIED,
        /** The group's read-only or maintenance notice. */
        NOTICE,
        /** A write spooled and acknowledged with 202. */
        QUEUED,
        /** No gallery at this Host: the 404 page. */
        UNKNOWN_HOST,
        /** A backend answered with a web server's default page; the visitor got the notice. */
        GUARDED,
        /** Malformed, ambiguous or over a limit (400, 413, 414, 431). */
        MALFORMED,
        /** The client was too slow to send its request (408). */
        TIMEOUT,
        /** A method the gateway never proxies (405), or a Host the TLS connection's certificate does not cover (421). */
        REFUSED,
        /** Plain HTTP for a host served over https: 308 ({@code tls.redirectHttp}). */
        REDIRECTED,
        /** Answered by the gateway itself with content of its own (an ACME challenge). */
        ANSWERED,
        /** The gateway held too much memory for clients (503). */
        OVERLOADED,
        /** No backend answered well: refused, reset, timed out or malformed (502, 504). */
        BACKEND_ERROR,
        /** The exchange was dropped half-way (the client left, or could not be answered cleanly). */
        ABORTED;

        private final String label = name().toLowerCase(Locale.ROOT).replace('_', '-');

        public String label() {
            return label;
        }
    }

    ProxyListener NOOP = record -> { };

    /** Once per exchange, at its end. The record is valid during the call only. */
    void exchangeDone(ExchangeRecord record);

    /** A backend answered a known host with a web server's default page, and the visitor got the notice instead. */
    default void defaultPageBlocked(GroupRoute group, String backend, String fingerprint) {
    }

    /** Both listeners, in order. */
    static ProxyListener both(ProxyListener first, ProxyListener second) {
        return new ProxyListener() {
            @Override
            public void exchangeDone(ExchangeRecord record) {
                first.exchangeDone(record);
                second.exchangeDone(record);
            }

            @Override
            public void defaultPageBlocked(GroupRoute group, String backend, String fingerprint) {
                first.defaultPageBlocked(group, backend, fingerprint);
                second.defaultPageBlocked(group, backend, fingerprint);
            }
        };
    }
}
