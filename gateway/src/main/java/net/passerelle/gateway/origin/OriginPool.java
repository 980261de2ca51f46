package net.passerelle.gateway.origin;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Idle keep-alive connections to backends, for one event loop. Confined to that loop's thread: client connections
 * of this loop take connections from it and give them back, so it needs no synchronisation at all.
 * Most recently used first, so surplus connections age out through the idle timeout.
 */
public final class OriginPool {
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final java.util.function.Supplier<OriginSettings> settings;
    private final Map<InetSocketAddress, ArrayDeque<OriginConnection>> idle = new HashMap<>();
    private final BackendSlots slots;
    /**
     * The next look for connections idle past their deadline, or null when none is due. One timer for the pool
     * rather than one per pooled connection: releasing a connection after every exchange used to schedule (and the
     * next request to cancel) a timer of its own, 3 % of the bytes a proxied request allocated.
     */
    private ScheduledFuture<?> sweep;
    /** When ({@link System#nanoTime()}) {@link #sweep} runs. */
    private long sweepAt;

    OriginPool(EventLoop loop, Bootstrap template, java.util.function.Supplier<OriginSettings> settings,
               java.util.function.IntSupplier pendingPerBackend) {
        this.loop = loop;
        this.bootstrap = template.clone(loop);
        this.settings = settings;
        this.slots = new BackendSlots(pendingPerBackend);
    }

    /** The line of requests waiting for a backend to answer fewer at once; confined to this loop like the pool. */
    public BackendSlots slots() {
        return slots;
    }

    /** How long a request may wait in {@link #slots()}. */
    public long queueTimeoutNanos() {
        return settings.get().queueTimeoutNanos();
    }

    /** An idle, open connection to the backend, or null. */
    public OriginConnection poll(InetSocketAddress backend) {
        ArrayDeque<OriginConnection> connections = idle.get(backend);
        if (connections == null) {
            return null;
        }
        OriginConnection c;
        while ((c = connections.pollFirst()) != null) {
            if (c.isActive()) {
                return c;
            }
        }
        return null;
    }

    /**
     * Opens a new connection to the backend. It is usable once {@link OriginConnection#connectFuture()} succeeds;
     * the bootstrap is cloned per connection (connections are pooled, so that is rare) to give the initializer the
     * connection object itself: nobody looks it up in the pipeline later.
     */
    public OriginConnection connect(InetSocketAddress backend) {
        OriginConnection connection = new OriginConnection(this, backend);
        OriginSettings now = settings.get();
        ChannelFuture f = bootstrap.clone()
                .option(ChannelOption.RCVBUF_ALLOCATOR, new BudgetedRecvAllocator(connection))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, now.connectTimeoutMillis()))
                .handler(new OriginChannelInitializer(now, connection))
                .connect(backend);
        connection.connecting(f);
        return connection;
    }

    /** Takes a connection back after a complete exchange; closes it when the pool for its backend is full. */
    void release(OriginConnection c) {
        if (!c.isActive()) {
            c.close();
            return;
        }
        ArrayDeque<OriginConnection> connections = idle.computeIfAbsent(c.address(), b -> new ArrayDeque<>());
        OriginSettings now = settings.get();
        if (connections.size() >= now.maxIdlePerBackend()) {
            c.close();
            return;
        }
        connections.addFirst(c);
        c.idleDeadline = System.nanoTime() + now.idleTimeoutNanos();
        // With a steady timeout each deadline is later than the one the timer is set for; a reload that shortens
        // the timeout brings the timer forward.
        if (sweep == null || c.idleDeadline - sweepAt < 0) {
            armSweep(now.idleTimeoutNanos());
        }
    }

    private void armSweep(long delayNanos) {
        if (sweep != null) {
            sweep.cancel(false);
        }
        sweepAt = System.nanoTime() + delayNanos;
        sweep = loop.schedule(this::closeExpired, delayNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Closes the connections idle past their deadline, and looks again at the earliest deadline left. Every
     * connection is looked at, not only the oldest of each backend: a reload may have shortened the timeout for the
     * connections released after it.
     */
    private void closeExpired() {
        sweep = null;
        long now = System.nanoTime();
        long wait = Long.MAX_VALUE;
        List<OriginConnection> expired = new ArrayList<>();
        for (Iterator<ArrayDeque<OriginConnection>> backends = idle.values().iterator(); backends.hasNext(); ) {
            ArrayDeque<OriginConnection> connections = backends.next();
            for (Iterator<OriginConnection> it = connections.iterator(); it.hasNext(); ) {
                OriginConnection c = it.next();
                long left = c.idleDeadline - now;
                if (left <= 0) {
                    it.remove();
                    expired.add(c);
                } else {
                    wait = Math.min(wait, left);
                }
            }
            if (connections.isEmpty()) {
                backends.remove();
            }
        }
        if (wait != Long.MAX_VALUE) {
            armSweep(wait);
        }
        // Closed once out of the pool: a close may call forget(), which must not meet a deque being iterated.
        expired.forEach(OriginConnection::close);
    }

    /** A connection closed (by the backend, its idle timer, or an exchange): it is no longer offered. */
    void forget(OriginConnection c) {
        ArrayDeque<OriginConnection> connections = idle.get(c.address());
        if (connections != null && connections.remove(c)) {
            if (connections.isEmpty()) {
                idle.remove(c.address());
            }
        }
    }

    /** Closes every idle connection to a backend that is no longer in use (after a cutover). */
    void closeIdle(Predicate<InetSocketAddress> stale) {
        for (Map.Entry<InetSocketAddress, ArrayDeque<OriginConnection>> e : Map.copyOf(idle).entrySet()) {
            if (stale.test(e.getKey())) {
                for (OriginConnection c : e.getValue().toArray(new OriginConnection[0])) {
                    c.close();
                }
            }
        }
    }
}
