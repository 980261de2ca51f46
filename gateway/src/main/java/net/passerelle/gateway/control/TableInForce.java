package net.passerelle.gateway.control;

import net.passerelle.admin.model.RoutingState;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.routing.RoutingTableHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the data plane enforces, made from the last state read from the store (or the snapshot, or the seed): the
 * table as of now (windows applied, rebuilt at each window's start and end by a timer, so windows take effect on time
 * even while the store is away), and, while the gateway holds no lease, its fail-safe ({@code store.onLeaseLost}):
 * every group that is not in maintenance serves reads and refuses writes with the read-only notice, announcing no
 * end. The request path sees none of this: it reads whichever table was swapped in last.
 *
 * <p>The fail-safe is on from the start until the first renewal of the lease, so a gateway that starts without its
 * store routes from its snapshot in read-only. Applying is serialised by this object's lock.
 */
final class TableInForce {
    private static final Logger log = LoggerFactory.getLogger(TableInForce.class);

    private final RoutingTableHolder holder;
    private final SnapshotFile snapshot;
    private final Clock clock;
    private final ScheduledExecutorService windows;
    private final java.util.function.LongSupplier leaseDeadline;
    private volatile RoutingState current;
    private volatile boolean fromStore;
    private volatile boolean failSafe = true;
    private boolean everLifted;
    private ScheduledFuture<?> boundaryTimer;

    TableInForce(RoutingTableHolder holder, SnapshotFile snapshot, Clock clock, ScheduledExecutorService windows,
                 java.util.function.LongSupplier leaseDeadline) {
        this.holder = holder;
        this.leaseDeadline = leaseDeadline;
        this.snapshot = snapshot;
        this.clock = clock;
        this.windows = windows;
    }

    /** The state in force, or null before the first. */
    RoutingState current() {
        return current;
    }

    /** Whether the state in force was read from the store (not the snapshot or the seed). */
    boolean fromStore() {
        return fromStore;
    }

    /** Whether the fail-safe is in force. */
    boolean failSafe() {
        return failSafe;
    }

    /** Applies {@code state}; one read from the store is also written to the snapshot file. */
    synchronized void apply(RoutingState state, boolean fromTheStore) {
        RoutingState previous = current;
        current = state;
        fromStore = fromTheStore;
        publish();
        if (previous == null || previous.version() != state.version()) {
            log.info("routing table version {} applied: {} groups, {} hosts", state.version(), state.groups().size(),
                    state.hosts().size());
            if (fromTheStore) {
                try {
                    snapshot.write(state);
                } catch (IOException e) {
                    log.error("cannot write the routing snapshot {}: {}", snapshot.path(), e.toString());
                }
            }
        }
    }

    /** The lease was renewed until {@code deadlineNanos}. */
    void leaseExtended(long deadlineNanos) {
        holder.extendGuard(deadlineNanos);
    }

    /** Turns the fail-safe on or off, and applies the state in force again if that changed anything. */
    synchronized void failSafe(boolean on, String why) {
        if (failSafe == on) {
            return;
        }
        failSafe = on;
        if (on) {
            log.warn("lease lost ({}): every group is read-only, writes are refused, until the store confirms this"
                    + " gateway's lease again (store.onLeaseLost)", why);
        } else {
            log.info("lease {} ({}): table version {} in force", everLifted ? "held again" : "taken", why,
                    current == null ? "(none)" : current.version());
            everLifted = true;
        }
        if (current != null) {
            publish();
        }
    }

    private void publish() {
        Instant now = clock.instant();
        RoutingTable table = RoutingTables.fromState(current, now, failSafe);
        holder.swap(table);
        // While the lease is held, the request path checks it too: past its end, the fail-safe table answers.
        holder.guard(failSafe ? null : RoutingTables.fromState(current, now, true), leaseDeadline.getAsLong());
        scheduleBoundary(RoutingTables.nextBoundary(current, now), now);
    }

    private void scheduleBoundary(Instant boundary, Instant now) {
        if (boundaryTimer != null) {
            boundaryTimer.cancel(false);
            boundaryTimer = null;
        }
        if (boundary == null || windows.isShutdown()) {
            return;
        }
        long delay = Math.max(0, Duration.between(now, boundary).toMillis() + 1);
        boundaryTimer = windows.schedule(this::windowBoundary, delay, TimeUnit.MILLISECONDS);
    }

    private void windowBoundary() {
        try {
            synchronized (this) {
                if (current != null) {
                    publish();
                    log.info("window boundary: table version {} rebuilt for {}", current.version(), clock.instant());
                }
            }
        } catch (RuntimeException e) {
            log.error("window boundary rebuild failed", e);
        }
    }
}
