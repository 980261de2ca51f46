package net.passerelle.gateway.origin;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * One {@link OriginPool} per event loop. A client connection always gets the pool of its own loop, so a backend
 * connection is only ever touched by one thread.
 */
public final class OriginPools {
    private final Bootstrap template;
    private final int loops;
    private volatile OriginSettings settings;
    private final FastThreadLocal<OriginPool> local = new FastThreadLocal<>();
    private final Map<EventLoop, OriginPool> all = new ConcurrentHashMap<>();

    /** @param channelClass the transport's client socket channel (epoll, io_uring or NIO, as the listeners use) */
    public OriginPools(Class<? extends Channel> channelClass, OriginSettings settings) {
        this(channelClass, settings, 1);
    }

    /** @param loops the event loops that will ask for pools: the per-backend limits are shared out between them */
    public OriginPools(Class<? extends Channel> channelClass, OriginSettings settings, int loops) {
        this.settings = settings;
        this.loops = Math.max(1, loops);
        // Backend addresses are resolved when the routing table is built, off the request path: no resolver here.
        this.template = new Bootstrap()
                .disableResolver()
                .channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true);
    }

    /** The pool of the calling event loop; must be called on {@code loop}. */
    public OriginPool get(EventLoop loop) {
        OriginPool pool = local.get();
        if (pool == null) {
            pool = new OriginPool(loop, template, this::settings, this::pendingPerLoop);
            local.set(pool);
            all.put(loop, pool);
        }
        return pool;
    }

    /** New connect timeout, limits and pooling (a reload): they apply to the connections opened from now. */
    public void reload(OriginSettings next) {
        this.settings = next;
    }

    private int pendingPerLoop() {
        return Math.max(1, (settings.maxPendingPerBackend() + loops - 1) / loops);
    }

    OriginSettings settings() {
        return settings;
    }

    /** Requests waiting for a busy backend, on every loop (read from any thread: a gauge, not a decision). */
    public int waiting() {
        int sum = 0;
        for (OriginPool pool : all.values()) {
            sum += pool.slots().waiting();
        }
        return sum;
    }

    /** Closes idle connections to backends the routing table no longer names; runs on each loop. */
    public void closeIdle(Predicate<InetSocketAddress> stale) {
        all.forEach((loop, pool) -> loop.execute(() -> pool.closeIdle(stale)));
    }
}
