package net.passerelle.gateway.proxy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The global cap on memory held for clients ({@code limits.maxBufferedMemory}): past it, new requests get a clean
 * 503 instead of the allocator running out of direct memory later, where an event loop would stall in the JDK's
 * reservation loop and every client would wait. Read once per request: the allocator keeps the figure in a
 * {@code LongAdder}.
 */
public final class MemoryGuard {
    private static final Logger log = LoggerFactory.getLogger(MemoryGuard.class);

    /** No cap (tests that do not care, benchmarks). */
    public static final MemoryGuard NONE = new MemoryGuard(null, 0);

    private final ByteBufAllocatorMetric metric;
    private final long limit;
    private volatile boolean over;

    private MemoryGuard(ByteBufAllocatorMetric metric, long limit) {
        this.metric = metric;
        this.limit = limit;
    }

    /**
     * @param configured bytes; 0 for three quarters of the JVM's direct memory limit
     */
    public static MemoryGuard of(ByteBufAllocator allocator, long configured) {
        if (!(allocator instanceof ByteBufAllocatorMetricProvider provider)) {
            return NONE;
        }
        long limit = configured > 0 ? configured : PlatformDependent.maxDirectMemory() / 4 * 3;
        return new MemoryGuard(provider.metric(), limit);
    }

    public long limit() {
        return limit;
    }

    public long used() {
        return metric == null ? 0 : Math.max(0, metric.usedDirectMemory()) + Math.max(0, metric.usedHeapMemory());
    }

    public boolean overloaded() {
        if (limit <= 0) {
            return false;
        }
        boolean now = used() > limit;
        if (now != over) {
            over = now;
            if (now) {
                log.warn("buffered memory {} bytes is over limits.maxBufferedMemory ({}): new requests get 503 until it drops",
                        used(), limit);
            } else {
                log.info("buffered memory back under limits.maxBufferedMemory ({} bytes): requests are served again", limit);
            }
        }
        return now;
    }
}
