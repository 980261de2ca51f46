package net.passerelle.gateway.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Idle keep-alive connections to backends, for one event loop. Confined to that loop's thread: client connections
 * of this loop take connections from it and give them back, so it needs no synchronisation at all.
 * Most recently used first, so surplus connections age out through the idle timeout.
 */
final class UpstreamPool {
    private static final AttributeKey<InetSocketAddress> BACKEND = AttributeKey.valueOf("passerelle.backend");
    private static final AttributeKey<ScheduledFuture<?>> IDLE_TIMER = AttributeKey.valueOf("passerelle.idleTimer");

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final int maxIdlePerBackend;
    private final long idleTimeoutNanos;
    private final Map<InetSocketAddress, ArrayDeque<Channel>> idle = new HashMap<>();

    UpstreamPool(EventLoop loop, Bootstrap template, ChannelInitializer<Channel> initializerFor, int maxIdlePerBackend,
                 long idleTimeoutNanos) {
        this.loop = loop;
        this.bootstrap = template.clone(loop).handler(initializerFor);
        this.maxIdlePerBackend = maxIdlePerBackend;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    /** An idle, open connection to the backend, or null. */
    Channel poll(InetSocketAddress backend) {
        ArrayDeque<Channel> channels = idle.get(backend);
        if (channels == null) {
            return null;
        }
        Channel ch;
        while ((ch = channels.pollFirst()) != null) {
            ScheduledFuture<?> timer = ch.attr(IDLE_TIMER).getAndSet(null);
            if (timer != null) {
                timer.cancel(false);
            }
            if (ch.isActive()) {
                return ch;
            }
        }
        return null;
    }

    ChannelFuture connect(InetSocketAddress backend) {
        ChannelFuture f = bootstrap.connect(backend);
        f.channel().attr(BACKEND).set(backend);
        return f;
    }

    /** Takes a connection back after a complete exchange; closes it when the pool for its backend is full. */
    void release(Channel ch) {
        InetSocketAddress backend = ch.attr(BACKEND).get();
        if (backend == null || !ch.isActive()) {
            ch.close();
            return;
        }
        ArrayDeque<Channel> channels = idle.computeIfAbsent(backend, b -> new ArrayDeque<>());
        if (channels.size() >= maxIdlePerBackend) {
            ch.close();
            return;
        }
        channels.addFirst(ch);
        ch.attr(IDLE_TIMER).set(loop.schedule(() -> {
            ch.attr(IDLE_TIMER).set(null);
            ch.close();
        }, idleTimeoutNanos, TimeUnit.NANOSECONDS));
    }

    /** A pooled connection closed (by the backend or its idle timer). */
    void forget(Channel ch) {
        InetSocketAddress backend = ch.attr(BACKEND).get();
        ArrayDeque<Channel> channels = backend == null ? null : idle.get(backend);
        if (channels != null) {
            channels.remove(ch);
            if (channels.isEmpty()) {
                idle.remove(backend);
            }
        }
    }

    /** Closes every idle connection to a backend that is no longer in use (after a cutover). */
    void closeIdle(java.util.function.Predicate<InetSocketAddress> stale) {
        for (Map.Entry<InetSocketAddress, ArrayDeque<Channel>> e : Map.copyOf(idle).entrySet()) {
            if (stale.test(e.getKey())) {
                for (Channel ch : e.getValue().toArray(new Channel[0])) {
                    ch.close();
                }
            }
        }
    }
}
