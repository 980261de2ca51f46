package net.passerelle.gateway.proxy;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import net.passerelle.gateway.notice.NoticeKind;
import net.passerelle.gateway.proxy.ProxyListener.Outcome;
import net.passerelle.gateway.spool.SpoolException;
import net.passerelle.gateway.spool.SpoolWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * A write to a read-only group whose writes are queued: streamed into the spool, answered {@code 202} only once the
 * spool says the entry is on disk. Anything that prevents that (quota, full disk, an I/O error, a broken body, the
 * client going away) ends in the read-only 503, or in nothing: a 202 is a promise.
 *
 * <p>The spool writes on its own threads; its completions come back to the client's event loop, where they are
 * ignored if the exchange has moved on.
 */
final class QueuedWrite {
    private static final Logger log = LoggerFactory.getLogger(QueuedWrite.class);

    private final Exchange ex;
    private SpoolWriter writer;
    private boolean committing;

    QueuedWrite(Exchange ex) {
        this.ex = ex;
    }

    /** Starts the entry with the parts already read (it takes ownership of them). */
    void start(List<HttpContent> held) {
        if (ex.px.spool() == null) {
            RequestBody.release(held);
            ex.local.notice(NoticeKind.READ_ONLY);
            return;
        }
        try {
            writer = ex.px.spool().begin(ex.group.name(), ex.request, ex.client.info().remote(), 0, ex.client.info().scheme());
        } catch (SpoolException e) {
            log.warn("cannot queue write {} of group {}: {}", ex.requestId, ex.group.name(), e.getMessage());
            RequestBody.release(held);
            ex.local.notice(NoticeKind.READ_ONLY);
            return;
        }
        ex.phase = Exchange.Phase.QUEUEING;
        committing = false;
        if (ex.expectContinue && !ex.requestComplete) {
            ex.expectContinue = false;
            ex.client.sendContinue();
        }
        ex.client.schedule(ex.px.idleTimeoutNanos());
        for (int i = 0; i < held.size(); i++) {
            if (!append(held.get(i))) {
                RequestBody.release(held.subList(i + 1, held.size()));
                return;
            }
        }
        if (ex.requestComplete) {
            commit();
        } else {
            ex.client.readRequestBody();
        }
    }

    void onContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            content.release();
            abort();
            ex.local.answer(NoticeKind.BAD_REQUEST, true, Outcome.MALFORMED);
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (last) {
            ex.requestComplete = true;
        }
        if (!append(content)) {
            return;
        }
        if (last) {
            commit();
        } else if (writer.pendingBytes() < writer.bufferLimit()) {
            ex.client.readRequestBody();
        }
    }

    boolean committing() {
        return committing;
    }

    /** Hands one part to the spool (which takes ownership); false when the queueing was given up. */
    private boolean append(HttpContent content) {
        ex.bodyBytes += content.content().readableBytes();
        if (ex.bodyBytes > ex.px.maxBodySize()) {
            content.release();
            abort();
            ex.local.answer(NoticeKind.PAYLOAD_TOO_LARGE, true, Outcome.MALFORMED);
            return false;
        }
        SpoolWriter w = writer;
        boolean mustWait = w.pendingBytes() + content.content().readableBytes() >= w.bufferLimit();
        w.write(content.content()).whenComplete((ok, error) -> onLoop(() -> {
            if (w != writer || ex.phase != Exchange.Phase.QUEUEING) {
                return;
            }
            if (error != null) {
                failed(error);
            } else if (mustWait && !ex.requestComplete && !committing) {
                ex.client.readRequestBody();
            }
        }));
        return true;
    }

    private void commit() {
        committing = true;
        SpoolWriter w = writer;
        w.commit().whenComplete((entry, error) -> onLoop(() -> {
            if (w != writer) {
                return;
            }
            writer = null;
            committing = false;
            if (error != null) {
                w.abort();
                failed(error);
                return;
            }
            if (ex.phase != Exchange.Phase.QUEUEING) {
                // On disk and will be replayed, but the client left before hearing so.
                log.info("queued write {} of group {} committed after its client left", entry.referenceId(), ex.group.name());
                return;
            }
            ex.local.queued(entry.referenceId());
        }));
    }

    private void failed(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        log.warn("queueing write {} of group {} failed, answering 503: {}", ex.requestId, ex.group.name(), cause.toString());
        abort();
        if (ex.isActive()) {
            ex.local.notice(NoticeKind.READ_ONLY);
        }
    }

    /** Drops the entry being written, if any: nothing of it is kept or replayed. */
    void abort() {
        SpoolWriter w = writer;
        if (w != null) {
            writer = null;
            committing = false;
            w.abort();
        }
    }
    /**
     * Runs {@code task} on the client's event loop (completions of the spool's disk threads). What it throws goes to
     * the connection's pipeline like any handler's failure: logged with the request id, the connection closed.
     */
    private void onLoop(Runnable task) {
        io.netty.channel.Channel ch = ex.client.channel();
        ch.eventLoop().execute(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                ch.pipeline().fireExceptionCaught(e);
            }
        });
    }
}
