package net.passerelle.gateway.http;

/** A request the gateway refuses to interpret (answered 400, connection closed); the message says why, for the log. */
public final class MalformedRequestException extends IllegalArgumentException {
    public MalformedRequestException(String message) {
        super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        // Thrown by clients at will; a stack trace would only cost time.
        return this;
    }
}
