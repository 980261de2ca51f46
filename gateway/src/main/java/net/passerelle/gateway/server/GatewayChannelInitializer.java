package net.passerelle.gateway.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import net.passerelle.gateway.client.Http1Handlers;
import net.passerelle.gateway.config.GatewayConfig.LimitsConfig;
import net.passerelle.gateway.http.StrictRequestDecoder;
import net.passerelle.gateway.proxy.ConnectionFacts;
import net.passerelle.gateway.proxy.ProxySettings;

/**
 * The client connection's pipeline, in order, in one place:
 * <ol>
 *   <li>{@code limit}: connections per client address and in all ({@link ConnectionLimiter})</li>
 *   <li>on TLS listeners only, {@code tls} and {@code tls-session}: the handshake ({@link SecureTransport})</li>
 *   <li>{@code activity}: notes the first byte of each request, for the header-read timeout</li>
 *   <li>{@code decoder}: HTTP/1.1 request parsing, strict (RFC 9112 framing, obs-fold, bare CR, control characters)</li>
 *   <li>{@code encoder}: HTTP/1.1 responses</li>
 *   <li>{@code http1}: the connection's glue to the exchange of each request
 *       ({@link net.passerelle.gateway.client.Http1Connection}, which drives {@link net.passerelle.gateway.proxy.Exchange})</li>
 * </ol>
 */
public final class GatewayChannelInitializer extends ChannelInitializer<Channel> {
    private final ProxySettings settings;
    private final LimitsConfig limits;
    private final ConnectionLimiter limiter;
    private final SecureTransport tls;
    private final ConnectionFacts facts;

    /** A plain listener's. */
    public GatewayChannelInitializer(ProxySettings settings, LimitsConfig limits, ConnectionLimiter limiter) {
        this(settings, limits, limiter, null, ConnectionFacts.plain(settings.forwarding()));
    }

    /**
     * @param tls   the TLS step of a TLS listener, or null for a plain one
     * @param facts how a connection of this listener describes its client (scheme, TLS session)
     */
    public GatewayChannelInitializer(ProxySettings settings, LimitsConfig limits, ConnectionLimiter limiter,
                                     SecureTransport tls, ConnectionFacts facts) {
        this.settings = settings;
        this.limits = limits;
        this.limiter = limiter;
        this.tls = tls;
        this.facts = facts;
    }

    @Override
    protected void initChannel(Channel ch) {
        HttpDecoderConfig decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxRequestLine().intBytes())
                .setMaxHeaderSize(limits.maxHeaderSize().intBytes())
                .setMaxChunkSize(65536)
                // Header values are checked by StrictRequestDecoder's scan of the header block (control characters,
                // bare CR, obs-fold), which is stricter than Netty's value check; names are still checked by Netty.
                .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withValueValidation(false))
                .setStrictLineParsing(true)
                .setAllowDuplicateContentLengths(false)
                .setUseRfc9112TransferEncoding(true);
        Http1Handlers http1 = Http1Handlers.create(settings, facts);
        ch.pipeline().addLast("limit", limiter);
        if (tls != null) {
            tls.addTo(ch.pipeline());
        }
        ch.pipeline()
                .addLast("activity", http1.activity())
                .addLast("decoder", new StrictRequestDecoder(decoderConfig))
                .addLast("encoder", http1.encoder())
                .addLast("http1", http1.connection());
    }
}
