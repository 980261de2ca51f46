package net.passerelle.gateway.client;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.HttpConversionUtil.ExtensionHeaderNames;

/**
 * How an HTTP/2 request becomes the HTTP/1.1 request a backend gets, and its HTTP/1.1 response an HTTP/2 one. Most
 * of the work is Netty's ({@code Http2FrameCodec} validates, {@code Http2StreamFrameToHttpObjectCodec} converts);
 * what is left is here. The rules, request way:
 * <ul>
 *   <li>{@code :method} and {@code :path} make the request line ({@code HTTP/1.1}); {@code :scheme} is not
 *       forwarded: {@code X-Forwarded-Proto} says how the client reached the gateway, as for HTTP/1.1.</li>
 *   <li>{@code :authority} becomes {@code Host}. A {@code host} field as well must say the same (compared without
 *       case), otherwise the stream is reset with PROTOCOL_ERROR (RFC 9113, 8.3.1). Without {@code :authority} the
 *       {@code host} field is the Host; with neither, the request gets 400 as over HTTP/1.1. Routing then goes by
 *       that Host, normalised, exactly as for HTTP/1.1.</li>
 *   <li>Several {@code cookie} fields are joined into one {@code Cookie}, with {@code "; "} (RFC 9113, 8.2.3).</li>
 *   <li>Connection-specific fields ({@code connection}, {@code keep-alive}, {@code proxy-connection},
 *       {@code transfer-encoding}, {@code upgrade}), a {@code te} other than {@code trailers}, upper-case names,
 *       pseudo-header fields after regular ones or unknown ones, a missing {@code :method}, {@code :scheme} or
 *       {@code :path}: the request is malformed, its stream is reset with PROTOCOL_ERROR and nothing of it reaches
 *       the gateway's exchange, let alone a backend. {@code te: trailers} is accepted and, being hop-by-hop, not
 *       forwarded.</li>
 *   <li>The body: HEADERS that end the stream mean no body; a {@code content-length} is forwarded and must match
 *       the DATA received (the stream is reset otherwise: a short body never completes at the backend, whose
 *       connection is closed); any other body goes to the backend chunked. Trailers follow a chunked body.</li>
 *   <li>Netty's conversion headers ({@code x-http2-stream-id}, {@code x-http2-scheme}, …) are removed here; the
 *       same names sent by a client were already dropped by the conversion.</li>
 *   <li>Forwarding headers ({@code X-Forwarded-For}, {@code -Proto}, {@code -Host}, {@code Forwarded},
 *       {@code X-Request-Id}) as for HTTP/1.1; {@code Via} names the protocol received: {@code 2 passerelle}.</li>
 * </ul>
 * The response way: the status becomes {@code :status} (no reason phrase); hop-by-hop fields (and the ones
 * {@code Connection} names) are removed, names lower-cased; {@code Via: 1.1 passerelle} (the response came over
 * HTTP/1.1) and {@code X-Request-Id} are added as for HTTP/1.1; {@code content-length} is kept, a chunked or
 * close-delimited body becomes DATA frames ended by END_STREAM; {@code set-cookie} fields stay separate; a
 * {@code 100 Continue} is relayed when the client asked for it, other interim responses are dropped.
 */
final class Http2Translation {
    private Http2Translation() {
    }

    /**
     * The head the exchange gets for a request decoded from a stream's HEADERS, in place when it can be. A request
     * whose HEADERS ended the stream is decoded as a {@link FullHttpRequest} with no content: the exchange takes a
     * head and gets the body (here, none) part by part, so the head is taken out of it and the empty body released.
     */
    static HttpRequest requestHead(HttpRequest decoded) {
        HttpHeaders headers = decoded.headers();
        headers.remove(ExtensionHeaderNames.STREAM_ID.text());
        headers.remove(ExtensionHeaderNames.SCHEME.text());
        headers.remove(ExtensionHeaderNames.PATH.text());
        headers.remove(ExtensionHeaderNames.PROTOCOL.text());
        if (!(decoded instanceof FullHttpRequest full)) {
            return decoded;
        }
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, full.method(), full.uri(), full.headers());
        head.setDecoderResult(full.decoderResult());
        full.release();
        return head;
    }
}
