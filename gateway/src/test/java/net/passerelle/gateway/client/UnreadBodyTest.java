package net.passerelle.gateway.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the connection does with each part of a body it answered without reading, decided without a connection. */
class UnreadBodyTest {
    private final UnreadBody unread = new UnreadBody();

    @Test
    void aSmallBodyIsDroppedToTheEndAndTheConnectionServesTheNextRequest() {
        unread.start();
        HttpContent part = part(1000);
        assertEquals(UnreadBody.Next.READ_MORE, unread.drop(part));
        assertEquals(0, part.refCnt());
        HttpContent last = new DefaultLastHttpContent(Unpooled.buffer(10).writeZero(10));
        assertEquals(UnreadBody.Next.NEXT_REQUEST, unread.drop(last));
        assertEquals(0, last.refCnt());
    }

    @Test
    void moreThanTheLimitIsNotWorthTheConnection() {
        unread.start();
        assertEquals(UnreadBody.Next.READ_MORE, unread.drop(part((int) UnreadBody.LIMIT)));
        assertEquals(UnreadBody.Next.TOO_LONG, unread.drop(part(1)));
    }

    @Test
    void eachAnsweredRequestStartsItsCountAgain() {
        unread.start();
        assertEquals(UnreadBody.Next.READ_MORE, unread.drop(part((int) UnreadBody.LIMIT)));
        unread.start();
        assertEquals(UnreadBody.Next.READ_MORE, unread.drop(part(1)));
    }

    @Test
    void aBodyTheDecoderCouldNotParseOrANewHeadIsMalformedAndReleased() {
        unread.start();
        HttpContent broken = part(10);
        broken.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad chunk size")));
        assertEquals(UnreadBody.Next.MALFORMED, unread.drop(broken));
        assertEquals(0, broken.refCnt());
        assertEquals(UnreadBody.Next.MALFORMED, unread.drop(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/")));
    }

    private static HttpContent part(int bytes) {
        ByteBuf content = Unpooled.buffer(bytes).writeZero(bytes);
        return new DefaultHttpContent(content);
    }
}
