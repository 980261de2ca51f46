package net.passerelle.gateway.origin;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import net.passerelle.gateway.routing.Backend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;

/**
 * One connection to a backend, and the last handler of its pipeline ({@link OriginChannelInitializer}). It hands
 * what the backend sends to the exchange attached to it ({@link #attach}); between exchanges it sits idle in its
 * {@link OriginPool}, and anything it receives then is unexpected: the connection is closed.
 *
 * <p>Exchanges hold this object, never the backend channel's pipeline: {@link #channel()} is there to write the
 * request, the rest goes through the methods below. Confined to the connection's event loop.
 */
public final class OriginConnection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(OriginConnection.class);

    private final OriginPool pool;
    private final InetSocketAddress address;
    private Channel channel;
    private OriginListener listener;
    private boolean paused;
    private ChannelFuture connectFuture;
    /** While pooled: when ({@link System#nanoTime()}) the pool closes the connection if it is still unused. */
    long idleDeadline;

    OriginConnection(OriginPool pool, InetSocketAddress address) {
        this.pool = pool;
        this.address = address;
    }

    public Channel channel() {
        return channel;
    }

    /** Done when the connection is established (or failed); already done for a pooled connection. */
    public ChannelFuture connectFuture() {
        return connectFuture;
    }

    void connecting(ChannelFuture f) {
        this.connectFuture = f;
        this.channel = f.channel();
    }

    public InetSocketAddress address() {
        return address;
    }

    /** Routes what this connection receives to {@code exchange} until {@link #detach()}. */
    public void attach(OriginListener exchange) {
        this.listener = exchange;
    }

    /**
     * Ends the exchange's use of this connection; reading resumes if the exchange had paused it (an idle pooled
     * connection must read to notice that the backend closed it).
     */
    public void detach() {
        listener = null;
        resumeReading();
    }

    /** Backpressure towards the backend: no more reads until {@link #resumeReading()}. */
    public void pauseReading() {
        if (!paused) {
            paused = true;
            channel.config().setAutoRead(false);
        }
    }

    public void resumeReading() {
        if (paused) {
            paused = false;
            channel.config().setAutoRead(true);
        }
    }

    /**
     * Gives the connection back after a complete exchange, for {@code backend}'s next request; it is closed instead
     * when it is not reusable or when the pool for its backend is full.
     */
    public void release() {
        detach();
        pool.release(this);
    }

    /** Closes a connection that must not be reused (an exchange that did not complete, a removed backend). */
    public void close() {
        listener = null;
        channel.close();
    }

    public boolean isActive() {
        return channel.isActive();
    }

    public boolean isWritable() {
        return channel.isWritable();
    }

    /** What the next read from the backend may bring: as much as the attached exchange can take. */
    int readBudget() {
        OriginListener current = listener;
        return current == null ? BudgetedRecvAllocator.MIN_READ : current.readBudget();
    }

    public boolean isFor(Backend backend) {
        return address.equals(backend.address());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        OriginListener current = listener;
        if (current == null) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        current.originMessage(this, msg);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        OriginListener current = listener;
        if (current != null && ctx.channel().isWritable()) {
            current.originWritable(this);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        OriginListener current = listener;
        listener = null;
        pool.forget(this);
        if (current != null) {
            current.originClosed(this);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("backend connection {} failed", ctx.channel(), cause);
        ctx.close();
    }

    @Override
    public String toString() {
        return "OriginConnection[" + channel + "]";
    }
}
