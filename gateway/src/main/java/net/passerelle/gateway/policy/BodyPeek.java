package net.passerelle.gateway.policy;

import io.netty.buffer.ByteBuf;

/**
 * Incremental body reader for one request, created by {@link NeedsBody#newPeek()}. Not thread-safe (one request is
 * handled by one event loop). It copies at most {@link NeedsBody#limitBytes()} bytes of the body, whatever the body's
 * size.
 */
public interface BodyPeek {
    /**
     * Feed the next chunk; returns null while undecided, or the final class (and the same class for any later call).
     * Never retains, releases or moves the reader index of the buffer.
     */
    RequestClass offer(ByteBuf chunk);

    /** The body ended (or the limit passed) without a decision: decides (WRITE when method not found). */
    RequestClass finish();
}
