package net.passerelle.gateway.origin;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pool's idle timeout, over real sockets: a connection left in the pool past {@code upstream.idleTimeout} is
 * closed, each at its own deadline, and one taken back before its deadline is not. The pool has one timer for all
 * its connections, so these are what a mistake in re-arming it would break.
 */
class OriginPoolIdleTest {
    private static final long WAIT_SECONDS = 10;

    private EventLoopGroup group;
    private EventLoop loop;
    private ServerSocket backend; // the kernel completes connections in its backlog: nothing needs to accept them
    private InetSocketAddress address;
    private long idleTimeoutNanos = Duration.ofMillis(100).toNanos();
    private OriginPool pool;

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
        backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        address = new InetSocketAddress(InetAddress.getLoopbackAddress(), backend.getLocalPort());
        pool = new OriginPool(loop, new Bootstrap().channel(NioSocketChannel.class).disableResolver(),
                () -> new OriginSettings(5000, idleTimeoutNanos, 8, 8192, 8192, 65536, 100,
                        TimeUnit.SECONDS.toNanos(1)), () -> 100);
    }

    @AfterEach
    void stop() throws Exception {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        backend.close();
    }

    private OriginConnection connected() throws Exception {
        OriginConnection c = loop.submit(() -> pool.connect(address)).get();
        assertTrue(c.connectFuture().await(WAIT_SECONDS, TimeUnit.SECONDS) && c.connectFuture().isSuccess(),
                "connected to the backend");
        return c;
    }

    private void release(OriginConnection c) throws Exception {
        loop.submit(() -> pool.release(c)).get();
    }

    private void awaitClosed(OriginConnection c) throws InterruptedException {
        assertTrue(c.channel().closeFuture().await(WAIT_SECONDS, TimeUnit.SECONDS), "closed once idle too long");
    }

    @Test
    void aConnectionIdlePastTheTimeoutIsClosedAndNoLongerOffered() throws Exception {
        OriginConnection c = connected();
        release(c);
        awaitClosed(c);
        assertNull(loop.submit(() -> pool.poll(address)).get());
    }

    @Test
    void eachConnectionIsClosedAtItsOwnDeadlineAndTheTimerIsArmedAgainAfterThePoolEmpties() throws Exception {
        OriginConnection first = connected();
        OriginConnection second = connected();
        release(first);
        // The second comes back later than the first: the timer that closes the first must be armed again for it.
        loop.schedule(() -> pool.release(second), 40, TimeUnit.MILLISECONDS).get();
        awaitClosed(first);
        awaitClosed(second);

        OriginConnection third = connected();
        release(third);
        awaitClosed(third);
    }

    @Test
    void aConnectionTakenBeforeItsDeadlineIsLeftOpen() throws Exception {
        OriginConnection taken = connected();
        OriginConnection left = connected();
        release(taken);
        assertSame(taken, loop.submit(() -> pool.poll(address)).get());
        release(left);
        // The one left behind was released after the taken one's deadline was set: once it is closed, the taken
        // one's deadline has passed too.
        awaitClosed(left);
        assertTrue(taken.channel().isOpen(), "a connection in use is not closed by the idle timeout");
        taken.close();
    }

    @Test
    void aShorterTimeoutAfterAReloadAppliesToTheConnectionsReleasedAfterIt() throws Exception {
        idleTimeoutNanos = TimeUnit.SECONDS.toNanos(3600);
        OriginConnection before = connected();
        release(before);
        idleTimeoutNanos = Duration.ofMillis(50).toNanos();
        OriginConnection after = connected();
        release(after);
        // The pool's timer was armed for an hour by the first release: the second must bring it forward.
        assertTrue(after.channel().closeFuture().await(WAIT_SECONDS, TimeUnit.SECONDS),
                "closed at the shorter timeout, not an hour later");
        assertTrue(before.channel().isOpen());
        assertEquals(before, loop.submit(() -> pool.poll(address)).get());
        before.close();
    }
}
