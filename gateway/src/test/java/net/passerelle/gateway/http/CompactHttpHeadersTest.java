package net.passerelle.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The compact headers answer every question the way Netty's DefaultHttpHeaders does. */
class CompactHttpHeadersTest {

    /**
     * Runs the same edits on both and compares what the codecs and the gateway read; on compact headers made with
     * room for two and on trailers, made with no arrays at all.
     */
    private static void same(Consumer<HttpHeaders> edits) {
        same(edits, new CompactHttpHeaders(2));
        same(edits, CompactHttpHeaders.TRAILERS.newHeaders());
    }

    private static void same(Consumer<HttpHeaders> edits, HttpHeaders compact) {
        HttpHeaders reference = new DefaultHttpHeaders();
        edits.accept(reference);
        edits.accept(compact);
        assertEquals(reference.size(), compact.size());
        assertEquals(new java.util.ArrayList<>(reference.names()), new java.util.ArrayList<>(compact.names()));
        assertEquals(reference.entries().toString(), compact.entries().toString());
        for (String name : List.of("host", "HOST", "connection", "transfer-encoding", "x-forwarded-for", "absent")) {
            assertEquals(reference.get(name), compact.get(name), name);
            assertEquals(reference.getAll(name), compact.getAll(name), name);
            assertEquals(reference.contains(name), compact.contains(name), name);
        }
        assertEquals(reference.containsValue(HttpHeaderNames.CONNECTION, "close", true),
                compact.containsValue(HttpHeaderNames.CONNECTION, "close", true));
        assertEquals(reference.containsValue(HttpHeaderNames.TRANSFER_ENCODING, "chunked", true),
                compact.containsValue(HttpHeaderNames.TRANSFER_ENCODING, "chunked", true));
    }

    @Test
    void trailersRefuseTheValuesTheDefaultHeadersRefuse() {
        HttpHeaders trailers = CompactHttpHeaders.TRAILERS.newHeaders();
        for (String bad : List.of("a\u0000b", "a\u0001", "a\rb", "a\nb", "\u007f")) {
            assertThrows(IllegalArgumentException.class, () -> new DefaultHttpHeaders().add("x-checksum", bad), bad);
            assertThrows(IllegalArgumentException.class, () -> trailers.add("x-checksum", bad), bad);
            assertThrows(IllegalArgumentException.class, () -> trailers.set("x-checksum", bad), bad);
        }
        assertTrue(trailers.isEmpty(), "nothing refused was kept");
        trailers.add("x-checksum", "sha-256=:abc\tdef:");
        assertEquals("sha-256=:abc\tdef:", trailers.get("X-Checksum"));
        assertThrows(IllegalArgumentException.class, () -> trailers.copy().add("x-other", "a\u0000"),
                "a copy checks as the original does");
    }

    @Test
    void behavesLikeTheDefaultHeaders() {
        same(h -> h.add("Host", "a.example").add("Connection", "keep-alive, Upgrade").add("X-Forwarded-For", "1.2.3.4"));
        same(h -> h.add("x-forwarded-for", "1").add("X-Forwarded-For", "2").set("x-forwarded-for", "3"));
        same(h -> h.add("a", "1").add("b", "2").add("A", "3").remove("a").add("c", "4"));
        same(h -> h.add(HttpHeaderNames.TRANSFER_ENCODING, "gzip, Chunked").setInt(HttpHeaderNames.CONTENT_LENGTH, 12));
        same(h -> h.add("cookie", "a=1").add("cookie", "b=2").set("via", List.of("1.1 x", "1.1 y")).clear().add("host", "z"));
        same(h -> {
            for (int i = 0; i < 40; i++) {
                h.add("h" + i, "v" + i);
            }
            h.remove("h7");
        });
    }

    @Test
    void refusesNamesThatAreNotTokens() {
        CompactHttpHeaders h = new CompactHttpHeaders(4);
        assertThrows(IllegalArgumentException.class, () -> h.add("bad name", "x"));
        assertThrows(IllegalArgumentException.class, () -> h.add("", "x"));
        assertThrows(IllegalArgumentException.class, () -> h.set("a:b", "x"));
        assertTrue(h.isEmpty());
    }

    @Test
    void encodesTheHeaderBlockByteForByte() {
        CompactHttpHeaders h = new CompactHttpHeaders(2);
        h.add(AsciiString.cached("Host"), "photos.example").add("X-Name", "caf\u00e9").addInt(HttpHeaderNames.CONTENT_LENGTH, 5);
        ByteBuf out = Unpooled.buffer();
        h.encode(out);
        assertEquals("Host: photos.example\r\nX-Name: caf\u00e9\r\ncontent-length: 5\r\n", out.toString(StandardCharsets.ISO_8859_1));
        out.release();
        assertNull(h.get("absent"));
        assertFalse(h.contains("absent"));
    }

    /**
     * The block laid out in one array gives Netty's own bytes: over random names and values, with characters above
     * U+00FF (written as {@code ?}, as Netty's encoders write them, never as their low byte: U+010A would be a line
     * feed), and blocks larger than the per-thread array.
     */
    @Test
    void encodesAsNettysEncoderDoes() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        String valueChars = "abcXYZ019 ;=,\"\t\u00e9\u00ff\u010a\u0100\u20ac";
        for (int round = 0; round < 300; round++) {
            CompactHttpHeaders compact = new CompactHttpHeaders(2);
            HttpHeaders reference = new DefaultHttpHeaders(false);
            int count = random.nextInt(0, round % 10 == 0 ? 400 : 20);
            for (int i = 0; i < count; i++) {
                String name = "X-H" + random.nextInt(1000);
                StringBuilder value = new StringBuilder();
                for (int c = random.nextInt(0, 60); c > 0; c--) {
                    value.append(valueChars.charAt(random.nextInt(valueChars.length())));
                }
                CharSequence n = random.nextBoolean() ? new AsciiString(name) : name;
                compact.add(n, value.toString());
                reference.add(n, value.toString());
            }
            ByteBuf ours = Unpooled.directBuffer();
            compact.encode(ours);
            ByteBuf netty = Unpooled.buffer();
            reference.forEach(e -> {
                netty.writeCharSequence(e.getKey(), StandardCharsets.ISO_8859_1);
                netty.writeCharSequence(": " + e.getValue() + "\r\n", StandardCharsets.ISO_8859_1);
            });
            try {
                assertEquals(io.netty.buffer.ByteBufUtil.hexDump(netty), io.netty.buffer.ByteBufUtil.hexDump(ours),
                        "round " + round + ", " + count + " headers");
            } finally {
                ours.release();
                netty.release();
            }
        }
    }

    @Test
    void knownNamesAreSharedOnlyWhenSpelledExactly() {
        byte[] wire = "xxUser-Agentxxuser-agentxxUSER-AGENT".getBytes(StandardCharsets.US_ASCII);
        AsciiString title = KnownHeaderNames.find(wire, 2, 10);
        assertEquals("User-Agent", title.toString());
        assertSame(title, KnownHeaderNames.find("User-Agent".getBytes(StandardCharsets.US_ASCII), 0, 10));
        assertEquals("user-agent", KnownHeaderNames.find(wire, 14, 10).toString());
        assertNull(KnownHeaderNames.find(wire, 26, 10), "another spelling keeps its own bytes");
        assertNull(KnownHeaderNames.find("X-Custom".getBytes(StandardCharsets.US_ASCII), 0, 8));
        assertEquals("DNT", KnownHeaderNames.titleCase("dnt"));
    }
}
