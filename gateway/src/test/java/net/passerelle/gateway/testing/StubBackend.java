package net.passerelle.gateway.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process HTTP backend on port 0 that records every request it receives (head, body size and digest) and
 * answers with whatever the test installs. Bodies are digested as they stream, never kept.
 */
public final class StubBackend implements AutoCloseable {

    /** What the backend saw of one request. */
    public record Seen(String method, String uri, HttpHeaders headers, long bodyBytes, String bodySha256,
                       String body, InetSocketAddress remote) {
        public String header(String name) {
            return headers.get(name);
        }
    }

    /** Answers a received request; may write anything to the channel. */
    @FunctionalInterface
    public interface Responder {
        void respond(ChannelHandlerContext ctx, Seen request);
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    private final List<Seen> all = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger heads = new AtomicInteger();
    private final java.util.concurrent.Semaphore headArrived = new java.util.concurrent.Semaphore(0);
    private final io.netty.channel.group.ChannelGroup channels =
            new io.netty.channel.group.DefaultChannelGroup(io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);
    private volatile Responder responder = text("hello from backend");

    public StubBackend() throws InterruptedException {
        this(new InetSocketAddress("127.0.0.1", 0));
    }

    public StubBackend(InetSocketAddress bind) throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        open.incrementAndGet();
                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                        channels.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec()).addLast(new HttpServerExpectContinueHandler())
                                .addLast(new Recorder());
                    }
                }).bind(bind).sync().channel();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** host:port as the gateway's configuration writes it. */
    public String hostPort() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        return host.contains(":") ? "[" + host + "]:" + a.getPort() : host + ":" + a.getPort();
    }

    public void respondWith(Responder r) {
        this.responder = r;
    }

    /** The next request seen (health checks aside), waiting at most a few seconds. */
    public Seen take() throws InterruptedException {
        Seen s = seen.poll(10, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("the backend received no request");
        }
        return s;
    }

    /** Every request seen so far. */
    public List<Seen> all() {
        return List.copyOf(all);
    }

    /** Requests seen, not counting the gateway's health checks (User-Agent passerelle-check). */
    public int requestCount() {
        return (int) all.stream().filter(s -> !isHealthCheck(s)).count();
    }

    private static boolean isHealthCheck(Seen s) {
        return "passerelle-check".equals(s.header("User-Agent"));
    }

    public int connectionCount() {
        return connections.get();
    }

    /** Request heads received so far, whether or not their bodies ever completed (health checks included). */
    public int headsSeen() {
        return heads.get();
    }

    /** Waits (a few seconds at most) for the next request head, whether or not its body ever completes. */
    public void awaitHead() throws InterruptedException {
        if (!headArrived.tryAcquire(10, TimeUnit.SECONDS)) {
            throw new AssertionError("no request head reached the backend");
        }
    }

    /** Waits (a few seconds at most) until {@code n} request heads in all have arrived since the backend started. */
    public void awaitHeads(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        synchronized (heads) {
            while (heads.get() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(heads.get() + " request heads reached the backend, not " + n);
                }
                TimeUnit.NANOSECONDS.timedWait(heads, left);
            }
        }
    }

    /** Completes when every connection open now has closed. */
    public io.netty.channel.group.ChannelGroupFuture openConnectionsClosed() {
        return channels.newCloseFuture();
    }

    /** Connections open right now. */
    public int openConnections() {
        return open.get();
    }

    public static Responder text(String body) {
        return (ctx, req) -> {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            HttpUtil.setContentLength(r, r.content().readableBytes());
            ctx.writeAndFlush(r);
        };
    }

    public static Responder html(String body) {
        return (ctx, req) -> {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
            HttpUtil.setContentLength(r, r.content().readableBytes());
            ctx.writeAndFlush(r);
        };
    }

    /** Writes these exact bytes, then leaves the connection as it is. */
    public static Responder raw(String bytes) {
        // Written below the HTTP encoder, which would refuse bytes that are not an HTTP message.
        return (ctx, req) -> ctx.pipeline().firstContext().writeAndFlush(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    }

    /** Writes these bytes and closes the connection. */
    public static Responder rawThenClose(String bytes) {
        return (ctx, req) -> ctx.pipeline().firstContext().writeAndFlush(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * A 200 of {@code bytes} bytes of {@code 'x'}, written a slice at a time as the connection takes it, so that a
     * slow reader holds the backend's writes back instead of filling its memory.
     */
    public static Responder stream(long bytes) {
        return (ctx, req) -> {
            io.netty.handler.codec.http.HttpResponse head = new io.netty.handler.codec.http.DefaultHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
            HttpUtil.setContentLength(head, bytes);
            ctx.write(head);
            streamRest(ctx, bytes);
        };
    }

    private static final ByteBuf SLICE = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(16384).writeZero(16384).asReadOnly());

    private static void streamRest(ChannelHandlerContext ctx, long left) {
        if (left <= 0) {
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            return;
        }
        int n = (int) Math.min(SLICE.readableBytes(), left);
        ctx.writeAndFlush(new io.netty.handler.codec.http.DefaultHttpContent(SLICE.retainedSlice(0, n)))
                .addListener(f -> {
                    if (f.isSuccess()) {
                        streamRest(ctx, left - n);
                    }
                });
    }

    /** Never answers. */
    public static Responder silent() {
        return (ctx, req) -> { };
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Recorder extends SimpleChannelInboundHandler<HttpObject> {
        private HttpRequest head;
        private MessageDigest digest;
        private long bytes;
        private StringBuilder text;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) throws Exception {
            if (msg instanceof HttpRequest r) {
                synchronized (heads) {
                    heads.incrementAndGet();
                    heads.notifyAll();
                }
                headArrived.release();
                head = r;
                digest = MessageDigest.getInstance("SHA-256");
                bytes = 0;
                text = new StringBuilder();
            }
            if (msg instanceof HttpContent c) {
                ByteBuf content = c.content();
                bytes += content.readableBytes();
                if (text.length() < 65536) {
                    text.append(content.toString(StandardCharsets.ISO_8859_1));
                }
                byte[] chunk = new byte[content.readableBytes()];
                content.getBytes(content.readerIndex(), chunk);
                digest.update(chunk);
                if (msg instanceof LastHttpContent) {
                    Seen s = new Seen(head.method().name(), head.uri(), head.headers(), bytes,
                            HexFormat.of().formatHex(digest.digest()), text.toString(),
                            (InetSocketAddress) ctx.channel().remoteAddress());
                    all.add(s);
                    if (!isHealthCheck(s)) {
                        seen.add(s);
                    }
                    responder.respond(ctx, s);
                }
            }
        }
    }
}
