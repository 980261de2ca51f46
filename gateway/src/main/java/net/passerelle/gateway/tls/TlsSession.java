package net.passerelle.gateway.tls;

import java.util.Objects;

/**
 * What the request path needs to know of a TLS connection, fixed when its handshake completed; read from the
 * channel attribute {@link TlsAttributes#SESSION} (absent on plain connections).
 *
 * @param protocol    {@code TLSv1.3} or {@code TLSv1.2}
 * @param cipher      the negotiated cipher suite
 * @param sniName     the server name the client asked for (normalised), or null when it sent none
 * @param alpn        the negotiated application protocol ({@code http/1.1}), or null when none was negotiated
 * @param certificate the names of the certificate this connection was served
 */
public record TlsSession(String protocol, String cipher, String sniName, String alpn, CertificateNames certificate) {

    public TlsSession {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(cipher, "cipher");
        Objects.requireNonNull(certificate, "certificate");
    }

    /**
     * True when the connection's certificate covers {@code normalizedHost}: a request whose Host it does not cover
     * was sent on a connection set up for another name and gets {@code 421 Misdirected Request}.
     */
    public boolean covers(String normalizedHost) {
        return certificate.covers(normalizedHost);
    }
}
