package net.passerelle.gateway.client;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Lets a connection's decoded messages through one at a time, when its consumer asks ({@link #request()}). The
 * channel reads on its own (AUTO_READ on, so no epoll interest change per request); a message that arrives while
 * the consumer is not ready for it (a pipelined request, a body part the backend cannot take yet) waits here and
 * the channel stops reading until the backlog is taken. That single rule gives backpressure towards the client,
 * serialises pipelined requests, and keeps a request's body in the kernel while the gateway decides about it.
 * Confined to the channel's event loop.
 */
final class MessageGate {
    private final Channel channel;
    private final Consumer<Object> consumer;
    private boolean wanted;
    private ArrayDeque<Object> backlog;
    private boolean paused;
    private boolean dispatching;
    private boolean closed;
    /** The decoder follows a body-less request head with an empty last part: dropped, without pausing. */
    private boolean dropEmptyLast;

    MessageGate(Channel channel, Consumer<Object> consumer) {
        this.channel = channel;
        this.consumer = consumer;
    }

    /** A message from the channel. */
    void offer(Object msg) {
        if (dropEmptyLast && msg instanceof LastHttpContent last && isEmpty(last)) {
            dropEmptyLast = false;
            last.release();
            return;
        }
        if (!wanted || (backlog != null && !backlog.isEmpty()) || closed) {
            if (closed) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (backlog == null) {
                backlog = new ArrayDeque<>(2);
            }
            backlog.add(msg);
            pause();
            return;
        }
        wanted = false;
        consumer.accept(msg);
    }

    /** The consumer is ready for the next message: from the backlog, or from the socket. */
    void request() {
        wanted = true;
        if (dispatching) {
            return; // the loop below, further up the stack, takes the next one
        }
        dispatching = true;
        try {
            while (wanted && backlog != null && !backlog.isEmpty() && !closed) {
                Object next = backlog.poll();
                if (dropEmptyLast && next instanceof LastHttpContent last && isEmpty(last)) {
                    dropEmptyLast = false;
                    last.release();
                    continue;
                }
                wanted = false;
                consumer.accept(next);
            }
        } finally {
            dispatching = false;
        }
        if (wanted && paused && !closed) {
            paused = false;
            channel.config().setAutoRead(true);
        }
    }

    /** The next message, if it is the empty last part that follows a body-less request head, is dropped. */
    void dropNextEmptyLast(boolean drop) {
        dropEmptyLast = drop;
    }

    boolean hasBacklog() {
        return backlog != null && !backlog.isEmpty();
    }

    /** Nothing passes any more; what waits is released. */
    void close() {
        closed = true;
        if (backlog != null) {
            Object m;
            while ((m = backlog.poll()) != null) {
                ReferenceCountUtil.release(m);
            }
        }
    }

    private void pause() {
        if (!paused) {
            paused = true;
            channel.config().setAutoRead(false);
        }
    }

    private static boolean isEmpty(LastHttpContent last) {
        return !last.content().isReadable() && last.trailingHeaders().isEmpty() && last.decoderResult().isSuccess();
    }
}
