package net.passerelle.gateway.spool;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import net.passerelle.gateway.http.ForwardingHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Sends a group's waiting entries to its current backends, in arrival order, one at a time, on its own Netty event
 * loop (never the proxy's).
 *
 * <h2>Delivery semantics, precisely</h2>
 * <ul>
 *   <li>Before each attempt the entry is durably marked {@code replaying} (journal fsync). An answer 2xx or 3xx is
 *       "delivered": it is durably marked so, then its file is removed, before the next entry is looked at.</li>
 *   <li>Connection failures, timeouts, {@code 5xx}, {@code 408}, {@code 425} and {@code 429} are retried with
 *       exponential backoff ({@code spool.replay.*}); after {@code maxAttempts} the entry is {@code failed-final}. Any
 *       other {@code 4xx} is {@code failed-final} at once. A failed-final entry is kept on disk for ops
 *       ({@link Spool#requeue}, {@link Spool#discard}) and never blocks the queue.</li>
 *   <li>Every attempt of an entry carries the same {@code Idempotency-Key} (its reference id). Within a run, a backend
 *       may see one entry more than once only when an attempt's answer was lost (a timeout, or a connection cut after
 *       sending): the retry has the same key, and a backend that deduplicates by key applies it once. The spool marks
 *       each entry delivered at most once.</li>
 *   <li>A crash replays none twice: an entry found {@code replaying} when the spool opens (the gateway died between
 *       sending it and recording the answer) is held as failed-final "in doubt" and not sent again; ops requeue it
 *       ({@link Spool#requeue}) once they know the backend does not have it, or discard it. At most one entry per
 *       group is ever in that state.</li>
 * </ul>
 * Requests are rebuilt from the file: original method, target and headers (hop-by-hop removed), body streamed from
 * disk with a {@code Content-Length}, the forwarding headers set for the original client address, plus
 * {@code Idempotency-Key}, {@code X-Passerelle-Replay: 1} and {@code X-Request-Id: <reference id>}.
 */
public final class Replayer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Replayer.class);
    public static final AsciiString IDEMPOTENCY_KEY = AsciiString.cached("idempotency-key");
    public static final AsciiString X_PASSERELLE_REPLAY = ForwardingHeaders.X_PASSERELLE_REPLAY;

    /** What one replay run did. */
    public record Report(String group, int delivered, int failedFinal, int waiting) {
    }

    private record Outcome(int code, String reason) {
        boolean delivered() {
            return code >= 200 && code < 400;
        }

        boolean retriable() {
            return code == 0 || code >= 500 || code == 408 || code == 425 || code == 429;
        }
    }

    private final Spool spool;
    private final ForwardingHeaders forwarding;
    private final SpoolSettings.ReplaySettings settings;
    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Map<String, CompletableFuture<Report>> running = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public Replayer(Spool spool, ForwardingHeaders forwarding) {
        this.spool = spool;
        this.forwarding = forwarding;
        this.settings = spool.settings.replay();
    }

    /** As {@link #replay(String, Supplier)} with a fixed backend list. */
    public CompletableFuture<Report> replay(String group, List<InetSocketAddress> backends) {
        List<InetSocketAddress> copy = List.copyOf(backends);
        return replay(group, () -> copy);
    }

    /**
     * Starts replaying the group (or returns the run in progress). The backends are asked for at each attempt, so a
     * cutover during a replay is followed. The run also waits for writers that were still spooling when it started.
     */
    public CompletableFuture<Report> replay(String group, Supplier<List<InetSocketAddress>> backends) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("replayer closed"));
        }
        CompletableFuture<Report> fresh = new CompletableFuture<>();
        CompletableFuture<Report> existing = running.putIfAbsent(group, fresh);
        if (existing != null) {
            return existing;
        }
        Thread t = new Thread(() -> {
            Report report = null;
            Throwable failure = null;
            try {
                report = run(group, backends);
            } catch (Throwable e) {
                log.error("spool {}: replay stopped: {}", group, e.toString());
                failure = e;
            }
            // Off the map before anyone hears it is over: a replay asked for by whoever waited on this one must start
            // a run of its own, not be handed this finished one (ReplayerTest caught that, once in a while).
            running.remove(group, fresh);
            if (failure == null) {
                fresh.complete(report);
            } else {
                fresh.completeExceptionally(failure);
            }
        }, "passerelle-replay-" + group);
        t.setDaemon(true);
        t.start();
        return fresh;
    }

    public boolean isReplaying(String group) {
        return running.containsKey(group);
    }

    private Report run(String group, Supplier<List<InetSocketAddress>> backends) throws IOException, InterruptedException {
        GroupSpool g = spool.group(group);
        int delivered = 0;
        int failed = 0;
        if (g != null) {
            while (!closed && !spool.closed) {
                Tracked t = spool.nextToReplay(g);
                if (t == null) {
                    if (spool.awaitNoOpenWriters(g, 0) || !spool.awaitNoOpenWriters(g, 60_000)) {
                        if (spool.nextToReplay(g) == null) {
                            break;
                        }
                    }
                    continue;
                }
                EntryStatus end = replayOne(g, t, backends);
                if (end == EntryStatus.DELIVERED) {
                    delivered++;
                } else if (end == EntryStatus.FAILED_FINAL) {
                    failed++;
                } else if (end == null) {
                    break; // closing
                }
            }
        }
        int waiting = spool.summary(group).waiting();
        log.info("spool {}: replay done, {} delivered, {} failed-final, {} waiting", group, delivered, failed, waiting);
        return new Report(group, delivered, failed, waiting);
    }

    /** Returns the entry's final status, or null when the replayer is closing. */
    private EntryStatus replayOne(GroupSpool g, Tracked t, Supplier<List<InetSocketAddress>> backends)
            throws IOException, InterruptedException {
        EntryFormat.Stored stored;
        Path file;
        try {
            synchronized (g) {
                file = t.file;
            }
            stored = spool.read(g, t);
        } catch (IOException e) {
            spool.markOutcome(g, t, EntryStatus.FAILED_FINAL, 0, "entry file unreadable: " + e.getMessage());
            return EntryStatus.FAILED_FINAL;
        }
        int attempt = t.attempts;
        while (true) {
            attempt++;
            try {
                spool.markReplaying(g, t, attempt);
            } catch (IllegalStateException discarded) {
                return t.status;
            }
            List<InetSocketAddress> list = backends.get();
            Outcome o;
            if (list == null || list.isEmpty()) {
                o = new Outcome(0, "no backend");
            } else {
                o = send(stored, file, list.get((attempt - 1) % list.size()));
            }
            if (o.delivered()) {
                spool.markOutcome(g, t, EntryStatus.DELIVERED, o.code(), o.reason());
                return EntryStatus.DELIVERED;
            }
            if (!o.retriable()) {
                spool.markOutcome(g, t, EntryStatus.FAILED_FINAL, o.code(), o.reason());
                log.warn("spool {}: entry {} refused by the backend: {} {}", g.name, t.ref, o.code(), o.reason());
                return EntryStatus.FAILED_FINAL;
            }
            if (attempt >= settings.maxAttempts()) {
                spool.markOutcome(g, t, EntryStatus.FAILED_FINAL, o.code(),
                        o.reason() + " (gave up after " + attempt + " attempts)");
                log.warn("spool {}: entry {} failed after {} attempts: {} {}", g.name, t.ref, attempt, o.code(), o.reason());
                return EntryStatus.FAILED_FINAL;
            }
            spool.markOutcome(g, t, EntryStatus.PENDING, o.code(), o.reason());
            long wait = settings.backoff(attempt).toMillis();
            long end = System.currentTimeMillis() + wait;
            while (System.currentTimeMillis() < end) {
                if (closed || spool.closed) {
                    return null;
                }
                Thread.sleep(Math.min(50, Math.max(1, end - System.currentTimeMillis())));
            }
        }
    }

    /** One attempt: connect, send the entry, wait for the answer's status (bounded by the two timeouts). */
    private Outcome send(EntryFormat.Stored stored, Path file, InetSocketAddress backend) throws InterruptedException {
        HttpRequest request = rebuild(stored.head(), stored.bodyLength(), backend);
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        Bootstrap b = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec()).addLast(new ResponseHandler(result));
                    }
                });
        ChannelFuture connect = b.connect(backend);
        connect.addListener((ChannelFutureListener) cf -> {
            if (!cf.isSuccess()) {
                result.complete(new Outcome(0, "connect to " + backend + " failed: " + cf.cause()));
                return;
            }
            writeEntry(cf.channel(), request, stored, file, backend, result);
        });
        long limit = settings.connectTimeout().toMillis() + settings.responseTimeout().toMillis();
        try {
            return result.get(limit, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            connect.channel().close();
            return new Outcome(0, "no answer from " + backend + " within " + limit + " ms");
        } catch (ExecutionException e) {
            return new Outcome(0, String.valueOf(e.getCause()));
        }
    }

    /**
     * The original request as the backend would have had it: hop-by-hop and framing headers replaced (the body goes
     * with a {@code Content-Length}, and no one waits for a {@code 100 Continue}), the forwarding headers for the
     * original client, and the replay's own marks.
     */
    private HttpRequest rebuild(EntryFormat.Head h, long bodyLength, InetSocketAddress backend) {
        HttpHeaders headers = new DefaultHttpHeaders(false);
        headers.add(h.headers());
        headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        headers.remove(HttpHeaderNames.EXPECT);
        String host = headers.get(HttpHeaderNames.HOST);
        if (host == null) {
            host = backend.getHostString() + ":" + backend.getPort();
            headers.set(HttpHeaderNames.HOST, host);
        }
        if (h.client().getAddress() != null) {
            forwarding.prepareRequest(headers, h.client().getAddress(), forwarding.isTrusted(h.client().getAddress()),
                    host, h.scheme(), h.referenceId());
        } else {
            ForwardingHeaders.removeHopByHop(headers);
            headers.set(ForwardingHeaders.X_REQUEST_ID, h.referenceId());
        }
        headers.set(HttpHeaderNames.CONTENT_LENGTH, bodyLength);
        headers.set(IDEMPOTENCY_KEY, h.referenceId());
        headers.set(X_PASSERELLE_REPLAY, "1");
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(h.method()), h.uri(), headers);
    }

    /** On the replay loop: the head, then the body straight from the entry file (zero-copy). */
    private static void writeEntry(Channel ch, HttpRequest request, EntryFormat.Stored stored, Path file,
                                   InetSocketAddress backend, CompletableFuture<Outcome> result) {
        try {
            ch.write(request);
            if (stored.bodyLength() > 0) {
                FileChannel fc = FileChannel.open(file, StandardOpenOption.READ);
                ch.write(new DefaultFileRegion(fc, stored.bodyOffset(), stored.bodyLength()));
            }
            ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener((ChannelFutureListener) wf -> {
                if (!wf.isSuccess() && !result.isDone()) {
                    result.complete(new Outcome(0, "sending to " + backend + " failed: " + wf.cause()));
                    ch.close();
                }
            });
        } catch (IOException e) {
            result.complete(new Outcome(0, "reading the entry failed: " + e));
            ch.close();
        }
    }

    private static final class ResponseHandler extends SimpleChannelInboundHandler<HttpObject> {
        private final CompletableFuture<Outcome> result;

        ResponseHandler(CompletableFuture<Outcome> result) {
            this.result = result;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse r && r.status().codeClass() != HttpStatusClass.INFORMATIONAL
                    && !result.isDone()) {
                result.complete(new Outcome(r.status().code(), r.status().reasonPhrase()));
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.complete(new Outcome(0, "connection error: " + cause));
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.complete(new Outcome(0, "connection closed before an answer"));
        }
    }

    @Override
    public void close() {
        closed = true;
        loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
