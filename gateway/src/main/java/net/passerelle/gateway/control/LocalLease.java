package net.passerelle.gateway.control;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * This gateway's own view of its lease in the store ({@code store.lease}).
 *
 * <p>A renewal that the store recorded holds the lease from the moment it was <em>sent</em>, by this process's
 * monotonic clock, for the lease less a tenth: the store stamps the same renewal later (when it executes it) with
 * the whole lease, so this gateway always takes its lease for lost before the store, and the admin API, do. That is
 * the fence: when the admin API names a gateway {@code lost}, that gateway has already applied its fail-safe.
 *
 * <p>When the lease lapses, {@code onLapse} runs once, on the timer's thread (not on the store's, which may be stuck
 * in a call to a store that does not answer).
 */
public final class LocalLease {
    private final long leaseNanos;
    private final long marginNanos;
    private final ScheduledExecutorService timer;
    private final Runnable onLapse;
    private final LongSupplier nanoTime;
    private final long createdAt;
    private boolean ever;
    private long deadline;
    private long lapsedAt;
    private ScheduledFuture<?> pending;

    public LocalLease(Duration lease, ScheduledExecutorService timer, Runnable onLapse) {
        this(lease, timer, onLapse, System::nanoTime);
    }

    LocalLease(Duration lease, ScheduledExecutorService timer, Runnable onLapse, LongSupplier nanoTime) {
        this.leaseNanos = lease.toNanos();
        this.marginNanos = leaseNanos / 10;
        this.timer = Objects.requireNonNull(timer);
        this.onLapse = Objects.requireNonNull(onLapse);
        this.nanoTime = nanoTime;
        this.createdAt = nanoTime.getAsLong();
        this.lapsedAt = createdAt;
    }

    /** The instant to pass to {@link #renewed} once the renewal sent now has been recorded by the store. */
    public long sending() {
        return nanoTime.getAsLong();
    }

    /** The store recorded the renewal sent at {@code sentAt}. */
    public synchronized void renewed(long sentAt) {
        long until = sentAt + leaseNanos - marginNanos;
        if (!ever || until - deadline > 0) {
            deadline = until;
        }
        ever = true;
        if (pending == null && !timer.isShutdown()) {
            pending = timer.schedule(this::check, Math.max(0, deadline - nanoTime.getAsLong()), TimeUnit.NANOSECONDS);
        }
    }

    /** When the lease ends (System.nanoTime scale), as far as this gateway can tell; meaningless before the first. */
    public synchronized long deadlineNanos() {
        return deadline;
    }

    /** Whether the lease is held now. */
    public synchronized boolean held() {
        return ever && deadline - nanoTime.getAsLong() > 0;
    }

    /** How long the lease has not been held (since start when it never was); zero while it is held. */
    public synchronized Duration lostFor() {
        if (held()) {
            return Duration.ZERO;
        }
        long since = ever ? Math.max(deadline, lapsedAt) : createdAt;
        return Duration.ofNanos(Math.max(0, nanoTime.getAsLong() - since));
    }

    /** The gateway stops: the lease is given up here (the store's row is released by the caller). */
    public synchronized void release() {
        ever = false;
        lapsedAt = nanoTime.getAsLong();
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }

    private void check() {
        synchronized (this) {
            pending = null;
            long left = deadline - nanoTime.getAsLong();
            if (!ever) {
                return;
            }
            if (left > 0) {
                // Renewed since this check was set: check again at the new deadline.
                if (!timer.isShutdown()) {
                    pending = timer.schedule(this::check, left, TimeUnit.NANOSECONDS);
                }
                return;
            }
            lapsedAt = deadline;
        }
        onLapse.run();
    }
}
