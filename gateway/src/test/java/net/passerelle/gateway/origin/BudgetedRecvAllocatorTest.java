package net.passerelle.gateway.origin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A read from a backend is no larger than the room its client connection has left before the high-water mark, so a
 * client that reads slowly holds at most about one water mark of response in the gateway ({@code SlowReadersTest}
 * shows the bound end to end); a client that keeps up gets reads as large as Netty's adaptive guess.
 */
class BudgetedRecvAllocatorTest {
    private int room;

    @Test
    void aReadIsNoLargerThanTheClientsRoomAndNeverTiny() {
        OriginConnection connection = new OriginConnection(null, new InetSocketAddress("127.0.0.1", 9));
        RecvByteBufAllocator.Handle handle = new BudgetedRecvAllocator(connection).newHandle();
        room = Integer.MAX_VALUE;
        connection.attach(new Budget());
        growToLargestRead(handle);
        assertEquals(65536, handle.guess(), "a client that keeps up: the adaptive guess, grown to its largest");

        room = 10_000;
        assertEquals(10_000, handle.guess(), "the room left before the client's high-water mark");
        ByteBuf buf = handle.allocate(UnpooledByteBufAllocator.DEFAULT);
        try {
            assertEquals(10_000, buf.capacity());
        } finally {
            buf.release();
        }

        room = 100;
        assertEquals(BudgetedRecvAllocator.MIN_READ, handle.guess(), "never below the smallest read worth a syscall");

        connection.detach();
        assertEquals(BudgetedRecvAllocator.MIN_READ, handle.guess(), "an idle pooled connection reads only to notice a close");
    }

    /** Full reads, read after read, as a backend streaming a photo gives them. */
    private static void growToLargestRead(RecvByteBufAllocator.Handle handle) {
        EmbeddedChannel channel = new EmbeddedChannel();
        try {
            for (int i = 0; i < 64 && handle.guess() < 65536; i++) {
                handle.reset(channel.config());
                int size = handle.guess();
                handle.attemptedBytesRead(size);
                handle.lastBytesRead(size);
                handle.incMessagesRead(1);
                handle.readComplete();
            }
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    private final class Budget implements OriginListener {
        @Override
        public void originMessage(OriginConnection connection, Object msg) {
        }

        @Override
        public void originWritable(OriginConnection connection) {
        }

        @Override
        public int readBudget() {
            return room;
        }

        @Override
        public void originClosed(OriginConnection connection) {
        }
    }
}
