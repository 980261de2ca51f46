package net.passerelle.gateway.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;

import java.util.List;

/**
 * Cleartext HTTP/2 with prior knowledge ({@code http2.cleartext}), on a plain listener: sits before the HTTP/1.1
 * handlers and looks at the first bytes of the connection only. If they are the HTTP/2 connection preface
 * ({@code PRI * HTTP/2.0␍␊␍␊SM␍␊␍␊}), the HTTP/1.1 handlers give way to the HTTP/2 ones; at the first byte that
 * differs, it steps aside and the HTTP/1.1 handlers get everything. Either way the bytes read so far go on unchanged
 * (a {@code ByteToMessageDecoder} hands its buffer to the next handler when it leaves).
 *
 * <p>This is Netty's {@code CleartextHttp2ServerUpgradeHandler} without its upgrade path: {@code Upgrade: h2c} is
 * a hop-by-hop header like any other, removed before the request is forwarded, and never honoured.
 */
final class PriorKnowledge extends ByteToMessageDecoder {
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf().asReadOnly();

    private final GatewayChannelInitializer pipelines;

    PriorKnowledge(GatewayChannelInitializer pipelines) {
        this.pipelines = pipelines;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
        if (!ByteBufUtil.equals(PREFACE, PREFACE.readerIndex(), in, in.readerIndex(), n)) {
            ctx.pipeline().remove(this);
        } else if (n == PREFACE.readableBytes()) {
            pipelines.replaceHttp1WithHttp2(ctx.pipeline());
            ctx.pipeline().remove(this);
        }
        // else: a start of the preface, and no more yet
    }
}
