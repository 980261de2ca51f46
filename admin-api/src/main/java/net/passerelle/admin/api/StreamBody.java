package net.passerelle.admin.api;

/**
 * A body that is written as it is produced, in chunks, on a connection kept open until the producer or the client
 * ends it ({@code text/event-stream}). An {@link ApiResponse} whose body is a {@code StreamBody} is answered with its
 * status and content type, {@code Transfer-Encoding: chunked}, and whatever the producer sends; the connection is
 * closed after it.
 */
@FunctionalInterface
public interface StreamBody {

    /**
     * Called once, after the head was written, on an API worker thread: start producing (typically by scheduling
     * work elsewhere) and return. Chunks may be sent from any one thread at a time.
     */
    void start(Sink sink);

    /** Where the chunks go. */
    interface Sink {
        /**
         * Sends a chunk. Returns false when the stream is closed: the client went away, or it does not read what it
         * is sent (more than the server's bound is waiting for it), in which case the server closed it.
         */
        boolean send(String text);

        /** Whether the stream is still open. */
        boolean isOpen();

        /** Ends the stream (the last chunk, then the connection is closed); a second call does nothing. */
        void close();

        /** Runs {@code action} once when the stream ends, whoever ends it (at once if it has ended). */
        void onClose(Runnable action);
    }
}
