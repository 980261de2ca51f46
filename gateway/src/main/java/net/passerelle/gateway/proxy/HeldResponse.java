package net.passerelle.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import net.passerelle.gateway.policy.DefaultPageGuard;

import java.util.ArrayList;
import java.util.List;

/**
 * A backend response held back while the default-page guard reads its first bytes: the head and the body parts
 * received so far, owned here until they are passed on or released.
 */
final class HeldResponse {
    private final HttpResponse head;
    private final List<HttpContent> body = new ArrayList<>(2);
    private int bytes;

    HeldResponse(HttpResponse head) {
        this.head = head;
    }

    HttpResponse head() {
        return head;
    }

    List<HttpContent> body() {
        return body;
    }

    /** Holds one more part; true once enough is held to decide (the guard's scan length, or the whole body). */
    boolean add(HttpContent part, int scanBytes) {
        body.add(part);
        bytes += part.content().readableBytes();
        return part instanceof LastHttpContent || bytes >= scanBytes;
    }

    /** The fingerprint the start of the body carries, or null. */
    String match(DefaultPageGuard guard) {
        String encoding = head.headers().get(HttpHeaderNames.CONTENT_ENCODING);
        if (body.size() == 1) {
            // Usually the start of the page came in one piece: scanned where it lies.
            return guard.match(body.get(0).content(), encoding);
        }
        ByteBuf[] parts = new ByteBuf[body.size()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = body.get(i).content().retainedDuplicate();
        }
        ByteBuf start = Unpooled.wrappedBuffer(parts);
        try {
            return guard.match(start, encoding);
        } finally {
            start.release();
        }
    }

    void release() {
        for (HttpContent c : body) {
            c.release();
        }
        body.clear();
    }
}
