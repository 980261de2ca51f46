package net.passerelle.gateway.client;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * The rest of a request body the gateway answered without reading (a notice, a refusal, an unknown host): read and
 * dropped so that the connection can carry the next request, as long as that is cheaper than a new connection. Past
 * {@link #LIMIT} bytes the connection is not worth it and is closed (lingering, so the answer is not lost to a reset).
 */
final class UnreadBody {
    /** Bodies of answered requests up to this size are read and dropped to keep the connection; larger ones close it. */
    static final long LIMIT = 64 * 1024;

    /** What to do after a message of the unread body. */
    enum Next { READ_MORE, NEXT_REQUEST, TOO_LONG, MALFORMED }

    private long dropped;

    /** A new answered request whose body is still coming. */
    void start() {
        dropped = 0;
    }

    /** Releases {@code msg}, which is a part of the unread body or something the decoder could not make sense of. */
    Next drop(Object msg) {
        if (!(msg instanceof HttpContent content) || content.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            return Next.MALFORMED;
        }
        dropped += content.content().readableBytes();
        content.release();
        if (msg instanceof LastHttpContent) {
            return Next.NEXT_REQUEST;
        }
        return dropped > LIMIT ? Next.TOO_LONG : Next.READ_MORE;
    }
}
