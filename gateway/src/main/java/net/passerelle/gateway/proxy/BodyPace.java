package net.passerelle.gateway.proxy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a request body still arrives fast enough: some byte within the idle timeout, and on average at least
 * {@code limits.minBodyRate} over each window (ten seconds, or the idle timeout if shorter), so a burst after a short
 * stall passes while a body dripped a byte at a time does not hold a connection (and a backend worker) for long.
 */
final class BodyPace {
    private static final Logger log = LoggerFactory.getLogger(BodyPace.class);

    /** The minimum rate is judged over windows this long (or the idle timeout, if shorter). */
    static final long RATE_WINDOW_NANOS = 10_000_000_000L;

    private final Exchange ex;
    private long windowStartNanos;
    private long windowBodyBytes;

    BodyPace(Exchange ex) {
        this.ex = ex;
    }

    void start(long nowNanos) {
        windowStartNanos = nowNanos;
        windowBodyBytes = 0;
    }

    /** Whether the body is too slow or silent; re-arms the client side's timer otherwise. */
    boolean stalled(long now) {
        long idle = ex.px.idleTimeoutNanos();
        long idleDeadline = ex.lastProgressNanos + idle;
        if (now - idleDeadline >= 0) {
            log.debug("request {}: no body byte from {} for {} ms", ex.requestId, ex.client.info().address(),
                    idle / 1_000_000);
            return true;
        }
        long minRate = ex.px.timeouts().minBodyRate();
        long window = Math.min(RATE_WINDOW_NANOS, idle);
        long windowEnd = windowStartNanos + window;
        if (minRate > 0 && now - windowEnd >= 0) {
            long received = ex.bodyBytes - windowBodyBytes;
            double seconds = (now - windowStartNanos) / 1e9;
            if (received < minRate * seconds) {
                log.info("request {}: body from {} arrives at {} bytes/s, under limits.minBodyRate ({}/s); answering 408",
                        ex.requestId, ex.client.info().address(), (long) (received / seconds), minRate);
                return true;
            }
            windowStartNanos = now;
            windowBodyBytes = ex.bodyBytes;
            windowEnd = now + window;
        }
        ex.client.schedule(Math.min(idleDeadline - now, minRate > 0 ? windowEnd - now : Long.MAX_VALUE));
        return false;
    }
}
