package net.passerelle.admin.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes {@link StreamBody} answers for the {@link AdminServer}: the head, then each chunk as an HTTP chunk, then
 * the last chunk and a close. Bounded twice: at most {@code maxStreams} streams at once (more are refused with
 * {@code 503}), and a client that lets more than the channel's high water mark wait unread is cut off rather than
 * buffered for. A stream ends when its producer closes it or when the connection closes, whichever comes first;
 * either way every close action runs once and the count goes down once.
 */
final class StreamWriter {
    private static final Logger log = LoggerFactory.getLogger(StreamWriter.class);

    /** Marks a connection that carries a stream: requests that arrive on it afterwards are ignored. */
    static final AttributeKey<Boolean> STREAMING = AttributeKey.valueOf("passerelle.admin.streaming");

    private final int maxStreams;
    private final AtomicInteger open = new AtomicInteger();

    StreamWriter(int maxStreams) {
        this.maxStreams = maxStreams;
    }

    /** Streams open now. */
    int open() {
        return open.get();
    }

    /** False when too many streams are open: the caller answers 503 instead. */
    boolean tryStart(Channel ch, ApiResponse r, StreamBody body) {
        if (open.incrementAndGet() > maxStreams) {
            open.decrementAndGet();
            return false;
        }
        ch.attr(STREAMING).set(Boolean.TRUE);
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()));
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType() == null ? "text/event-stream" : r.contentType())
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set(HttpHeaderNames.DATE, DateFormatter.format(new java.util.Date()));
        r.headers().forEach((k, v) -> head.headers().set(k, v));
        HttpUtil.setTransferEncodingChunked(head, true);
        HttpUtil.setKeepAlive(head, false);
        ChannelSink sink = new ChannelSink(ch);
        ch.closeFuture().addListener(f -> sink.ended());
        ch.writeAndFlush(head);
        // Reading again lets the event loop see the client's close; what it sends meanwhile is ignored.
        ch.config().setAutoRead(true);
        try {
            body.start(sink);
        } catch (RuntimeException e) {
            log.warn("admin API stream failed to start: {}", e.toString());
            sink.close();
        }
        return true;
    }

    private final class ChannelSink implements StreamBody.Sink {
        private final Channel ch;
        private final AtomicBoolean closed = new AtomicBoolean();
        private final List<Runnable> onClose = new CopyOnWriteArrayList<>();

        ChannelSink(Channel ch) {
            this.ch = ch;
        }

        @Override
        public boolean send(String text) {
            if (closed.get() || !ch.isActive()) {
                return false;
            }
            if (!ch.isWritable()) {
                log.info("admin API stream to {} closed: the client does not read", ch.remoteAddress());
                ch.close();
                return false;
            }
            ch.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)));
            return true;
        }

        @Override
        public boolean isOpen() {
            return !closed.get() && ch.isActive();
        }

        @Override
        public void close() {
            if (ch.isActive()) {
                ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
            } else {
                ended();
            }
        }

        @Override
        public void onClose(Runnable action) {
            onClose.add(action);
            if (closed.get() && onClose.remove(action)) {
                action.run();
            }
        }

        /** The connection closed (or never was): runs the close actions once. */
        void ended() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            try {
                for (Runnable r : onClose) {
                    if (onClose.remove(r)) {
                        try {
                            r.run();
                        } catch (RuntimeException e) {
                            log.debug("a stream's close action failed", e);
                        }
                    }
                }
            } finally {
                open.decrementAndGet(); // counted as open until its producer has been told: no count says gone too early
            }
        }
    }
}
