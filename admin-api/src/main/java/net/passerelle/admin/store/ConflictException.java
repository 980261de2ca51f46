package net.passerelle.admin.store;

/** The change contradicts the current state of the store (the API answers {@code 409}); nothing was changed. */
public class ConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConflictException(String message) {
        super(message);
    }
}
