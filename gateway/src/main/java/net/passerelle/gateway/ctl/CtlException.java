package net.passerelle.gateway.ctl;

/** A failure that ends the command with a message and an {@link Exit} code (the API unreachable, a token file unreadable). */
final class CtlException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    CtlException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
