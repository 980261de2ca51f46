package net.passerelle.gateway.client;

import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * The response encoder, told whether the response answers a HEAD request: the headers of a HEAD response
 * describe a body that is never sent, which the encoder cannot know by itself (HttpServerCodec pairs its own
 * decoder with its encoder for this; the gateway uses {@link net.passerelle.gateway.http.StrictRequestDecoder}).
 */
final class ClientResponseEncoder extends HttpResponseEncoder {
    private boolean headRequest;

    void answeringHead(boolean head) {
        this.headRequest = head;
    }

    /** The gateway's own headers encode without an entry object per header. */
    @Override
    protected void encodeHeaders(io.netty.handler.codec.http.HttpHeaders headers, io.netty.buffer.ByteBuf buf) {
        if (headers instanceof net.passerelle.gateway.http.CompactHttpHeaders compact) {
            compact.encode(buf);
        } else {
            super.encodeHeaders(headers, buf);
        }
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
        return headRequest || super.isContentAlwaysEmpty(msg);
    }
}
