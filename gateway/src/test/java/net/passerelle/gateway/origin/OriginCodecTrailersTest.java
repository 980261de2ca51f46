package net.passerelle.gateway.origin;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import net.passerelle.gateway.http.CompactHttpHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A backend's response body ends in compact trailers: empty without trailers, and every trailer kept with them. */
class OriginCodecTrailersTest {

    private static LastHttpContent lastOf(String response) {
        EmbeddedChannel ch = new EmbeddedChannel(new OriginCodec(new HttpDecoderConfig()));
        try {
            assertTrue(ch.writeInbound(Unpooled.copiedBuffer(response, StandardCharsets.US_ASCII)), "a response came out");
            assertInstanceOf(HttpResponse.class, ch.readInbound());
            Object msg;
            while ((msg = ch.readInbound()) != null) {
                if (msg instanceof LastHttpContent last) {
                    return last;
                }
                assertInstanceOf(HttpContent.class, msg);
                ReferenceCountUtil.release(msg);
            }
            throw new AssertionError("no last content");
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void aBodyWithALengthEndsWithEmptyCompactTrailers() {
        LastHttpContent last = lastOf("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        try {
            assertInstanceOf(CompactHttpHeaders.class, last.trailingHeaders());
            assertTrue(last.trailingHeaders().isEmpty());
        } finally {
            last.release();
        }
    }

    @Test
    void aChunkedBodyKeepsItsTrailers() {
        LastHttpContent last = lastOf("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\nX-Checksum: abc\r\nX-Count: 1\r\nX-Count: 2\r\n\r\n");
        try {
            assertInstanceOf(CompactHttpHeaders.class, last.trailingHeaders());
            assertEquals("abc", last.trailingHeaders().get("x-checksum"));
            assertEquals(java.util.List.of("1", "2"), last.trailingHeaders().getAll("X-Count"));
        } finally {
            last.release();
        }
    }
}
