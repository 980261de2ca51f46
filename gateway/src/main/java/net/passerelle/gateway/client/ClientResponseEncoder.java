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

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
        return headRequest || super.isContentAlwaysEmpty(msg);
    }
}
