package net.passerelle.gateway.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import net.passerelle.gateway.health.BackendSelector;
import net.passerelle.gateway.http.RequestValidator;
import net.passerelle.gateway.notice.NoticeKind;
import net.passerelle.gateway.origin.OriginConnection;
import net.passerelle.gateway.origin.OriginListener;
import net.passerelle.gateway.proxy.ProxyListener.Outcome;
import net.passerelle.gateway.routing.Backend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The backend half of an exchange: picks a backend (with failover to spares), takes a pooled connection or opens
 * one (another backend when it cannot: {@link ConnectAttempts}), sends the request (what was held first, then the
 * rest of the body as the backend takes it), and sends it once more on a fresh connection when a pooled one turns out
 * to be dead before any answer, if the request is idempotent and the gateway still has all of it. Then {@link ResponseRelay}.
 */
final class OriginExchange implements OriginListener {
    private static final Logger log = LoggerFactory.getLogger(OriginExchange.class);

    private final Exchange ex;
    private final ResponseRelay relay;
    /** The request's held parts, kept until a response arrives when the request may have to be sent again. */
    private final ArrayList<HttpContent> resend = new ArrayList<>(2);
    Backend backend;
    OriginConnection connection;
    private boolean fromPool;
    private boolean retried;
    private boolean awaitingOriginWritable;
    private final BackendTurn turn;
    private final ConnectAttempts attempts;
    private final Runnable dispatch = this::dispatch;

    OriginExchange(Exchange ex) {
        this.ex = ex;
        this.relay = new ResponseRelay(ex, this);
        this.turn = new BackendTurn(ex);
        this.attempts = new ConnectAttempts(ex);
    }

    ResponseRelay relay() {
        return relay;
    }

    void reset() {
        releaseSlot();
        backend = null;
        connection = null;
        retried = false;
        awaitingOriginWritable = false;
        attempts.reset();
        relay.reset();
    }

    /** Sends the request to a backend of the exchange's group, with the body parts already read (now ours). */
    void forward(List<HttpContent> held) {
        for (int i = 0; i < held.size(); i++) {
            resend.add(held.get(i));
        }
        backend = BackendSelector.select(ex.group, ex.px.health());
        ex.trace.backend = backend;
        if (backend == null) {
            releaseResend();
            ex.local.answer(NoticeKind.BAD_GATEWAY, false, Outcome.BACKEND_ERROR);
            return;
        }
        HttpRequest req = ex.request;
        ClientInfo info = ex.client.info();
        ex.px.forwarding().prepareRequest(req.headers(), info.forwarding(), info.trusted(), ex.hostHeader,
                info.scheme(), info.protocol(), ex.requestId);
        req.setUri(RequestValidator.originForm(req.uri()));
        req.setProtocolVersion(HttpVersion.HTTP_1_1);
        ex.phase = Exchange.Phase.CONNECTING;
        turn.take(backend.address(), dispatch);
    }

    /** With a slot: a pooled connection to the backend, or a new one. */
    private void dispatch() {
        OriginConnection idle = ex.client.originPool().poll(backend.address());
        if (idle != null) {
            fromPool = true;
            ex.trace.connectNanos = 0;
            use(idle);
        } else {
            connect();
        }
    }

    private void connect() {
        fromPool = false;
        OriginConnection c = ex.client.originPool().connect(backend.address());
        connection = c;
        long started = System.nanoTime();
        c.connectFuture().addListener(f -> connected(c, (ChannelFuture) f, started));
    }

    private void connected(OriginConnection c, ChannelFuture f, long startedNanos) {
        if (c != connection || ex.phase != Exchange.Phase.CONNECTING) {
            // The exchange ended while we connected: the fresh connection is for the next one.
            if (f.isSuccess()) {
                c.release();
            }
            return;
        }
        if (!f.isSuccess()) {
            connection = null;
            Backend next = attempts.failed(backend, f.cause());
            if (next == null) {
                releaseResend();
                ex.local.answer(attempts.notice(), false, Outcome.BACKEND_ERROR);
                return;
            }
            // Nothing was sent: the next backend gets the request as is, with the body parts still in resend.
            releaseSlot();
            ex.trace.backend = backend = next;
            turn.take(next.address(), dispatch);
            return;
        }
        ex.trace.connectNanos = System.nanoTime() - startedNanos;
        use(c);
    }

    private void use(OriginConnection c) {
        connection = c;
        c.attach(this);
        send();
    }

