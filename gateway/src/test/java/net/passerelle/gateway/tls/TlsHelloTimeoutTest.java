package net.passerelle.gateway.tls;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import net.passerelle.gateway.testing.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With certificates on demand, {@code tls.handshakeTimeout} still bounds the ClientHello's arrival: only a handshake
 * whose ClientHello is in and names a host waiting for its order gets {@code tls.acme.handshakeWait} on top.
 */
class TlsHelloTimeoutTest {
    private static final TestPki PKI = new TestPki();
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofMillis(300);
    private static final Duration ON_DEMAND_WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private final CertificateRegistry registry = new CertificateRegistry(null);
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private CertificateLoader loader;
    private Channel server;

    @BeforeEach
    void setUp() throws Exception {
        loader = new CertificateLoader(new SslContexts("jdk", List.of("http/1.1"), 100, Duration.ofMinutes(1)));
        TestPki.write(dir, "late", PKI.issue("late.gallery.test"), TestPki.KeyForm.PKCS8);
        TestPki.write(dir, "now", PKI.issue("now.gallery.test"), TestPki.KeyForm.PKCS8);
        registry.put(loader.fromFiles("now", dir.resolve("now.crt"), dir.resolve("now.key")));
        // An order that takes longer than the handshake timeout, well within the on-demand wait.
        OnDemandCertificates onDemand = host -> CompletableFuture.runAsync(() -> {
            try {
                registry.put(loader.fromFiles("late", dir.resolve("late.crt"), dir.resolve("late.key")));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, CompletableFuture.delayedExecutor(HANDSHAKE_TIMEOUT.toMillis() * 3, TimeUnit.MILLISECONDS));
        TlsHandshakes tls = new TlsHandshakes(registry, onDemand,
                new TlsMetrics(new SimpleMeterRegistry(), registry, Clock.systemUTC()), HANDSHAKE_TIMEOUT, ON_DEMAND_WAIT);
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        tls.addTo(ch.pipeline());
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        registry.close();
    }

    @Test
    void aClientThatSendsNothingIsClosedAfterTheHandshakeTimeoutNotTheOnDemandWait() throws Exception {
        try (Socket silent = new Socket()) {
            silent.connect(server.localAddress(), 5000);
            silent.setSoTimeout(10_000);   // a third of the on-demand wait: only the handshake timeout closes it by then
            long start = System.nanoTime();
            assertEquals(-1, silent.getInputStream().read());
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(tookMillis >= HANDSHAKE_TIMEOUT.toMillis() - 50, "closed too early: " + tookMillis + " ms");
        }
    }

    @Test
    void aClientThatStopsAfterItsClientHelloIsClosedAfterTheHandshakeTimeout() throws Exception {
        SSLEngine engine = PKI.clientContext().createSSLEngine("now.gallery.test", 443);
        engine.setUseClientMode(true);
        SSLParameters params = engine.getSSLParameters();
        params.setServerNames(List.of(new SNIHostName("now.gallery.test")));
        engine.setSSLParameters(params);
        ByteBuffer hello = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.beginHandshake();
        engine.wrap(ByteBuffer.allocate(0), hello);
        hello.flip();
        try (Socket stalled = new Socket()) {
            stalled.connect(server.localAddress(), 5000);
            stalled.getOutputStream().write(hello.array(), 0, hello.limit());
            stalled.setSoTimeout(5_000);   // half of Netty's own default, which applied whatever the configuration said
            InputStream in = stalled.getInputStream();
            byte[] flight = new byte[8192];
            int total = 0;
            for (int n = in.read(flight); n >= 0; n = in.read(flight)) {
                total += n;
            }
            assertTrue(total > 0, "the server's first flight");
        }
    }

    @Test
    void aHandshakeWaitingForItsOrderIsNotCutByTheHandshakeTimeout() throws Exception {
        try (TlsClient client = new TlsClient(PKI, (InetSocketAddress) server.localAddress(), "late.gallery.test")) {
            assertTrue(client.served().getSubjectAlternativeNames().toString().contains("late.gallery.test"),
                    client.served().toString());
        }
    }
}
