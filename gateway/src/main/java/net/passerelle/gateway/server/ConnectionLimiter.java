package net.passerelle.gateway.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps open connections per client address, so one client cannot hold every file descriptor. Shared by all
 * connections; the one piece of per-client state the gateway keeps.
 */
@ChannelHandler.Sharable
public final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
    private static final String MESSAGE = "Too many connections from your address; please retry in a moment.\n";
    private static final byte[] REFUSAL = ("HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: " + MESSAGE.length() + "\r\nConnection: close\r\nRetry-After: 5\r\n"
            + "Cache-Control: no-store\r\n\r\n" + MESSAGE).getBytes(StandardCharsets.US_ASCII);

    private final int maxPerClient;
    private final ConcurrentHashMap<InetAddress, AtomicInteger> open = new ConcurrentHashMap<>();

    public ConnectionLimiter(int maxPerClient) {
        this.maxPerClient = maxPerClient;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetAddress address = address(ctx);
        if (address != null) {
            int n = open.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
            if (n > maxPerClient) {
                ctx.channel().config().setAutoRead(false);
                ctx.writeAndFlush(Unpooled.wrappedBuffer(REFUSAL)).addListener(ChannelFutureListener.CLOSE);
                return;
            }
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        InetAddress address = address(ctx);
        if (address != null) {
            open.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
        }
        ctx.fireChannelInactive();
    }

    private static InetAddress address(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress isa ? isa.getAddress() : null;
    }
}
