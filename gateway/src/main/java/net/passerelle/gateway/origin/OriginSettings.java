package net.passerelle.gateway.origin;

import net.passerelle.gateway.config.UpstreamConfig;

/**
 * How backend connections are made and kept, from {@code upstream.*}.
 *
 * @param maxStatusLine     longest response status line accepted from a backend
 * @param maxHeaderSize     largest response header block accepted from a backend (a larger one is a 502)
 * @param maxChunkSize      largest body part handed on at once (bounds the memory one read holds per exchange)
 * @param maxPendingPerBackend unanswered requests per backend for the whole gateway ({@link BackendSlots})
 * @param queueTimeoutNanos longest wait for one of them
 */
public record OriginSettings(long connectTimeoutMillis, long idleTimeoutNanos, int maxIdlePerBackend,
                             int maxStatusLine, int maxHeaderSize, int maxChunkSize, int maxPendingPerBackend,
                             long queueTimeoutNanos) {

    public static OriginSettings from(UpstreamConfig config) {
        return new OriginSettings(config.connectTimeout().toMillis(), config.idleTimeout().toNanos(),
                config.maxIdlePerBackend(), config.maxStatusLine().intBytes(), config.maxHeaderSize().intBytes(),
                65536, config.maxPendingPerBackend(), config.queueTimeout().toNanos());
    }
}
