package net.passerelle.gateway.origin;

import io.netty.buffer.ByteBuf;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.util.AsciiString;
import net.passerelle.gateway.http.CompactHttpHeaders;
import net.passerelle.gateway.http.KnownHeaderNames;

/**
 * HTTP/1.1 to a backend: requests out, responses in, one exchange at a time (the gateway never pipelines to a
 * backend). Netty's {@code HttpClientCodec} does the same for any number of outstanding requests, with a queue of
 * their methods to know which responses have no body; here one remembered method is enough, and the codec can use
 * the gateway's compact headers and shared header names both ways.
 */
final class OriginCodec extends CombinedChannelDuplexHandler<OriginCodec.ResponseDecoder, OriginCodec.RequestEncoder> {

    OriginCodec(HttpDecoderConfig config) {
        RequestEncoder encoder = new RequestEncoder();
        config.setHeadersFactory(CompactHttpHeaders.FACTORY).setTrailersFactory(CompactHttpHeaders.TRAILERS);
        init(new ResponseDecoder(config, encoder), encoder);
    }

    static final class RequestEncoder extends HttpRequestEncoder {
        /** The method of the request being answered: a response to HEAD has no body whatever its headers say. */
        private HttpMethod method;

        @Override
        protected void encodeInitialLine(ByteBuf buf, HttpRequest request) throws Exception {
            method = request.method();
            super.encodeInitialLine(buf, request);
        }

        @Override
        protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
            if (headers instanceof CompactHttpHeaders compact) {
                compact.encode(buf);
            } else {
                super.encodeHeaders(headers, buf);
            }
        }
    }

    static final class ResponseDecoder extends HttpResponseDecoder {
        private final RequestEncoder encoder;

        ResponseDecoder(HttpDecoderConfig config, RequestEncoder encoder) {
            super(config);
            this.encoder = encoder;
        }

        @Override
        protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
            AsciiString known = KnownHeaderNames.find(sb, start, length);
            return known != null ? known : super.splitHeaderName(sb, start, length);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            int status = ((HttpResponse) msg).status().code();
            if (status >= 100 && status < 200 && status != 101) {
                return super.isContentAlwaysEmpty(msg); // interim: the final response is still to come
            }
            return encoder.method == HttpMethod.HEAD || super.isContentAlwaysEmpty(msg);
        }
    }
}