    private void send() {
        // A synchronous write failure can close and detach the connection under us: work on a local reference.
        Channel ch = connection.channel();
        ex.phase = Exchange.Phase.FORWARDING;
        awaitingOriginWritable = false;
        boolean keep = mayResend();
        ch.write(ex.request, ch.voidPromise());
        if (!ex.hasBody) {
            // The client's empty last part never comes here (the client side drops it): the request is whole.
            // A failed write reaches OriginConnection.exceptionCaught, which closes: no promise and listener per request.
            ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, ch.voidPromise());
        } else {
            for (int i = 0; i < resend.size(); i++) {
                HttpContent part = resend.get(i);
                ch.write(keep ? part.retainedDuplicate() : part).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            }
            if (!keep) {
                resend.clear();
            }
            ch.flush();
        }
        ex.progress();
        ex.trace.sentNanos = ex.lastProgressNanos;
        ex.client.schedule(ex.requestComplete ? ex.px.responseTimeoutNanos() : ex.px.idleTimeoutNanos());
        if (!ex.requestComplete) {
            if (ch.isWritable()) {
                ex.client.readRequestBody();
            } else {
                awaitingOriginWritable = true;
            }
        }
    }

    /** Whether the request could be sent again as is: idempotent, and wholly in the gateway's hands. */
    private boolean mayResend() {
        if (!ex.requestComplete || retried) {
            return false;
        }
        HttpMethod m = ex.request.method();
        return m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS || m == HttpMethod.PUT
                || m == HttpMethod.DELETE;
    }

    /** The rest of a streamed request body, part by part, as fast as the backend connection takes it. */
    void onRequestContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            // A broken chunk of a streamed body: the backend has a request it can never complete, on a connection
            // that is dropped now, so it cannot act on it.
            log.debug("request {}: malformed body part from {}: {}", ex.requestId, ex.client.info().address(),
                    content.decoderResult().cause().getMessage());
            content.release();
            failRequest(NoticeKind.BAD_REQUEST);
            return;
        }
        if (connection == null) {
            content.release();
            return;
        }
        boolean last = content instanceof LastHttpContent;
        ex.bodyBytes += content.content().readableBytes();
        if (ex.bodyBytes > ex.px.maxBodySize()) {
            content.release();
            failRequest(NoticeKind.PAYLOAD_TOO_LARGE);
            return;
        }
        Channel ch = connection.channel();
        ch.writeAndFlush(content).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        if (last) {
            ex.requestComplete = true;
            ex.client.schedule(ex.px.responseTimeoutNanos());
        } else if (ch.isWritable()) {
            ex.client.readRequestBody();
        } else {
            awaitingOriginWritable = true;
        }
    }

    /** The request cannot be completed: the backend connection goes, the client gets {@code kind} if it can. */
    private void failRequest(NoticeKind kind) {
        abandonConnection();
        if (!relay.started()) {
            ex.local.answer(kind, true, Outcome.MALFORMED);
        } else {
            ex.abandon(Outcome.ABORTED);
        }
    }

    @Override
    public void originWritable(OriginConnection c) {
        if (c == connection && awaitingOriginWritable && ex.phase == Exchange.Phase.FORWARDING) {
            awaitingOriginWritable = false;
            ex.client.readRequestBody();
        }
    }

    @Override
    public int readBudget() {
        long room = ex.client.channel().bytesBeforeUnwritable();
        return (int) Math.min(Integer.MAX_VALUE, room);
    }

    @Override
    public void originMessage(OriginConnection c, Object msg) {
        if (c != connection || ex.phase != Exchange.Phase.FORWARDING) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
        relay.onMessage(msg);
    }

    @Override
    public void originClosed(OriginConnection c) {
        if (c != connection) {
            return;
        }
        connection = null;
        boolean headHeld = relay.holdingHead();
        relay.releaseHeld();
        if (ex.phase != Exchange.Phase.FORWARDING) {
            return;
        }
        if (headHeld) {
            // The guard held the head back, so the client has had nothing: a cut connection would be an empty
            // reply. The backend did answer, so the request is not sent again.
            log.debug("request {}: backend {} closed before the guard saw the response's start", ex.requestId, backend);
            ex.local.answer(NoticeKind.BAD_GATEWAY, !ex.requestComplete, Outcome.BACKEND_ERROR);
            return;
        }
        if (relay.started()) {
            // Never hand the client a truncated response on a connection it would reuse.
            log.debug("request {}: backend {} closed mid-response", ex.requestId, backend);
            ex.abandon(Outcome.BACKEND_ERROR);
            return;
        }
        if (fromPool && !retried && mayResend()) {
            // A pooled connection the backend had already closed: the request was never processed; once more.
            retried = true;
            ex.phase = Exchange.Phase.CONNECTING;
            connect();
            return;
        }
        log.debug("request {}: backend {} of group {} closed before answering", ex.requestId, backend, ex.group.name());
        ex.px.health().closedBeforeResponse(backend);
        releaseResend();
        ex.local.answer(NoticeKind.BAD_GATEWAY, !ex.requestComplete, Outcome.BACKEND_ERROR);
    }

    /** Response or request timeouts, and the send timeout of a client that does not read its response. */
    void onTimer(long now) {
        if (turn.waiting()) {
            if (turn.waitLeft(now) > 0) {
                return;
            }
            log.warn("request {}: backend {} of group {} had upstream.maxPendingPerBackend unanswered requests for "
                    + "the whole upstream.queueTimeout; answering 503", ex.requestId, backend, ex.group.name());
            releaseSlot();
            releaseResend();
            ex.local.overloaded(!ex.requestComplete);
            return;
        }
        if (relay.pausedForClient()) {
            long deadline = relay.pausedSinceNanos() + ex.px.sendTimeoutNanos();
            if (now - deadline < 0) {
                ex.client.schedule(deadline - now);
                return;
            }
            log.info("request {}: client {} read nothing of its response for {} ms; closing both connections",
                    ex.requestId, ex.client.info().address(), ex.px.sendTimeoutNanos() / 1_000_000);
            ex.abandon(Outcome.ABORTED);
            return;
        }
        if (!ex.requestComplete && !awaitingOriginWritable && ex.phase == Exchange.Phase.FORWARDING) {
            // Still receiving the body from the client: its silence or slowness is the client's.
            if (ex.bodyStalled(now)) {
                abandonConnection();
                if (relay.started()) {
                    ex.abandon(Outcome.ABORTED);
                } else {
                    ex.local.answer(NoticeKind.REQUEST_TIMEOUT, true, Outcome.TIMEOUT);
                }
            }
            return;
        }
        long limit = ex.requestComplete ? ex.px.responseTimeoutNanos() : ex.px.idleTimeoutNanos();
        long deadline = ex.lastProgressNanos + limit;
        if (now - deadline < 0) {
            ex.client.schedule(deadline - now);
            return;
        }
        if (relay.started() && !relay.holdingHead()) {
            ex.abandon(Outcome.BACKEND_ERROR);
        } else if (ex.requestComplete) {
            log.info("request {}: backend {} of group {} did not answer in time", ex.requestId, backend,
                    ex.group == null ? "-" : ex.group.name());
            abandonConnection();
            relay.releaseHeld(); // a head the guard held back: the visitor gets the notice instead
            ex.local.answer(NoticeKind.GATEWAY_TIMEOUT, true, Outcome.BACKEND_ERROR);
        } else {
            abandonConnection();
            relay.releaseHeld();
            ex.local.answer(NoticeKind.GATEWAY_TIMEOUT, true, Outcome.BACKEND_ERROR);
        }
    }

    /** The response is complete: the connection goes back to the pool when it can carry another exchange. */
    void finishConnection(boolean originKeepAlive) {
        OriginConnection used = connection;
        connection = null;
        releaseResend();
        if (used == null) {
            return;
        }
        if (originKeepAlive && ex.requestComplete && used.isActive() && ex.px.routes().get().usesBackend(used.address())) {
            used.release();
        } else {
            used.close();
        }
    }

    /** A response arrived: the request will not be sent again, and the backend has one unanswered request less. */
    void responseArrived() {
        releaseResend();
        releaseSlot();
    }

    boolean waitingForSlot() {
        return turn.waiting();
    }

    /** Leaves the backend's line, or gives its slot back; every end of the exchange comes through here. */
    void releaseSlot() {
        turn.release();
    }

    /** Drops the backend connection of an exchange that will not complete; it cannot be reused. */
    void abandonConnection() {
        OriginConnection c = connection;
        connection = null;
        if (c != null) {
            c.close();
        }
    }

    /** Releases everything the backend half holds. */
    void abandon() {
        releaseSlot();
        abandonConnection();
        releaseResend();
        relay.releaseHeld();
    }

    private void releaseResend() {
        if (!resend.isEmpty()) {
            RequestBody.release(resend);
            resend.clear();
        }
    }
}
