package net.passerelle.gateway.origin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * Reads from a backend no more than its client can take: each read is sized by the adaptive guess, capped by the
 * room left in the client connection's outbound buffer before its high-water mark
 * ({@link OriginListener#readBudget()}). A slow reader therefore holds at most about one water mark of response in
 * the gateway, whatever the size of the response, which is what nginx's and HAProxy's fixed per-stream buffers give
 * them. For a client that keeps up, the room is the whole water mark and reads are as large as before.
 */
final class BudgetedRecvAllocator implements RecvByteBufAllocator {
    /** The smallest read: below it, the syscalls would cost more than the overshoot past the water mark. */
    static final int MIN_READ = 2048;

    private final RecvByteBufAllocator adaptive = new AdaptiveRecvByteBufAllocator();
    private final OriginConnection connection;

    BudgetedRecvAllocator(OriginConnection connection) {
        this.connection = connection;
    }

    @Override
    public Handle newHandle() {
        return new BudgetHandle((ExtendedHandle) adaptive.newHandle(), connection);
    }

    private static final class BudgetHandle implements ExtendedHandle {
        private final ExtendedHandle delegate;
        private final OriginConnection connection;

        BudgetHandle(ExtendedHandle delegate, OriginConnection connection) {
            this.delegate = delegate;
            this.connection = connection;
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            return alloc.ioBuffer(guess());
        }

        @Override
        public int guess() {
            return Math.min(delegate.guess(), Math.max(MIN_READ, connection.readBudget()));
        }

        @Override
        public void reset(ChannelConfig config) {
            delegate.reset(config);
        }

        @Override
        public void incMessagesRead(int numMessages) {
            delegate.incMessagesRead(numMessages);
        }

        @Override
        public void lastBytesRead(int bytes) {
            delegate.lastBytesRead(bytes);
        }

        @Override
        public int lastBytesRead() {
            return delegate.lastBytesRead();
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            delegate.attemptedBytesRead(bytes);
        }

        @Override
        public int attemptedBytesRead() {
            return delegate.attemptedBytesRead();
        }

        @Override
        public boolean continueReading() {
            return delegate.continueReading();
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return delegate.continueReading(maybeMoreDataSupplier);
        }

        @Override
        public void readComplete() {
            delegate.readComplete();
        }
    }
}
