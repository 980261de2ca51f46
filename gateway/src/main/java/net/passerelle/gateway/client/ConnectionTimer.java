package net.passerelle.gateway.client;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * One timer per connection, never more. Asking for a later deadline than the pending one keeps the pending timer:
 * when it fires, the connection checks the deadline of the state it is in and asks again. That saves a schedule and
 * a cancel per request and phase, which showed in the profiles. Confined to the connection's event loop.
 */
final class ConnectionTimer {
    private final EventExecutor executor;
    private final Runnable onFire;
    private final java.util.function.Consumer<Throwable> onFailure;
    private ScheduledFuture<?> pending;
    private long deadline;

    /** @param onFailure told of anything {@code onFire} throws: a timer's task never fails unseen */
    ConnectionTimer(EventExecutor executor, Runnable onFire, java.util.function.Consumer<Throwable> onFailure) {
        this.executor = executor;
        this.onFire = onFire;
        this.onFailure = onFailure;
    }

    /** Makes sure the timer fires no later than {@code delayNanos} from now. */
    void atMost(long delayNanos) {
        long delay = Math.max(delayNanos, 1);
        long wanted = System.nanoTime() + delay;
        if (pending != null) {
            if (deadline - wanted <= 0) {
                return;
            }
            pending.cancel(false);
        }
        deadline = wanted;
        pending = executor.schedule(this::fire, delay, TimeUnit.NANOSECONDS);
    }

    void cancel() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }

    private void fire() {
        pending = null;
        try {
            onFire.run();
        } catch (RuntimeException | Error e) {
            onFailure.accept(e);
        }
    }
}
