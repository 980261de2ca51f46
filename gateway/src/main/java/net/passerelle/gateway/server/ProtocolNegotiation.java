package net.passerelle.gateway.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a TLS listener, after the handshake: installs the handlers of the protocol ALPN chose, {@code h2} (when
 * {@code http2.enabled}) or {@code http/1.1}, which is also what a client without ALPN gets. Anything read before
 * the choice is held, then handed to the installed handlers. The protocols offered are the TLS context's business;
 * this step only follows the outcome, and refuses a protocol it was not told to serve.
 */
final class ProtocolNegotiation extends ApplicationProtocolNegotiationHandler {
    private static final Logger log = LoggerFactory.getLogger(ProtocolNegotiation.class);

    private final GatewayChannelInitializer pipelines;
    private final boolean http2;

    ProtocolNegotiation(GatewayChannelInitializer pipelines, boolean http2) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.pipelines = pipelines;
        this.http2 = http2;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (http2 && ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            pipelines.addHttp2(ctx.pipeline());
        } else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
            pipelines.addHttp1(ctx.pipeline());
        } else {
            log.info("connection {} negotiated '{}', which this listener does not serve; closed", ctx.channel(), protocol);
            ctx.close();
        }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
