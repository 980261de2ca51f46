package net.passerelle.admin.store;

/**
 * The store could not do its job: unreachable, timed out, or failed in a way that says nothing about the request
 * (the API answers {@code 503}; the gateway keeps its last table). Domain refusals are {@link NotFoundException}
 * and {@link ConflictException} instead.
 */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
