package net.passerelle.gateway.client;

/**
 * Fired down every client connection's pipeline when the gateway drains (graceful shutdown): the connection closes
 * at once when it is between requests, or after the response of its current exchange otherwise (which then carries
 * {@code Connection: close} when its head has not gone out yet).
 */
public final class DrainEvent {
    public static final DrainEvent INSTANCE = new DrainEvent();

    private DrainEvent() {
    }

    @Override
    public String toString() {
        return "DrainEvent";
    }
}
