package net.passerelle.gateway.systemd;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * systemd's notification protocol ({@code sd_notify(3)}): datagrams such as {@code READY=1} to the unix socket named
 * by {@code $NOTIFY_SOCKET} (a path, or {@code @name} in the abstract namespace), sent with Netty's epoll
 * {@link EpollDomainDatagramChannel}. Without {@code $NOTIFY_SOCKET} (not under systemd, or not {@code Type=notify})
 * every call does nothing.
 *
 * <p>When {@code $WATCHDOG_USEC} is set (the unit's {@code WatchdogSec=}) and {@code $WATCHDOG_PID}, if set, is this
 * process, {@link #startWatchdog} sends {@code WATCHDOG=1} every half of that period, as long as the given health
 * check passes: a gateway whose check fails stops pinging and systemd restarts it.
 */
public final class SystemdNotifier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SystemdNotifier.class);

    private final DomainSocketAddress target;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final Duration watchdog;
    private ScheduledFuture<?> watchdogTask;

    private SystemdNotifier(DomainSocketAddress target, EventLoopGroup group, Bootstrap bootstrap, Duration watchdog) {
        this.target = target;
        this.group = group;
        this.bootstrap = bootstrap;
        this.watchdog = watchdog;
    }

    /** Nothing comes back on a notification socket; one handler serves every one of them. */
    @ChannelHandler.Sharable
    private static final class Ignore extends ChannelInboundHandlerAdapter {
        static final Ignore INSTANCE = new Ignore();
    }

    /** The notifier the environment asks for: a no-op without {@code NOTIFY_SOCKET}. */
    public static SystemdNotifier fromEnvironment(Function<String, String> env) {
        String socket = env.apply("NOTIFY_SOCKET");
        if (socket == null || socket.isBlank()) {
            return new SystemdNotifier(null, null, null, null);
        }
        if (!Epoll.isAvailable()) {
            log.warn("NOTIFY_SOCKET is set but the epoll transport is unavailable ({}): systemd will not hear from us",
                    Epoll.unavailabilityCause().toString());
            return new SystemdNotifier(null, null, null, null);
        }
        // "@name" is the abstract namespace, whose names start with a NUL byte.
        String path = socket.startsWith("@") ? "\0" + socket.substring(1) : socket;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, r -> {
            Thread t = new Thread(r, "passerelle-systemd");
            t.setDaemon(true);
            return t;
        }, EpollIoHandler.newFactory());
        Bootstrap bootstrap = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                .handler(Ignore.INSTANCE);
        return new SystemdNotifier(new DomainSocketAddress(path), group, bootstrap, watchdogPeriod(env));
    }

    private static Duration watchdogPeriod(Function<String, String> env) {
        String usec = env.apply("WATCHDOG_USEC");
        String pid = env.apply("WATCHDOG_PID");
        if (usec == null || usec.isBlank()) {
            return null;
        }
        if (pid != null && !pid.isBlank() && !pid.strip().equals(String.valueOf(ProcessHandle.current().pid()))) {
            return null;
        }
        try {
            long micros = Long.parseLong(usec.strip());
            return micros > 0 ? Duration.ofNanos(micros * 1000) : null;
        } catch (NumberFormatException e) {
            log.warn("WATCHDOG_USEC is not a number: '{}'", usec);
            return null;
        }
    }

    public boolean enabled() {
        return bootstrap != null;
    }

    /** {@code READY=1} with a status line: listeners are bound and the table is applied. */
    public void ready(String status) {
        send("READY=1\nSTATUS=" + status);
    }

    /** {@code RELOADING=1}: a configuration reload has started; {@link #ready} says when it is over. */
    public void reloading() {
        send("RELOADING=1\nMONOTONIC_USEC=" + System.nanoTime() / 1000);
    }

    /** {@code STOPPING=1}: draining has started. */
    public void stopping() {
        send("STOPPING=1\nSTATUS=draining");
    }

    public void status(String status) {
        send("STATUS=" + status);
    }

    /** Pings {@code WATCHDOG=1} every half of {@code WatchdogSec} while {@code healthy} says so; no-op without a watchdog. */
    public synchronized void startWatchdog(BooleanSupplier healthy) {
        if (bootstrap == null || watchdog == null || watchdogTask != null) {
            return;
        }
        long every = Math.max(1, watchdog.toNanos() / 2);
        log.info("systemd watchdog: pinging every {} ms", TimeUnit.NANOSECONDS.toMillis(every));
        watchdogTask = group.next().scheduleAtFixedRate(() -> {
            if (healthy.getAsBoolean()) {
                send("WATCHDOG=1");
            } else {
                log.warn("systemd watchdog: health check failed, not pinging");
            }
        }, 0, every, TimeUnit.NANOSECONDS);
    }

    /**
     * One datagram on a socket of its own, as sd_notify(3) does: a connected socket would outlive a restart of
     * systemd's. Waits (at most 2 s) for it to leave unless called on the notifier's own thread (the watchdog).
     */
    private void send(String message) {
        if (bootstrap == null) {
            return;
        }
        EventLoop loop = group.next();
        Promise<Void> sent = loop.newPromise();
        bootstrap.connect(target).addListener((ChannelFuture connected) -> {
            if (!connected.isSuccess()) {
                sent.tryFailure(connected.cause());
                return;
            }
            connected.channel().writeAndFlush(Unpooled.copiedBuffer(message, StandardCharsets.UTF_8)).addListener(written -> {
                connected.channel().close();
                if (written.isSuccess()) {
                    sent.trySuccess(null);
                } else {
                    sent.tryFailure(written.cause());
                }
            });
        });
        sent.addListener(f -> {
            if (!f.isSuccess()) {
                log.warn("cannot notify systemd ({}): {}", message.lines().findFirst().orElse(""), f.cause().toString());
            }
        });
        if (!loop.inEventLoop()) {
            sent.awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    /** Sends nothing more. */
    @Override
    public synchronized void close() {
        if (bootstrap == null) {
            return;
        }
        if (watchdogTask != null) {
            watchdogTask.cancel(false);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
