package net.passerelle.gateway.proxy;

import io.netty.channel.Channel;
import net.passerelle.gateway.http.ForwardingHeaders;

import java.net.InetSocketAddress;

/**
 * How a connection of a listener describes its client to the exchanges it carries: its address, whether it is a
 * trusted proxy, and for TLS listeners the session (scheme {@code https}, protocol, the names the certificate serves).
 * Asked once per connection, at its first request (after any TLS handshake).
 */
@FunctionalInterface
public interface ConnectionFacts {
    ClientInfo describe(Channel channel);

    /** A plain-HTTP listener's connections. */
    static ConnectionFacts plain(ForwardingHeaders forwarding) {
        return ch -> {
            InetSocketAddress remote = ch.remoteAddress() instanceof InetSocketAddress isa ? isa : null;
            boolean trusted = remote != null && forwarding.isTrusted(remote.getAddress());
            return new ClientInfo(remote, trusted, "http");
        };
    }
}
