package net.passerelle.gateway.proxy;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import net.passerelle.gateway.notice.NoticeKind;
import net.passerelle.gateway.proxy.ProxyListener.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backend's response on its way to the client: interim responses, the head (hop-by-hop headers out, {@code Via}
 * and the request id in), the default-page hold, and the body with backpressure.
 *
 * <p>Backpressure is checked per part, not per read: as soon as the client connection's outbound buffer passes its
 * high-water mark the backend connection stops reading, so what one exchange holds is bounded by the water mark plus
 * one read. A client that then reads nothing for {@code limits.sendTimeout} loses both connections
 * ({@link OriginExchange#onTimer}).
 */
final class ResponseRelay {
    private static final Logger log = LoggerFactory.getLogger(ResponseRelay.class);

    private final Exchange ex;
    private final OriginExchange origin;
    private boolean started;
    private boolean interim;
    private boolean originKeepAlive;
    private int status;
    /** A response head held back while the default-page guard looks at the start of the body. */
    private HeldResponse held;
    private boolean pausedForClient;
    private long pausedSinceNanos;

    ResponseRelay(Exchange ex, OriginExchange origin) {
        this.ex = ex;
        this.origin = origin;
    }

    void reset() {
        started = false;
        interim = false;
        pausedForClient = false;
        status = 0;
    }

    /** A final response head has been received (it may still be held for the guard). */
    boolean started() {
        return started;
    }

    /** The head is held back for the guard: the client has been sent nothing of this response yet. */
    boolean holdingHead() {
        return held != null;
    }

    boolean pausedForClient() {
        return pausedForClient;
    }

    long pausedSinceNanos() {
        return pausedSinceNanos;
    }

    void onMessage(Object msg) {
        ex.progress();
        if (msg instanceof HttpResponse response && !onHead(response)) {
            return;
        }
        if (msg instanceof HttpContent content) {
            if (interim) {
                content.release();
                if (content instanceof LastHttpContent) {
                    interim = false;
                }
                return;
            }
            if (held != null) {
                hold(content);
                return;
            }
            if (content instanceof LastHttpContent last) {
                complete(last);
                return;
            }
            ex.trace.bytesOut += content.content().readableBytes();
            ex.client.sendContent(content);
            checkClient();
        }
    }

    /** @return false when the head was consumed and nothing more is to be done with this message */
    private boolean onHead(HttpResponse response) {
        if (response.decoderResult().isFailure()) {
            log.info("request {}: malformed response from backend {} of group {}: {}", ex.requestId, origin.backend,
                    ex.group.name(), response.decoderResult().cause().getMessage());
            ReferenceCountUtil.release(response);
            origin.abandonConnection();
            if (!started) {
                ex.local.answer(NoticeKind.BAD_GATEWAY, !ex.requestComplete, Outcome.BACKEND_ERROR);
            } else {
                ex.abandon(Outcome.BACKEND_ERROR);
            }
            return false;
        }
        int code = response.status().code();
        if (code >= 100 && code < 200) {
            interim = true;
            if (code == 100 && ex.expectContinue && !ex.http10 && !started) {
                ex.client.sendContinue();
            }
            return true;
        }
        started = true;
        status = code;
        ex.trace.status = code;
        ex.trace.firstByteNanos = System.nanoTime() - ex.trace.sentNanos;
        origin.responseArrived();
        ex.px.health().responded(origin.backend, code); // health: passive detection (consecutive 5xx)
        boolean bodiless = ex.headRequest || code == 204 || code == 304;
        originKeepAlive = HttpUtil.isKeepAlive(response)
                // delimited by the backend closing: that connection cannot carry another exchange
                && (bodiless || HttpUtil.isContentLengthSet(response) || HttpUtil.isTransferEncodingChunked(response));
        ex.px.forwarding().prepareResponse(response.headers(), ex.requestId);
        ex.addHsts(response.headers());
        if (ex.px.guard().appliesTo(response, ex.headRequest)) {
            held = new HeldResponse(response);
            return true;
        }
        ex.client.sendHead(response);
        return true;
    }

    private void hold(HttpContent content) {
        if (!held.add(content, ex.px.guard().scanBytes())) {
            return;
        }
        String fingerprint = held.match(ex.px.guard());
        HeldResponse h = held;
        held = null;
        if (fingerprint != null) {
            log.warn("backend {} of group {} answered host {} with a default page ('{}'); the visitor got the notice",
                    origin.backend, ex.group.name(), ex.hostHeader, fingerprint);
            ex.px.listener().defaultPageBlocked(ex.group, origin.backend.name(), fingerprint);
            h.release();
            origin.abandonConnection();
            ex.local.answer(NoticeKind.DEFAULT_PAGE, !ex.requestComplete, Outcome.GUARDED);
            return;
        }
        ex.client.sendHead(h.head());
        for (HttpContent part : h.body()) {
            if (part instanceof LastHttpContent last) {
                complete(last);
                return;
            }
            ex.trace.bytesOut += part.content().readableBytes();
            ex.client.sendContent(part);
        }
        checkClient();
    }

    private void complete(LastHttpContent last) {
        ex.trace.bytesOut += last.content().readableBytes();
        ex.finish(Outcome.PROXIED, status);
        origin.finishConnection(originKeepAlive);
        ex.client.sendLast(last);
    }

    /** Stops the backend connection as soon as the client connection holds more than it should. */
    private void checkClient() {
        if (!pausedForClient && !ex.client.channel().isWritable() && origin.connection != null) {
            pausedForClient = true;
            pausedSinceNanos = System.nanoTime();
            origin.connection.pauseReading();
            ex.client.schedule(ex.px.sendTimeoutNanos());
        }
    }

    /** The client connection drained below its low-water mark. */
    void clientWritable() {
        if (pausedForClient) {
            pausedForClient = false;
            ex.progress();
            if (origin.connection != null) {
                origin.connection.resumeReading();
            }
        }
    }

    void releaseHeld() {
        if (held != null) {
            held.release();
            held = null;
        }
    }
}
