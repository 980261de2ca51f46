package net.passerelle.gateway.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.http.ForwardingHeaders;
import net.passerelle.gateway.notice.NoticeRenderer;
import net.passerelle.gateway.origin.OriginPools;
import net.passerelle.gateway.origin.OriginSettings;
import net.passerelle.gateway.proxy.ProxyListener;
import net.passerelle.gateway.proxy.ProxySettings;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.routing.RoutingTableHolder;
import net.passerelle.gateway.server.ConnectionLimiter;
import net.passerelle.gateway.server.GatewayChannelInitializer;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The gateway's real client pipeline (built by {@link GatewayChannelInitializer}) on an {@link EmbeddedChannel}, and
 * its real backend pipelines, made by its own {@link OriginPools} on embedded channels too: the exchange's stages
 * driven message by message, with no socket and no thread, the way Netty tests its own handlers. The test plays the
 * client and the backends; {@link #close()} releases everything still held, so the leak detector sees the rest.
 */
public final class EmbeddedGateway implements AutoCloseable {
    public static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.7", 50123);
    public static final InetSocketAddress GATEWAY = new InetSocketAddress("127.0.0.1", 8080);
    /** The one backend address embedded origin channels claim to be connected to. */
    public static final InetSocketAddress BACKEND = new InetSocketAddress("127.0.0.1", 18081);

    /** Backend connections opened by the pool, in order; confined to the test thread like everything here. */
    private static final List<OriginChannel> OPENED = new ArrayList<>();

    /** A backend connection: an embedded channel the gateway's Bootstrap registers on the client's event loop. */
    public static final class OriginChannel extends EmbeddedChannel {
        public OriginChannel() {
            super(DefaultChannelId.newInstance(), false, false);
            OPENED.add(this);
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return BACKEND;
        }

        @Override
        protected SocketAddress localAddress0() {
            return GATEWAY;
        }

        /** What the gateway wrote to this backend so far, as text. */
        public String received() {
            return drain(this);
        }

        /** The backend answers these bytes. */
        public void sends(String raw) {
            writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
            runPendingTasks();
        }
    }

    private static final class ClientChannel extends EmbeddedChannel {
        ClientChannel() {
            super(DefaultChannelId.newInstance(), false, false);
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return CLIENT;
        }

        @Override
        protected SocketAddress localAddress0() {
            return GATEWAY;
        }
    }

    private final EmbeddedChannel client;
    private final RoutingTableHolder routes;

    public EmbeddedGateway(GatewayConfig config, RoutingTable table) {
        OPENED.clear();
        routes = new RoutingTableHolder(table);
        OriginPools pools = new OriginPools(OriginChannel.class, OriginSettings.from(config.upstream()));
        ProxySettings settings = ProxySettings.from(config, routes,
                new ForwardingHeaders(List.of(), config.forwarding().via()), new NoticeRenderer(Clock.systemUTC()),
                pools, ProxyListener.NOOP, Clock.systemUTC(), null);
        client = new ClientChannel();
        client.pipeline().addLast(new GatewayChannelInitializer(settings,
                new ConnectionLimiter(config.limits().maxConnectionsPerClient())));
        try {
            client.register();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public RoutingTableHolder routes() {
        return routes;
    }

    /** The client sends these bytes; every task they cause runs. */
    public EmbeddedGateway clientSends(String raw) {
        client.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
        client.runPendingTasks();
        return this;
    }

    /** The client shuts its sending side (FIN). */
    public void clientShutsOutput() {
        client.pipeline().fireUserEventTriggered(io.netty.channel.socket.ChannelInputShutdownEvent.INSTANCE);
        client.runPendingTasks();
    }

    /** What the gateway wrote to the client so far, as text. */
    public String clientReceived() {
        client.runPendingTasks();
        return drain(client);
    }

    public boolean clientOpen() {
        return client.isOpen();
    }

    /** Backend connections opened so far. */
    public List<OriginChannel> origins() {
        return List.copyOf(OPENED);
    }

    public OriginChannel origin(int i) {
        return OPENED.get(i);
    }

    private static String drain(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            if (o instanceof ByteBuf buf) {
                sb.append(buf.toString(StandardCharsets.ISO_8859_1));
            }
            ReferenceCountUtil.release(o);
        }
        return sb.toString();
    }

    @Override
    public void close() {
        client.finishAndReleaseAll();
        for (OriginChannel o : OPENED) {
            o.finishAndReleaseAll();
        }
        OPENED.clear();
    }
}
