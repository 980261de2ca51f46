package net.passerelle.gateway.tls;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Pipeline step {@code tls}, right after the connection limiter: reads the ClientHello's server name, picks the
 * certificate that serves it ({@link CertificateRegistry}, else on demand through {@link OnDemandCertificates}), and
 * replaces itself with the {@link SslHandler} of that certificate. A name no certificate serves, or no name and no
 * default certificate, gets the fatal alert {@code unrecognized_name} and the connection is closed: a client never
 * gets a certificate made for another name.
 */
final class SniCertificateHandler extends AbstractSniHandler<ServedCertificate> {
    /** The server name the client sent (normalised), for {@link TlsSessionRecorder}. */
    static final AttributeKey<String> SNI = AttributeKey.valueOf(SniCertificateHandler.class, "sni");
    /** The names of the certificate served, for {@link TlsSessionRecorder}. */
    static final AttributeKey<CertificateNames> SERVED = AttributeKey.valueOf(SniCertificateHandler.class, "served");

    private final CertificateRegistry registry;
    private final OnDemandCertificates onDemand;
    private final TlsMetrics metrics;
    private final long onDemandWaitMillis;
    private final long handshakeTimeoutMillis;
    private final long helloTimeoutMillis;
    private boolean refused;
    private boolean helloRead;
    private ScheduledFuture<?> helloTimeout;

    /**
     * @param handshakeTimeoutMillis bound of the ClientHello's arrival, and of a handshake whose certificate is at hand
     * @param onDemandWaitMillis     added to that bound for a handshake that waits for a certificate on demand
     */
    SniCertificateHandler(CertificateRegistry registry, OnDemandCertificates onDemand, TlsMetrics metrics,
                          long handshakeTimeoutMillis, long onDemandWaitMillis) {
        super(handshakeTimeoutMillis + (onDemand == OnDemandCertificates.NONE ? 0 : onDemandWaitMillis));
        this.registry = registry;
        this.onDemand = onDemand;
        this.metrics = metrics;
        this.onDemandWaitMillis = onDemandWaitMillis;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.helloTimeoutMillis = onDemand == OnDemandCertificates.NONE || onDemandWaitMillis <= 0 ? 0 : handshakeTimeoutMillis;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx);
        if (ctx.channel().isActive()) {
            startHelloTimeout(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx);
        startHelloTimeout(ctx);
    }

    /**
     * Netty's bound, lengthened by the on-demand wait, runs from the connection's start: alone, it would let a
     * client that sends nothing (or its ClientHello a byte at a time) hold the connection for the wait too. Only a
     * ClientHello read in full, naming a host, may wait for an order, so until then the plain bound applies.
     */
    private void startHelloTimeout(ChannelHandlerContext ctx) {
        if (helloTimeoutMillis <= 0 || helloTimeout != null) {
            return;
        }
        helloTimeout = ctx.executor().schedule(() -> {
            if (!helloRead && ctx.channel().isActive()) {
                metrics.handshake(HandshakeOutcome.OTHER);
                ctx.close();
            }
        }, helloTimeoutMillis, TimeUnit.MILLISECONDS);
    }

    private void cancelHelloTimeout() {
        if (helloTimeout != null) {
            helloTimeout.cancel(false);
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        cancelHelloTimeout();
        super.handlerRemoved0(ctx);
    }

    /** Lower case, no trailing dot; an IP literal (RFC 6066 forbids them, some clients send them) counts as none. */
    static String normalize(String sni) {
        if (sni == null || io.netty.util.NetUtil.isValidIpV4Address(sni) || io.netty.util.NetUtil.isValidIpV6Address(sni)) {
            return null;
        }
        String s = sni.toLowerCase(Locale.ROOT);
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, io.netty.buffer.ByteBuf in, java.util.List<Object> out) throws Exception {
        if (refused) {
            in.skipBytes(in.readableBytes());   // the rest of a refused ClientHello: the alert is on its way
            return;
        }
        super.decode(ctx, in, out);
    }

    @Override
    protected Future<ServedCertificate> lookup(ChannelHandlerContext ctx, String hostname) {
        helloRead = true;
        cancelHelloTimeout();
        String name = normalize(hostname);
        ServedCertificate found = registry.select(name);
        if (found != null || name == null) {
            return ctx.executor().newSucceededFuture(found);
        }
        CompletableFuture<Void> coming = onDemand.obtain(name);
        if (coming == null) {
            return ctx.executor().newSucceededFuture(null);
        }
        // The handshake waits (off any thread: the ClientHello is held, reading is paused) for the order, bounded.
        Promise<ServedCertificate> promise = ctx.executor().newPromise();
        coming.orTimeout(onDemandWaitMillis, TimeUnit.MILLISECONDS).whenComplete((v, error) -> {
            if (error != null) {
                promise.tryFailure(error);
                return;
            }
            ServedCertificate now = registry.select(name);
            if (!promise.trySuccess(now) && now != null) {
                CertificateRegistry.release(now);
            }
        });
        return promise;
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, String hostname, Future<ServedCertificate> future) {
        ServedCertificate cert = future.isSuccess() ? future.getNow() : null;
        if (cert == null) {
            refused = true;
            ctx.channel().config().setAutoRead(false);
            metrics.handshake(future.isSuccess() ? HandshakeOutcome.UNKNOWN_SNI : HandshakeOutcome.OTHER);
            if (ctx.channel().isActive()) {
                ctx.writeAndFlush(TlsAlert.fatal(ctx.alloc(), TlsAlert.UNRECOGNIZED_NAME))
                        .addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        SslHandler ssl = null;
        try {
            if (ctx.isRemoved() || !ctx.channel().isActive()) {
                return;
            }
            ctx.channel().attr(SNI).set(normalize(hostname));
            ctx.channel().attr(SERVED).set(cert.names());
            ssl = cert.context().newHandler(ctx.alloc());
            // The rest of the handshake has tls.handshakeTimeout too, not Netty's fixed default.
            ssl.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
            ctx.pipeline().replace(this, ctx.name(), ssl);
            ssl = null;
        } finally {
            if (ssl != null) {
                // Not in the pipeline, so the SslHandler never took ownership of its engine.
                io.netty.util.ReferenceCountUtil.safeRelease(ssl.engine());
            }
            // The engine holds its own reference on the context from here on.
            CertificateRegistry.release(cert);
        }
    }
}
