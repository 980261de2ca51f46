package net.passerelle.gateway.tls;

import io.netty.channel.ChannelPipeline;
import net.passerelle.gateway.server.SecureTransport;

import java.time.Duration;

/**
 * The TLS step of a TLS listener's pipeline: {@code tls} ({@link SniCertificateHandler}, which becomes the
 * connection's {@link io.netty.handler.ssl.SslHandler}) then {@code tls-session} ({@link TlsSessionRecorder}).
 */
public final class TlsHandshakes implements SecureTransport {
    private final CertificateRegistry registry;
    private final OnDemandCertificates onDemand;
    private final TlsMetrics metrics;
    private final long handshakeTimeoutMillis;
    private final long onDemandWaitMillis;

    /**
     * @param handshakeTimeout bound of a handshake whose certificate is at hand
     * @param onDemandWait     how long a handshake may wait for a certificate obtained on demand (added to the bound
     *                         once its ClientHello is in)
     */
    public TlsHandshakes(CertificateRegistry registry, OnDemandCertificates onDemand, TlsMetrics metrics,
                         Duration handshakeTimeout, Duration onDemandWait) {
        this.registry = registry;
        this.onDemand = onDemand;
        this.metrics = metrics;
        this.onDemandWaitMillis = onDemandWait.toMillis();
        this.handshakeTimeoutMillis = handshakeTimeout.toMillis();
    }

    @Override
    public void addTo(ChannelPipeline pipeline) {
        pipeline.addLast("tls", new SniCertificateHandler(registry, onDemand, metrics, handshakeTimeoutMillis, onDemandWaitMillis))
                .addLast("tls-session", new TlsSessionRecorder(metrics));
    }
}
