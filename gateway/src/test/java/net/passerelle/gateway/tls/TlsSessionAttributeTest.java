package net.passerelle.gateway.tls;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.ReferenceCountUtil;
import net.passerelle.gateway.testing.TestPki;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The request path's view of a TLS connection: after the handshake, {@link TlsAttributes#SESSION} holds the
 * protocol, cipher, SNI name, ALPN protocol and the served certificate's names, with OpenSSL and the JDK alike.
 */
class TlsSessionAttributeTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void theSessionIsOnTheChannelOnceTheHandshakeIsDone(String provider) throws Exception {
        TestPki pki = new TestPki();
        TestPki.write(dir, "alice", pki.issue("alice.gallery.test", "*.alice.test"), TestPki.KeyForm.PKCS8);
        CertificateRegistry registry = new CertificateRegistry(null);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (CertificateDirectory certs = new CertificateDirectory(dir, new CertificateLoader(new SslContexts(provider,
                List.of("http/1.1"), 100, Duration.ofMinutes(5))), registry, r -> { }).start(false)) {
            TlsHandshakes tls = new TlsHandshakes(registry, OnDemandCertificates.NONE,
                    new TlsMetrics(new SimpleMeterRegistry(), registry, Clock.systemUTC()), Duration.ofSeconds(5), Duration.ZERO);
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            tls.addTo(ch.pipeline());
                            ch.pipeline().addLast(new SessionEcho());
                        }
                    }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            try (TlsClient client = new TlsClient(pki, (InetSocketAddress) server.localAddress(), "www.alice.test")) {
                SSLSocket socket = client.socket();
                socket.getOutputStream().write('x');
                String seen = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(client.protocol() + " " + socket.getSession().getCipherSuite()
                        + " www.alice.test http/1.1 [alice.gallery.test, *.alice.test] covers www.alice.test: true,"
                        + " bob.gallery.test: false", seen);
            } finally {
                server.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            registry.close();
        }
    }

    /** Answers the first bytes with what the channel attribute says, then closes. */
    private static final class SessionEcho extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            TlsSession s = TlsAttributes.of(ctx.channel());
            String text = s.protocol() + " " + s.cipher() + " " + s.sniName() + " " + s.alpn() + " " + s.certificate()
                    + " covers www.alice.test: " + s.covers("www.alice.test") + ", bob.gallery.test: " + s.covers("bob.gallery.test");
            ByteBuf out = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
            ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
