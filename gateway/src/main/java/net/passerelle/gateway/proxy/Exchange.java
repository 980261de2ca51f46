package net.passerelle.gateway.proxy;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import net.passerelle.gateway.http.ForwardingHeaders;
import net.passerelle.gateway.http.RequestIds;
import net.passerelle.gateway.notice.NoticeKind;
import net.passerelle.gateway.proxy.ProxyListener.Outcome;
import net.passerelle.gateway.routing.GroupRoute;
import net.passerelle.gateway.routing.HostNormalizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * One request's way through the gateway, from its head to the end of its response. The stages, each a class with
 * one job, in the order a request meets them:
 * <ol>
 *   <li>{@link Admission}: validate, route, classify, decide (pure; returns an {@link Admitted})</li>
 *   <li>{@link RequestBody}: the body's start held back, for a peek that classifies it or to have a small body
 *       whole (framing checked) before any backend sees the request</li>
 *   <li>then one of: {@link QueuedWrite} (spool, 202), {@link LocalAnswer} (every gateway-made response), or
 *       {@link OriginExchange} (pick a backend, connect or else try another, send, retry once on a stale pooled
 *       connection), whose response goes through {@link ResponseRelay} (framing, backpressure, the default-page hold)</li>
 * </ol>
 * The phase below is the whole state machine; each transition is a method here or in the stage that owns it.
 *
 * <p>An exchange talks to its client through {@link ClientSide} only, and is reused for the next request of the
 * same connection ({@link #begin}), so a kept-alive connection allocates its stages once. Confined to the client
 * channel's event loop, as is the backend connection it uses.
 */
public final class Exchange {
    private static final Logger log = LoggerFactory.getLogger(Exchange.class);

    private static final io.netty.util.AsciiString STRICT_TRANSPORT_SECURITY =
            io.netty.util.AsciiString.cached("strict-transport-security");

    enum Phase { IDLE, HOLDING_BODY, QUEUEING, CONNECTING, FORWARDING, DONE }

    final ProxySettings px;
    final ClientSide client;
    final LocalAnswer local;
    final ExchangeTrace trace = new ExchangeTrace(this);
    private RequestBody body;
    private QueuedWrite queued;
    private OriginExchange origin;

    Phase phase = Phase.IDLE;
    HttpRequest request;
    String requestId;
    long startNanos;
    /** The Host header as sent, and normalised (null when missing or invalid). */
    String hostHeader;
    String host;
    GroupRoute group;
    boolean headRequest;
    boolean http10;
    boolean keepAlive;
    boolean expectContinue;
    boolean hasBody;
    /** Body bytes read from the client so far. */
    long bodyBytes;
    /** The request's last part has been read from the client (whatever became of it). */
    boolean requestComplete;
    /** Last time the request or response moved (for the idle and response timeouts). */
    long lastProgressNanos;
    private final BodyPace pace = new BodyPace(this);

    public Exchange(ProxySettings px, ClientSide client) {
        this.px = px;
        this.client = client;
        this.local = new LocalAnswer(this);
    }

    // ---------------------------------------------------------------- from the client side

    /** A new request head: admission, then the stage it leads to. */
    public void begin(HttpRequest req) {
        reset(req);
        HttpHeaders headers = req.headers();
        boolean malformed = req.decoderResult().isFailure();
        String incomingId = headers.get(ForwardingHeaders.X_REQUEST_ID);
        requestId = client.info().trusted() && ForwardingHeaders.isAcceptableRequestId(incomingId) ? incomingId : RequestIds.next();
        headRequest = req.method() == HttpMethod.HEAD;
        http10 = req.protocolVersion().equals(HttpVersion.HTTP_1_0);
        keepAlive = !malformed && HttpUtil.isKeepAlive(req);
        expectContinue = !malformed && HttpUtil.is100ContinueExpected(req);
        hasBody = !malformed && hasBody(req);
        // A body-less request is complete with its head (the decoder's empty last part is the client side's to drop).
        requestComplete = !hasBody;
        hostHeader = headers.get(HttpHeaderNames.HOST);
        host = HostNormalizer.normalize(hostHeader);
        if (malformed) {
            log.debug("malformed request {} from {}: {}", requestId, client.info().address(), req.decoderResult().cause().getMessage());
        }
        act(px.admission().admit(req, host, client.info(), px.routes().get(), px.memory().overloaded()));
    }

    /** The gateway answers without a request head (the client was too slow to send one). */
    public void beginWithoutRequest(NoticeKind kind) {
        reset(null);
        requestId = RequestIds.next();
        keepAlive = false;
        requestComplete = true;
        local.answer(kind, true, Outcome.TIMEOUT);
    }

    /** The next part of the request body, asked for with {@link ClientSide#readRequestBody()}. */
    public void onRequestContent(HttpContent content) {
        progress();
        switch (phase) {
            case HOLDING_BODY -> body().onContent(content);
            case QUEUEING -> queued().onContent(content);
            case FORWARDING -> origin().onRequestContent(content);
            default -> ReferenceCountUtil.release(content);
        }
    }

    /** The client connection can take more of the response. */
    public void onClientWritable() {
        if (phase == Phase.FORWARDING) {
            origin().relay().clientWritable();
        }
    }

    /**
     * The client will send nothing more (FIN). A request whose body is incomplete can never finish: everything it
     * holds is released now, not at a timeout.
     *
     * @return whether the exchange was abandoned (the caller closes the connection)
     */
    public boolean onClientInputClosed() {
        if (phase == Phase.CONNECTING && origin != null && origin.waitingForSlot()) {
            // Nothing has reached a backend yet, and under overload a client that hangs up has almost always left
            // (nginx ends such a request as 499 too): its place in the backend's line goes to someone still there.
            log.debug("request {} left the backend's line: its client closed", requestId);
            abandon(Outcome.ABORTED);
            return true;
        }
        if (phase == Phase.IDLE || phase == Phase.DONE || requestComplete) {
            keepAlive = false;
            return false;
        }
        log.debug("request {} abandoned by its client mid-body after {} bytes", requestId, bodyBytes);
        abandon(Outcome.ABORTED);
        return true;
    }

    /** The client connection closed: whatever the exchange holds is released. */
    public void onClientClosed() {
        if (phase != Phase.IDLE && phase != Phase.DONE) {
            abandon(Outcome.ABORTED);
        }
    }

    /** The client side's timer fired while this exchange was under way. */
    public void onTimer(long now) {
        switch (phase) {
            case HOLDING_BODY, QUEUEING -> {
                if (queued != null && queued.committing()) {
                    client.schedule(px.idleTimeoutNanos());
                } else if (bodyStalled(now)) {
                    timeout408();
                }
            }
            case CONNECTING, FORWARDING -> origin().onTimer(now);
            default -> { }
        }
    }

    // ---------------------------------------------------------------- transitions

    /** Carries out an admission decision. */
    void act(Admitted admitted) {
        if (admitted instanceof Admitted.Forward f) {
            group = f.group();
            px.admission().opsBypass().strip(request.headers());
            if (hasBody && !requestComplete && body().worthHolding()) {
                body().hold(null);
            } else {
                origin().forward(List.of());
            }
        } else if (admitted instanceof Admitted.PeekBody p) {
            group = p.group();
            body().hold(p.needs().newPeek());
        } else if (admitted instanceof Admitted.Queue q) {
            group = q.group();
            queued().start(List.of());
        } else if (admitted instanceof Admitted.Notice n) {
            group = n.group();
            local.notice(n.kind());
        } else if (admitted instanceof Admitted.Malformed m) {
            local.answer(LocalAnswer.noticeFor(m.rejection()), true, Outcome.MALFORMED);
        } else if (admitted instanceof Admitted.UnknownHost) {
            local.answer(NoticeKind.UNKNOWN_HOST, false, Outcome.UNKNOWN_HOST);
        } else if (admitted instanceof Admitted.Refused) {
            local.answer(NoticeKind.METHOD_NOT_ALLOWED, false, Outcome.REFUSED);
        } else if (admitted instanceof Admitted.Misdirected) {
            local.answer(NoticeKind.MISDIRECTED, false, Outcome.REFUSED);
        } else if (admitted instanceof Admitted.Redirect r) {
            local.redirect(r.location());
        } else if (admitted instanceof Admitted.AcmeChallenge c) {
            local.text(c.keyAuthorization());
        } else if (admitted instanceof Admitted.Overloaded) {
            log.warn("request {} refused: the gateway holds more buffered memory than limits.maxBufferedMemory", requestId);
            local.overloaded(true);
        }
    }

    /**
     * The body hold is over: the request goes on with what was held (the peek's decision is in {@code admitted}).
     * The next stage takes ownership of the parts; the list stays the caller's.
     */
    void afterHold(Admitted admitted, List<HttpContent> held) {
        if (admitted instanceof Admitted.Forward) {
            origin().forward(held);
        } else if (admitted instanceof Admitted.Queue) {
            queued().start(held);
        } else {
            RequestBody.release(held);
            act(admitted);
        }
    }

    /** The exchange is over; the client side has (or is about to have) the last of its response. */
    void finish(Outcome outcome, int status) {
        phase = Phase.DONE;
        if (origin != null) {
            origin.releaseSlot();
        }
        trace.status = status;
        trace.end(outcome);
        px.listener().exchangeDone(trace);
    }

    /** Gives up the exchange: every buffer and the backend connection are released, the client connection dropped. */
    void abandon(Outcome outcome) {
        Phase was = phase;
        phase = Phase.DONE;
        if (body != null) {
            body.releaseAll();
        }
        if (queued != null) {
            queued.abort();
        }
        if (origin != null) {
            origin.abandon();
        }
        if (was != Phase.IDLE && was != Phase.DONE) {
            trace.end(outcome);
            px.listener().exchangeDone(trace);
        }
        client.abort();
    }

    void timeout408() {
        if (body != null) {
            body.releaseAll();
        }
        if (queued != null) {
            queued.abort();
        }
        local.answer(NoticeKind.REQUEST_TIMEOUT, true, Outcome.TIMEOUT);
    }

    // ---------------------------------------------------------------- helpers for the stages

    void progress() {
        lastProgressNanos = System.nanoTime();
    }

    boolean isActive() {
        return phase != Phase.IDLE && phase != Phase.DONE;
    }

    /** {@code Strict-Transport-Security} on an https answer of a group that wants it ({@code tls.hsts}). */
    void addHsts(io.netty.handler.codec.http.HttpHeaders headers) {
        if (client.info().tlsProtocol() == null || group == null) {
            return;
        }
        String value = px.tunables().get().hstsFor(group);
        if (value != null && !headers.contains(STRICT_TRANSPORT_SECURITY)) {
            headers.set(STRICT_TRANSPORT_SECURITY, value);
        }
    }

    /** Whether the client's body has been silent or too slow; re-arms the timer otherwise ({@link BodyPace}). */
    boolean bodyStalled(long now) {
        return pace.stalled(now);
    }

    private void reset(HttpRequest req) {
        phase = Phase.IDLE;
        request = req;
        group = null;
        bodyBytes = 0;
        requestComplete = false;
        startNanos = System.nanoTime();
        lastProgressNanos = startNanos;
        pace.start(startNanos);
        if (origin != null) {
            origin.reset();
        }
        trace.begin(req);
    }

    RequestBody body() {
        if (body == null) {
            body = new RequestBody(this);
        }
        return body;
    }

    QueuedWrite queued() {
        if (queued == null) {
            queued = new QueuedWrite(this);
        }
        return queued;
    }

    OriginExchange origin() {
        if (origin == null) {
            origin = new OriginExchange(this);
        }
        return origin;
    }

    /**
     * Between requests: drops what the last request referenced (its head and headers, its group), so an idle
     * keep-alive connection holds the exchange's small fixed state only.
     */
    public void recycle() {
        request = null;
        hostHeader = null;
        host = null;
        group = null;
        trace.begin(null);
    }

    // ---------------------------------------------------------------- what the client side may ask

    /** Whether a request head announces a body (chunked, or a non-zero length). */
    public static boolean hasBody(HttpRequest req) {
        return HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) > 0;
    }

    public String requestId() {
        return requestId;
    }

    public boolean isHeadRequest() {
        return headRequest;
    }

    public boolean isHttp10() {
        return http10;
    }

    /** The client asked to keep the connection (and nothing since said otherwise). */
    public boolean keepAlive() {
        return keepAlive;
    }

    public boolean requestComplete() {
        return requestComplete;
    }

    /** The request head of the current exchange (null before the first, or for an answer without a request). */
    public HttpRequest request() {
        return request;
    }

    /** Unread body bytes the client still has to send, when known; -1 for chunked or unknown. */
    public long bodyBytesLeft() {
        if (!hasBody || requestComplete) {
            return 0;
        }
        if (request == null || HttpUtil.isTransferEncodingChunked(request)) {
            return -1;
        }
        return Math.max(0, HttpUtil.getContentLength(request, 0L) - bodyBytes);
    }

    /** The client was told to send its body with 100-continue and has not been answered: its body may not come. */
    public boolean awaitsContinue() {
        return expectContinue && hasBody && !requestComplete;
    }
}
