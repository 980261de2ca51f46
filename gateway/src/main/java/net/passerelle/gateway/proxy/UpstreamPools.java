package net.passerelle.gateway.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.util.concurrent.FastThreadLocal;
import net.passerelle.gateway.config.GatewayConfig.UpstreamConfig;
import net.passerelle.gateway.server.Transport;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.net.InetSocketAddress;

/**
 * One {@link UpstreamPool} per event loop. A client connection always gets the pool of its own loop, so a backend
 * connection is only ever touched by one thread.
 */
public final class UpstreamPools {
    private final Bootstrap template;
    private final UpstreamConfig config;
    private final FastThreadLocal<UpstreamPool> local = new FastThreadLocal<>();
    private final Map<EventLoop, UpstreamPool> all = new ConcurrentHashMap<>();

    public UpstreamPools(Transport transport, UpstreamConfig config) {
        this.config = config;
        // Backend addresses are resolved when the routing table is built, off the request path: no resolver here.
        this.template = new Bootstrap()
                .disableResolver()
                .channel(transport.clientChannelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()));
    }

    /** The pool of the calling event loop; must be called on {@code loop}. */
    UpstreamPool get(EventLoop loop) {
        UpstreamPool pool = local.get();
        if (pool == null) {
            pool = create(loop);
            local.set(pool);
            all.put(loop, pool);
        }
        return pool;
    }

    private UpstreamPool create(EventLoop loop) {
        UpstreamPool[] holder = new UpstreamPool[1];
        ChannelInitializer<Channel> init = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                HttpDecoderConfig decoder = new HttpDecoderConfig()
                        .setMaxInitialLineLength(8192)
                        .setMaxHeaderSize(65536)
                        .setMaxChunkSize(65536)
                        .setValidateHeaders(true);
                ch.pipeline()
                        .addLast("codec", new HttpClientCodec(decoder, false, false))
                        .addLast("origin", new OriginResponseReceiver(holder[0]));
            }
        };
        holder[0] = new UpstreamPool(loop, template, init, config.maxIdlePerBackend(), config.idleTimeout().toNanos());
        return holder[0];
    }

    /** Closes idle connections to backends the routing table no longer names; runs on each loop. */
    public void closeIdle(Predicate<InetSocketAddress> stale) {
        all.forEach((loop, pool) -> loop.execute(() -> pool.closeIdle(stale)));
    }
}
