package net.passerelle.gateway.config;

import java.time.Duration;

/**
 * HTTP/2 towards visitors ({@code http2:}): ALPN {@code h2} on TLS listeners, optionally cleartext h2c with prior
 * knowledge on plain ones, and the limits that bound what one connection may cost the gateway. Backends stay
 * HTTP/1.1 whatever this says.
 *
 * @param enabled              offer {@code h2} by ALPN on TLS listeners ({@code http/1.1} stays the fallback)
 * @param cleartext            accept h2c with prior knowledge (the connection preface) on plain listeners; off by
 *                             default: {@code Upgrade: h2c} is never honoured
 * @param maxConcurrentStreams SETTINGS_MAX_CONCURRENT_STREAMS: streams beyond it are refused (REFUSED_STREAM)
 * @param maxHeaderListSize    SETTINGS_MAX_HEADER_LIST_SIZE (HPACK size: name + value + 32 per field); a larger
 *                             request head gets 431 on its stream, one a quarter larger again ends the connection
 * @param initialWindowSize    each stream's receive window: how much of a request body may wait in the gateway
 *                             before its backend takes it
 * @param connectionWindowSize the connection's receive window; 0 = {@code maxConcurrentStreams × initialWindowSize},
 *                             so that streams whose backends are slow never hold the window the others need
 * @param maxResetsPerWindow   RST_STREAM frames a client may send per {@code resetWindow} before the connection is
 *                             closed (rapid reset, CVE-2023-44487)
 * @param resetWindow          the window of {@code maxResetsPerWindow}
 * @param maxSmallContinuationFrames CONTINUATION frames with a small fragment allowed in a row (CONTINUATION flood);
 *                             a large header block is bounded by {@code maxHeaderListSize} anyway
 * @param maxQueuedControlFrames SETTINGS/PING acknowledgements and RST_STREAMs the gateway may hold unsent for a
 *                             client that does not read them (SETTINGS and PING floods)
 * @param maxConsecutiveEmptyDataFrames empty DATA frames without END_STREAM allowed in a row
 */
public record Http2Config(Boolean enabled, Boolean cleartext, Integer maxConcurrentStreams, DataSize maxHeaderListSize,
                          DataSize initialWindowSize, DataSize connectionWindowSize, Integer maxResetsPerWindow,
                          Duration resetWindow, Integer maxSmallContinuationFrames, Integer maxQueuedControlFrames,
                          Integer maxConsecutiveEmptyDataFrames) {

    /** The largest flow-control window HTTP/2 allows. */
    public static final long MAX_WINDOW = Integer.MAX_VALUE;

    public Http2Config {
        enabled = enabled == null || enabled;
        cleartext = cleartext != null && cleartext;
        maxConcurrentStreams = maxConcurrentStreams == null ? 128 : maxConcurrentStreams;
        maxHeaderListSize = maxHeaderListSize == null ? DataSize.ofBytes(16384) : maxHeaderListSize;
        initialWindowSize = initialWindowSize == null ? DataSize.ofBytes(65535) : initialWindowSize;
        connectionWindowSize = connectionWindowSize == null ? DataSize.ofBytes(0) : connectionWindowSize;
        maxResetsPerWindow = maxResetsPerWindow == null ? 200 : maxResetsPerWindow;
        resetWindow = resetWindow == null ? Duration.ofSeconds(30) : resetWindow;
        maxSmallContinuationFrames = maxSmallContinuationFrames == null ? 16 : maxSmallContinuationFrames;
        maxQueuedControlFrames = maxQueuedControlFrames == null ? 10000 : maxQueuedControlFrames;
        maxConsecutiveEmptyDataFrames = maxConsecutiveEmptyDataFrames == null ? 2 : maxConsecutiveEmptyDataFrames;
        if (maxConcurrentStreams < 1) {
            throw new BadEntry("http2.maxConcurrentStreams must be >= 1", "maxConcurrentStreams");
        }
        if (maxHeaderListSize.bytes() < 1024 || maxHeaderListSize.bytes() > (16L << 20)) {
            throw new BadEntry("http2.maxHeaderListSize must be 1KiB..16MiB", "maxHeaderListSize");
        }
        if (initialWindowSize.bytes() < 1024 || initialWindowSize.bytes() > MAX_WINDOW) {
            throw new BadEntry("http2.initialWindowSize must be 1KiB..2147483647 bytes", "initialWindowSize");
        }
        if (connectionWindowSize.bytes() != 0
                && (connectionWindowSize.bytes() < 65535 || connectionWindowSize.bytes() > MAX_WINDOW)) {
            throw new BadEntry("http2.connectionWindowSize must be 0 (automatic) or 65535..2147483647 bytes", "connectionWindowSize");
        }
        if (maxResetsPerWindow < 1 || resetWindow.toSeconds() < 1) {
            throw new IllegalArgumentException("http2.maxResetsPerWindow must be >= 1 and http2.resetWindow >= 1s");
        }
        if (maxSmallContinuationFrames < 1 || maxQueuedControlFrames < 1 || maxConsecutiveEmptyDataFrames < 1) {
            throw new IllegalArgumentException("http2.maxSmallContinuationFrames, http2.maxQueuedControlFrames and "
                    + "http2.maxConsecutiveEmptyDataFrames must be >= 1 (they bound floods; there is no 'off')");
        }
    }

    /** Every key at its default. */
    public static Http2Config defaults() {
        return new Http2Config(null, null, null, null, null, null, null, null, null, null, null);
    }

    /** The connection's receive window in bytes, with 0 resolved. */
    public long effectiveConnectionWindow() {
        if (connectionWindowSize.bytes() != 0) {
            return connectionWindowSize.bytes();
        }
        return Math.min(MAX_WINDOW, Math.max(65535L, (long) maxConcurrentStreams * initialWindowSize.bytes()));
    }

    public Http2Config withCleartext(boolean on) {
        return new Http2Config(enabled, on, maxConcurrentStreams, maxHeaderListSize, initialWindowSize,
                connectionWindowSize, maxResetsPerWindow, resetWindow, maxSmallContinuationFrames,
                maxQueuedControlFrames, maxConsecutiveEmptyDataFrames);
    }
}
