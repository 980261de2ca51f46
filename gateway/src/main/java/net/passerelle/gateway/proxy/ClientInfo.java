package net.passerelle.gateway.proxy;

import net.passerelle.gateway.http.ForwardingHeaders;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * What the gateway knows of a client connection, computed once when it opens: its address, whether it is a trusted
 * proxy (whose forwarding headers are extended rather than replaced), how it describes itself in forwarding headers,
 * the scheme it reached the gateway with, and the HTTP version it speaks ({@code 1.1}, or {@code 2} for every stream
 * of an HTTP/2 connection), which {@code Via} names.
 */
public final class ClientInfo {
    private final InetSocketAddress remote;
    private final boolean trusted;
    private final String scheme;
    private final String protocol;
    private ForwardingHeaders.Client forwarding;

    /** An HTTP/1.x connection. */
    public ClientInfo(InetSocketAddress remote, boolean trusted, String scheme) {
        this(remote, trusted, scheme, ForwardingHeaders.HTTP_1_1);
    }

    public ClientInfo(InetSocketAddress remote, boolean trusted, String scheme, String protocol) {
        this.remote = remote;
        this.trusted = trusted;
        this.scheme = scheme;
        this.protocol = protocol;
    }

    /** The same connection facts, for a connection that speaks {@code protocol} ({@code 2} after ALPN or h2c). */
    public ClientInfo withProtocol(String newProtocol) {
        return new ClientInfo(remote, trusted, scheme, newProtocol);
    }

    /** The peer's socket address; null for channels without one (embedded, tests). */
    public InetSocketAddress remote() {
        return remote;
    }

    public InetAddress address() {
        return remote == null ? null : remote.getAddress();
    }

    public boolean trusted() {
        return trusted;
    }

    /** {@code http} or {@code https}. */
    public String scheme() {
        return scheme;
    }

    /** The HTTP version the client speaks, as {@code Via} writes it: {@code 1.1} or {@code 2}. */
    public String protocol() {
        return protocol;
    }

    /** The client as forwarding headers describe it; made on the first forwarded request, then kept. */
    ForwardingHeaders.Client forwarding() {
        if (forwarding == null) {
            forwarding = new ForwardingHeaders.Client(address());
        }
        return forwarding;
    }
}
