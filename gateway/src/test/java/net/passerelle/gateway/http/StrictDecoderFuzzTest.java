package net.passerelle.gateway.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import net.passerelle.gateway.routing.HostNormalizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Any bytes through the strict decoder (configured as the gateway's pipeline configures it) and the validator:
 * every input ends in requests (valid, or refused with a reason) and body parts, or in a clean decoder failure;
 * nothing throws out of the pipeline, and every buffer, the input's and the decoder's, is released. The first byte
 * of an input says where to cut the rest in two reads (the decoder keeps state between reads); the rest is the wire.
 *
 * <p>Seeds: {@code StrictDecoderFuzzTestInputs/requestBytes/}. Regression mode runs them in every build; see the
 * README for a long fuzzing run.
 */
public class StrictDecoderFuzzTest {
    private static final RequestValidator VALIDATOR = new RequestValidator(100, 2L << 30);

    static HttpDecoderConfig gatewayDecoderConfig() {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(16384)
                .setMaxChunkSize(65536)
                .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withValueValidation(false))
                .setStrictLineParsing(true)
                .setAllowDuplicateContentLengths(false)
                .setUseRfc9112TransferEncoding(true);
    }

    /** Entry point for Jazzer's own driver, for long runs ({@code gateway/fuzz.sh}). */
    public static void fuzzerTestOneInput(byte[] input) {
        new StrictDecoderFuzzTest().requestBytes(input);
    }

    @FuzzTest(maxDuration = "5s")
    void requestBytes(byte[] input) {
        EmbeddedChannel ch = new EmbeddedChannel(new StrictRequestDecoder(gatewayDecoderConfig()));
        int start = Math.min(1, input.length);
        int length = input.length - start;
        int cut = input.length == 0 ? 0 : (input[0] & 0xff) % (length + 1);
        ByteBuf first = Unpooled.buffer(cut).writeBytes(input, start, cut);
        ByteBuf second = Unpooled.buffer(length - cut).writeBytes(input, start + cut, length - cut);
        try {
            ch.writeInbound(first);
            ch.writeInbound(second);
            ch.finish();
        } finally {
            drain(ch);
        }
        assertEquals(0, first.refCnt(), "the decoder released the first read");
        assertEquals(0, second.refCnt(), "the decoder released the second read");
    }

    private static void drain(EmbeddedChannel ch) {
        Object msg;
        while ((msg = ch.readInbound()) != null) {
            try {
                if (msg instanceof HttpRequest request) {
                    String host = HostNormalizer.normalize(request.headers().get(HttpHeaderNames.HOST));
                    Rejection r = VALIDATOR.validate(request, host);
                    assertTrue(r != null || request.decoderResult().isSuccess(), "a failed decode is refused");
                    if (r == null) {
                        RequestValidator.originForm(request.uri());
                    }
                } else {
                    assertTrue(msg instanceof HttpContent, "only requests and body parts come out: " + msg);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
        ch.checkException();
    }
}
