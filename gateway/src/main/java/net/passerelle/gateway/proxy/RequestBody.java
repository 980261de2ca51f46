package net.passerelle.gateway.proxy;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import net.passerelle.gateway.notice.NoticeKind;
import net.passerelle.gateway.policy.BodyPeek;
import net.passerelle.gateway.policy.RequestClass;
import net.passerelle.gateway.proxy.ProxyListener.Outcome;

import java.util.ArrayList;
import java.util.List;

/**
 * The start of a request body, held back before any backend sees the request. Two reasons to hold it:
 * <ul>
 *   <li>a peek: the classifier needs a form field to tell a read from a write (Piwigo's {@code ws.php}), and reads
 *       at most its limit;</li>
 *   <li>a small body ({@code limits.bufferRequestBody}) is read whole first, as nginx does: its framing is checked
 *       before a backend is chosen (a broken chunk gets 400 and nothing reaches a backend, where a PHP script could
 *       run on half a form), a slow upload costs the gateway a socket rather than a backend worker, and the
 *       request can be sent again if a pooled backend connection turns out to be dead.</li>
 * </ul>
 * Larger bodies stream once their start is held. What was held goes first, unchanged.
 */
final class RequestBody {
    private final Exchange ex;
    private final ArrayList<HttpContent> held = new ArrayList<>(4);
    private long heldBytes;
    private BodyPeek peek;
    private Admitted decided;

    RequestBody(Exchange ex) {
        this.ex = ex;
    }

    /** Whether the forwarded request's body is small enough (or of unknown size) to be read whole first. */
    boolean worthHolding() {
        long limit = ex.px.bufferRequestBody();
        if (limit <= 0) {
            return false;
        }
        return HttpUtil.isTransferEncodingChunked(ex.request) || HttpUtil.getContentLength(ex.request, 0L) <= limit;
    }

    /**
     * Starts holding.
     *
     * @param bodyPeek the classifier's reader when the decision waits for the body, or null when the request is to
     *                 be forwarded already and only its framing is wanted
     */
    void hold(BodyPeek bodyPeek) {
        ex.phase = Exchange.Phase.HOLDING_BODY;
        peek = bodyPeek;
        decided = bodyPeek == null ? new Admitted.Forward(ex.group) : null;
        heldBytes = 0;
        if (ex.expectContinue) {
            // The client waits for a go-ahead before sending the body this stage wants; the gateway gives it, and
            // the backend, if it gets the request at all, gets it whole and without the expectation.
            ex.expectContinue = false;
            ex.request.headers().remove(HttpHeaderNames.EXPECT);
            ex.client.sendContinue();
        }
        ex.client.schedule(ex.px.idleTimeoutNanos());
        ex.client.readRequestBody();
    }

    void onContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            // Nothing of this request has left the gateway: the backend never sees half of it.
            content.release();
            releaseAll();
            ex.local.answer(NoticeKind.BAD_REQUEST, true, Outcome.MALFORMED);
            return;
        }
        boolean last = content instanceof LastHttpContent;
        int n = content.content().readableBytes();
        held.add(content);
        heldBytes += n;
        ex.bodyBytes += n;
        if (last) {
            ex.requestComplete = true;
        }
        if (ex.bodyBytes > ex.px.maxBodySize()) {
            releaseAll();
            ex.local.answer(NoticeKind.PAYLOAD_TOO_LARGE, true, Outcome.MALFORMED);
            return;
        }
        if (decided == null) {
            RequestClass requestClass = peek.offer(content.content());
            if (requestClass == null && last) {
                requestClass = peek.finish();
            }
            if (requestClass != null) {
                peek = null;
                decided = ex.px.admission().afterPeek(ex.group, requestClass);
                if (!(decided instanceof Admitted.Forward)) {
                    // Refused or queued: the queue takes everything from here, a refusal needs nothing more.
                    finish();
                    return;
                }
                if (!worthHolding()) {
                    finish();
                    return;
                }
            }
        }
        if (decided != null && (last || heldBytes >= ex.px.bufferRequestBody())) {
            finish();
        } else {
            ex.client.readRequestBody();
        }
    }

    /** Hands what was held to the next stage, which takes ownership of the parts (not of the list). */
    private void finish() {
        Admitted admitted = decided;
        decided = null;
        ex.afterHold(admitted, held);
        held.clear();
    }

    void releaseAll() {
        release(held);
        held.clear();
        peek = null;
        decided = null;
    }

    static void release(List<HttpContent> parts) {
        for (int i = 0; i < parts.size(); i++) {
            parts.get(i).release();
        }
    }
}
