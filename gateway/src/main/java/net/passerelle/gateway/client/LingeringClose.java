package net.passerelle.gateway.client;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Ends a connection whose client is still sending (a refused upload, a body too large to drop, a malformed request)
 * the way nginx's lingering close does. Closing at once would make the kernel answer the client's next segment with
 * a reset, and a reset can destroy the answer before the client has read it: the visitor sees "connection reset"
 * instead of the notice. So the gateway shuts only its sending side once the answer is out (after TLS's
 * close_notify), then reads and drops what still comes, in front of the HTTP decoder, until the client closes, goes
 * quiet for {@link #QUIET}, or {@link #TOTAL} has passed. The connection cap still counts the connection meanwhile,
 * which is what bounds the cost of a client that never stops.
 */
final class LingeringClose extends ChannelInboundHandlerAdapter {
    static final long QUIET = TimeUnit.SECONDS.toNanos(2);
    static final long TOTAL = TimeUnit.SECONDS.toNanos(10);

    private long startNanos;
    private long lastReadNanos;
    private ScheduledFuture<?> timer;

    private LingeringClose() {
    }

    /**
     * Once {@code lastWrite} is done, half-closes the connection and installs the lingering reader in front of
     * {@code firstDecoder}; closes at once when the write failed or the channel cannot half-close.
     */
    static void after(ChannelFuture lastWrite, ChannelHandlerContext ctx, ChannelHandler firstDecoder) {
        lastWrite.addListener((ChannelFuture written) -> {
            SslHandler tls = ctx.pipeline().get(SslHandler.class);
            if (written.isSuccess() && tls != null) {
                tls.closeOutbound().addListener(notified -> shutdownOutput(notified, ctx, firstDecoder));
            } else {
                shutdownOutput(written, ctx, firstDecoder);
            }
        });
    }

    private static void shutdownOutput(Future<?> previous, ChannelHandlerContext ctx, ChannelHandler firstDecoder) {
        ChannelHandlerContext decoder = ctx.pipeline().context(firstDecoder);
        if (!previous.isSuccess() || decoder == null || !(ctx.channel() instanceof DuplexChannel duplex)
                || !duplex.isActive()) {
            ctx.close();
            return;
        }
        duplex.shutdownOutput();
        ctx.pipeline().addBefore(decoder.name(), "linger", new LingeringClose());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        startNanos = System.nanoTime();
        lastReadNanos = startNanos;
        schedule(ctx, QUIET);
        ctx.channel().config().setAutoRead(true); // the HTTP side may have paused reading for its backlog
        ctx.read();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        lastReadNanos = System.nanoTime();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            ctx.close(); // the client is done too: the orderly end
        } else {
            ReferenceCountUtil.release(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // nothing more to tell this client; what it sent was dropped anyway
    }

    private void onTimer(ChannelHandlerContext ctx) {
        long now = System.nanoTime();
        long left = Math.min(lastReadNanos + QUIET - now, startNanos + TOTAL - now);
        if (left <= 0) {
            ctx.close();
        } else {
            schedule(ctx, left);
        }
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos) {
        timer = ctx.executor().schedule(() -> onTimer(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }
}
