package net.passerelle.gateway.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpDecoderConfig;
import net.passerelle.gateway.client.Http1Handlers;
import net.passerelle.gateway.http.CompactHttpHeaders;
import net.passerelle.gateway.proxy.ConnectionFacts;
import net.passerelle.gateway.proxy.ProxySettings;
import net.passerelle.gateway.proxy.Tunables;

/**
 * The client connection's pipeline, in order, in one place:
 * <ol>
 *   <li>{@code limit}: connections per client address and in all ({@link ConnectionLimiter})</li>
 *   <li>on TLS listeners only, {@code tls} and {@code tls-session}: the handshake ({@link SecureTransport})</li>
 *   <li>{@code decoder}: HTTP/1.1 request parsing, strict (RFC 9112 framing, obs-fold, bare CR, control characters);
 *       it notes the first byte of each request, for the header-read timeout</li>
 *   <li>{@code encoder}: HTTP/1.1 responses</li>
 *   <li>{@code http1}: the connection's glue to the exchange of each request
 *       ({@link net.passerelle.gateway.client.Http1Connection}, which drives {@link net.passerelle.gateway.proxy.Exchange})</li>
 * </ol>
 */
public final class GatewayChannelInitializer extends ChannelInitializer<Channel> {
    private final ProxySettings settings;
    private final ConnectionLimiter limiter;
    private final SecureTransport tls;
    private final ConnectionFacts facts;

    /** A plain listener's. */
    public GatewayChannelInitializer(ProxySettings settings, ConnectionLimiter limiter) {
        this(settings, limiter, null, ConnectionFacts.plain(settings.forwarding()));
    }

    /**
     * @param tls   the TLS step of a TLS listener, or null for a plain one
     * @param facts how a connection of this listener describes its client (scheme, TLS session)
     */
    public GatewayChannelInitializer(ProxySettings settings, ConnectionLimiter limiter, SecureTransport tls,
                                     ConnectionFacts facts) {
        this.settings = settings;
        this.limiter = limiter;
        this.tls = tls;
        this.facts = facts;
    }

    @Override
    protected void initChannel(Channel ch) {
        Tunables limits = settings.tunables().get(); // a reload's limits apply to the connections opened after it
        HttpDecoderConfig decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxRequestLine())
                .setMaxHeaderSize(limits.maxHeaderSize())
                .setMaxChunkSize(65536)
                // The parser's scratch buffer grows to the longest header line it meets; an idle connection keeps it.
                .setInitialBufferSize(32)
                // Header values are checked by StrictRequestDecoder's scan of the header block (control characters,
                // bare CR, obs-fold), which is stricter than Netty's value check; names are checked as tokens by the
                // compact headers as they are added.
                .setHeadersFactory(CompactHttpHeaders.FACTORY)
                .setStrictLineParsing(true)
                .setAllowDuplicateContentLengths(false)
                .setUseRfc9112TransferEncoding(true);
        Http1Handlers http1 = Http1Handlers.create(settings, decoderConfig, facts);
        ch.pipeline().addLast("limit", limiter);
        if (tls != null) {
            tls.addTo(ch.pipeline());
        }
        ch.pipeline()
                .addLast("decoder", http1.decoder())
                .addLast("encoder", http1.encoder())
                .addLast("http1", http1.connection());
    }
}
