package net.passerelle.gateway.notice;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;
import java.time.Clock;

/** PLACEHOLDER until the notice branch lands. */
public final class NoticeRenderer {
    public NoticeRenderer(Clock clock) {
    }

    public FullHttpResponse render(NoticeContext ctx, NoticeFormat format, Language language, ByteBufAllocator alloc,
                                   boolean headRequest) {
        byte[] body = ("<!doctype html><title>" + ctx.kind() + "</title><p>" + ctx.kind() + " no gallery at this address</p>")
                .getBytes(StandardCharsets.UTF_8);
        ByteBuf buf = headRequest ? alloc.buffer(0) : alloc.buffer(body.length).writeBytes(body);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, ctx.kind().status(), buf);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        if (ctx.retryAfterSeconds() != null) {
            r.headers().setInt(HttpHeaderNames.RETRY_AFTER, ctx.retryAfterSeconds());
        }
        if (ctx.requestId() != null) {
            r.headers().set("x-request-id", ctx.requestId());
        }
        return r;
    }
}
