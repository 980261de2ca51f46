package net.passerelle.gateway.proxy;

import net.passerelle.gateway.routing.GroupRoute;

/**
 * What the proxy reports about each exchange: metrics and the access log listen here, so the proxy itself holds
 * no meter. Called on event loop threads; implementations must be cheap and must not block.
 */
public interface ProxyListener {
    /** How an exchange ended. */
    enum Outcome { FORWARDED, REFUSED, QUEUED, UNKNOWN_HOST, BAD_REQUEST, ERROR, ABORTED }

    ProxyListener NOOP = (group, outcome, status, nanos) -> { };

    /** @param group the group, or null when the request never reached one */
    void exchangeDone(GroupRoute group, Outcome outcome, int status, long durationNanos);

    /** A backend answered a known host with a web server's default page, and the visitor got the notice instead. */
    default void defaultPageBlocked(GroupRoute group, String backend, String fingerprint) {
    }
}
