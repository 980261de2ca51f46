package net.passerelle.gateway.config;

import java.time.Duration;

/**
 * @param connectTimeout  time to open a connection to a backend
 * @param responseTimeout time from the request sent to the response headers, and the longest silence inside a response
 * @param idleTimeout     how long an unused pooled connection is kept
 * @param maxIdlePerBackend pooled connections kept per backend and event loop
 */
public record UpstreamConfig(Duration connectTimeout, Duration responseTimeout, Duration idleTimeout, Integer maxIdlePerBackend,
                             DataSize maxStatusLine, DataSize maxHeaderSize) {
    public UpstreamConfig {
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(3) : connectTimeout;
        responseTimeout = responseTimeout == null ? Duration.ofSeconds(60) : responseTimeout;
        idleTimeout = idleTimeout == null ? Duration.ofSeconds(30) : idleTimeout;
        maxIdlePerBackend = maxIdlePerBackend == null ? 64 : maxIdlePerBackend;
        maxStatusLine = maxStatusLine == null ? DataSize.ofBytes(8192) : maxStatusLine;
        maxHeaderSize = maxHeaderSize == null ? DataSize.ofBytes(65536) : maxHeaderSize;
        if (maxIdlePerBackend < 0) {
            throw new IllegalArgumentException("upstream.maxIdlePerBackend must be >= 0");
        }
        if (maxStatusLine.bytes() < 64 || maxHeaderSize.bytes() < 1024) {
            throw new IllegalArgumentException("upstream.maxStatusLine must be >= 64 bytes and upstream.maxHeaderSize >= 1KiB");
        }
    }

    public UpstreamConfig(Duration connectTimeout, Duration responseTimeout, Duration idleTimeout, Integer maxIdlePerBackend) {
        this(connectTimeout, responseTimeout, idleTimeout, maxIdlePerBackend, null, null);
    }
}
