package net.passerelle.gateway.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import net.passerelle.gateway.config.Cidr;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.admin.model.HostPort;
import net.passerelle.gateway.http.ForwardingHeaders;
import net.passerelle.gateway.notice.NoticeRenderer;
import net.passerelle.gateway.proxy.ConnectionFacts;
import net.passerelle.gateway.proxy.EdgeRules;
import net.passerelle.gateway.proxy.ProxyListener;
import net.passerelle.gateway.proxy.ProxySettings;
import net.passerelle.gateway.origin.OriginPools;
import net.passerelle.gateway.origin.OriginSettings;
import net.passerelle.gateway.routing.RoutingTableHolder;
import net.passerelle.gateway.spool.Spool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import net.passerelle.gateway.health.BackendHealth;
import net.passerelle.gateway.health.HealthRegistry;
import net.passerelle.gateway.client.DrainEvent;

import java.net.Inet6Address;
import java.time.Duration;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The data plane: event loops, listeners and the proxy, started from a configuration and a routing table holder.
 * Whatever feeds the holder (seed, store, tests) is the caller's business.
 */
public final class GatewayServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);
    /**
     * What a client connection may hold unsent before its backend stops reading (see {@code ResponseRelay}), and so
     * the size of each read from the backend ({@code BudgetedRecvAllocator}). 64 KiB is one full read of Netty's
     * adaptive guess: a 100 KiB photo moves in two reads and two writes instead of four of each at 32 KiB, 5-14 %
     * less CPU per photo in three alternated runs (benchmarks/README.md). The price: a client that reads nothing
     * holds up to 64 KiB of the JVM's direct memory instead of 32 (nginx's default proxy buffers are 36 KiB), small
     * beside what the kernel queues for it first (the send buffer grows to {@code tcp_wmem}'s 4 MiB).
     */
    private static final io.netty.channel.WriteBufferWaterMark CLIENT_WATER_MARK =
            new io.netty.channel.WriteBufferWaterMark(32 * 1024, 64 * 1024);

    private final GatewayConfig config;
    private final RoutingTableHolder routes;
    private final ProxyListener listener;
    private final Transport transport;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final int ioThreads;
    private final List<Channel> serverChannels = new ArrayList<>();
    private final List<Channel> tlsChannels = new ArrayList<>();
    private List<HostPort> tlsListeners = List.of();
    private SecureTransport tls;
    private ConnectionFacts tlsFacts;
    private EdgeRules edge = EdgeRules.NONE;
    /** Set by {@link #start()}; what {@link #reload} changes. */
    private volatile ProxySettings settings;
    private ConnectionLimiter limiter;
    private OriginPools upstreams;
    private final NoticeRenderer notices = new NoticeRenderer(Clock.systemUTC());
    private final Spool spool;
    /** Graceful drain: every open client connection, and the health the proxy selects backends with. */
    private final ChannelGroup clients = new DefaultChannelGroup("passerelle-clients", GlobalEventExecutor.INSTANCE);
    private BackendHealth health = BackendHealth.NONE;

    public GatewayServer(GatewayConfig config, RoutingTableHolder routes, ProxyListener listener) {
        this(config, routes, listener, null);
    }

    /** @param spool where queued writes go; null when queueing is unavailable (they are then rejected) */
    public GatewayServer(GatewayConfig config, RoutingTableHolder routes, ProxyListener listener, Spool spool) {
        this.spool = spool;
        this.config = config;
        this.routes = routes;
        this.listener = listener;
        this.transport = Transport.select(config.server().transport());
        int threads = config.server().ioThreads() == 0 ? Runtime.getRuntime().availableProcessors() : config.server().ioThreads();
        this.bossGroup = transport.newGroup(1, "passerelle-accept");
        this.workerGroup = transport.newGroup(threads, "passerelle-io");
        this.ioThreads = threads;
    }

    /** Binds every listener; fails when none could be bound. */
    public GatewayServer start() throws InterruptedException {
        upstreams = new OriginPools(transport.clientChannelClass(), OriginSettings.from(config.upstream()),
                ioThreads);
        List<Cidr> trusted = config.forwarding().trustedProxies().stream().map(Cidr::parse).toList();
        ForwardingHeaders forwarding = new ForwardingHeaders(trusted, config.forwarding().via());
        settings = ProxySettings.from(config, routes, forwarding, notices,
                upstreams, listener, Clock.systemUTC(), spool, health, edge);
        if (health instanceof HealthRegistry registry) {
            registry.closeIdleWith(upstreams::closeIdle);
        }
        limiter = new ConnectionLimiter(config.limits().maxConnectionsPerClient(), config.limits().maxConnections());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(new ClientTracker(clients))
                .childOption(ChannelOption.TCP_NODELAY, true)
                // a client that shuts its sending side still gets its answer (see Http1Connection)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                // What one client connection may hold in the gateway before its backend stops being read: the
                // kernel's send buffer sits behind it for fast clients, so this only ever fills for slow readers.
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, CLIENT_WATER_MARK)
                .childHandler(new GatewayChannelInitializer(settings, limiter, null,
                        ConnectionFacts.plain(settings.forwarding()), config.http2(), config.server().drainTimeout()));

        List<String> failures = new ArrayList<>();
        bindAll(bootstrap, config.listeners(), serverChannels, failures, "");
        if (tls != null) {
            ServerBootstrap secure = bootstrap.clone()
                    .childHandler(new GatewayChannelInitializer(settings, limiter, tls, tlsFacts, config.http2(),
                            config.server().drainTimeout()));
            bindAll(secure, tlsListeners, tlsChannels, failures, "TLS ");
        }
        if (serverChannels.isEmpty()) {
            close();
            throw new IllegalStateException("no listener could be bound: " + String.join("; ", failures));
        }
        return this;
    }

    private void bindAll(ServerBootstrap bootstrap, List<HostPort> listeners, List<Channel> bound, List<String> failures,
                         String kind) throws InterruptedException {
        // IPv6 wildcards first: on Linux, [::]:P is dual-stack by default and then also serves 0.0.0.0:P, whose own
        // bind fails with "address in use"; that case is expected, not an error.
        List<HostPort> ordered = new ArrayList<>(listeners);
        ordered.sort(Comparator.comparingInt(hp -> hp.host().contains(":") ? 0 : 1));
        for (HostPort hp : ordered) {
            InetSocketAddress address = hp.toSocketAddress();
            try {
                Channel ch = bootstrap.bind(address).sync().channel();
                bound.add(ch);
                log.info("listening {}on {} ({})", kind, ch.localAddress(), transport.name());
            } catch (Exception e) {
                if (coveredByDualStack(address, bound)) {
                    log.info("{}{} is served by the dual-stack IPv6 listener on the same port", kind, hp);
                } else {
                    log.warn("cannot listen {}on {}: {}", kind, hp, e.toString());
                    failures.add(kind + hp + ": " + e.getMessage());
                }
            }
        }
    }

    private static boolean coveredByDualStack(InetSocketAddress wanted, List<Channel> serverChannels) {
        if (!wanted.getAddress().isAnyLocalAddress() || wanted.getAddress() instanceof Inet6Address || wanted.getPort() == 0) {
            return false;
        }
        for (Channel ch : serverChannels) {
            InetSocketAddress bound = (InetSocketAddress) ch.localAddress();
            if (bound.getAddress() instanceof Inet6Address && bound.getAddress().isAnyLocalAddress()
                    && bound.getPort() == wanted.getPort()) {
                return true;
            }
        }
        return false;
    }

    /**
     * TLS listeners, bound by {@link #start()} beside the plain ones; their pipeline is the plain one with
     * {@code tls}'s handlers right after the connection limiter. Call before {@link #start()}.
     */
    public GatewayServer withTls(List<HostPort> listeners, SecureTransport secureTransport, ConnectionFacts facts) {
        this.tlsListeners = List.copyOf(listeners);
        this.tls = java.util.Objects.requireNonNull(secureTransport);
        this.tlsFacts = java.util.Objects.requireNonNull(facts);
        return this;
    }

    /** The TLS edge's answers to plain-HTTP requests (challenges, https redirects). Call before {@link #start()}. */
    public GatewayServer withEdge(EdgeRules rules) {
        this.edge = java.util.Objects.requireNonNull(rules);
        return this;
    }

    /** The TLS addresses actually bound. */
    public List<InetSocketAddress> tlsAddresses() {
        return tlsChannels.stream().map(ch -> (InetSocketAddress) ch.localAddress()).toList();
    }

    /** The addresses actually bound (with the ports the kernel chose for port 0). */
    public List<InetSocketAddress> boundAddresses() {
        return serverChannels.stream().map(ch -> (InetSocketAddress) ch.localAddress()).toList();
    }

    /** The notice renderer of this gateway (its template cache is reported in the metrics). */
    public NoticeRenderer notices() {
        return notices;
    }

    public OriginPools upstreams() {
        return upstreams;
    }

    /**
     * Health-aware backend selection (failover to spares); call before {@link #start()}. Without it every backend
     * counts as available. A {@link HealthRegistry} also gets the upstream pools, to close idle connections to
     * backends that leave the table.
     */
    public GatewayServer withHealth(BackendHealth backendHealth) {
        this.health = java.util.Objects.requireNonNull(backendHealth);
        return this;
    }

    /** Open client connections (for metrics and tests). */
    public int openClientConnections() {
        return clients.size();
    }

    /** Completes when the connection from {@code client} (as the gateway sees its peer) has closed. */
    public ChannelGroupFuture clientConnectionClosed(InetSocketAddress client) {
        return clients.newCloseFuture(ch -> client.equals(ch.remoteAddress()));
    }

    /** Completes when every client connection open now has closed (tests: what a hostile client leaves behind). */
    public ChannelGroupFuture clientConnectionsClosed() {
        return clients.newCloseFuture();
    }

    /**
     * Graceful drain, for SIGTERM: stops accepting, closes idle kept-alive connections at once, lets every busy one
     * finish its current exchange (its response says {@code Connection: close}) and close, and waits for that at most
     * {@code timeout}; whatever is still open then is closed. Event loops keep running: {@link #close()} follows.
     *
     * @return how many connections had to be closed at the deadline
     */
    public int drain(Duration timeout) {
        stopAccepting();
        ChannelGroupFuture allClosed = clients.newCloseFuture();
        int busy = clients.size();
        for (Channel ch : clients) {
            ch.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);
        }
        log.info("draining {} client connection(s), for at most {}", busy, timeout);
        boolean done = allClosed.awaitUninterruptibly(timeout.toMillis());
        int left = done ? 0 : clients.size();
        if (left > 0) {
            log.warn("drain timeout: closing {} connection(s) still busy", left);
            clients.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        } else {
            log.info("drained");
        }
        return left;
    }

    /**
     * Sits on the listening channels and adds every accepted connection to the group, before the acceptor hands it
     * to the pipeline of {@link GatewayChannelInitializer}.
     */
    private static final class ClientTracker extends io.netty.channel.ChannelInboundHandlerAdapter {
        private final ChannelGroup clients;

        ClientTracker(ChannelGroup clients) {
            this.clients = clients;
        }

        @Override
        public boolean isSharable() {
            return true;
        }

        @Override
        public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Channel child) {
                clients.add(child);
            }
            ctx.fireChannelRead(msg);
        }
    }

    /**
     * Applies the file-level limits and timeouts of a reloaded configuration ({@code SIGHUP}) without dropping a
     * connection: the {@link net.passerelle.gateway.proxy.Tunables} that exchanges read as they start (and timers as
     * they check), the connection caps, the upstream settings. What it takes must match
     * {@link net.passerelle.gateway.reload.ConfigReloader#LIVE}, which tells the log what needs a restart.
     */
    public void reload(GatewayConfig next) {
        ProxySettings s = settings;
        if (s == null) {
            return;
        }
        s.reload(next);
        limiter.limit(next.limits().maxConnectionsPerClient(), next.limits().maxConnections());
        upstreams.reload(OriginSettings.from(next.upstream()));
        log.info("limits, timeouts and classification reloaded: new requests use them, new connections their decoder limits");
    }

    /** Stops accepting new connections; connections already open go on. */
    public void stopAccepting() {
        for (Channel ch : serverChannels) {
            ch.close().syncUninterruptibly();
        }
        for (Channel ch : tlsChannels) {
            ch.close().syncUninterruptibly();
        }
    }

    @Override
    public void close() {
        stopAccepting();
        // Connections are closed while their event loops still run, so that each pipeline is torn down (handlers
        // removed, a TLS engine and its context released). Left to the loops' shutdown, a connection closed in its
        // last turn could have its teardown task dropped: CI once reported a TLS engine and its context leaked after
        // an HTTP/2 test.
        clients.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

}
