package net.passerelle.gateway.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import net.passerelle.gateway.proxy.ClientInfo;
import net.passerelle.gateway.proxy.ConnectionFacts;
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

import javax.net.ssl.TrustManagerFactory;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's client pipeline ({@link GatewayChannelInitializer}) on 127.0.0.1, port 0, for the HTTP/2 tests that
 * a {@link GatewayFixture} cannot serve:
 * <ul>
 *   <li>{@link #tls}: behind TLS, the way a TLS listener builds it: the connection limiter, an {@code SslHandler}
 *       (the step the TLS listeners add, {@code SecureTransport}), then the protocol ALPN chose. The certificate is
 *       made here by a test CA ({@link TestPki}) for the given host names; ALPN offers {@code h2} (when asked to)
 *       and {@code http/1.1}, with the JDK's provider;</li>
 *   <li>{@link #cleartext}: h2c with a small socket send buffer, so that a client that reads nothing fills it after
 *       a few thousand frames instead of a few million.</li>
 * </ul>
 */
public final class H2Gateway implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final TestPki pki;
    private final Channel server;

    public static H2Gateway tls(GatewayConfig config, RoutingTable table, boolean offerH2, String... hosts) throws Exception {
        TestPki pki = new TestPki();
        TestPki.Issued certificate = pki.issue(hosts);
        List<String> alpn = offerH2 ? List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1)
                : List.of(ApplicationProtocolNames.HTTP_1_1);
        SslContext tls = SslContextBuilder.forServer(certificate.keys().getPrivate(), certificate.leaf(), certificate.ca())
                .sslProvider(SslProvider.JDK)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn))
                .build();
        return new H2Gateway(config, table, pki, tls, 0);
    }

    /** h2c (whatever {@code http2.cleartext} says) with this socket send buffer on client connections. */
    public static H2Gateway cleartext(GatewayConfig config, RoutingTable table, int sendBuffer) throws Exception {
        return new H2Gateway(config.withHttp2(config.http2().withCleartext(true)), table, null, null, sendBuffer);
    }

    private H2Gateway(GatewayConfig config, RoutingTable table, TestPki pki, SslContext tls, int sendBuffer)
            throws Exception {
        this.pki = pki;
        OriginPools pools = new OriginPools(NioSocketChannel.class, OriginSettings.from(config.upstream()));
        ProxySettings settings = ProxySettings.from(config, new RoutingTableHolder(table),
                new ForwardingHeaders(List.of(), config.forwarding().via()), new NoticeRenderer(Clock.systemUTC()),
                pools, ProxyListener.NOOP, Clock.systemUTC(), null);
        String scheme = tls == null ? "http" : "https";
        ConnectionFacts facts = ch -> new ClientInfo((InetSocketAddress) ch.remoteAddress(), false, scheme);
        GatewayChannelInitializer initializer = new GatewayChannelInitializer(settings,
                new ConnectionLimiter(config.limits().maxConnectionsPerClient()),
                tls == null ? null : p -> p.addLast("tls", tls.newHandler(p.channel().alloc())), facts, config.http2(),
                config.server().drainTimeout());
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(16 * 1024, 32 * 1024))
                .childHandler(initializer);
        if (sendBuffer > 0) {
            b.childOption(ChannelOption.SO_SNDBUF, sendBuffer);
        }
        server = b.bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** What a client trusts to accept the gateway's certificate: the test CA that issued it. */
    public TrustManagerFactory trust() throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setCertificateEntry("test-ca", pki.ca());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return tmf;
    }

    /** The test CA as a PEM file, for curl's {@code --cacert}. */
    public File certificatePem() throws IOException {
        Path pem = Files.createTempFile("passerelle-test-ca", ".pem");
        pem.toFile().deleteOnExit();
        Files.writeString(pem, TestPki.pem(pki.ca()));
        return pem.toFile();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
