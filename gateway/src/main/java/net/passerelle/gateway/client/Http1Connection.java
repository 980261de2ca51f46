package net.passerelle.gateway.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import net.passerelle.gateway.http.StrictRequestDecoder;
import net.passerelle.gateway.notice.NoticeKind;
import net.passerelle.gateway.origin.OriginPool;
import net.passerelle.gateway.proxy.ClientInfo;
import net.passerelle.gateway.proxy.ClientSide;
import net.passerelle.gateway.proxy.ConnectionFacts;
import net.passerelle.gateway.proxy.Exchange;
import net.passerelle.gateway.proxy.ProxySettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * The client-facing end of an HTTP/1.1 connection: glue between Netty's HTTP/1.1 codec and the {@link Exchange}
 * that carries each request. It owns what is HTTP/1.1's own: one exchange at a time (pipelined requests wait),
 * keep-alive, the header-read and keep-alive timeouts, response framing ({@link Http1Framing}), the rest of a
 * request body nobody read, half-closed and draining connections.
 *
 * <p>Messages reach the exchange one at a time, when it asks ({@link #readRequestBody()}), through a
 * {@link MessageGate}.
 */
public final class Http1Connection extends ChannelInboundHandlerAdapter implements ClientSide {
    private static final Logger log = LoggerFactory.getLogger(Http1Connection.class);

    private enum State { AWAIT_HEAD, EXCHANGE, DISCARDING, CLOSED }

    private final ProxySettings px;
    private final StrictRequestDecoder decoder;
    private final ClientResponseEncoder encoder;
    private final ConnectionFacts facts;
    private ChannelHandlerContext ctx;
    private ClientInfo info;
    private OriginPool pool;
    private Exchange exchange;
    private ConnectionTimer timer;
    private State state = State.AWAIT_HEAD;
    private long waitStartNanos;
    private final UnreadBody unread = new UnreadBody();
    private MessageGate gate;
    private boolean closeAfterResponse;
    private boolean draining;
    private boolean inputClosed;
    /** Whether a request ever came: until one has, the connection gets the header timeout, not the keep-alive one. */
    private boolean used;

    Http1Connection(ProxySettings px, StrictRequestDecoder decoder, ClientResponseEncoder encoder, ConnectionFacts facts) {
        this.px = px;
        this.decoder = decoder;
        this.encoder = encoder;
        this.facts = facts;
    }

    // ---------------------------------------------------------------- channel events

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.timer = new ConnectionTimer(ctx.executor(), this::onTimer, failure -> exceptionCaught(ctx, failure));
        this.gate = new MessageGate(ctx.channel(), this::dispatch);
        if (ctx.channel().isActive()) {
            start(); // installed once ALPN chose HTTP/1.1: the connection is open already
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start();
        ctx.fireChannelActive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) { // the connection turned out to speak h2: no timer may close it
        timer.cancel();
        gate.close();
    }

    private void start() {
        if (pool == null) {
            pool = px.origins().get(ctx.channel().eventLoop());
            awaitRequest();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        gate.offer(msg);
    }

    private void dispatch(Object msg) {
        switch (state) {
            case AWAIT_HEAD -> {
                if (msg instanceof HttpRequest request) {
                    startExchange(request);
                } else {
                    // The rest of a request already answered: nothing to do with it.
                    ReferenceCountUtil.release(msg);
                    readClient();
                }
            }
            case EXCHANGE -> {
                if (msg instanceof HttpContent content) {
                    exchange.onRequestContent(content);
                } else {
                    ReferenceCountUtil.release(msg);
                    abort();
                }
            }
            case DISCARDING -> discard(msg);
            default -> ReferenceCountUtil.release(msg);
        }
    }

    private void readClient() {
        gate.request();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && exchange != null) {
            exchange.onClientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        timer.cancel();
        gate.close();
        if (exchange != null) {
            exchange.onClientClosed();
        }
        ctx.fireChannelInactive();
    }

    /**
     * Graceful drain ({@link DrainEvent}): close now when between requests, otherwise after the current exchange.
     * A client that shuts its sending side (FIN) after a whole request still gets its answer (`printf … | nc`); one
     * that does so in the middle of a body abandons it, and everything the exchange holds is released at once.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        boolean drain = evt instanceof DrainEvent;
        if (!drain && !(evt instanceof ChannelInputShutdownEvent)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (drain) {
            draining = true;
        } else {
            inputClosed = true;
        }
        boolean idle = state == State.AWAIT_HEAD && !gate.hasBacklog();
        if (idle || (state == State.DISCARDING && !drain)) {
            close();
        } else if (state == State.EXCHANGE && !drain && exchange.onClientInputClosed()) {
            log.debug("request {} abandoned: {} closed its side mid-request", exchange.requestId(), info().address());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        String id = exchange != null && exchange.requestId() != null ? exchange.requestId() : "-";
        if (cause instanceof IOException) {
            log.debug("client connection {} (request {}) failed: {}", ctx.channel(), id, cause.toString());
        } else if (cause instanceof OutOfMemoryError || cause.getCause() instanceof OutOfMemoryError) {
            log.error("client connection {} (request {}) closed: out of memory: {}", ctx.channel(), id, cause.toString());
        } else {
            log.warn("client connection {} (request {}) closed after an unexpected error", ctx.channel(), id, cause);
        }
        abort();
    }

    // ---------------------------------------------------------------- requests

    private void startExchange(HttpRequest request) {
        decoder.stopWatching();
        used = true;
        state = State.EXCHANGE;
        closeAfterResponse = false;
        if (exchange == null) {
            exchange = new Exchange(px, this);
        }
        gate.dropNextEmptyLast(request.decoderResult().isSuccess() && !Exchange.hasBody(request));
        exchange.begin(request);
    }

    private void awaitRequest() {
        if (inputClosed && !gate.hasBacklog()) {
            close();
            return;
        }
        state = State.AWAIT_HEAD;
        if (exchange != null) {
            exchange.recycle();
        }
        waitStartNanos = System.nanoTime();
        decoder.watchForFirstByte();
        timer.atMost(Math.min(px.timeouts().headerRead(), px.timeouts().keepAlive()));
        readClient();
    }

    private void discard(Object msg) {
        waitStartNanos = System.nanoTime();
        switch (unread.drop(msg)) {
            case MALFORMED -> close();
            case NEXT_REQUEST -> awaitRequest();
            case TOO_LONG -> linger(ctx.newSucceededFuture());
            case READ_MORE -> readClient();
        }
    }

    // ---------------------------------------------------------------- ClientSide: what the exchange asks

    @Override
    public Channel channel() {
        return ctx.channel();
    }

    /** Described at the first request: on a TLS listener, the handshake is over by then. */
    @Override
    public ClientInfo info() {
        if (info == null) {
            info = facts.describe(ctx.channel());
        }
        return info;
    }

    @Override
    public OriginPool originPool() {
        return pool;
    }

    @Override
    public void readRequestBody() {
        readClient();
    }

    @Override
    public void sendContinue() {
        if (!exchange.isHttp10()) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
    }

    @Override
    public void sendHead(HttpResponse head) {
        closeAfterResponse |= draining || !exchange.keepAlive() || !exchange.requestComplete();
        closeAfterResponse = Http1Framing.prepare(head, exchange.isHeadRequest(), exchange.isHttp10(), closeAfterResponse);
        encoder.answeringHead(exchange.isHeadRequest());
        ctx.write(head, ctx.voidPromise());
    }

    @Override
    public void sendContent(HttpContent part) {
        ctx.writeAndFlush(part, ctx.voidPromise());
    }

    @Override
    public void sendLast(LastHttpContent last) {
        finish(last);
    }

    @Override
    public void sendLocal(FullHttpResponse response, boolean close) {
        closeAfterResponse = close || closeAfterResponse || draining || !exchange.keepAlive() 
                || Http1Framing.unreadBodyForcesClose(exchange, UnreadBody.LIMIT);
        Http1Framing.prepareLocal(response, exchange.isHttp10(), closeAfterResponse);
        encoder.answeringHead(exchange.isHeadRequest());
        if (state == State.CLOSED || !ctx.channel().isActive()) {
            response.release();
            return;
        }
        finish(response);
    }

    /**
     * Writes an answer's last message and moves on: to the next request, to the rest of this one's body to drop, or to
     * the end of the connection. Nothing waits for a kept-alive answer's last write, so it gets no promise: a failure
     * reaches {@link #exceptionCaught}, as the body parts' failures do.
     */
    private void finish(Object last) {
        if (closeAfterResponse) {
            ChannelFuture lastWrite = ctx.writeAndFlush(last);
            if (!exchange.requestComplete() && !inputClosed) {
                linger(lastWrite);
            } else {
                state = State.CLOSED;
                timer.cancel();
                lastWrite.addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        ctx.writeAndFlush(last, ctx.voidPromise());
        if (state == State.CLOSED) {
            return; // the write failed at once, which closed the connection
        }
        if (exchange.requestComplete()) {
            awaitRequest();
        } else {
            state = State.DISCARDING;
            unread.start();
            waitStartNanos = System.nanoTime();
            timer.atMost(px.timeouts().idle());
            readClient();
        }
    }

    @Override
    public void abort() {
        close();
    }

    @Override
    public void schedule(long delayNanos) {
        timer.atMost(delayNanos);
    }

    /** The answer is out but the client may still be sending: see {@link LingeringClose}. */
    private void linger(ChannelFuture lastWrite) {
        state = State.CLOSED;
        timer.cancel();
        gate.close();
        LingeringClose.after(lastWrite, ctx, decoder);
    }

    private void close() {
        state = State.CLOSED;
        timer.cancel();
        ctx.close();
    }

    // ---------------------------------------------------------------- timers

    private void onTimer() {
        long now = System.nanoTime();
        switch (state) {
            case AWAIT_HEAD -> onIdleTimer(now);
            case EXCHANGE -> exchange.onTimer(now);
            case DISCARDING -> closeAt(waitStartNanos + px.timeouts().idle(), now, Long.MAX_VALUE);
            default -> { }
        }
    }

    /** Between requests: a head that is slow to arrive gets 408, a connection idle for too long is closed. */
    private void onIdleTimer(long now) {
        long firstByte = decoder.firstByteNanos();
        if (firstByte != 0) {
            long deadline = firstByte + px.timeouts().headerRead();
            if (now - deadline >= 0) {
                state = State.EXCHANGE;
                if (exchange == null) {
                    exchange = new Exchange(px, this);
                }
                exchange.beginWithoutRequest(NoticeKind.REQUEST_TIMEOUT);
            } else {
                timer.atMost(deadline - now);
            }
            return;
        }
        // Idle for a while: the exchange (and its stages) and the connection's description go, made again if a request
        // comes; a kept-alive connection nobody uses then holds only Netty's channel and these handlers.
        exchange = null;
        info = null;
        // A connection that never sent a byte gets the header timeout, counted from its opening, as nginx's
        // client_header_timeout and HAProxy's timeout http-request do: the keep-alive time is for clients that
        // have been served, and a crowd of silent new connections must not hold slots for that long.
        long keepAlive = used ? px.timeouts().keepAlive() : Math.min(px.timeouts().keepAlive(), px.timeouts().headerRead());
        closeAt(waitStartNanos + keepAlive, now, px.timeouts().headerRead());
    }

    /** Closes once {@code deadline} has passed; until then, looks again no later than {@code within}. */
    private void closeAt(long deadline, long now, long within) {
        if (now - deadline >= 0) {
            close();
        } else {
            timer.atMost(Math.min(deadline - now, within));
        }
    }
}
