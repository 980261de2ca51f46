package net.passerelle.gateway.policy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import net.passerelle.gateway.config.ClassificationConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The body peek is bounded: it never holds more than the limit and says WRITE when the answer lies beyond it. */
class BodyPeekTest {
    private static final WriteClassifier PIWIGO = ClassifierProfiles.builtIn().defaultClassifier();
    private static final String BOUNDARY = "----WebKitFormBoundary7MA4YWxkTrZu0gW";

    private static HttpRequest post(String uri, String contentType, long contentLength) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        if (contentLength >= 0) {
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, contentLength);
        } else {
            r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        }
        return r;
    }

    private static ByteBuf ascii(String s) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(s.length());
        b.writeCharSequence(s, StandardCharsets.US_ASCII);
        return b;
    }

    /** Feeds a chunk and releases it (the peek must not have kept it). */
    private static RequestClass feed(BodyPeek peek, ByteBuf chunk) {
        try {
            int ri = chunk.readerIndex();
            RequestClass c = peek.offer(chunk);
            assertEquals(ri, chunk.readerIndex());
            assertEquals(1, chunk.refCnt());
            return c;
        } finally {
            chunk.release();
        }
    }

    /** A 10 MiB photo upload whose method field comes after the file: WRITE, with at most 4 KiB ever copied. */
    @ParameterizedTest(name = "chunked transfer: {0}")
    @ValueSource(booleans = {false, true})
    void hugeMultipartUploadIsAWriteWithoutBeingBuffered(boolean chunked) {
        String head = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"big.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\n";
        String tail = "\r\n--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"method\"\r\n\r\n"
                + "pwg.getVersion\r\n--" + BOUNDARY + "--\r\n";
        int fileSize = 10 * 1024 * 1024;
        long total = head.length() + (long) fileSize + tail.length();
        HttpRequest req = post("/ws.php?format=json", "multipart/form-data; boundary=" + BOUNDARY,
                chunked ? -1 : total);
        HeadVerdict v = PIWIGO.classify(req);
        if (!chunked) {
            // the length is known and beyond the limit: no need to look at the body at all
            assertSame(Decided.WRITE, v);
            return;
        }
        NeedsBody nb = assertInstanceOf(NeedsBody.class, v);
        assertEquals(4096, nb.limitBytes());
        FormBodyPeek peek = (FormBodyPeek) nb.newPeek();
        RequestClass got = feed(peek, ascii(head));
        byte[] block = new byte[8192];
        int sent = 0;
        while (got == null && sent < fileSize) {
            ByteBuf chunk = PooledByteBufAllocator.DEFAULT.heapBuffer(block.length);
            chunk.writeBytes(block);
            got = feed(peek, chunk);
            sent += block.length;
            assertTrue(peek.retainedBytes() <= nb.limitBytes(), "retained " + peek.retainedBytes());
        }
        assertEquals(RequestClass.WRITE, got);
        assertTrue(sent <= 8192, "decided after " + sent + " file bytes, should be as soon as the limit passed");
        assertTrue(peek.maxRetainedBytes() <= nb.limitBytes(), "held " + peek.maxRetainedBytes());
        assertEquals(0, peek.retainedBytes(), "copy dropped once decided");
        // the caller may keep offering the rest: same answer, nothing copied
        assertEquals(RequestClass.WRITE, feed(peek, ascii(tail)));
        assertEquals(RequestClass.WRITE, peek.finish());
        assertEquals(0, peek.retainedBytes());
    }

    /** A read method that only appears past the limit cannot make the request a read. */
    @Test
    void methodBeyondTheLimitIsAWrite() {
        String body = "x=" + "a".repeat(5000) + "&method=pwg.getVersion";
        assertEquals(RequestClass.WRITE, ClassifierHarness.classify(PIWIGO,
                ClassifierHarness.post("/ws.php", "application/x-www-form-urlencoded", body)));
        // also when the length is not announced
        HttpRequest req = post("/ws.php", "application/x-www-form-urlencoded", -1);
        NeedsBody nb = assertInstanceOf(NeedsBody.class, PIWIGO.classify(req));
        BodyPeek peek = nb.newPeek();
        assertNull(feed(peek, ascii(body.substring(0, 4000))));
        assertEquals(RequestClass.WRITE, feed(peek, ascii(body.substring(4000))));
    }

    /** A later duplicate could override a read found early, so a read needs the whole body within the limit. */
    @Test
    void readFoundEarlyIsNotFinalUntilTheBodyEnds() {
        String body = "method=pwg.getVersion&pad=" + "a".repeat(5000) + "&method=pwg.images.delete";
        HttpRequest req = post("/ws.php", "application/x-www-form-urlencoded", -1);
        BodyPeek peek = ((NeedsBody) PIWIGO.classify(req)).newPeek();
        assertNull(feed(peek, ascii(body.substring(0, 100))));
        assertEquals(RequestClass.WRITE, feed(peek, ascii(body.substring(100))));
    }

    @Test
    void theLimitIsConfigurable() {
        ClassifierProfiles small = ClassifierProfiles.fromConfig(new ClassificationConfig(64, null, Map.of()));
        WriteClassifier c = small.defaultClassifier();
        String fits = "method=pwg.getVersion&a=" + "b".repeat(20);
        String tooLong = "method=pwg.getVersion&a=" + "b".repeat(60);
        assertEquals(RequestClass.READ, ClassifierHarness.classify(c,
                ClassifierHarness.post("/ws.php", "application/x-www-form-urlencoded", fits)));
        assertEquals(RequestClass.WRITE, ClassifierHarness.classify(c,
                ClassifierHarness.post("/ws.php", "application/x-www-form-urlencoded", tooLong)));
        // a body of exactly the limit is still read whole
        String exact = "method=pwg.getVersion&a=" + "b".repeat(64 - 24);
        assertEquals(64, exact.length());
        assertEquals(RequestClass.READ, ClassifierHarness.classify(c,
                ClassifierHarness.post("/ws.php", "application/x-www-form-urlencoded", exact)));
    }

    @Test
    void aTruncatedBodyIsAWrite() {
        HttpRequest req = post("/ws.php", "application/x-www-form-urlencoded", 100);
        BodyPeek peek = ((NeedsBody) PIWIGO.classify(req)).newPeek();
        assertNull(feed(peek, ascii("method=pwg.getVersion")));
        assertEquals(RequestClass.WRITE, peek.finish());
    }

    @Test
    void decidedHeadVerdictsAreSharedConstants() {
        HttpRequest get = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/index.php?/category/1");
        assertSame(Decided.READ, PIWIGO.classify(get));
        HttpRequest put = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/x");
        assertSame(Decided.WRITE, PIWIGO.classify(put));
        HttpRequest trace = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.TRACE, "/");
        assertSame(Decided.REFUSED, PIWIGO.classify(trace));
    }

    @Test
    void badContentLengthIsAWrite() {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/ws.php?method=pwg.getVersion");
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-www-form-urlencoded");
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, "12, 13");
        assertSame(Decided.WRITE, PIWIGO.classify(r));
        HttpRequest two = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/ws.php?method=pwg.getVersion");
        two.headers().add(HttpHeaderNames.CONTENT_TYPE, "application/x-www-form-urlencoded");
        two.headers().add(HttpHeaderNames.CONTENT_TYPE, "text/plain");
        two.headers().set(HttpHeaderNames.CONTENT_LENGTH, 5);
        assertSame(Decided.WRITE, PIWIGO.classify(two));
    }
}
