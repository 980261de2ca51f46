package net.passerelle.gateway.config;

import java.time.Duration;

/**
 * Limits on what a client may send. Their defaults follow nginx and HAProxy where those are sane for a gallery:
 * photo uploads are large, so the body limit is generous.
 */
public record LimitsConfig(
        DataSize maxRequestLine,
        DataSize maxHeaderSize,
        Integer maxHeaderCount,
        DataSize maxBodySize,
        Duration headerReadTimeout,
        Duration keepAliveTimeout,
        Duration idleTimeout,
        Integer maxConnectionsPerClient,
        Integer maxConnections,
        DataSize bufferRequestBody,
        Duration sendTimeout,
        DataSize maxBufferedMemory,
        DataSize minBodyRate) {
    public LimitsConfig {
        maxRequestLine = maxRequestLine == null ? DataSize.ofBytes(8192) : maxRequestLine;
        maxHeaderSize = maxHeaderSize == null ? DataSize.ofBytes(16384) : maxHeaderSize;
        maxHeaderCount = maxHeaderCount == null ? 100 : maxHeaderCount;
        maxBodySize = maxBodySize == null ? DataSize.ofBytes(2L << 30) : maxBodySize;
        headerReadTimeout = headerReadTimeout == null ? Duration.ofSeconds(10) : headerReadTimeout;
        keepAliveTimeout = keepAliveTimeout == null ? Duration.ofSeconds(75) : keepAliveTimeout;
        idleTimeout = idleTimeout == null ? Duration.ofSeconds(60) : idleTimeout;
        maxConnectionsPerClient = maxConnectionsPerClient == null ? 512 : maxConnectionsPerClient;
        maxConnections = maxConnections == null ? 0 : maxConnections;
        bufferRequestBody = bufferRequestBody == null ? DataSize.ofBytes(65536) : bufferRequestBody;
        sendTimeout = sendTimeout == null ? Duration.ofSeconds(30) : sendTimeout;
        maxBufferedMemory = maxBufferedMemory == null ? DataSize.ofBytes(0) : maxBufferedMemory;
        minBodyRate = minBodyRate == null ? DataSize.ofBytes(1024) : minBodyRate;
        if (maxRequestLine.bytes() < 256) {
            throw new BadEntry("limits.maxRequestLine must be at least 256 bytes to serve browsers", "maxRequestLine");
        }
        if (maxHeaderSize.bytes() < 1024) {
            throw new BadEntry("limits.maxHeaderSize must be at least 1KiB to serve browsers", "maxHeaderSize");
        }
        if (maxHeaderCount < 8) {
            throw new BadEntry("limits.maxHeaderCount must be at least 8 to serve browsers, got " + maxHeaderCount, "maxHeaderCount");
        }
        if (maxConnectionsPerClient < 1) {
            throw new BadEntry("limits.maxConnectionsPerClient must be >= 1", "maxConnectionsPerClient");
        }
        if (maxConnections < 0) {
            throw new BadEntry("limits.maxConnections must be >= 0 (0 = from the open-file limit)", "maxConnections");
        }
        if (bufferRequestBody.bytes() > (64L << 20)) {
            throw new BadEntry("limits.bufferRequestBody must be at most 64MiB (bodies are held in memory)", "bufferRequestBody");
        }
        if (sendTimeout.isNegative() || sendTimeout.isZero()) {
            throw new BadEntry("limits.sendTimeout must be positive", "sendTimeout");
        }
    }

    /** The first eight limits; the others at their defaults. */
    public LimitsConfig(DataSize maxRequestLine, DataSize maxHeaderSize, Integer maxHeaderCount, DataSize maxBodySize,
                        Duration headerReadTimeout, Duration keepAliveTimeout, Duration idleTimeout,
                        Integer maxConnectionsPerClient) {
        this(maxRequestLine, maxHeaderSize, maxHeaderCount, maxBodySize, headerReadTimeout, keepAliveTimeout,
                idleTimeout, maxConnectionsPerClient, null, null, null, null, null);
    }

    public static LimitsConfig defaults() {
        return new LimitsConfig(null, null, null, null, null, null, null, null);
    }

    public LimitsConfig withSendTimeout(Duration d) {
        return new LimitsConfig(maxRequestLine, maxHeaderSize, maxHeaderCount, maxBodySize, headerReadTimeout,
                keepAliveTimeout, idleTimeout, maxConnectionsPerClient, maxConnections, bufferRequestBody, d, maxBufferedMemory, minBodyRate);
    }

    public LimitsConfig withBufferRequestBody(DataSize size) {
        return new LimitsConfig(maxRequestLine, maxHeaderSize, maxHeaderCount, maxBodySize, headerReadTimeout,
                keepAliveTimeout, idleTimeout, maxConnectionsPerClient, maxConnections, size, sendTimeout, maxBufferedMemory, minBodyRate);
    }

    public LimitsConfig withHeaderReadTimeout(Duration d) {
        return new LimitsConfig(maxRequestLine, maxHeaderSize, maxHeaderCount, maxBodySize, d,
                keepAliveTimeout, idleTimeout, maxConnectionsPerClient, maxConnections, bufferRequestBody, sendTimeout, maxBufferedMemory, minBodyRate);
    }

    public LimitsConfig withIdleTimeout(Duration d) {
        return new LimitsConfig(maxRequestLine, maxHeaderSize, maxHeaderCount, maxBodySize, headerReadTimeout,
                keepAliveTimeout, d, maxConnectionsPerClient, maxConnections, bufferRequestBody, sendTimeout, maxBufferedMemory, minBodyRate);
    }

    public LimitsConfig withMaxConnections(int perClient, int total) {
        return new LimitsConfig(maxRequestLine, maxHeaderSize, maxHeaderCount, maxBodySize, headerReadTimeout,
                keepAliveTimeout, idleTimeout, perClient, total, bufferRequestBody, sendTimeout, maxBufferedMemory, minBodyRate);
    }

    public LimitsConfig withMinBodyRate(DataSize perSecond) {
        return new LimitsConfig(maxRequestLine, maxHeaderSize, maxHeaderCount, maxBodySize, headerReadTimeout,
                keepAliveTimeout, idleTimeout, maxConnectionsPerClient, maxConnections, bufferRequestBody, sendTimeout,
                maxBufferedMemory, perSecond);
    }

    public LimitsConfig withMaxBufferedMemory(DataSize size) {
        return new LimitsConfig(maxRequestLine, maxHeaderSize, maxHeaderCount, maxBodySize, headerReadTimeout,
                keepAliveTimeout, idleTimeout, maxConnectionsPerClient, maxConnections, bufferRequestBody, sendTimeout, size, minBodyRate);
    }
}
