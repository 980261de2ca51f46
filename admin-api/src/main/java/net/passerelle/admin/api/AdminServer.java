package net.passerelle.admin.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The admin API's own HTTP listener: Netty on one event loop, requests read whole (at most
 * {@value #MAX_BODY_BYTES} bytes), routed by a {@link Router}, and handled on worker threads so that no handler
 * ever blocks the event loop. Pipeline: {@code HttpServerCodec -> HttpServerKeepAliveHandler ->
 * HttpObjectAggregator -> IdleStateHandler -> Dispatcher}.
 *
 * <h2>Authentication</h2>
 * Every route not registered as open needs {@code Authorization: Bearer <token>}, checked by the
 * {@link Authenticator} (named tokens, constant-time comparison, failures limited per client address). The API never
 * runs without a token.
 *
 * <h2>Actor</h2>
 * The audit log names the caller by the name of its token ({@code admin} for {@code admin.token}). The
 * {@value #ACTOR_HEADER} header may add a note (1 to 128 printable ASCII characters), recorded as
 * {@code alice (note: migrating srv-12)}: a note for people to read, which never replaces the token's name.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    public static final String ACTOR_HEADER = "X-Passerelle-Actor";
    public static final int MAX_BODY_BYTES = 1 << 20;
    /** Streamed answers ({@link StreamBody}) open at once; more are refused with 503. */
    public static final int MAX_STREAMS = 64;

    private final InetSocketAddress listen;
    private final Authenticator auth;
    private final Router router;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, daemon("passerelle-admin-io"), NioIoHandler.newFactory());
    private final ExecutorService workers;
    private final StreamWriter streams = new StreamWriter(MAX_STREAMS);
    private Channel channel;

    /**
     * One token, named {@value Authenticator#ADMIN}.
     *
     * @throws IllegalArgumentException when {@code token} is null or empty: the API never runs unauthenticated
     */
    public AdminServer(InetSocketAddress listen, String token, Router router) {
        this(listen, Authenticator.single(token), router);
    }

    /**
     * @param listen the address to bind (port 0 for an ephemeral port)
     * @param auth   the tokens, and the limit on failures
     * @param router the routes to serve; more may be added while the server runs
     */
    public AdminServer(InetSocketAddress listen, Authenticator auth, Router router) {
        this.listen = Objects.requireNonNull(listen, "listen");
        this.auth = Objects.requireNonNull(auth, "auth");
        this.router = Objects.requireNonNull(router, "router");
        this.workers = Executors.newFixedThreadPool(4, daemon("passerelle-admin-worker"));
    }

    /**
     * Binds the listener.
     *
     * @throws IllegalStateException when the bind fails
     */
    public AdminServer start() throws InterruptedException {
        try {
            channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(4096, 16384, 8192))
                                    .addLast(new HttpServerKeepAliveHandler())
                                    .addLast(new HttpObjectAggregator(MAX_BODY_BYTES))
                                    .addLast(new IdleStateHandler(0, 0, 120))
                                    .addLast(new Dispatcher());
                        }
                    }).bind(listen).sync().channel();
        } catch (Exception e) {
            close();
            throw new IllegalStateException("cannot listen on " + listen + " for the admin API: " + e.getMessage(), e);
        }
        log.info("admin API listening on {}", channel.localAddress());
        return this;
    }

    /** The bound address (with the port chosen for port 0). */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    public boolean isBound() {
        return channel != null && channel.isActive();
    }

    public Router router() {
        return router;
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownNow();
    }

    // ---- request handling --------------------------------------------------------------------------------

    private final class Dispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            if (ctx.channel().hasAttr(StreamWriter.STREAMING)) {
                return; // a streamed answer owns this connection until it closes
            }
            if (!req.decoderResult().isSuccess()) {
                write(ctx, false, error(new ApiException(400, "bad request", "malformed HTTP request")));
                return;
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            // One request at a time per connection, so that answers keep the order of (pipelined) requests.
            ctx.channel().config().setAutoRead(false);
            ApiResponse immediate;
            try {
                CompletableFuture<ApiResponse> answer = dispatch(req, ctx.channel().remoteAddress());
                answer.whenComplete((r, t) -> write(ctx, keepAlive, t == null ? r : error(t)));
                return;
            } catch (Throwable t) {
                immediate = error(t);
            }
            write(ctx, keepAlive, immediate);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("admin connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    private CompletableFuture<ApiResponse> dispatch(FullHttpRequest req, java.net.SocketAddress peer) {
        String method = req.method().name();
        QueryStringDecoder qs = new QueryStringDecoder(req.uri());
        String rawPath = qs.rawPath();
        String[] raw = (rawPath.startsWith("/") ? rawPath.substring(1) : rawPath).split("/", -1);
        String[] segments = new String[raw.length];
        for (int i = 0; i < raw.length; i++) {
            segments[i] = QueryStringDecoder.decodeComponent(raw[i]);
        }
        Router.Match match = router.match(method, segments);
        boolean open = match.route() != null && match.route().open();
        String caller = null;
        if (!open) {
            InetAddress client = peer instanceof InetSocketAddress a ? a.getAddress() : null;
            caller = auth.authenticate(client, req.headers().get(HttpHeaderNames.AUTHORIZATION));
        }
        if (match.route() == null) {
            if (match.allowed().isEmpty()) {
                throw ApiException.notFound("no such route: " + method + " " + qs.path());
            }
            throw new ApiException(405, "method not allowed", method + " is not allowed on " + qs.path()
                    + "; allowed: " + String.join(", ", match.allowed()), Map.of("allowed", match.allowed()));
        }
        String actor = actor(caller, req.headers().get(ACTOR_HEADER));
        log.debug("{} {} by {}", method, qs.path(), actor);
        ByteBuf content = req.content();
        byte[] body = ByteBufUtil.getBytes(content, content.readerIndex(), content.readableBytes(), false);
        ApiRequest request = new ApiRequest(method, qs.path(), match.params(), qs.parameters(), actor,
                req.headers().get(HttpHeaderNames.CONTENT_TYPE), body);
        Handler handler = match.route().handler();
        return CompletableFuture.supplyAsync(() -> {
            try {
                return handler.handle(request);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, workers).thenCompose(f -> f);
    }

    /**
     * The audit's actor: the token's name, with the caller's note if any ({@code alice (note: migrating srv-12)}).
     * Open routes have no token, and change nothing: their actor is {@code anonymous}.
     */
    static String actor(String tokenName, String note) {
        String name = tokenName == null ? "anonymous" : tokenName;
        if (note == null || note.isEmpty()) {
            return name;
        }
        if (note.length() > 128 || note.isBlank() || !note.chars().allMatch(c -> c >= 0x20 && c <= 0x7e)) {
            throw ApiException.badRequest(ACTOR_HEADER + " is a note of 1 to 128 printable ASCII characters");
        }
        return name + " (note: " + note.strip() + ")";
    }

    private static ApiResponse error(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof java.util.concurrent.ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        ApiException e = ApiErrors.toApiException(cause);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", e.error());
        body.put("detail", e.detail());
        body.putAll(e.extra());
        Map<String, String> headers = new LinkedHashMap<>();
        if (e.status() == 401) {
            headers.put("WWW-Authenticate", "Bearer realm=\"passerelle\"");
        }
        if (e.status() == 429 && e.extra().get("retryAfterSeconds") != null) {
            headers.put("Retry-After", String.valueOf(e.extra().get("retryAfterSeconds")));
        }
        if (e.status() == 405 && e.extra().get("allowed") instanceof java.util.Collection<?> allowed) {
            headers.put("Allow", String.join(", ", allowed.stream().map(Object::toString).toList()));
        }
        return new ApiResponse(e.status(), body, null, headers);
    }

    /** Streamed answers open now. */
    public int openStreams() {
        return streams.open();
    }

    private void write(ChannelHandlerContext ctx, boolean keepAlive, ApiResponse r) {
        if (r.body() instanceof StreamBody body) {
            if (streams.tryStart(ctx.channel(), r, body)) {
                return;
            }
            r = error(new ApiException(503, "too many streams", "at most " + MAX_STREAMS
                    + " event streams may be open at once; try again later"));
        }
        byte[] bytes;
        String contentType;
        try {
            if (r.body() instanceof String s && r.contentType() != null) {
                bytes = s.getBytes(StandardCharsets.UTF_8);
                contentType = r.contentType();
            } else {
                bytes = Json.STRICT.writeValueAsBytes(r.body());
                contentType = "application/json";
            }
        } catch (Exception e) {
            log.error("cannot write an admin API answer", e);
            bytes = "{\"error\":\"internal error\",\"detail\":\"the answer could not be written\"}".getBytes(StandardCharsets.UTF_8);
            contentType = "application/json";
            r = ApiResponse.of(500, null);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
                Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set(HttpHeaderNames.DATE, DateFormatter.format(new java.util.Date()))
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        r.headers().forEach((k, v) -> response.headers().set(k, v));
        HttpUtil.setKeepAlive(response, keepAlive);
        Channel ch = ctx.channel();
        ch.writeAndFlush(response).addListener(f -> {
            if (ch.isActive()) {
                ch.config().setAutoRead(true);
                ch.read();
            }
        });
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

}
