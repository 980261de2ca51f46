package net.passerelle.gateway.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps open connections per client address, so one client cannot hold every file descriptor, and in all, so the
 * gateway refuses cleanly (503) before the kernel refuses for it. Shared by all connections; the one piece of
 * per-client state the gateway keeps.
 */
@ChannelHandler.Sharable
public final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionLimiter.class);

    private static final byte[] TOO_MANY_FROM_YOU = refusal("429 Too Many Requests",
            "Too many connections from your address; please retry in a moment.\n");
    private static final byte[] TOO_MANY = refusal("503 Service Unavailable",
            "The gateway has too many open connections; please retry in a moment.\n");

    private volatile int maxPerClient;
    private volatile int maxTotal;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> open = new ConcurrentHashMap<>();
    private volatile boolean full;

    public ConnectionLimiter(int maxPerClient) {
        this(maxPerClient, 0);
    }

    /** @param maxTotal open client connections in all; 0 for half the process's file descriptor limit */
    public ConnectionLimiter(int maxPerClient, int maxTotal) {
        this.maxPerClient = maxPerClient;
        this.maxTotal = maxTotal > 0 ? maxTotal : fromDescriptorLimit();
    }

    /** Each client connection may need a backend connection too, and the process needs a few of its own. */
    static int fromDescriptorLimit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long fds = unix.getMaxFileDescriptorCount();
            return (int) Math.max(64, Math.min(Integer.MAX_VALUE, (fds - 256) / 2));
        }
        return 10_000;
    }

    /** New limits (a reload); connections already open stay. */
    public void limit(int perClient, int total) {
        this.maxPerClient = perClient;
        this.maxTotal = total > 0 ? total : fromDescriptorLimit();
    }

    public int maxTotal() {
        return maxTotal;
    }

    /** Open client connections (counted from accept to close). */
    public int open() {
        return total.get();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // Both counts go up for every connection, refused or not, and come down when it closes: on its close future,
        // which completes before anyone waiting on the connection's end hears of it.
        int n = total.incrementAndGet();
        InetAddress address = address(ctx);
        int mine = address == null ? 0 : open.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
        ctx.channel().closeFuture().addListener(f -> release(address));
        if (n > maxTotal) {
            if (!full) {
                full = true;
                log.warn("{} client connections are open (limits.maxConnections {}): new ones are refused", n - 1, maxTotal);
            }
            refuse(ctx, TOO_MANY);
            return;
        }
        full = false;
        if (mine > maxPerClient) {
            refuse(ctx, TOO_MANY_FROM_YOU);
            return;
        }
        ctx.fireChannelActive();
    }

    private void release(InetAddress address) {
        total.decrementAndGet();
        if (address != null) {
            open.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
        }
    }

    private static void refuse(ChannelHandlerContext ctx, byte[] answer) {
        ctx.channel().config().setAutoRead(false);
        ctx.writeAndFlush(Unpooled.wrappedBuffer(answer)).addListener(ChannelFutureListener.CLOSE);
    }

    private static InetAddress address(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress isa ? isa.getAddress() : null;
    }

    private static byte[] refusal(String status, String message) {
        return ("HTTP/1.1 " + status + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + message.length()
                + "\r\nConnection: close\r\nRetry-After: 5\r\nCache-Control: no-store\r\n\r\n" + message)
                .getBytes(StandardCharsets.US_ASCII);
    }
}
