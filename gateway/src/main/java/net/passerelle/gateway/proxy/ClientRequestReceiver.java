package net.passerelle.gateway.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import net.passerelle.gateway.health.BackendSelector;
import net.passerelle.gateway.http.ForwardingHeaders;
import net.passerelle.gateway.http.Rejection;
import net.passerelle.gateway.http.RequestIds;
import net.passerelle.gateway.http.RequestValidator;
import net.passerelle.admin.model.Mode;
import net.passerelle.gateway.notice.Language;
import net.passerelle.gateway.notice.NoticeContext;
import net.passerelle.gateway.notice.NoticeFormat;
import net.passerelle.gateway.notice.NoticeKind;
import net.passerelle.gateway.notice.NoticeNegotiator;
import net.passerelle.gateway.policy.AccessPolicy;
import net.passerelle.gateway.policy.Action;
import net.passerelle.gateway.policy.BodyPeek;
import net.passerelle.gateway.policy.Decided;
import net.passerelle.gateway.policy.HeadVerdict;
import net.passerelle.gateway.policy.NeedsBody;
import net.passerelle.gateway.policy.RequestClass;
import net.passerelle.gateway.proxy.ProxyListener.Outcome;
import net.passerelle.gateway.routing.Backend;
import net.passerelle.gateway.routing.GroupRoute;
import net.passerelle.gateway.routing.HostNormalizer;
import net.passerelle.gateway.routing.HostRoute;
import net.passerelle.gateway.spool.SpoolException;
import net.passerelle.gateway.spool.SpoolWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The client-facing end of the proxy: one instance per client connection, one exchange at a time.
 *
 * <p>The exchange takes the client's messages one at a time, asking for the next only when it can use it
 * ({@link #readClient()}); what arrives before that waits in a small backlog while the channel stops reading. That
 * single rule gives backpressure both ways (a body chunk is taken only once the backend connection can take it;
 * the backend's connection stops reading while the client cannot take more), serialises pipelined requests, and
 * keeps a request's body in the kernel while the gateway decides what to do with it. Both channels read on their
 * own otherwise ({@code AUTO_READ} on): pausing costs an epoll interest change only when there is pressure.
 *
 * <p>The backend connection of an exchange runs on this connection's event loop, so both handlers' state is touched
 * by one thread only, with no locks or volatiles.
 */
public final class ClientRequestReceiver extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ClientRequestReceiver.class);

    /** Bodies of refused requests up to this size are read and dropped to keep the connection; larger ones close it. */
    private static final long DRAIN_LIMIT = 64 * 1024;

    /** The reference id of a queued write, for API clients that do not parse the notice. */
    private static final io.netty.util.AsciiString QUEUE_REFERENCE = io.netty.util.AsciiString.cached("x-passerelle-reference");

    private enum State { AWAIT_REQUEST, PEEKING, QUEUEING, CONNECTING, FORWARDING, DISCARDING, CLOSED }

    private final ProxySettings px;
    private final ClientActivity activity;
    private final ClientResponseEncoder encoder;
    private ChannelHandlerContext ctx;
    private UpstreamPool pool;
    private InetAddress clientAddress;
    private boolean trustedPeer;
    private ForwardingHeaders.Client clientInfo;

    private State state = State.AWAIT_REQUEST;
    private boolean clientReadWanted;
    private java.util.ArrayDeque<Object> backlog;
    private boolean clientPaused;
    private boolean dispatching;
    private long waitStartNanos;
    private ConnectionTimer timer;
    private long lastProgressNanos;

    // The current exchange.
    private HttpRequest request;
    private String requestId;
    private long startNanos;
    private boolean headRequest;
    private boolean http10;
    private boolean clientKeepAlive;
    private boolean expectContinue;
    private boolean hasBody;
    private long bodyBytes;
    private GroupRoute group;
    private Backend backend;
    private Channel upstream;
    private boolean upstreamFromPool;
    private boolean retried;
    private boolean requestComplete;
    /** The client's LastHttpContent of the current request has been read (whatever became of it). */
    private boolean clientLastSeen;
    private boolean responseStarted;
    private boolean interim;
    private boolean originKeepAlive;
    private boolean closeAfterResponse;
    private boolean awaitingOriginWritable;
    private boolean awaitingClientWritable;
    private int responseStatus;
    private String hostHeader;
    /** Body chunks read while classifying (PEEKING), to be forwarded first if the request turns out to be a read. */
    private List<HttpContent> heldRequest;
    private BodyPeek peek;
    /** A response head held back while the default-page guard looks at the start of the body. */
    private HeldResponse heldResponse;
    /** The spool entry being written for a queued write (QUEUEING). */
    private SpoolWriter spoolWriter;
    private boolean committing;

    ClientRequestReceiver(ProxySettings px, ClientActivity activity, ClientResponseEncoder encoder) {
        this.px = px;
        this.activity = activity;
        this.encoder = encoder;
    }

    // ---------------------------------------------------------------- client connection events

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.timer = new ConnectionTimer(ctx.executor(), this::onTimer);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        pool = px.upstreams().get(ctx.channel().eventLoop());
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress peer) {
            clientAddress = peer.getAddress();
            trustedPeer = px.forwarding().isTrusted(clientAddress);
        }
        awaitRequest();
        ctx.fireChannelActive();
    }

    /**
     * Messages reach the exchange one at a time, when it asks for the next ({@link #readClient()}). The channel reads
     * on its own (AUTO_READ on, so no interest change per request); a message that arrives while the exchange is
     * not ready for it (a pipelined request, a body chunk the backend cannot take yet) is held here and the channel
     * stops reading until the backlog is taken: backpressure costs a syscall only when it is needed.
     */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!clientReadWanted || (backlog != null && !backlog.isEmpty())) {
            if (backlog == null) {
                backlog = new java.util.ArrayDeque<>(2);
            }
            backlog.add(msg);
            pauseClient();
            return;
        }
        dispatch(msg);
    }

    private void dispatch(Object msg) {
        clientReadWanted = false;
        switch (state) {
            case AWAIT_REQUEST -> {
                if (msg instanceof HttpRequest req) {
                    onRequest(req);
                } else {
                    // Leftover content of a request already answered: nothing to do with it.
                    ReferenceCountUtil.release(msg);
                    readClient();
                }
            }
            case FORWARDING -> {
                if (msg instanceof HttpContent content) {
                    onRequestContent(content);
                } else {
                    ReferenceCountUtil.release(msg);
                    closeClient();
                }
            }
            case PEEKING -> onPeekContent(msg);
            case QUEUEING -> onQueueContent(msg);
            case DISCARDING -> {
                progress();
                boolean last = msg instanceof LastHttpContent;
                if (!(msg instanceof HttpContent) || ((HttpContent) msg).decoderResult().isFailure()) {
                    ReferenceCountUtil.release(msg);
                    closeClient();
                    return;
                }
                if (msg instanceof HttpContent c) {
                    bodyBytes += c.content().readableBytes();
                }
                ReferenceCountUtil.release(msg);
                if (last) {
                    clientLastSeen = true;
                    awaitRequest();
                } else if (bodyBytes > DRAIN_LIMIT) {
                    closeClient();
                } else {
                    readClient();
                }
            }
            default -> ReferenceCountUtil.release(msg);
        }
    }

    /** The exchange is ready for the client's next message: from the backlog, or from the socket. */
    private void readClient() {
        clientReadWanted = true;
        if (dispatching) {
            return; // the loop below, further up the stack, takes the next one
        }
        dispatching = true;
        try {
            while (clientReadWanted && backlog != null && !backlog.isEmpty() && state != State.CLOSED) {
                dispatch(backlog.poll());
            }
        } finally {
            dispatching = false;
        }
        if (clientReadWanted && clientPaused && state != State.CLOSED) {
            clientPaused = false;
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void pauseClient() {
        if (!clientPaused) {
            clientPaused = true;
            ctx.channel().config().setAutoRead(false);
        }
    }

    private void releaseBacklog() {
        if (backlog != null) {
            Object m;
            while ((m = backlog.poll()) != null) {
                ReferenceCountUtil.release(m);
            }
        }
    }

    /** Backpressure towards the backend, per read cycle: it stops reading while the client cannot take more. */
    void onOriginReadComplete(Channel ch) {
        if (ch != upstream || state != State.FORWARDING) {
            return;
        }
        if (!ctx.channel().isWritable()) {
            awaitingClientWritable = true;
            ch.config().setAutoRead(false);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && awaitingClientWritable && upstream != null) {
            awaitingClientWritable = false;
            upstream.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        cancelTimer();
        releaseHeld();
        releaseBacklog();
        abortSpool();
        abandonUpstream();
        ctx.fireChannelInactive();
    }

    /**
     * Graceful drain ({@link DrainEvent}): close now when between requests; otherwise finish the current exchange
     * and close after it ({@code Connection: close} when the response head has not gone out yet).
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        boolean halfClosed = evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent;
        if (!(evt instanceof DrainEvent) && !halfClosed) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        // Draining, or a client that sent its request and shut its side (`printf … | nc`, some HTTP/1.0 tools):
        // the exchange under way is answered, then the connection closes.
        if (state == State.AWAIT_REQUEST && (backlog == null || backlog.isEmpty())) {
            closeClient();
        } else {
            clientKeepAlive = false;
            closeAfterResponse |= responseStarted;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client connection {} failed", ctx.channel(), cause);
        closeClient();
    }

    // ---------------------------------------------------------------- request head

    private void onRequest(HttpRequest req) {
        activity.stop();
        progress();
        startNanos = System.nanoTime();
        request = req;
        group = null;
        backend = null;
        retried = false;
        requestComplete = false;
        clientLastSeen = false;
        responseStarted = false;
        interim = false;
        closeAfterResponse = false;
        bodyBytes = 0;
        responseStatus = 0;
        headRequest = req.method() == HttpMethod.HEAD;
        http10 = req.protocolVersion().equals(HttpVersion.HTTP_1_0);
        HttpHeaders headers = req.headers();
        String incomingId = headers.get(ForwardingHeaders.X_REQUEST_ID);
        requestId = trustedPeer && ForwardingHeaders.isAcceptableRequestId(incomingId) ? incomingId : RequestIds.next();

        boolean malformed = req.decoderResult().isFailure();
        clientKeepAlive = !malformed && HttpUtil.isKeepAlive(req);
        expectContinue = HttpUtil.is100ContinueExpected(req);
        hasBody = !malformed && (HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) > 0);
        hostHeader = headers.get(HttpHeaderNames.HOST);
        String host = HostNormalizer.normalize(hostHeader);

        Rejection rejection = px.validator().validate(req, host);
        if (rejection != null) {
            if (malformed) {
                log.debug("malformed request from {}: {}", clientAddress, req.decoderResult().cause().getMessage());
            }
            // Anything malformed or ambiguous closes the connection: after it, nothing on it can be trusted.
            boolean close = malformed || rejection != Rejection.METHOD_REFUSED;
            answerLocally(noticeFor(rejection), close,
                    rejection == Rejection.METHOD_REFUSED ? Outcome.REFUSED : Outcome.BAD_REQUEST);
            return;
        }
        HostRoute route = px.routes().get().route(host);
        if (route == null) {
            answerLocally(NoticeKind.UNKNOWN_HOST, false, Outcome.UNKNOWN_HOST);
            return;
        }
        // The snapshot's group is this request's group from here on: a mode change after this point applies to
        // the next request, never half-way through this one.
        group = route.group();
        Mode mode = group.mode();
        boolean ops = mode == Mode.MAINTENANCE && px.opsBypass().allows(clientAddress, headers);
        RequestClass requestClass = null;
        NeedsBody needsBody = null;
        if (AccessPolicy.needsClassification(mode)) {
            HeadVerdict verdict = px.profiles().forGroup(group.profile()).classify(req);
            if (verdict instanceof Decided decided) {
                requestClass = decided.requestClass();
            } else {
                needsBody = (NeedsBody) verdict;
            }
        }
        act(AccessPolicy.decide(mode, group.writes(), requestClass, ops), needsBody);
    }


    private void act(Action action, NeedsBody needsBody) {
        switch (action) {
            case FORWARD -> {
                px.opsBypass().strip(request.headers());
                forward();
            }
            case PEEK_BODY -> startPeek(needsBody);
            case REJECT_READ_ONLY -> answerNotice(NoticeKind.READ_ONLY);
            case QUEUE -> startQueue();
            case MAINTENANCE -> answerNotice(NoticeKind.MAINTENANCE);
            case REFUSE_METHOD -> answerLocally(NoticeKind.METHOD_NOT_ALLOWED, false, Outcome.REFUSED);
        }
    }

    /** A read-only or maintenance notice, with Retry-After and the expected end. */
    private void answerNotice(NoticeKind kind) {
        Instant now = px.clock().instant();
        Instant endsAt = group.modeEndsAt() != null ? group.modeEndsAt() : now.plusSeconds(group.retryAfterSeconds());
        long retryAfter = Math.max(0, Duration.between(now, endsAt).getSeconds());
        boolean close = closeNeededForUnreadBody();
        FullHttpResponse response = render(kind, (int) Math.min(Integer.MAX_VALUE, retryAfter), endsAt);
        finishLocal(response, close, Outcome.REFUSED);
    }

    // ---------------------------------------------------------------- queueing writes (read-only, writes: queue)

    /**
     * Streams the write into the spool and answers 202 only once the spool says it is on disk. Anything that
     * prevents that (quota, full disk, an I/O error, the client going away) ends in the 503 reject, or nothing.
     */
    private void startQueue() {
        if (px.spool() == null) {
            answerNotice(NoticeKind.READ_ONLY);
            return;
        }
        try {
            InetSocketAddress client = (InetSocketAddress) ctx.channel().remoteAddress();
            spoolWriter = px.spool().begin(group.name(), request, client, 0, px.scheme());
        } catch (SpoolException e) {
            log.warn("cannot queue a write for group {}: {}", group.name(), e.getMessage());
            releaseHeldRequest();
            answerNotice(NoticeKind.READ_ONLY);
            return;
        }
        state = State.QUEUEING;
        committing = false;
        if (expectContinue && !clientLastSeen) {
            expectContinue = false;
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        armProgressTimer();
        List<HttpContent> held = heldRequest;
        heldRequest = null;
        if (held != null) {
            for (HttpContent c : held) {
                if (!spoolContent(c)) {
                    return;
                }
            }
            if (clientLastSeen) {
                commitQueued();
                return;
            }
        }
        readClient();
    }

    private void onQueueContent(Object msg) {
        if (!(msg instanceof HttpContent content) || content.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            abortSpool();
            answerLocally(NoticeKind.BAD_REQUEST, true, Outcome.BAD_REQUEST);
            return;
        }
        progress();
        boolean last = content instanceof LastHttpContent;
        if (last) {
            clientLastSeen = true;
        }
        if (!spoolContent(content)) {
            return;
        }
        if (last) {
            commitQueued();
        } else if (spoolWriter.pendingBytes() < spoolWriter.bufferLimit()) {
            readClient();
        }
    }

    /** Hands one chunk to the spool (which takes ownership); false when the queueing was given up. */
    private boolean spoolContent(HttpContent content) {
        bodyBytes += content.content().readableBytes();
        if (bodyBytes > px.maxBodySize()) {
            content.release();
            abortSpool();
            answerLocally(NoticeKind.PAYLOAD_TOO_LARGE, true, Outcome.BAD_REQUEST);
            return false;
        }
        SpoolWriter writer = spoolWriter;
        boolean mustWait = writer.pendingBytes() + content.content().readableBytes() >= writer.bufferLimit();
        writer.write(content.content()).whenComplete((ok, error) -> ctx.executor().execute(() -> {
            if (writer != spoolWriter || state != State.QUEUEING) {
                return;
            }
            if (error != null) {
                spoolFailed(error);
            } else if (mustWait && !clientLastSeen && !committing) {
                readClient();
            }
        }));
        return true;
    }

    private void commitQueued() {
        committing = true;
        SpoolWriter writer = spoolWriter;
        writer.commit().whenComplete((entry, error) -> ctx.executor().execute(() -> {
            if (writer != spoolWriter) {
                return;
            }
            spoolWriter = null;
            committing = false;
            if (error != null) {
                writer.abort();
                spoolFailed(error);
                return;
            }
            if (state == State.CLOSED) {
                // On disk and will be replayed, but the client left before hearing so.
                log.info("queued write {} of group {} committed after its client left", entry.referenceId(), group.name());
                return;
            }
            FullHttpResponse response = render(NoticeKind.QUEUED, null, modeEnd(), entry.referenceId());
            response.headers().set(QUEUE_REFERENCE, entry.referenceId());
            finishLocal(response, closeNeededForUnreadBody(), Outcome.QUEUED);
        }));
    }

    private void spoolFailed(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        log.warn("queueing a write for group {} failed, answering 503: {}", group == null ? "-" : group.name(), cause.toString());
        abortSpool();
        if (state == State.CLOSED) {
            return;
        }
        answerNotice(NoticeKind.READ_ONLY);
    }

    private void abortSpool() {
        SpoolWriter writer = spoolWriter;
        if (writer != null) {
            spoolWriter = null;
            committing = false;
            writer.abort();
        }
    }

    private Instant modeEnd() {
        Instant now = px.clock().instant();
        return group.modeEndsAt() != null ? group.modeEndsAt() : now.plusSeconds(group.retryAfterSeconds());
    }

    // ---------------------------------------------------------------- body peek (read-only classification)

    private void startPeek(NeedsBody needsBody) {
        state = State.PEEKING;
        peek = needsBody.newPeek();
        heldRequest = new ArrayList<>(4);
        bodyBytes = 0;
        if (expectContinue) {
            // The client waits for our go-ahead before sending the body we need to see. We give it ourselves and
            // the backend, if it gets the request at all, gets it without the expectation.
            expectContinue = false;
            request.headers().remove(HttpHeaderNames.EXPECT);
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        armProgressTimer();
        readClient();
    }

    private void onPeekContent(Object msg) {
        if (!(msg instanceof HttpContent content) || content.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            releaseHeld();
            answerLocally(NoticeKind.BAD_REQUEST, true, Outcome.BAD_REQUEST);
            return;
        }
        progress();
        boolean last = content instanceof LastHttpContent;
        heldRequest.add(content);
        bodyBytes += content.content().readableBytes();
        RequestClass decided = peek.offer(content.content());
        if (last) {
            clientLastSeen = true;
            if (decided == null) {
                decided = peek.finish();
            }
        }
        if (decided == null) {
            readClient();
            return;
        }
        peek = null;
        Action action = AccessPolicy.decide(group.mode(), group.writes(), decided, false);
        if (action == Action.FORWARD) {
            forward();
        } else {
            releaseHeldRequest();
            act(action, null);
        }
    }

    private void releaseHeldRequest() {
        if (heldRequest != null) {
            for (HttpContent c : heldRequest) {
                c.release();
            }
            heldRequest = null;
        }
    }

    private void releaseHeld() {
        releaseHeldRequest();
        releaseHeldResponse();
    }

    private void releaseHeldResponse() {
        if (heldResponse != null) {
            heldResponse.release();
            heldResponse = null;
        }
    }

    private static NoticeKind noticeFor(Rejection rejection) {
        return switch (rejection) {
            case URI_TOO_LONG -> NoticeKind.URI_TOO_LONG;
            case HEADERS_TOO_LARGE -> NoticeKind.HEADERS_TOO_LARGE;
            case BODY_TOO_LARGE -> NoticeKind.PAYLOAD_TOO_LARGE;
            case METHOD_REFUSED -> NoticeKind.METHOD_NOT_ALLOWED;
            default -> NoticeKind.BAD_REQUEST;
        };
    }

    // ---------------------------------------------------------------- answering locally

    /**
     * Answers the current request from the gateway. The request body, if any, never goes anywhere: a small one is
     * read and dropped so the connection can be kept; a large or unknown-length one (or one the client has not sent
     * yet because it waits for 100-continue) closes the connection after the answer.
     */
    private void answerLocally(NoticeKind kind, boolean forceClose, Outcome outcome) {
        boolean close = forceClose || closeNeededForUnreadBody();
        FullHttpResponse response = render(kind, null, null);
        finishLocal(response, close, outcome);
    }

    /**
     * Whether answering now means closing: the client does not want to keep the connection, or the rest of the
     * body is too large or of unknown length to drop cheaply, or the client waits for 100-continue and might send
     * it or not.
     */
    private boolean closeNeededForUnreadBody() {
        if (!clientKeepAlive || state == State.CLOSED) {
            return true;
        }
        if (!hasBody || clientLastSeen) {
            return false;
        }
        return expectContinue || HttpUtil.isTransferEncodingChunked(request)
                || HttpUtil.getContentLength(request, 0L) - bodyBytes > DRAIN_LIMIT;
    }

    private FullHttpResponse render(NoticeKind kind, Integer retryAfter, Instant endsAt) {
        return render(kind, retryAfter, endsAt, null);
    }

    private FullHttpResponse render(NoticeKind kind, Integer retryAfter, Instant endsAt, String referenceId) {
        NoticeFormat format = NoticeNegotiator.format(request);
        Language language = NoticeNegotiator.language(request == null ? null : request.headers().get(HttpHeaderNames.ACCEPT_LANGUAGE));
        NoticeContext context = new NoticeContext(kind, group == null ? null : group.name(),
                group == null ? null : group.message(), endsAt, retryAfter, referenceId, requestId);
        return px.notices().render(context, format, language, ctx.alloc(), headRequest);
    }

    private void finishLocal(FullHttpResponse response, boolean close, Outcome outcome) {
        releaseHeld();
        responseStatus = response.status().code();
        HttpHeaders h = response.headers();
        if (close) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        h.set(ForwardingHeaders.X_REQUEST_ID, requestId);
        encoder.answeringHead(headRequest);
        px.listener().exchangeDone(group, outcome, responseStatus, System.nanoTime() - startNanos);
        if (state == State.CLOSED || !ctx.channel().isActive()) {
            response.release();
            return;
        }
        ChannelFuture f = ctx.writeAndFlush(response);
        if (close) {
            state = State.CLOSED;
            f.addListener(ChannelFutureListener.CLOSE);
        } else if (clientLastSeen) {
            awaitRequest();
        } else {
            // The rest of this request (at least its LastHttpContent) still has to be read and dropped.
            state = State.DISCARDING;
            progress();
            schedule(px.idleTimeoutNanos());
            readClient();
        }
    }

    // ---------------------------------------------------------------- forwarding

    private void forward() {
        backend = BackendSelector.select(group, px.health()); // health: failover to spares
        if (backend == null) {
            answerLocally(NoticeKind.BAD_GATEWAY, false, Outcome.ERROR);
            return;
        }
        HttpRequest req = request;
        if (clientInfo == null) {
            clientInfo = new ForwardingHeaders.Client(clientAddress);
        }
        px.forwarding().prepareRequest(req.headers(), clientInfo, trustedPeer, hostHeader, px.scheme(), requestId);
        req.setUri(RequestValidator.originForm(req.uri()));
        req.setProtocolVersion(HttpVersion.HTTP_1_1);
        state = State.CONNECTING;
        Channel idle = pool.poll(backend.address());
        if (idle != null) {
            upstreamFromPool = true;
            attach(idle);
            sendHead();
        } else {
            connect();
        }
    }

    private void connect() {
        upstreamFromPool = false;
        ChannelFuture f = pool.connect(backend.address());
        f.addListener((ChannelFutureListener) this::onConnected);
    }

    private void onConnected(ChannelFuture f) {
        if (state != State.CONNECTING) {
            // The client went away while we connected: keep the fresh connection for someone else.
            if (f.isSuccess()) {
                pool.release(f.channel());
            }
            return;
        }
        if (!f.isSuccess()) {
            log.debug("cannot connect to backend {} of group {}: {}", backend, group.name(), f.cause().toString());
            px.health().connectFailed(backend); // health: passive detection
            NoticeKind kind = f.cause() instanceof ConnectTimeoutException ? NoticeKind.GATEWAY_TIMEOUT : NoticeKind.BAD_GATEWAY;
            answerLocally(kind, false, Outcome.ERROR);
            return;
        }
        attach(f.channel());
        sendHead();
    }

    private void attach(Channel ch) {
        upstream = ch;
        ch.pipeline().get(OriginResponseReceiver.class).attach(this);
    }

    private void sendHead() {
        // A synchronous write failure can close and detach the connection under us: work on a local reference.
        Channel ch = upstream;
        state = State.FORWARDING;
        awaitingOriginWritable = false;
        awaitingClientWritable = false;
        if (hasBody) {
            ch.write(request, ch.voidPromise());
            if (heldRequest != null) {
                // What the classifier read goes first; the body is unchanged.
                for (HttpContent c : heldRequest) {
                    ch.write(c).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
                }
                heldRequest = null;
                requestComplete = clientLastSeen;
            }
            ch.flush();
            armProgressTimer();
            if (!requestComplete) {
                if (ch.isWritable()) {
                    readClient();
                } else {
                    awaitingOriginWritable = true;
                }
            }
        } else {
            // A body-less request is complete already: send it whole, so it can be sent again on a fresh
            // connection if a pooled one turns out to be closed. The client's empty LastHttpContent is dropped.
            releaseHeldRequest();
            ch.write(request, ch.voidPromise());
            ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            requestComplete = true;
            armProgressTimer();
            if (!clientLastSeen) {
                readClient();
            }
        }
    }

    private void onRequestContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (last) {
            clientLastSeen = true;
        }
        if (content.decoderResult().isFailure()) {
            // A broken chunk: the backend has the head and part of the body but never a complete request, and the
            // connection it sits on is dropped, so it cannot act on it.
            log.debug("malformed request body from {}: {}", clientAddress, content.decoderResult().cause().getMessage());
            content.release();
            if (!responseStarted) {
                abandonUpstream();
                answerLocally(NoticeKind.BAD_REQUEST, true, Outcome.BAD_REQUEST);
            } else {
                closeClient();
            }
            return;
        }
        if (upstream == null) {
            content.release();
            return;
        }
        if (!hasBody) {
            // Dropped: the request was already sent whole (see sendHead). Nothing more to read until the response ends.
            content.release();
            return;
        }
        progress();
        bodyBytes += content.content().readableBytes();
        if (bodyBytes > px.maxBodySize()) {
            content.release();
            if (!responseStarted) {
                abandonUpstream();
                answerLocally(NoticeKind.PAYLOAD_TOO_LARGE, true, Outcome.BAD_REQUEST);
            } else {
                closeClient();
            }
            return;
        }
        if (last) {
            requestComplete = true;
            upstream.writeAndFlush(content).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            return;
        }
        upstream.writeAndFlush(content).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        if (upstream.isWritable()) {
            readClient();
        } else {
            awaitingOriginWritable = true;
        }
    }

    // ---------------------------------------------------------------- backend events (same event loop)

    void onOriginWritable(Channel ch) {
        if (ch == upstream && awaitingOriginWritable && state == State.FORWARDING) {
            awaitingOriginWritable = false;
            readClient();
        }
    }

    void onOriginMessage(Channel ch, Object msg) {
        if (ch != upstream || state != State.FORWARDING) {
            ReferenceCountUtil.release(msg);
            return;
        }
        progress();
        if (msg instanceof HttpResponse response) {
            if (!onResponseHead(response)) {
                return;
            }
        }
        if (msg instanceof HttpContent content) {
            if (interim) {
                content.release();
                if (content instanceof LastHttpContent) {
                    interim = false;
                }
                return;
            }
            if (heldResponse != null) {
                holdForGuard(content);
                return;
            }
            if (content instanceof LastHttpContent) {
                onResponseComplete(ctx.writeAndFlush(content));
                return;
            }
            ctx.writeAndFlush(content);
        }
    }

    /** @return false when the head was consumed and nothing more is to be done with this message */
    private boolean onResponseHead(HttpResponse response) {
        if (response.decoderResult().isFailure()) {
            log.info("malformed response from backend {} of group {}: {}", backend, group.name(),
                    response.decoderResult().cause().getMessage());
            ReferenceCountUtil.release(response);
            Channel broken = upstream;
            detachUpstream();
            broken.close();
            if (!responseStarted) {
                answerLocally(NoticeKind.BAD_GATEWAY, !requestComplete, Outcome.ERROR);
            } else {
                closeClient();
            }
            return false;
        }
        int status = response.status().code();
        if (status >= 100 && status < 200) {
            interim = true;
            if (status == 100 && expectContinue && !http10 && !responseStarted) {
                ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
            }
            return true;
        }
        responseStarted = true;
        responseStatus = status;
        px.health().responded(backend, status); // health: passive detection (consecutive 5xx)
        originKeepAlive = HttpUtil.isKeepAlive(response);
        HttpHeaders h = response.headers();
        px.forwarding().prepareResponse(h, requestId);
        boolean bodiless = headRequest || status == 204 || status == 304;
        boolean chunked = HttpUtil.isTransferEncodingChunked(response);
        boolean hasLength = h.contains(HttpHeaderNames.CONTENT_LENGTH);
        if (!bodiless && !hasLength && !chunked) {
            // Delimited by the backend closing: the connection cannot be reused, and the client needs framing.
            originKeepAlive = false;
            if (http10) {
                closeAfterResponse = true;
            } else {
                h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
        } else if (http10 && chunked) {
            h.remove(HttpHeaderNames.TRANSFER_ENCODING);
            closeAfterResponse = true;
        }
        if (!requestComplete || !clientKeepAlive) {
            closeAfterResponse = true;
        }
        if (closeAfterResponse) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (px.guard().appliesTo(response, headRequest)) {
            heldResponse = new HeldResponse(response);
            return true;
        }
        writeResponseHead(response);
        return true;
    }

    private void writeResponseHead(HttpResponse response) {
        responseStarted = true;
        encoder.answeringHead(headRequest);
        ctx.write(response);
    }

    // ---------------------------------------------------------------- default-page guard

    private void holdForGuard(HttpContent content) {
        if (!heldResponse.add(content, px.guard().scanBytes())) {
            return;
        }
        String fingerprint = heldResponse.match(px.guard());
        if (fingerprint != null) {
            log.warn("backend {} of group {} answered host {} with a default page ('{}'); the visitor got the notice",
                    backend, group.name(), hostHeader, fingerprint);
            px.listener().defaultPageBlocked(group, backend.name(), fingerprint);
            releaseHeldResponse();
            abandonUpstream();
            answerLocally(NoticeKind.DEFAULT_PAGE, !requestComplete, Outcome.ERROR);
            return;
        }
        HeldResponse held = heldResponse;
        heldResponse = null;
        List<HttpContent> body = held.body();
        writeResponseHead(held.head());
        for (int i = 0; i < body.size(); i++) {
            HttpContent c = body.get(i);
            if (c instanceof LastHttpContent) {
                onResponseComplete(ctx.writeAndFlush(c));
                return;
            }
            ctx.write(c);
        }
        ctx.flush();
    }

    private void onResponseComplete(ChannelFuture lastWrite) {
        px.listener().exchangeDone(group, Outcome.FORWARDED, responseStatus, System.nanoTime() - startNanos);
        Channel used = upstream;
        detachUpstream();
        if (originKeepAlive && requestComplete && used.isActive() && px.routes().get().usesBackend(backend.address())) {
            pool.release(used);
        } else {
            used.close();
        }
        if (closeAfterResponse) {
            state = State.CLOSED;
            lastWrite.addListener(ChannelFutureListener.CLOSE);
            return;
        }
        awaitRequest();
    }

    void onOriginClosed(Channel ch) {
        if (ch != upstream) {
            return;
        }
        detachUpstream();
        releaseHeldResponse();
        if (state != State.FORWARDING) {
            return;
        }
        if (responseStarted) {
            // Never hand the client a truncated response on a connection it would reuse.
            closeClient();
            return;
        }
        if (upstreamFromPool && !hasBody && !retried) {
            // A pooled connection the backend had already closed: the request was never processed; try a fresh one.
            retried = true;
            state = State.CONNECTING;
            connect();
            return;
        }
        log.debug("backend {} of group {} closed before answering", backend, group.name());
        px.health().closedBeforeResponse(backend); // health: passive detection
        answerLocally(NoticeKind.BAD_GATEWAY, !requestComplete, Outcome.ERROR);
    }

    private void detachUpstream() {
        if (upstream != null) {
            upstream.pipeline().get(OriginResponseReceiver.class).detach();
            if (awaitingClientWritable) {
                // paused for this client's sake: a pooled connection reads on its own again (to notice a close)
                awaitingClientWritable = false;
                upstream.config().setAutoRead(true);
            }
            upstream = null;
        }
    }

    /** Drops the backend connection of an exchange that will not complete; it cannot be reused. */
    private void abandonUpstream() {
        Channel ch = upstream;
        if (ch != null) {
            detachUpstream();
            ch.close();
        }
    }

    private void closeClient() {
        state = State.CLOSED;
        cancelTimer();
        abandonUpstream();
        ctx.close();
    }

    // ---------------------------------------------------------------- waiting for the next request

    private void awaitRequest() {
        state = State.AWAIT_REQUEST;
        request = null;
        group = null;
        waitStartNanos = System.nanoTime();
        activity.watch();
        schedule(Math.min(px.headerReadTimeoutNanos(), px.keepAliveTimeoutNanos()));
        readClient();
    }

    // ---------------------------------------------------------------- timers

    private void progress() {
        lastProgressNanos = System.nanoTime();
    }

    private void armProgressTimer() {
        progress();
        schedule(requestComplete ? px.responseTimeoutNanos() : px.idleTimeoutNanos());
    }


    private void schedule(long delayNanos) {
        timer.atMost(delayNanos);
    }

    private void cancelTimer() {
        timer.cancel();
    }

    private void onTimer() {
        long now = System.nanoTime();
        switch (state) {
            case AWAIT_REQUEST -> {
                long firstByte = activity.firstByteNanos();
                if (firstByte != 0) {
                    long deadline = firstByte + px.headerReadTimeoutNanos();
                    if (now - deadline >= 0) {
                        requestTimeout();
                    } else {
                        schedule(deadline - now);
                    }
                } else {
                    long deadline = waitStartNanos + px.keepAliveTimeoutNanos();
                    if (now - deadline >= 0) {
                        closeClient();
                    } else {
                        schedule(Math.min(deadline - now, px.headerReadTimeoutNanos()));
                    }
                }
            }
            case PEEKING, QUEUEING, DISCARDING -> {
                long deadline = lastProgressNanos + px.idleTimeoutNanos();
                if (committing || now - deadline < 0) {
                    schedule(committing ? px.idleTimeoutNanos() : deadline - now);
                    return;
                }
                releaseHeldRequest();
                abortSpool();
                answerLocally(NoticeKind.REQUEST_TIMEOUT, true, Outcome.BAD_REQUEST);
            }
            case CONNECTING, FORWARDING -> {
                long limit = requestComplete ? px.responseTimeoutNanos() : px.idleTimeoutNanos();
                long deadline = lastProgressNanos + limit;
                if (now - deadline < 0) {
                    schedule(deadline - now);
                    return;
                }
                if (responseStarted) {
                    closeClient();
                } else if (requestComplete) {
                    log.info("backend {} of group {} did not answer in time", backend, group == null ? "-" : group.name());
                    abandonUpstream();
                    answerLocally(NoticeKind.GATEWAY_TIMEOUT, true, Outcome.ERROR);
                } else {
                    abandonUpstream();
                    answerLocally(NoticeKind.REQUEST_TIMEOUT, true, Outcome.BAD_REQUEST);
                }
            }
            default -> { }
        }
    }

    private void requestTimeout() {
        // Headers did not arrive in time: answer 408 without a request to negotiate from, then close.
        request = null;
        group = null;
        headRequest = false;
        http10 = false;
        clientKeepAlive = false;
        hasBody = false;
        requestId = RequestIds.next();
        startNanos = System.nanoTime();
        FullHttpResponse response = render(NoticeKind.REQUEST_TIMEOUT, null, null);
        finishLocal(response, true, Outcome.BAD_REQUEST);
    }
}
