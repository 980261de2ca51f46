package net.passerelle.gateway.tls;

import io.netty.channel.Channel;
import net.passerelle.gateway.http.ForwardingHeaders;
import net.passerelle.gateway.proxy.ClientInfo;
import net.passerelle.gateway.proxy.ConnectionFacts;

import java.net.InetSocketAddress;

/**
 * How a TLS listener's connection describes its client: scheme {@code https} (forwarding headers say so), its TLS
 * protocol (access log), and the names its certificate serves (a request for another host gets 421).
 */
public final class TlsConnectionFacts implements ConnectionFacts {
    private final ForwardingHeaders forwarding;

    public TlsConnectionFacts(ForwardingHeaders forwarding) {
        this.forwarding = forwarding;
    }

    @Override
    public ClientInfo describe(Channel channel) {
        // An HTTP/2 stream is a child channel: the session is its connection's.
        TlsSession session = TlsAttributes.of(channel);
        if (session == null && channel.parent() != null) {
            session = TlsAttributes.of(channel.parent());
        }
        Channel connection = session == null || TlsAttributes.of(channel) != null ? channel : channel.parent();
        InetSocketAddress remote = connection.remoteAddress() instanceof InetSocketAddress isa ? isa : null;
        boolean trusted = remote != null && forwarding.isTrusted(remote.getAddress());
        if (session == null) {
            // Not reachable once a request arrives (the handshake comes first); described as TLS nonetheless.
            return new ClientInfo(remote, trusted, "https", null, null, host -> false);
        }
        return new ClientInfo(remote, trusted, "https", null, session.protocol(), session::covers);
    }
}
