package net.passerelle.gateway.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import net.passerelle.gateway.client.Http1Handlers;
import net.passerelle.gateway.client.Http2Handlers;
import net.passerelle.gateway.config.Http2Config;
import net.passerelle.gateway.http.CompactHttpHeaders;
import net.passerelle.gateway.proxy.ConnectionFacts;
import net.passerelle.gateway.proxy.ProxySettings;
import net.passerelle.gateway.proxy.Tunables;

import java.time.Duration;

/**
 * The client connection's pipeline, in order, in one place:
 * <ol>
 *   <li>{@code limit}: connections per client address and in all ({@link ConnectionLimiter})</li>
 *   <li>on TLS listeners, {@code tls} and {@code tls-session}: the handshake ({@link SecureTransport}); then
 *       {@code protocol}, which installs the HTTP/1.1 or the HTTP/2 handlers below once ALPN has chosen
 *       ({@link ProtocolNegotiation})</li>
 *   <li>on plain listeners with {@code http2.cleartext}, {@code h2c}: the HTTP/1.1 handlers give way to the HTTP/2
 *       ones when the connection starts with the HTTP/2 preface ({@link PriorKnowledge})</li>
 *   <li>HTTP/1.1:
 *     <ol>
 *       <li>{@code decoder}: HTTP/1.1 request parsing, strict (RFC 9112 framing, obs-fold, bare CR, control
 *           characters); it notes the first byte of each request, for the header-read timeout</li>
 *       <li>{@code encoder}: HTTP/1.1 responses</li>
 *       <li>{@code http1}: the connection's glue to the exchange of each request
 *           ({@link net.passerelle.gateway.client.Http1Connection}, which drives
 *           {@link net.passerelle.gateway.proxy.Exchange})</li>
 *     </ol></li>
 *   <li>or HTTP/2 ({@link Http2Handlers}):
 *     <ol>
 *       <li>{@code h2-flush}: one flush of the connection for all its streams that finished in the same turn of the
 *           event loop (each stream's answer ends with a flush, made while reading its backend: without this, a
 *           {@code writev} per stream)</li>
 *       <li>{@code h2-codec}: frames, HPACK, flow control, and the protocol's abuse limits</li>
 *       <li>{@code h2-streams}: a child channel per stream, each driving the same exchange as an HTTP/1.1 request</li>
 *       <li>{@code h2}: the connection: idle timeout, drain (GOAWAY)</li>
 *     </ol></li>
 * </ol>
 */
public final class GatewayChannelInitializer extends ChannelInitializer<Channel> {
    private static final String[] HTTP1 = {"decoder", "encoder", "http1"};

    private final ProxySettings settings;
    private final ConnectionLimiter limiter;
    private final SecureTransport tls;
    private final ConnectionFacts facts;
    private final Http2Config http2;
    private final Duration drainTimeout;

    /** A plain listener's, HTTP/1.1 only. */
    public GatewayChannelInitializer(ProxySettings settings, ConnectionLimiter limiter) {
        this(settings, limiter, null, ConnectionFacts.plain(settings.forwarding()));
    }

    /** With {@code http2:} at its defaults: h2 by ALPN on a TLS listener, no h2c on a plain one. */
    public GatewayChannelInitializer(ProxySettings settings, ConnectionLimiter limiter, SecureTransport tls,
                                     ConnectionFacts facts) {
        this(settings, limiter, tls, facts, Http2Config.defaults(), Duration.ofSeconds(30));
    }

    /**
     * @param tls          the TLS step of a TLS listener, or null for a plain one
     * @param facts        how a connection of this listener describes its client (scheme, TLS session)
     * @param http2        {@code http2:}: whether ALPN's h2 is served, whether h2c is accepted, the limits
     * @param drainTimeout how long an HTTP/2 connection's open streams may take to finish after GOAWAY
     */
    public GatewayChannelInitializer(ProxySettings settings, ConnectionLimiter limiter, SecureTransport tls,
                                     ConnectionFacts facts, Http2Config http2, Duration drainTimeout) {
        this.settings = settings;
        this.limiter = limiter;
        this.tls = tls;
        this.facts = facts;
        this.http2 = http2;
        this.drainTimeout = drainTimeout;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast("limit", limiter);
        if (tls != null) {
            tls.addTo(p);
            p.addLast("protocol", new ProtocolNegotiation(this, http2.enabled()));
            return;
        }
        if (http2.cleartext()) {
            p.addLast("h2c", new PriorKnowledge(this));
        }
        addHttp1(p);
    }

    /** Appends the HTTP/1.1 handlers. */
    void addHttp1(ChannelPipeline p) {
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
                .setTrailersFactory(CompactHttpHeaders.TRAILERS)
                .setStrictLineParsing(true)
                .setAllowDuplicateContentLengths(false)
                .setUseRfc9112TransferEncoding(true);
        Http1Handlers http1 = Http1Handlers.create(settings, decoderConfig, facts);
        p.addLast(HTTP1[0], http1.decoder())
                .addLast(HTTP1[1], http1.encoder())
                .addLast(HTTP1[2], http1.connection());
    }

    /** Appends the HTTP/2 handlers. */
    void addHttp2(ChannelPipeline p) {
        Http2Handlers h2 = Http2Handlers.create(settings, http2, facts, drainTimeout);
        p.addLast("h2-flush", new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true))
                .addLast("h2-codec", h2.codec())
                .addLast("h2-streams", h2.streams())
                .addLast("h2", h2.connection());
    }

    /** The connection spoke HTTP/2 after all: the HTTP/1.1 handlers go, the HTTP/2 ones take their place. */
    void replaceHttp1WithHttp2(ChannelPipeline p) {
        for (String name : HTTP1) {
            p.remove(name);
        }
        addHttp2(p);
    }
}
