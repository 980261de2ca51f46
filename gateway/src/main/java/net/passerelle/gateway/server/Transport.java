package net.passerelle.gateway.server;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.List;

/**
 * The I/O transport ({@code server.transport}): Linux's epoll or io_uring through Netty's native libraries, or Java
 * NIO. {@code auto} takes epoll when it loads and NIO otherwise. io_uring is chosen only by name: measured against
 * epoll (benchmarks/README.md, 2026-12-01) it proxied small pages 13 % faster and 100 KiB photos 18 % slower, and
 * photos are a gallery's traffic. Naming a native transport that cannot load is an error at start, with Netty's
 * reason, never a silent fallback.
 */
public record Transport(String name, IoHandlerFactory ioHandlerFactory,
                        Class<? extends ServerChannel> serverChannelClass,
                        Class<? extends SocketChannel> clientChannelClass) {

    /** The values {@code server.transport} accepts. */
    public static final List<String> NAMES = List.of("auto", "epoll", "io_uring", "nio");

    public static Transport select(String preference) {
        return switch (preference) {
            case "nio" -> nio();
            case "epoll" -> {
                requireAvailable("epoll", Epoll.isAvailable(), Epoll.unavailabilityCause());
                yield epoll();
            }
            case "io_uring" -> {
                requireAvailable("io_uring", IoUring.isAvailable(), IoUring.unavailabilityCause());
                yield ioUring();
            }
            case "auto" -> Epoll.isAvailable() ? epoll() : nio();
            default -> throw new IllegalArgumentException("server.transport must be one of " + NAMES + ", got '"
                    + preference + "'");
        };
    }

    /** Why the named transport cannot be used here, or null when it can. */
    public static String unavailability(String name) {
        Throwable cause = switch (name) {
            case "epoll" -> Epoll.isAvailable() ? null : Epoll.unavailabilityCause();
            case "io_uring" -> IoUring.isAvailable() ? null : IoUring.unavailabilityCause();
            default -> null;
        };
        return cause == null ? null : String.valueOf(cause);
    }

    private static void requireAvailable(String name, boolean available, Throwable cause) {
        if (!available) {
            throw new IllegalStateException("server.transport is " + name + " but the native transport is unavailable: "
                    + cause);
        }
    }

    private static Transport nio() {
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
    }

    private static Transport epoll() {
        return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, EpollSocketChannel.class);
    }

    private static Transport ioUring() {
        return new Transport("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class,
                IoUringSocketChannel.class);
    }

    public EventLoopGroup newGroup(int threads, String name) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), ioHandlerFactory);
    }
}
