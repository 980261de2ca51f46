package net.passerelle.gateway.client;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.util.ReferenceCountUtil;
import net.passerelle.gateway.http.ForwardingHeaders;
import net.passerelle.gateway.origin.OriginPool;
import net.passerelle.gateway.proxy.ClientInfo;
import net.passerelle.gateway.proxy.ConnectionFacts;
import net.passerelle.gateway.proxy.ProxySettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * The connection-wide end of an HTTP/2 client connection, last in its pipeline after {@code h2-codec}
 * ({@code Http2FrameCodec}) and {@code h2-streams} ({@code Http2MultiplexHandler}, which gives every stream its
 * child channel and {@link Http2Stream}). It owns what belongs to the connection, not to a request:
 * <ul>
 *   <li>the facts about the client, described once for all its streams;</li>
 *   <li>the connection's receive window, raised at start to {@code http2.connectionWindowSize} so that the streams'
 *       own windows, not the connection's, are what a slow backend holds up;</li>
 *   <li>closing an idle connection (no open stream for {@code limits.keepAliveTimeout});</li>
 *   <li>drain ({@link DrainEvent}) and a client that shuts its side: the channel is closed through the codec, which
 *       sends GOAWAY with the last stream id, lets the open streams finish, then closes the connection.</li>
 * </ul>
 * Frames that reach it (SETTINGS, PING, GOAWAY: the codec has acted on them already) are dropped.
 */
final class Http2Connection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(Http2Connection.class);

    private final ProxySettings px;
    private final ConnectionFacts facts;
    private final long connectionWindow;
    private ChannelHandlerContext ctx;
    private ConnectionTimer timer;
    private ClientInfo info;
    private OriginPool pool;
    private int openStreams;
    private long idleSinceNanos;
    private boolean closing;

    /** @param connectionWindow the connection's receive window, in bytes (at least the protocol's 65,535) */
    Http2Connection(ProxySettings px, ConnectionFacts facts, long connectionWindow) {
        this.px = px;
        this.facts = facts;
        this.connectionWindow = connectionWindow;
    }

    /** The client as its connection describes it (after any TLS handshake), once for all the streams. */
    ClientInfo info() {
        if (info == null) {
            info = facts.describe(ctx.channel()).withProtocol(ForwardingHeaders.H2);
        }
        return info;
    }

    OriginPool originPool() {
        return pool;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.timer = new ConnectionTimer(ctx.executor(), this::onTimer, failure -> exceptionCaught(ctx, failure));
        if (ctx.channel().isActive()) {
            // Installed once the protocol was known (ALPN, or the h2c preface): the connection is open already.
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start();
        ctx.fireChannelActive();
    }

    private void start() {
        if (pool != null) {
            return;
        }
        pool = px.origins().get(ctx.channel().eventLoop());
        long increment = connectionWindow - 65535;
        if (increment > 0) {
            // Written through the codec: a WINDOW_UPDATE on stream 0 (Http2FrameCodec's documented way).
            ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame((int) increment), ctx.voidPromise());
        }
        idle();
    }

    void streamOpened() {
        openStreams++;
    }

    void streamClosed() {
        if (--openStreams == 0) {
            idle();
        }
    }

    private void idle() {
        idleSinceNanos = System.nanoTime();
        timer.atMost(px.timeouts().keepAlive());
    }

    private void onTimer() {
        if (openStreams > 0 || closing) {
            return;
        }
        long deadline = idleSinceNanos + px.timeouts().keepAlive();
        long now = System.nanoTime();
        if (now - deadline >= 0) {
            log.debug("HTTP/2 connection {} idle for {} ms: GOAWAY", ctx.channel(), px.timeouts().keepAlive() / 1_000_000);
            shutDown();
        } else {
            timer.atMost(deadline - now);
        }
    }

    /** GOAWAY with the last stream id, the open streams finish, then the codec closes the connection. */
    private void shutDown() {
        if (!closing) {
            closing = true;
            timer.cancel();
            ctx.channel().close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof DrainEvent || evt instanceof ChannelInputShutdownEvent) {
            shutDown();
            return;
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        timer.cancel();
        ctx.fireChannelInactive();
    }

    /**
     * A protocol error is the codec's to answer: it sends GOAWAY with the error's code (ENHANCE_YOUR_CALM for a
     * flood, PROTOCOL_ERROR, …) and closes; closing here first would say NO_ERROR instead. Anything else closes.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
            log.debug("HTTP/2 connection {}: {}", ctx.channel(), cause.toString());
            return;
        }
        if (cause instanceof IOException) {
            log.debug("HTTP/2 connection {} failed: {}", ctx.channel(), cause.toString());
        } else {
            log.warn("HTTP/2 connection {} closed after an unexpected error", ctx.channel(), cause);
        }
        ctx.close();
    }
}
