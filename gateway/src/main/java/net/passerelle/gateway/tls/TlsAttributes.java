package net.passerelle.gateway.tls;

import io.netty.util.AttributeKey;

/** Channel attributes of TLS connections. */
public final class TlsAttributes {
    /** Set once the handshake has completed; absent on plain-HTTP connections. */
    public static final AttributeKey<TlsSession> SESSION = AttributeKey.valueOf(TlsAttributes.class, "session");

    private TlsAttributes() {
    }

    /** The connection's TLS session, or null for a plain connection (or a TLS one still in its handshake). */
    public static TlsSession of(io.netty.channel.Channel channel) {
        return channel.attr(SESSION).get();
    }
}
