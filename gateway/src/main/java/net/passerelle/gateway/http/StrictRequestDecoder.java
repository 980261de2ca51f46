package net.passerelle.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.AsciiString;

import java.util.List;

/**
 * Netty's request decoder plus the header-block checks it leaves to the application: obs-fold (a header line
 * starting with white space, which Netty silently joins to the previous value), bare CR, and control characters in
 * field lines. RFC 9112 lets a server reject these with 400; a proxy must, because the next hop may read them
 * differently. A request that breaks them is delivered with a failed {@link DecoderResult}, like every other
 * malformed request, so one code path answers 400 and closes.
 *
 * <p>Sits first in the pipeline after the connection handlers; see {@code GatewayChannelInitializer}.
 */
public final class StrictRequestDecoder extends HttpRequestDecoder {
    private ByteBuf current;
    private boolean inHeaderBlock;
    private String violation;
    private boolean watching;
    private long firstByteNanos;

    public StrictRequestDecoder(HttpDecoderConfig config) {
        super(config);
    }

    /**
     * Starts noting when the first byte of the next request arrives, so the connection can tell an idle keep-alive
     * connection (closed quietly) from a client slow to send its head (answered 408). Done here, where the bytes
     * arrive, rather than in a handler of its own: one pipeline context less per connection.
     */
    public void watchForFirstByte() {
        watching = true;
        firstByteNanos = 0;
    }

    public void stopWatching() {
        watching = false;
    }

    /** When the first byte of the awaited request arrived (System.nanoTime), or 0 if none has. */
    public long firstByteNanos() {
        return firstByteNanos;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (watching && firstByteNanos == 0 && msg instanceof ByteBuf buf && buf.isReadable()) {
            firstByteNanos = System.nanoTime();
        }
        super.channelRead(ctx, msg);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        current = buffer;
        if (inHeaderBlock) {
            scan(buffer);
        }
        int before = out.size();
        try {
            super.decode(ctx, buffer, out);
        } finally {
            current = null;
        }
        if (violation != null) {
            for (int i = before; i < out.size(); i++) {
                if (out.get(i) instanceof HttpRequest request && request.decoderResult().isSuccess()) {
                    request.setDecoderResult(DecoderResult.failure(new MalformedRequestException(violation)));
                    violation = null;
                    inHeaderBlock = false;
                    break;
                }
            }
        }
    }

    /** A header name a browser sends every time is shared, not copied ({@link KnownHeaderNames}). */
    @Override
    protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
        AsciiString known = KnownHeaderNames.find(sb, start, length);
        return known != null ? known : super.splitHeaderName(sb, start, length);
    }

    @Override
    protected HttpMessage createMessage(String[] initialLine) throws Exception {
        HttpMessage message = super.createMessage(initialLine);
        violation = null;
        inHeaderBlock = true;
        if (current != null) {
            scan(current);
        }
        return message;
    }

    /**
     * Scans the unconsumed part of the header block. Netty consumes header lines only whole, so the reader index is
     * always at the start of a line here.
     */
    private void scan(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        boolean lineStart = true;
        while (i < end) {
            byte b = buf.getByte(i);
            if (lineStart) {
                if (b == ' ' || b == '\t') {
                    fail("obs-fold (a header line starting with white space)");
                    return;
                }
                if (b == '\r') {
                    if (i + 1 < end) {
                        if (buf.getByte(i + 1) == '\n') {
                            inHeaderBlock = false;
                        } else {
                            fail("bare CR in the header block");
                        }
                    }
                    return;
                }
                if (b == '\n') {
                    // Netty's strict line parsing reports this one with its own exception.
                    inHeaderBlock = false;
                    return;
                }
            }
            if (b == '\r') {
                if (i + 1 >= end) {
                    return;
                }
                if (buf.getByte(i + 1) != '\n') {
                    fail("bare CR in a header line");
                    return;
                }
                i += 2;
                lineStart = true;
                continue;
            }
            if (b == '\n') {
                // A lone LF: Netty's strict line parsing rejects it.
                i++;
                lineStart = true;
                continue;
            }
            if ((b >= 0 && b < 0x20 && b != '\t') || b == 0x7f) {
                fail("control character 0x" + Integer.toHexString(b) + " in a header line");
                return;
            }
            lineStart = false;
            i++;
        }
    }

    private void fail(String reason) {
        if (violation == null) {
            violation = reason;
        }
        inHeaderBlock = false;
    }
}
