package net.passerelle.gateway.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * An HTTP/2 client that writes whatever frames the test asks for, well-formed or not ({@link DefaultHttp2FrameWriter},
 * or header blocks encoded by hand), over cleartext h2c with prior knowledge, and records every frame the gateway
 * sends ({@link DefaultHttp2FrameReader}). For the abuse a well-behaved client cannot produce.
 */
public final class RawH2 implements AutoCloseable {
    /** A frame received: its type, stream, and what the test may look at. */
    public record Frame(byte type, int streamId, long errorCode, Http2Headers headers, int dataBytes, boolean endStream,
                        int lastStreamId) {
        public String status() {
            return headers == null || headers.status() == null ? null : headers.status().toString();
        }

        public boolean is(byte t) {
            return type == t;
        }
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
    private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<ChannelHandlerContext> ready = new CompletableFuture<>();
    private final Channel channel;
    private final ChannelHandlerContext ctx;

    /** Connects and sends the connection preface and an empty SETTINGS frame (or {@code settings}). */
    public RawH2(InetSocketAddress to, Http2Settings settings, int receiveBuffer) throws Exception {
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                .handler(new Recorder());
        if (receiveBuffer > 0) {
            b.option(ChannelOption.SO_RCVBUF, receiveBuffer);
        }
        channel = b.connect(to).sync().channel();
        ctx = ready.get(5, TimeUnit.SECONDS);
        onLoop(() -> {
            ctx.write(Http2CodecUtil.connectionPrefaceBuf());
            writer.writeSettings(ctx, settings, ctx.newPromise());
            ctx.flush();
        });
    }

    /**
     * Runs frame writes on the connection's event loop and waits for them: a frame is several writes (header,
     * payload), which must not interleave with the SETTINGS acknowledgement the loop writes by itself.
     */
    private void onLoop(Runnable writes) {
        if (channel.eventLoop().inEventLoop()) {
            writes.run();
            return;
        }
        try {
            channel.eventLoop().submit(writes).get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public RawH2(InetSocketAddress to) throws Exception {
        this(to, new Http2Settings(), 0);
    }

    /** Well-formed request headers. */
    public static Http2Headers request(String method, String host, String path) {
        return new DefaultHttp2Headers().method(method).scheme("http").authority(host).path(path);
    }

    public RawH2 headers(int streamId, Http2Headers headers, boolean endStream) {
        onLoop(() -> {
            writer.writeHeaders(ctx, streamId, headers, 0, endStream, ctx.newPromise());
            ctx.flush();
        });
        return this;
    }

    /**
     * A header block encoded by hand, every field a literal without indexing and with a literal name, in the order
     * given (name, value, name, value, …): lets a test send what Netty's encoder would refuse or reorder.
     */
    public static ByteBuf block(String... nameValues) {
        ByteBuf b = Unpooled.buffer();
        for (int i = 0; i < nameValues.length; i += 2) {
            b.writeByte(0x00);
            string(b, nameValues[i]);
            string(b, nameValues[i + 1]);
        }
        return b;
    }

    private static void string(ByteBuf b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        if (bytes.length < 127) {
            b.writeByte(bytes.length);
        } else { // HPACK integer, 7-bit prefix
            b.writeByte(127);
            int rest = bytes.length - 127;
            while (rest >= 128) {
                b.writeByte((rest & 0x7f) | 0x80);
                rest >>>= 7;
            }
            b.writeByte(rest);
        }
        b.writeBytes(bytes);
    }

    /** A HEADERS frame carrying a raw header block; END_HEADERS when {@code endHeaders}. */
    public RawH2 headersFrame(int streamId, ByteBuf block, boolean endHeaders, boolean endStream) {
        Http2Flags flags = new Http2Flags().endOfHeaders(endHeaders).endOfStream(endStream);
        onLoop(() -> {
            writer.writeFrame(ctx, Http2FrameTypes.HEADERS, streamId, flags, block, ctx.newPromise());
            ctx.flush();
        });
        return this;
    }

    public RawH2 continuation(int streamId, ByteBuf block, boolean endHeaders) {
        onLoop(() -> writer.writeFrame(ctx, Http2FrameTypes.CONTINUATION, streamId,
                new Http2Flags().endOfHeaders(endHeaders), block, ctx.newPromise()));
        return this;
    }

    public RawH2 data(int streamId, String text, boolean endStream) {
        onLoop(() -> {
            writer.writeData(ctx, streamId, Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1), 0, endStream,
                    ctx.newPromise());
            ctx.flush();
        });
        return this;
    }

    public RawH2 rst(int streamId, long errorCode) {
        onLoop(() -> writer.writeRstStream(ctx, streamId, errorCode, ctx.newPromise()));
        return this;
    }

    public RawH2 ping(long data) {
        if (channel.eventLoop().inEventLoop()) {
            writer.writePing(ctx, false, data, ctx.newPromise());
        } else {
            onLoop(() -> writer.writePing(ctx, false, data, ctx.newPromise()));
        }
        return this;
    }

    public RawH2 settings(Http2Settings settings) {
        if (channel.eventLoop().inEventLoop()) {
            writer.writeSettings(ctx, settings, ctx.newPromise());
        } else {
            onLoop(() -> writer.writeSettings(ctx, settings, ctx.newPromise()));
        }
        return this;
    }

    public RawH2 windowUpdate(int streamId, int increment) {
        onLoop(() -> writer.writeWindowUpdate(ctx, streamId, increment, ctx.newPromise()));
        return this;
    }

    public RawH2 flush() {
        onLoop(ctx::flush);
        return this;
    }

    /** Stops reading from the socket (the gateway's writes pile up in its buffers), or reads again. */
    public RawH2 reading(boolean on) {
        channel.config().setAutoRead(on);
        return this;
    }

    /** The next frame that matches, skipping others; fails after a few seconds. */
    public Frame await(Predicate<Frame> which) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        java.util.List<Frame> skipped = new java.util.ArrayList<>();
        while (true) {
            Frame f = frames.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (f == null) {
                throw new AssertionError("no such frame from the gateway; received instead: " + skipped);
            }
            skipped.add(f);
            if (which.test(f)) {
                return f;
            }
        }
    }

    /** Frames received so far and not awaited. */
    public List<Frame> received() {
        return List.copyOf(frames);
    }

    /** Whether the gateway closed the connection, waiting a few seconds at most. */
    public boolean awaitClosed() throws InterruptedException {
        return channel.closeFuture().await(15, TimeUnit.SECONDS);
    }

    /**
     * Runs {@code frames} on the connection's event loop, as one piece (nothing the loop writes by itself comes
     * between them, e.g. between a HEADERS frame and its CONTINUATIONs), and flushes; thousands of writes without a
     * task each.
     */
    public void batch(Runnable frames) {
        onLoop(() -> {
            frames.run();
            ctx.flush();
        });
    }

    public Channel channel() {
        return channel;
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    public static Predicate<Frame> type(byte t, int streamId) {
        return f -> f.type == t && f.streamId == streamId;
    }

    private final class Recorder extends ByteToMessageDecoder {
        private final DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader(true);
        private final Http2FrameAdapter listener = new Http2FrameAdapter() {
            @Override
            public int onDataRead(ChannelHandlerContext c, int streamId, ByteBuf data, int padding, boolean endOfStream) {
                frames.add(new Frame(Http2FrameTypes.DATA, streamId, 0, null, data.readableBytes(), endOfStream, 0));
                return data.readableBytes() + padding;
            }

            @Override
            public void onHeadersRead(ChannelHandlerContext c, int streamId, Http2Headers headers, int streamDependency,
                                      short weight, boolean exclusive, int padding, boolean endStream) {
                frames.add(new Frame(Http2FrameTypes.HEADERS, streamId, 0, headers, 0, endStream, 0));
            }

            @Override
            public void onHeadersRead(ChannelHandlerContext c, int streamId, Http2Headers headers, int padding,
                                      boolean endStream) {
                frames.add(new Frame(Http2FrameTypes.HEADERS, streamId, 0, headers, 0, endStream, 0));
            }

            @Override
            public void onRstStreamRead(ChannelHandlerContext c, int streamId, long errorCode) {
                frames.add(new Frame(Http2FrameTypes.RST_STREAM, streamId, errorCode, null, 0, false, 0));
            }

            @Override
            public void onSettingsRead(ChannelHandlerContext c, Http2Settings settings) {
                frames.add(new Frame(Http2FrameTypes.SETTINGS, 0, 0, null, 0, false, 0));
                writer.writeSettingsAck(c, c.newPromise());
                c.flush();
            }

            @Override
            public void onGoAwayRead(ChannelHandlerContext c, int lastStreamId, long errorCode, ByteBuf debugData) {
                frames.add(new Frame(Http2FrameTypes.GO_AWAY, 0, errorCode, null, 0, false, lastStreamId));
            }

            @Override
            public void onWindowUpdateRead(ChannelHandlerContext c, int streamId, int windowSizeIncrement) {
                frames.add(new Frame(Http2FrameTypes.WINDOW_UPDATE, streamId, windowSizeIncrement, null, 0, false, 0));
            }
        };

        @Override
        public void handlerAdded(ChannelHandlerContext c) {
            ready.complete(c);
        }

        @Override
        protected void decode(ChannelHandlerContext c, ByteBuf in, List<Object> out) throws Exception {
            reader.readFrame(c, in, listener);
        }

        @Override
        public void handlerRemoved0(ChannelHandlerContext c) {
            reader.close();
        }
    }
}
