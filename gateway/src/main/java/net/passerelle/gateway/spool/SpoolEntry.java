package net.passerelle.gateway.spool;

import java.time.Instant;

/**
 * A committed (durable) entry, as {@link SpoolWriter#commit()} hands it to the proxy.
 *
 * @param referenceId sortable id, sent to the client with the {@code 202} and to the backend as {@code Idempotency-Key}
 * @param sequence    the spool's arrival sequence (replay order)
 * @param path        the request path without its query string
 * @param sizeBytes   the entry file's size
 * @param bodyBytes   the body's size
 */
public record SpoolEntry(String group, String referenceId, long sequence, Instant arrival, String method, String path,
                         long sizeBytes, long bodyBytes) {
}
