package net.passerelle.gateway.policy;

/**
 * What the gateway does with a request, once routed: a closed set, decided by {@link AccessPolicy} and carried out
 * by the proxy. The proxy MUST NOT forward a request for any action but {@link #FORWARD}.
 */
public enum Action {
    /** Proxy it to the group's backend. */
    FORWARD,
    /** The head cannot decide: read the body (bounded by the classifier's peek limit), then decide again. */
    PEEK_BODY,
    /** Answer 503 with the read-only notice; nothing is forwarded. */
    REJECT_READ_ONLY,
    /** Write it to the spool and answer 202 once it is on disk (or 503 when it cannot be). */
    QUEUE,
    /** Answer 503 with the maintenance notice. */
    MAINTENANCE,
    /** Answer 405: a method the gateway never proxies. */
    REFUSE_METHOD
}
