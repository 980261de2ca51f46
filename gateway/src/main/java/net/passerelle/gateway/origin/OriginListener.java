package net.passerelle.gateway.origin;

/**
 * What a backend connection reports to the exchange using it: the narrow interface between the two sides of the
 * proxy. Both run on the same event loop (a backend connection is always opened on its client's loop), so the
 * calls are direct, with no locks.
 */
public interface OriginListener {
    /** A response part decoded from the backend ({@code HttpResponse}, {@code HttpContent}); the listener owns it. */
    void originMessage(OriginConnection connection, Object msg);

    /** The backend connection can take more of the request body again. */
    void originWritable(OriginConnection connection);

    /**
     * How many response bytes the exchange can take now without passing its client's high-water mark: the size of
     * the next read from the backend ({@link BudgetedRecvAllocator}).
     */
    int readBudget();

    /** The backend connection closed (by the backend, by a reset, or by us). */
    void originClosed(OriginConnection connection);
}
