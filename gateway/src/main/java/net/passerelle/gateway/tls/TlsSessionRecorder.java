package net.passerelle.gateway.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;

import javax.net.ssl.SSLSession;

/**
 * Pipeline step {@code tls-session}, after {@code tls}: when the handshake completes, sets
 * {@link TlsAttributes#SESSION} for the request path and counts the handshake by outcome, then leaves the pipeline
 * (it costs nothing per request).
 */
final class TlsSessionRecorder extends ChannelInboundHandlerAdapter {
    private final TlsMetrics metrics;

    TlsSessionRecorder(TlsMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                ctx.channel().attr(TlsAttributes.SESSION).set(session(ctx));
                metrics.handshake(HandshakeOutcome.OK);
            } else {
                metrics.handshake(HandshakeOutcome.of(done.cause()));
            }
            ctx.pipeline().remove(this);
        } else if (evt instanceof SniCompletionEvent sni && sni.cause() instanceof SslHandshakeTimeoutException) {
            metrics.handshake(HandshakeOutcome.OTHER);
        }
        ctx.fireUserEventTriggered(evt);
    }

    private static TlsSession session(ChannelHandlerContext ctx) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        SSLSession s = ssl.engine().getSession();
        String alpn = ssl.applicationProtocol();
        CertificateNames served = ctx.channel().attr(SniCertificateHandler.SERVED).get();
        return new TlsSession(s.getProtocol(), s.getCipherSuite(), ctx.channel().attr(SniCertificateHandler.SNI).get(),
                alpn, served == null ? CertificateNames.of(java.util.List.of()) : served);
    }
}
