package net.passerelle.gateway.policy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import net.passerelle.gateway.config.GuardConfig;
import net.passerelle.gateway.config.GatewayConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DefaultPageGuardTest {
    private final DefaultPageGuard guard = guard(List.of("Custom Parking Page"));

    private static DefaultPageGuard guard(List<String> extra) {
        List<String> all = new ArrayList<>(GuardConfig.BUILT_IN);
        all.addAll(extra);
        return new DefaultPageGuard(true, all, 4096);
    }

    private String match(String body) {
        ByteBuf buf = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        try {
            return guard.match(buf, null);
        } finally {
            buf.release();
        }
    }

    @Test
    void findsEachFingerprintAnywhereInTheScannedStart() {
        assertEquals("Welcome to nginx!", match("<html><head><title>Welcome to nginx!</title>"));
        assertEquals("Apache2 Debian Default Page", match("<title>Apache2 Debian Default Page: It works</title>"));
        assertEquals("Custom Parking Page", match("x".repeat(3000) + "Custom Parking Page"));
        assertEquals("Welcome to nginx!", match("Welcome to nginx!"));
    }

    @Test
    void ordinaryPagesAndNearMissesPass() {
        assertNull(match("<html><title>Alice's photos</title><h1>Welcome to my gallery!</h1>"
                + "Apache2 is great. Test Page numbers. Welcome to nginx"));
        assertNull(match(""));
    }

    @Test
    void looksOnlyAtTheConfiguredStart() {
        assertNull(match("x".repeat(4096) + "Welcome to nginx!"));
        // a fingerprint straddling the limit is not complete within it
        assertNull(match("x".repeat(4090) + "Welcome to nginx!"));
    }

    /**
     * The sliding scan against the plainest search there is, on text full of the fingerprints' own letters (capitals,
     * bytes above 0x7f) with fingerprints and their near misses at every alignment and straddling the scan limit;
     * with the built-in list and a custom one, with fingerprints that overlap or hold one another, and with ones too
     * short for the scan's two-byte blocks.
     */
    @ParameterizedTest
    @ValueSource(strings = {"built-in", "overlapping", "two bytes", "one byte"})
    void findsWhatAPlainSearchFindsAtEveryAlignment(String set) {
        java.util.Random random = new java.util.Random(16);
        List<String> all = new ArrayList<>(GuardConfig.BUILT_IN);
        all.add("Custom Parking Page");
        all.add("\u00e9t\u00e9 ferm\u00e9");
        switch (set) {
            case "overlapping" -> all.addAll(List.of("Welcome to", "come to nginx", "Page", "Default Page for"));
            case "two bytes" -> all.add("<t");
            case "one byte" -> all.add(1, "=");
            default -> { }
        }
        DefaultPageGuard g = new DefaultPageGuard(true, all, 300);
        String alphabet = "ATWCeg Padhnx!<>/=\"\u00e9ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+";
        for (int round = 0; round < 20_000; round++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(340);
            while (text.length() < length) {
                if (random.nextInt(40) == 0) {
                    String f = all.get(random.nextInt(all.size()));
                    // whole, or cut short by one character (a near miss)
                    text.append(random.nextBoolean() ? f : f.substring(0, f.length() - 1));
                } else {
                    text.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            // the body at an offset in its buffer, as a response's start often is
            int offset = random.nextInt(8);
            ByteBuf buf = Unpooled.buffer(offset + bytes.length).writerIndex(offset).writeBytes(bytes).readerIndex(offset);
            try {
                assertEquals(plainSearch(bytes, all, 300), g.match(buf, null), text::toString);
            } finally {
                buf.release();
            }
        }
    }

    /** The fingerprint that starts first within the scanned start, the earlier listed at one position. */
    private static String plainSearch(byte[] text, List<String> fingerprints, int scanBytes) {
        int limit = Math.min(text.length, scanBytes);
        for (int at = 0; at < limit; at++) {
            for (String f : fingerprints) {
                byte[] fb = f.getBytes(StandardCharsets.UTF_8);
                if (at + fb.length <= limit && java.util.Arrays.equals(text, at, at + fb.length, fb, 0, fb.length)) {
                    return f;
                }
            }
        }
        return null;
    }

    /** Guards of different sizes share one scratch array per thread: a larger one grows it, a smaller one is bounded. */
    @Test
    void aLargerScanOnTheSameThreadStillLooksAtAllOfIt() {
        DefaultPageGuard large = new DefaultPageGuard(true, GuardConfig.BUILT_IN, 10_000);
        ByteBuf buf = Unpooled.copiedBuffer("x".repeat(9_000) + "Welcome to nginx!", StandardCharsets.UTF_8);
        try {
            assertNull(guard.match(buf, null), "the 4 KiB guard stops at 4 KiB");
            assertEquals("Welcome to nginx!", large.match(buf, null));
            assertNull(guard.match(buf, null), "and still does after the larger one grew the array");
        } finally {
            buf.release();
        }
    }

    @Test
    void aGzippedPageIsInflatedAndScanned() throws Exception {
        java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(zipped)) {
            gz.write(("<html>" + "x".repeat(2_000) + "<title>Apache2 Ubuntu Default Page: It works</title>")
                    .getBytes(StandardCharsets.UTF_8));
        }
        ByteBuf buf = Unpooled.wrappedBuffer(zipped.toByteArray());
        try {
            assertEquals("Apache2 Ubuntu Default Page", guard.match(buf, "gzip"));
            assertEquals(0, buf.readerIndex(), "the body is looked at, not consumed");
        } finally {
            buf.release();
        }
    }

    @Test
    void appliesOnlyToHtmlResponsesTheProxyCanRead() {
        assertTrue(guard.appliesTo(response("text/html; charset=utf-8", null), false));
        assertFalse(guard.appliesTo(response("image/jpeg", null), false));
        assertFalse(guard.appliesTo(response("text/html", null), true), "HEAD has no body to look at");
        assertTrue(guard.appliesTo(response("text/html", "gzip"), false));
        assertFalse(guard.appliesTo(response("text/html", "br"), false));
        assertFalse(new DefaultPageGuard(false, GuardConfig.BUILT_IN, 4096)
                .appliesTo(response("text/html", null), false));
    }

    /**
     * Found on the walkthrough: a backend that answered Debian's Apache page without a Content-Type, or as
     * application/xhtml+xml (the page is XHTML), got it to the visitor through the gateway, and a browser renders both.
     */
    @Test
    void aDefaultPageWithoutATypeOrAsXhtmlIsLookedAtToo() {
        assertTrue(guard.appliesTo(response(null, null), false), "browsers sniff an untyped body and render it");
        assertTrue(guard.appliesTo(response("application/xhtml+xml; charset=UTF-8", null), false));
        assertTrue(guard.appliesTo(response("Application/XHTML+XML", "gzip"), false));
        assertFalse(guard.appliesTo(response("application/xml", null), false));
        assertFalse(guard.appliesTo(response("application/json", null), false));
        assertFalse(guard.appliesTo(response(null, null), true), "HEAD has no body to look at");
        assertFalse(guard.appliesTo(response(null, "br"), false));
    }

    private static HttpResponse response(String type, String encoding) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        if (type != null) {
            r.headers().set("content-type", type);
        }
        if (encoding != null) {
            r.headers().set("content-encoding", encoding);
        }
        return r;
    }
}
