package net.passerelle.gateway.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.testing.GatewayFixture;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.gateway.testing.Tables;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Responses whose head the default-page guard holds back until it has seen the start of the body: a default page
 * however the backend labels it never reaches the visitor, and a backend that dies before the guard has decided
 * gives the visitor the 502 notice, never an empty reply.
 */
class GuardHeldResponseTest {
    private static final String APACHE_PAGE = "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\">\n"
            + "<html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>Apache2 Debian Default Page: It works</title>"
            + "</head><body>Apache2 Debian Default Page</body></html>\n";

    private StubBackend backend;
    private GatewayFixture gateway;

    @BeforeEach
    void start() throws Exception {
        backend = new StubBackend();
        RoutingTable table = RoutingTable.builder(1)
                .group(Tables.open("srv-12", backend.address()))
                .host("alice.gallery.example", "srv-12", "alice")
                .build();
        gateway = new GatewayFixture(GatewayConfig.defaults(), table);
    }

    @AfterEach
    void stop() {
        gateway.close();
        backend.close();
    }

    private RawHttp.Response get() throws Exception {
        try (RawHttp c = gateway.connect()) {
            return c.send("GET / HTTP/1.1\r\nHost: alice.gallery.example\r\nAccept: text/html\r\n\r\n").read();
        }
    }

    /** A full answer with this Content-Type (none when null). */
    private void answerApachePage(String type) {
        backend.respondWith((ctx, req) -> {
            DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(APACHE_PAGE, StandardCharsets.UTF_8));
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
            if (type != null) {
                r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
            }
            ctx.writeAndFlush(r);
        });
    }

    @Test
    void aDefaultPageWithoutAContentTypeIsReplacedByTheNotice() throws Exception {
        answerApachePage(null);
        RawHttp.Response r = get();
        assertEquals(502, r.status(), r.bodyText());
        assertFalse(r.bodyText().contains("Apache2 Debian Default Page"), r.bodyText());
    }

    @Test
    void aDefaultPageServedAsXhtmlIsReplacedByTheNotice() throws Exception {
        answerApachePage("application/xhtml+xml; charset=UTF-8");
        RawHttp.Response r = get();
        assertEquals(502, r.status(), r.bodyText());
        assertFalse(r.bodyText().contains("Apache2 Debian Default Page"), r.bodyText());
    }

    @Test
    void aBackendDyingBeforeTheGuardHasSeenTheStartGivesTheBadGatewayNotice() throws Exception {
        backend.respondWith((ctx, req) -> {
            DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_LENGTH, 100_000);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
            ctx.write(head);
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("<html><head><title>Alice",
                    StandardCharsets.UTF_8))).addListener(ChannelFutureListener.CLOSE);
        });
        RawHttp.Response r = get(); // without the notice: IOException, the connection closed before a response
        assertEquals(502, r.status(), r.bodyText());
        assertTrue(r.bodyText().contains("not answering"), r.bodyText());
    }
}
