package net.passerelle.gateway.systemd;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What systemd listens on for a {@code Type=notify} service: a unix datagram socket, bound here by the test at a
 * path or in the abstract namespace ({@code @name}); every datagram received is kept as text.
 */
public final class NotifySocket implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final Channel channel;
    private final String name;

    /** @param name a file path, or {@code @name} for the abstract namespace: what NOTIFY_SOCKET will say */
    public NotifySocket(String name) throws InterruptedException {
        this.name = name;
        String path = name.startsWith("@") ? "\0" + name.substring(1) : name;
        channel = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket msg) {
                        received.add(msg.content().toString(StandardCharsets.UTF_8));
                    }
                }).bind(new DomainSocketAddress(path)).sync().channel();
    }

    /** The value for NOTIFY_SOCKET. */
    public String name() {
        return name;
    }

    /** The next datagram, waiting at most {@code seconds}; null when none came. */
    public String next(int seconds) throws InterruptedException {
        return received.poll(seconds, TimeUnit.SECONDS);
    }

    /** The next datagram that starts with {@code prefix}, skipping others (watchdog pings); fails when none comes in time. */
    public String await(String prefix, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String m = received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (m == null) {
                throw new AssertionError("no '" + prefix + "' notification within " + seconds + " s");
            }
            if (m.startsWith(prefix)) {
                return m;
            }
        }
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
