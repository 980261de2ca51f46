package net.passerelle.gateway.proxy;

import net.passerelle.gateway.http.ForwardingHeaders;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * What the gateway knows of a client connection, computed once when it opens: its address, whether it is a trusted
 * proxy (whose forwarding headers are extended rather than replaced), how it describes itself in forwarding headers,
 * and the scheme it reached the gateway with.
 */
public final class ClientInfo {
    private final InetSocketAddress remote;
    private final boolean trusted;
    private final String scheme;
    private final String protocol;
    private final String tlsProtocol;
    private final java.util.function.Predicate<String> servedNames;
    private ForwardingHeaders.Client forwarding;

    public ClientInfo(InetSocketAddress remote, boolean trusted, String scheme) {
        this(remote, trusted, scheme, null, null, null);
    }

    /**
     * @param protocol    the protocol for the access log when the request head does not say it ({@code h2}), or null
     * @param tlsProtocol the connection's TLS protocol ({@code TLSv1.3}), or null over plain HTTP
     * @param servedNames over TLS, whether the connection's certificate covers a (normalised) host; null over plain
     */
    public ClientInfo(InetSocketAddress remote, boolean trusted, String scheme, String protocol, String tlsProtocol,
                      java.util.function.Predicate<String> servedNames) {
        this.remote = remote;
        this.trusted = trusted;
        this.scheme = scheme;
        this.protocol = protocol;
        this.tlsProtocol = tlsProtocol;
        this.servedNames = servedNames;
    }

    /** A copy that speaks another protocol on the same connection (an HTTP/2 stream of it: {@code h2}). */
    public ClientInfo withProtocol(String newProtocol) {
        return new ClientInfo(remote, trusted, scheme, newProtocol, tlsProtocol, servedNames);
    }

    /**
     * Whether a request for {@code host} belongs on this connection: always over plain HTTP; over TLS, when the
     * certificate the connection was served covers it (else {@code 421 Misdirected Request}).
     */
    public boolean serves(String host) {
        return servedNames == null || (host != null && servedNames.test(host));
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

    public String protocol() {
        return protocol;
    }

    public String tlsProtocol() {
        return tlsProtocol;
    }

    /**
     * The peer's address as text, or null without one; formatted once per connection (the access log wants it for
     * every request, and formatting it was 3 % of the bytes a proxied request allocated).
     */
    public String addressText() {
        return remote == null ? null : forwarding().text();
    }

    /** The client as forwarding headers describe it; made on the first forwarded request, then kept. */
    ForwardingHeaders.Client forwarding() {
        if (forwarding == null) {
            forwarding = new ForwardingHeaders.Client(address());
        }
        return forwarding;
    }
}
