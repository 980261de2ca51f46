package net.passerelle.gateway.config;

import java.time.Duration;

/**
 * @param connectTimeout  time to open a connection to a backend
 * @param responseTimeout time from the request sent to the response headers, and the longest silence inside a response
 * @param idleTimeout     how long an unused pooled connection is kept
 * @param maxIdlePerBackend pooled connections kept per backend and event loop
 * @param maxPendingPerBackend requests one gateway has sent to a backend and not had an answer head for; more wait
 *                        in the gateway, served in turn by client address (the backend's accept queue stays short)
 * @param queueTimeout    longest such wait, then {@code 503} with {@code Retry-After}
 */
public record UpstreamConfig(Duration connectTimeout, Duration responseTimeout, Duration idleTimeout, Integer maxIdlePerBackend,
                             DataSize maxStatusLine, DataSize maxHeaderSize, Integer maxPendingPerBackend,
                             Duration queueTimeout) {
    public UpstreamConfig {
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(3) : connectTimeout;
        responseTimeout = responseTimeout == null ? Duration.ofSeconds(60) : responseTimeout;
        idleTimeout = idleTimeout == null ? Duration.ofSeconds(30) : idleTimeout;
        maxIdlePerBackend = maxIdlePerBackend == null ? 64 : maxIdlePerBackend;
        maxStatusLine = maxStatusLine == null ? DataSize.ofBytes(8192) : maxStatusLine;
        maxHeaderSize = maxHeaderSize == null ? DataSize.ofBytes(65536) : maxHeaderSize;
        maxPendingPerBackend = maxPendingPerBackend == null ? 256 : maxPendingPerBackend;
        queueTimeout = queueTimeout == null ? Duration.ofSeconds(10) : queueTimeout;
        if (maxPendingPerBackend < 1) {
            throw new IllegalArgumentException("upstream.maxPendingPerBackend must be >= 1");
        }
        if (queueTimeout.isNegative() || queueTimeout.isZero()) {
            throw new IllegalArgumentException("upstream.queueTimeout must be positive");
        }
        if (maxIdlePerBackend < 0) {
            throw new IllegalArgumentException("upstream.maxIdlePerBackend must be >= 0");
        }
        if (maxStatusLine.bytes() < 64 || maxHeaderSize.bytes() < 1024) {
            throw new IllegalArgumentException("upstream.maxStatusLine must be >= 64 bytes and upstream.maxHeaderSize >= 1KiB");
        }
    }

    public UpstreamConfig(Duration connectTimeout, Duration responseTimeout, Duration idleTimeout, Integer maxIdlePerBackend) {
        this(connectTimeout, responseTimeout, idleTimeout, maxIdlePerBackend, null, null, null, null);
    }
}
