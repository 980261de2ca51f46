package net.passerelle.gateway.proxy;

import net.passerelle.gateway.origin.BackendSlots;
import net.passerelle.gateway.origin.OriginPool;

import java.net.InetSocketAddress;

/**
 * One exchange's turn at a backend ({@link BackendSlots}, {@code upstream.maxPendingPerBackend}): it takes a slot or
 * waits in the line, holds the slot until the response head, and gives it back, or leaves the line, exactly once
 * whichever way the exchange ends.
 */
final class BackendTurn implements BackendSlots.Waiter {
    private final Exchange ex;
    /** What to run when the turn comes; set exactly while waiting in the line. */
    private Runnable onTurn;
    private InetSocketAddress backend;
    private boolean holding;
    private long waitingSinceNanos;

    BackendTurn(Exchange ex) {
        this.ex = ex;
    }

    /** Runs {@code then} once {@code backend} may be sent the request: now, or when its turn comes. */
    void take(InetSocketAddress to, Runnable then) {
        OriginPool pool = ex.client.originPool();
        backend = to;
        if (pool.slots().tryAcquire(to)) {
            holding = true;
            then.run();
            return;
        }
        onTurn = then;
        waitingSinceNanos = System.nanoTime();
        pool.slots().await(to, ex.client.info().address(), this);
        ex.client.schedule(pool.queueTimeoutNanos());
    }

    @Override
    public void granted() {
        holding = true;
        ex.trace.queueNanos = System.nanoTime() - waitingSinceNanos;
        Runnable then = onTurn;
        onTurn = null;
        then.run();
    }

    boolean waiting() {
        return onTurn != null;
    }

    /** Nanoseconds the line may still be waited in (negative: waited out); re-arms the timer when positive. */
    long waitLeft(long now) {
        long left = waitingSinceNanos + ex.client.originPool().queueTimeoutNanos() - now;
        if (left > 0) {
            ex.client.schedule(left);
        }
        return left;
    }

    /** Leaves the line, or gives the slot back; a no-op when neither (so every end of the exchange may call it). */
    void release() {
        if (onTurn != null) {
            onTurn = null;
            ex.client.originPool().slots().cancel(backend, ex.client.info().address(), this);
        } else if (holding) {
            holding = false;
            ex.client.originPool().slots().release(backend);
        }
    }
}
