package net.passerelle.gateway.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import net.passerelle.gateway.origin.OriginPool;
import net.passerelle.gateway.proxy.ClientInfo;
import net.passerelle.gateway.proxy.ClientSide;
import net.passerelle.gateway.proxy.Exchange;
import net.passerelle.gateway.proxy.ProxySettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * One HTTP/2 stream, on its own child channel of the connection ({@code Http2MultiplexHandler}), after Netty's
 * {@code Http2StreamFrameToHttpObjectCodec}: the glue between the stream and the {@link Exchange} that carries its
 * request, the same exchange as for HTTP/1.1. What is HTTP/2's own stays here: one request per stream, the stream
 * reset when its request cannot finish, and no connection-wide state (keep-alive, pipelining, draining are the
 * connection's, {@link Http2Connection}).
 *
 * <p>The child channel does not read by itself: it reads one frame each time the exchange asks
 * ({@link #readRequestBody()}), and Netty returns to the client's window only what was read. So a request body
 * waits in the client, not in the gateway, while its backend is slow, and a stalled stream never holds what the
 * other streams of the connection need (their windows are their own, the connection's is sized for all).
 * Responses have per-stream backpressure the same way: the child channel turns unwritable when the stream's flow
 * control window or the connection's socket holds its data back, and the backend's reads follow
 * ({@code BudgetedRecvAllocator}).
 */
final class Http2Stream extends ChannelInboundHandlerAdapter implements ClientSide {
    private static final Logger log = LoggerFactory.getLogger(Http2Stream.class);

    private final ProxySettings px;
    private final Http2Connection connection;
    private ChannelHandlerContext ctx;
    private ConnectionTimer timer;
    private Exchange exchange;
    /** A head without END_STREAM but with {@code content-length: 0}: the empty DATA that ends the stream is dropped. */
    private boolean dropEmptyLast;
    /** The response has been handed over whole (or the stream given up): nothing more is sent. */
    private boolean responded;
    /** The last part of the response has left for the client (written to the connection, within the windows). */
    private boolean delivered;

    Http2Stream(ProxySettings px, Http2Connection connection) {
        this.px = px;
        this.connection = connection;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.timer = new ConnectionTimer(ctx.executor(), this::onTimer, failure -> exceptionCaught(ctx, failure));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connection.streamOpened();
        ctx.read(); // the HEADERS that opened the stream
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (exchange == null) {
            if (msg instanceof HttpRequest request) {
                begin(request);
            } else {
                ReferenceCountUtil.release(msg);
                reset(Http2Error.PROTOCOL_ERROR);
            }
        } else if (dropEmptyLast && msg instanceof LastHttpContent last && !last.content().isReadable()) {
            dropEmptyLast = false;
            last.release();
        } else if (msg instanceof HttpContent content && !responded) {
            exchange.onRequestContent(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void begin(HttpRequest decoded) {
        boolean ended = decoded instanceof FullHttpRequest;
        HttpRequest head = Http2Translation.requestHead(decoded);
        dropEmptyLast = !ended && !Exchange.hasBody(head);
        exchange = new Exchange(px, this);
        exchange.begin(head);
        if (dropEmptyLast && ctx.channel().isActive()) {
            // Nobody else reads the stream's end: unread, it would keep the child channel open after the exchange.
            ctx.read();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && exchange != null) {
            exchange.onClientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2ResetFrame reset && exchange != null) {
            log.debug("request {}: stream reset by the client ({})", exchange.requestId(), reset.errorCode());
        }
        // The channel closes after a reset: channelInactive gives the exchange up.
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        timer.cancel();
        responded = true;
        if (exchange != null) {
            exchange.onClientClosed();
        }
        connection.streamClosed();
        ctx.fireChannelInactive();
    }

    /**
     * A stream error found by Netty (a {@code content-length} the DATA disagrees with, a {@code host} that is not
     * the {@code :authority}, …) resets the stream with its own error code; anything else is ours.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        String id = exchange != null && exchange.requestId() != null ? exchange.requestId() : "-";
        Http2Exception http2 = cause instanceof Http2Exception e ? e
                : cause.getCause() instanceof Http2Exception e ? e : null;
        if (http2 != null || cause instanceof IOException) {
            log.debug("stream {} (request {}) failed: {}", ctx.channel(), id, cause.toString());
        } else {
            log.warn("stream {} (request {}) reset after an unexpected error", ctx.channel(), id, cause);
        }
        reset(http2 != null ? http2.error() : Http2Error.INTERNAL_ERROR);
    }

    // ---------------------------------------------------------------- ClientSide: what the exchange asks

    @Override
    public Channel channel() {
        return ctx.channel();
    }

    @Override
    public ClientInfo info() {
        return connection.info();
    }

    @Override
    public OriginPool originPool() {
        return connection.originPool();
    }

    @Override
    public void readRequestBody() {
        ctx.read();
    }

    @Override
    public void sendContinue() {
        ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE), ctx.voidPromise());
    }

    @Override
    public void sendHead(HttpResponse head) {
        // Hop-by-hop fields and framing are the codec's: HttpConversionUtil.toHttp2Headers leaves them out.
        ctx.write(head, ctx.voidPromise());
    }

    @Override
    public void sendContent(HttpContent part) {
        ctx.writeAndFlush(part, ctx.voidPromise());
    }

    @Override
    public void sendLast(LastHttpContent last) {
        finishWith(last);
    }

    @Override
    public void sendLocal(FullHttpResponse response, boolean close) {
        if (responded || !ctx.channel().isActive()) {
            response.release();
            return;
        }
        finishWith(response);
    }

    /**
     * Writes the end of the response. The exchange is over, but the stream is not until its data has left: the
     * client's flow-control windows may hold it back (up to the child channel's water mark), for at most
     * {@code limits.sendTimeout} before the stream is reset.
     */
    private void finishWith(LastHttpContent last) {
        responded = true;
        timer.atMost(px.timeouts().send());
        ctx.writeAndFlush(last).addListener(f -> afterResponse());
    }

    /**
     * The response is out. A client still sending a body nobody will read is told to stop, without error
     * (RFC 9113, 8.1); the stream then closes. Otherwise the stream closes by itself, both ends being done.
     */
    private void afterResponse() {
        delivered = true;
        timer.cancel();
        if (!exchange.requestComplete() && ctx.channel().isActive()) {
            reset(Http2Error.NO_ERROR);
        }
    }

    @Override
    public void abort() {
        reset(Http2Error.CANCEL);
    }

    /** Ends the stream with RST_STREAM; the channel closes, and the exchange lets go of what it holds. */
    private void reset(Http2Error error) {
        responded = true;
        timer.cancel();
        Channel ch = ctx.channel();
        if (ch.isActive()) {
            ch.writeAndFlush(new DefaultHttp2ResetFrame(error)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void schedule(long delayNanos) {
        timer.atMost(delayNanos);
    }

    private void onTimer() {
        if (!responded) {
            exchange.onTimer(System.nanoTime());
        } else if (!delivered && ctx.channel().isActive()) {
            log.debug("request {}: the client took nothing of the response's end for {} ms; stream reset",
                    exchange.requestId(), px.timeouts().send() / 1_000_000);
            reset(Http2Error.CANCEL);
        }
    }
}
