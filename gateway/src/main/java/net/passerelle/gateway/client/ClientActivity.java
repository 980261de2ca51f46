package net.passerelle.gateway.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Notes when the first byte of a new request arrives, so {@link Http1Connection} can tell an idle
 * keep-alive connection (closed quietly) from a client that is slow to send its headers (answered 408).
 * First in the client pipeline: it sees raw bytes before the decoder.
 */
final class ClientActivity extends ChannelInboundHandlerAdapter {
    private boolean watching;
    private long firstByteNanos;

    /** Starts watching for the first byte of the next request. */
    void watch() {
        watching = true;
        firstByteNanos = 0;
    }

    void stop() {
        watching = false;
    }

    /** @return when the first byte of the awaited request arrived (System.nanoTime), or 0 if none has */
    long firstByteNanos() {
        return firstByteNanos;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (watching && firstByteNanos == 0 && msg instanceof ByteBuf buf && buf.isReadable()) {
            firstByteNanos = System.nanoTime();
        }
        ctx.fireChannelRead(msg);
    }
}
