package net.passerelle.gateway.policy;

/** What a request is, as far as read-only mode is concerned. */
public enum RequestClass {
    /** Only reads gallery data: proxied in read-only mode. */
    READ,
    /** May change gallery data: rejected or queued in read-only mode. */
    WRITE,
    /** Never proxied ({@code TRACE}, {@code CONNECT}, or a rule that says so). */
    REFUSED
}
