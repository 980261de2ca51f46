package net.passerelle.gateway.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A tiny HTTP/1.1 client on its own single event loop, for health checks and cutover verification: one GET per
 * connection ({@code Connection: close}), bounded in time and in the body bytes it keeps. Never runs on the data
 * plane's loops, so a slow or dead backend cannot stall a visitor's request.
 *
 * <p>Futures complete on the probe's loop: dependants must not block (use the {@code *Async} variants with an
 * executor of their own for anything slow).
 */
public final class HttpProbe implements AutoCloseable {
    /** What one GET found. {@code error} is null when a response head arrived. */
    public record Result(int status, String contentType, String contentEncoding, byte[] body, String error) {
        public boolean answered() {
            return error == null;
        }

        static Result failed(String error) {
            return new Result(0, null, null, new byte[0], error);
        }
    }

    private final EventLoopGroup group;
    private final Bootstrap template;

    public HttpProbe(String threadName) {
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(threadName, true), NioIoHandler.newFactory());
        this.template = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true);
    }

    /** The probe's event loop, for scheduling work that belongs with the checks. */
    public EventLoop loop() {
        return group.next();
    }

    /**
     * @param maxBody body bytes to keep (0: stop at the response head)
     */
    public CompletableFuture<Result> get(InetSocketAddress address, String host, String path, Duration timeout, int maxBody) {
        CompletableFuture<Result> result = new CompletableFuture<>();
        long millis = Math.max(1, timeout.toMillis());
        Exchange exchange = new Exchange(host, path, maxBody, result);
        Bootstrap b = template.clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, millis))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("codec", new HttpClientCodec()).addLast("probe", exchange);
                    }
                });
        ChannelFuture connect;
        try {
            connect = b.connect(address);
        } catch (RuntimeException e) {
            result.complete(Result.failed(describe(e)));
            return result;
        }
        Channel ch = connect.channel();
        ScheduledFuture<?> timer = ch.eventLoop().schedule(() -> {
            if (result.complete(Result.failed("timeout after " + millis + " ms"))) {
                ch.close();
            }
        }, millis, TimeUnit.MILLISECONDS);
        result.whenComplete((r, e) -> timer.cancel(false));
        connect.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                result.complete(Result.failed(describe(f.cause())));
            }
        });
        return result;
    }

    static String describe(Throwable t) {
        if (t instanceof ConnectTimeoutException) {
            return "connect timeout";
        }
        if (t instanceof ConnectException) {
            String m = t.getMessage();
            return m != null && m.toLowerCase(java.util.Locale.ROOT).contains("refused") ? "connection refused"
                    : "cannot connect: " + m;
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class Exchange extends ChannelInboundHandlerAdapter {
        private final String host;
        private final String path;
        private final int maxBody;
        private final CompletableFuture<Result> result;
        private HttpResponse head;
        private ByteArrayOutputStream body;

        Exchange(String host, String path, int maxBody, CompletableFuture<Result> result) {
            this.host = host;
            this.path = path;
            this.maxBody = maxBody;
            this.result = result;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (result.isDone()) {
                ctx.close();
                return;
            }
            FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
            req.headers().set(HttpHeaderNames.HOST, host)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                    .set(HttpHeaderNames.ACCEPT, "text/html,*/*;q=0.8")
                    .set(HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.IDENTITY)
                    .set(HttpHeaderNames.USER_AGENT, "passerelle-check")
                    .set(HttpHeaderNames.CONTENT_LENGTH, 0);
            ctx.writeAndFlush(req).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    fail(ctx, describe(f.cause()));
                }
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (result.isDone()) {
                    return;
                }
                if (msg instanceof HttpResponse r) {
                    if (r.decoderResult().isFailure()) {
                        fail(ctx, "malformed response: " + r.decoderResult().cause().getMessage());
                        return;
                    }
                    if (r.status().code() < 200) {
                        return; // interim
                    }
                    head = r;
                    body = new ByteArrayOutputStream(Math.min(maxBody, 8192));
                    if (maxBody == 0) {
                        finish(ctx);
                        return;
                    }
                }
                if (msg instanceof HttpContent c && head != null) {
                    ByteBuf content = c.content();
                    int n = Math.min(content.readableBytes(), maxBody - body.size());
                    if (n > 0) {
                        byte[] bytes = new byte[n];
                        content.getBytes(content.readerIndex(), bytes);
                        body.write(bytes, 0, n);
                    }
                    if (msg instanceof LastHttpContent || body.size() >= maxBody) {
                        finish(ctx);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void finish(ChannelHandlerContext ctx) {
            result.complete(new Result(head.status().code(), head.headers().get(HttpHeaderNames.CONTENT_TYPE),
                    head.headers().get(HttpHeaderNames.CONTENT_ENCODING), body.toByteArray(), null));
            ctx.close();
        }

        private void fail(ChannelHandlerContext ctx, String why) {
            result.complete(Result.failed(why));
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (head != null) {
                // Delimited by close, or cut short: what arrived is what we judge.
                finish(ctx);
            } else {
                result.complete(Result.failed("connection closed before a response"));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(ctx, describe(cause));
        }
    }
}
