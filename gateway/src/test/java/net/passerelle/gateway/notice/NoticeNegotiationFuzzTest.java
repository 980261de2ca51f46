package net.passerelle.gateway.notice;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The notice negotiation and rendering, for any request target, {@code Accept} and {@code Accept-Language}: every
 * gateway-made answer must survive whatever the client sent (a bad {@code %} escape used to break them all).
 *
 * <p>Input layout ({@code NoticeNegotiationFuzzTestInputs/negotiate/}): {@code target LF accept LF accept-language},
 * ISO-8859-1 like header bytes; the first byte also picks the notice kind.
 */
public class NoticeNegotiationFuzzTest {
    private static final NoticeRenderer RENDERER = new NoticeRenderer(
            Clock.fixed(Instant.parse("2026-11-22T08:00:00Z"), ZoneOffset.UTC));

    /** Entry point for Jazzer's own driver, for long runs ({@code gateway/fuzz.sh}). */
    public static void fuzzerTestOneInput(byte[] input) {
        new NoticeNegotiationFuzzTest().negotiate(input);
    }

    @FuzzTest(maxDuration = "5s")
    void negotiate(byte[] input) {
        String s = new String(input, StandardCharsets.ISO_8859_1);
        String[] parts = s.split("\n", 3);
        // the decoder splits the request line on spaces, so no target the gateway sees has one (or a line break)
        String target = parts[0].replaceAll("[ \\t\\r\\n]", "");
        String accept = parts.length > 1 ? parts[1] : null;
        String language = parts.length > 2 ? parts[2] : null;
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target, false);
        if (accept != null) {
            request.headers().add(HttpHeaderNames.ACCEPT, accept);
        }
        NoticeFormat format = NoticeNegotiator.format(request);
        Language lang = NoticeNegotiator.language(language);
        assertNotNull(format);
        assertNotNull(lang);
        NoticeKind[] kinds = NoticeKind.values();
        NoticeKind kind = kinds[(input.length == 0 ? 0 : input[0] & 0xff) % kinds.length];
        NoticeContext context = new NoticeContext(kind, "srv-12", null, Instant.parse("2026-11-22T10:00:00Z"), 420,
                null, "0123456789abcdef");
        FullHttpResponse response = RENDERER.render(context, format, lang, UnpooledByteBufAllocator.DEFAULT, false);
        response.release();
    }
}
