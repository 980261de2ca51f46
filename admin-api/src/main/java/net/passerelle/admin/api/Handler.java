package net.passerelle.admin.api;

import java.util.concurrent.CompletableFuture;

/**
 * Answers one route. Called on the API's worker threads, never on an event loop: a handler may block on the
 * store. A handler that waits for something else (the fleet's confirmation) returns a future that completes later
 * instead of blocking a worker. Throwing {@link ApiException} (or completing with it) answers a JSON error.
 */
@FunctionalInterface
public interface Handler {

    CompletableFuture<ApiResponse> handle(ApiRequest request) throws Exception;

    /** A handler that answers at once. */
    static Handler sync(SyncHandler h) {
        return request -> CompletableFuture.completedFuture(h.handle(request));
    }

    @FunctionalInterface
    interface SyncHandler {
        ApiResponse handle(ApiRequest request) throws Exception;
    }
}
