package net.passerelle.gateway.policy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import net.passerelle.gateway.config.ClassificationConfig;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Piwigo parameter parsing and the body peek: any request target, Content-Type and body (urlencoded or
 * multipart) gets a class, never an exception; the peek decides the same whether the body comes whole or in pieces,
 * never holds more than its limit, and leaves the buffers it is shown untouched.
 *
 * <p>Input layout (so that seeds are readable, {@code ClassificationFuzzTestInputs/classify/}):
 * {@code METHOD SP target LF content-type LF body}, read as ISO-8859-1 like the wire; a missing part is empty.
 */
public class ClassificationFuzzTest {
    private static final int LIMIT = 512;
    private static final ClassifierProfiles PROFILES = ClassifierProfiles.fromConfig(
            new ClassificationConfig(LIMIT, null, null));
    private static final ClassifierProfiles NO_SIGN_IN = ClassifierProfiles.fromConfig(
            new ClassificationConfig(LIMIT, null, null, false));

    /** Entry point for Jazzer's own driver, for long runs ({@code gateway/fuzz.sh}). */
    public static void fuzzerTestOneInput(byte[] input) {
        new ClassificationFuzzTest().classify(input);
    }

    @FuzzTest(maxDuration = "5s")
    void classify(byte[] input) {
        String s = new String(input, StandardCharsets.ISO_8859_1);
        int nl1 = s.indexOf('\n');
        String line = nl1 < 0 ? s : s.substring(0, nl1);
        int nl2 = nl1 < 0 ? -1 : s.indexOf('\n', nl1 + 1);
        String type = nl1 < 0 ? "" : nl2 < 0 ? s.substring(nl1 + 1) : s.substring(nl1 + 1, nl2);
        byte[] body = nl2 < 0 ? new byte[0] : s.substring(nl2 + 1).getBytes(StandardCharsets.ISO_8859_1);
        int sp = line.indexOf(' ');
        String method = sp <= 0 ? "POST" : line.substring(0, sp);
        // the decoder splits the request line on spaces, so no target the gateway sees has one (or a line break)
        String target = (sp < 0 ? line : line.substring(sp + 1)).replaceAll("[ \\t\\r\\n]", "");
        if (method.isEmpty() || !method.chars().allMatch(c -> c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
            method = "POST";
        }
        // header validation off, as the gateway's decoder has it: the strict decoder checks values itself
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), target, false);
        head.headers().set(HttpHeaderNames.HOST, "gallery.example");
        if (!type.isEmpty()) {
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        }
        if (body.length > 0) {
            head.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        }
        for (ClassifierProfiles profiles : List.of(PROFILES, NO_SIGN_IN)) {
            for (String profile : List.of("piwigo", "http")) {
                WriteClassifier c = profiles.get(profile);
                RequestClass whole = run(c, head, body, body.length);
                RequestClass pieces = run(c, head, body, 1 + (input.length > 0 ? input[input.length - 1] & 7 : 0));
                assertEquals(whole, pieces, "the same whether the body comes whole or in pieces");
            }
        }
        Params.parseUrlEncoded(s);
        Params.parseMultipart(body, body.length, type.isEmpty() ? "b" : type);
    }

    private static RequestClass run(WriteClassifier c, HttpRequest head, byte[] body, int step) {
        HeadVerdict v = c.classify(head);
        assertNotNull(v);
        if (v instanceof Decided d) {
            return d.requestClass();
        }
        NeedsBody nb = (NeedsBody) v;
        FormBodyPeek peek = (FormBodyPeek) nb.newPeek();
        RequestClass decided = null;
        for (int at = 0; at < body.length && decided == null; at += step) {
            ByteBuf chunk = Unpooled.wrappedBuffer(body, at, Math.min(step, body.length - at));
            int before = chunk.readerIndex();
            decided = peek.offer(chunk);
            assertEquals(before, chunk.readerIndex(), "the peek leaves the buffer as it was");
            assertEquals(1, chunk.refCnt(), "the peek neither retains nor releases");
            chunk.release();
            assertTrue(peek.maxRetainedBytes() <= LIMIT, "the peek never holds more than its limit");
        }
        RequestClass end = decided != null ? decided : peek.finish();
        assertNotNull(end);
        return end;
    }
}
