package net.passerelle.gateway.health;

import net.passerelle.gateway.routing.Backend;

/**
 * What the request path asks of backend health, and what it tells it. Called on data-plane event loops for every
 * request: implementations must not block, lock or allocate on the common path (volatile reads are fine).
 */
public interface BackendHealth {
    /** Every backend available, nothing recorded: the behaviour without health checks. */
    BackendHealth NONE = new BackendHealth() {
    };

    /** Whether new requests may go to this backend: checks say it is up and ops have it {@code ready}. */
    default boolean available(Backend backend) {
        return true;
    }

    /**
     * Whether this backend may still be used as a last resort when nothing is available (it is down, but ops have
     * not taken it out with {@code drain} or {@code maint}).
     */
    default boolean lastResort(Backend backend) {
        return true;
    }

    /** A connection to the backend could not be opened (refused, timed out). */
    default void connectFailed(Backend backend) {
    }

    /** The backend closed or reset the connection before any response head. */
    default void closedBeforeResponse(Backend backend) {
    }

    /** A final response head arrived from the backend. */
    default void responded(Backend backend, int status) {
    }
}
