package net.passerelle.gateway.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of a backend connection: hands what the backend sends to the exchange currently using the
 * connection. Between exchanges the connection sits in {@link UpstreamPool} with no exchange; anything it receives
 * then is unexpected and the connection is closed.
 *
 * <p>A backend connection always lives on the event loop of the client connection that uses it, so the two
 * handlers call each other directly, without locks.
 */
final class OriginResponseReceiver extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(OriginResponseReceiver.class);

    private ClientRequestReceiver exchange;
    private final UpstreamPool pool;

    OriginResponseReceiver(UpstreamPool pool) {
        this.pool = pool;
    }

    void attach(ClientRequestReceiver newExchange) {
        this.exchange = newExchange;
    }

    void detach() {
        this.exchange = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ClientRequestReceiver current = exchange;
        if (current == null) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        current.onOriginMessage(ctx.channel(), msg);
    }

    /**
     * Backpressure towards the backend works per read cycle: everything one socket read decoded has been passed on;
     * the exchange reads again only when the client connection can take more.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ClientRequestReceiver current = exchange;
        if (current != null) {
            current.onOriginReadComplete(ctx.channel());
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ClientRequestReceiver current = exchange;
        exchange = null;
        if (current != null) {
            current.onOriginClosed(ctx.channel());
        } else {
            pool.forget(ctx.channel());
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ClientRequestReceiver current = exchange;
        if (current != null && ctx.channel().isWritable()) {
            current.onOriginWritable(ctx.channel());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("backend connection {} failed", ctx.channel(), cause);
        ctx.close();
    }
}
