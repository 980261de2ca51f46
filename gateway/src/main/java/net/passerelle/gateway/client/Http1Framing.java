package net.passerelle.gateway.client;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import net.passerelle.gateway.proxy.Exchange;

/**
 * A response's framing for an HTTP/1.x client. Backends answer over HTTP/1.1, possibly delimiting a body by closing;
 * the client may speak HTTP/1.0, which knows no chunked coding. Pure: headers in, headers out.
 */
final class Http1Framing {
    private Http1Framing() {
    }

    /**
     * Fixes a backend response's head for the client, in place.
     *
     * @param close whether the connection is to close after this response already
     * @return whether it closes after this response (a body the client can only see the end of by the close)
     */
    static boolean prepare(HttpResponse response, boolean headRequest, boolean http10, boolean close) {
        HttpHeaders h = response.headers();
        int status = response.status().code();
        boolean bodiless = headRequest || status == 204 || status == 304;
        boolean chunked = HttpUtil.isTransferEncodingChunked(response);
        if (!bodiless && !chunked && !h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            // Delimited by the backend closing: an HTTP/1.1 client gets chunks, an HTTP/1.0 one the close.
            if (http10) {
                close = true;
            } else {
                h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
        } else if (http10 && chunked) {
            h.remove(HttpHeaderNames.TRANSFER_ENCODING);
            close = true;
        }
        connectionHeader(h, http10, close);
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        return close;
    }

    /** A response made by the gateway (always with a length): only the Connection header depends on the client. */
    static void prepareLocal(FullHttpResponse response, boolean http10, boolean close) {
        connectionHeader(response.headers(), http10, close);
    }

    private static void connectionHeader(HttpHeaders h, boolean http10, boolean close) {
        if (close) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    /**
     * Whether answering now means closing because of the body the client has not sent: too large or of unknown
     * length to drop cheaply, or held back by a client waiting for 100-continue that might send it or not.
     */
    static boolean unreadBodyForcesClose(Exchange exchange, long drainLimit) {
        if (exchange.requestComplete()) {
            return false;
        }
        if (exchange.awaitsContinue()) {
            return true;
        }
        long left = exchange.bodyBytesLeft();
        return left < 0 || left > drainLimit;
    }
}
