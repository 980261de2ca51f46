package net.passerelle.gateway.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;

import javax.net.ssl.TrustManagerFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Netty's own HTTP/2 client, as a test drives it: over TLS with ALPN ({@code h2}, {@code http/1.1}) or cleartext
 * with prior knowledge; one connection, a stream per request ({@code Http2StreamFrameToHttpObjectCodec} and an
 * aggregator on each), answers as {@link Response}s. Waits are bounded: a safety net, never a synchronisation.
 */
public final class H2Client implements AutoCloseable {
    /** A whole response, or the reset that ended its stream instead ({@code status} 0, {@code resetCode} set). */
    public record Response(int status, HttpHeaders headers, String body, long resetCode) {
        public String header(String name) {
            return headers == null ? null : headers.get(name);
        }
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    /** What ALPN chose, taken when the handshake completed (the gateway may close the connection right after). */
    private final String negotiated;
    private final CompletableFuture<Http2GoAwayFrame> goAway = new CompletableFuture<>();
    private final java.util.concurrent.atomic.AtomicLong bytesSent = new java.util.concurrent.atomic.AtomicLong();

    private H2Client(InetSocketAddress to, SslContext tls, String sni, Http2Settings settings) throws InterruptedException {
        ChannelHandler initializer = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast("count", new io.netty.channel.ChannelOutboundHandlerAdapter() {
                    @Override
                    public void write(ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise promise) {
                        if (msg instanceof io.netty.buffer.ByteBuf b) {
                            bytesSent.addAndGet(b.readableBytes());
                        }
                        ctx.write(msg, promise);
                    }
                });
                if (tls != null) {
                    ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), sni, to.getPort()));
                }
                ch.pipeline()
                        .addLast(Http2FrameCodecBuilder.forClient().initialSettings(settings).build())
                        .addLast(new Http2MultiplexHandler(new SimpleChannelInboundHandler<>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
                                // the gateway pushes nothing
                            }
                        }))
                        .addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof Http2GoAwayFrame g) {
                                    goAway.complete(g.retain());
                                }
                                ReferenceCountUtil.release(msg);
                            }
                        });
            }
        };
        channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true).handler(initializer).connect(to).sync().channel();
        if (tls != null) {
            SslHandler ssl = channel.pipeline().get(SslHandler.class);
            ssl.handshakeFuture().sync();
            negotiated = ssl.applicationProtocol();
        } else {
            negotiated = null;
        }
        channel.closeFuture().addListener(f -> goAway.complete(null));
    }

    /** Cleartext h2c, the connection preface first (prior knowledge). */
    public static H2Client priorKnowledge(InetSocketAddress to) throws InterruptedException {
        return new H2Client(to, null, null, Http2Settings.defaultSettings());
    }

    /** Cleartext h2c with the client's own SETTINGS (e.g. an initial window of 0). */
    public static H2Client priorKnowledge(InetSocketAddress to, Http2Settings settings) throws InterruptedException {
        return new H2Client(to, null, null, settings);
    }

    /** TLS, offering {@code h2} then {@code http/1.1} by ALPN, trusting {@code trust}. */
    public static H2Client tls(InetSocketAddress to, TrustManagerFactory trust, String sni) throws Exception {
        SslContext ctx = SslContextBuilder.forClient().trustManager(trust)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                .build();
        return new H2Client(to, ctx, sni, Http2Settings.defaultSettings());
    }

    /** What ALPN chose (null without TLS). */
    public String negotiatedProtocol() {
        return negotiated;
    }

    public Channel channel() {
        return channel;
    }

    /** Bytes the connection has written to its socket so far (every frame, of every stream). */
    public long bytesSent() {
        return bytesSent.get();
    }

    public static FullHttpRequest request(HttpMethod method, String host, String path, String body) {
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path,
                body == null ? Unpooled.EMPTY_BUFFER : Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.HOST, host);
        if (body != null) {
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        }
        return r;
    }

    public Response get(String host, String path) throws Exception {
        return send(request(HttpMethod.GET, host, path, null)).get(15, TimeUnit.SECONDS);
    }

    /** Sends a request on a new stream; completes with its response, or with the reset that ended the stream. */
    public CompletableFuture<Response> send(FullHttpRequest request) throws InterruptedException {
        CompletableFuture<Response> answer = new CompletableFuture<>();
        Http2StreamChannel stream = open(answer);
        stream.writeAndFlush(request);
        return answer;
    }

    /**
     * Sends a request head, then its body in the given parts, then the end of the stream (an empty DATA frame): a
     * body whose length the HEADERS do not announce.
     */
    public CompletableFuture<Response> stream(io.netty.handler.codec.http.HttpRequest head, String... parts)
            throws InterruptedException {
        CompletableFuture<Response> answer = new CompletableFuture<>();
        Http2StreamChannel stream = open(answer);
        stream.write(head);
        for (String part : parts) {
            stream.write(new io.netty.handler.codec.http.DefaultHttpContent(Unpooled.copiedBuffer(part, StandardCharsets.UTF_8)));
        }
        stream.writeAndFlush(io.netty.handler.codec.http.LastHttpContent.EMPTY_LAST_CONTENT);
        return answer;
    }

    /** Opens a stream whose response completes {@code answer}; the caller writes the request parts. */
    public Http2StreamChannel open(CompletableFuture<Response> answer) throws InterruptedException {
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(channel).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false))
                        .addLast(new HttpObjectAggregator(64 << 20))
                        .addLast(new Collector(answer));
            }
        }).open().sync().getNow();
        stream.closeFuture().addListener(f -> answer.complete(new Response(0, null, null, -1)));
        return stream;
    }

    /** The GOAWAY the gateway sent (null if the connection closed without one); waits a few seconds at most. */
    public Http2GoAwayFrame awaitGoAway() throws Exception {
        return goAway.get(15, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        Http2GoAwayFrame g = goAway.getNow(null);
        if (g != null) {
            g.release();
        }
    }

    private static final class Collector extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Response> answer;

        Collector(CompletableFuture<Response> answer) {
            this.answer = answer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FullHttpResponse r && r.status().code() >= 200) {
                answer.complete(new Response(r.status().code(), r.headers().copy(),
                        r.content().toString(StandardCharsets.UTF_8), -1));
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame reset) {
                answer.complete(new Response(0, null, null, reset.errorCode()));
            }
            ReferenceCountUtil.release(evt);
        }
    }
}
