package net.passerelle.gateway.tls;

import java.util.Locale;

/** How a TLS handshake ended, as counted in {@link TlsMetrics#HANDSHAKES}. A closed set: labels stay bounded. */
public enum HandshakeOutcome {
    /** Completed. */
    OK,
    /** The client asked for a name no certificate serves (or sent no name and there is no default). */
    UNKNOWN_SNI,
    /** No protocol version in common (SSLv3, TLS 1.0 or 1.1 clients), or not TLS at all. */
    PROTOCOL,
    /** No cipher suite in common. */
    CIPHER,
    /** Anything else: timeouts, resets, certificate still being ordered, client aborts. */
    OTHER;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Classifies a handshake failure by what the TLS engines (OpenSSL or the JDK) say. */
    public static HandshakeOutcome of(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toUpperCase(Locale.ROOT);
            if (m.contains("NO_SHARED_CIPHER") || m.contains("NO CIPHER SUITES IN COMMON")
                    || m.contains("NO_CIPHERS_AVAILABLE") || m.contains("NO APPROPRIATE CIPHER")) {
                return CIPHER;
            }
            if (m.contains("UNSUPPORTED_PROTOCOL") || m.contains("WRONG_VERSION_NUMBER") || m.contains("PROTOCOL_VERSION")
                    || m.contains("NOT AN SSL/TLS RECORD") || m.contains("HTTP_REQUEST")
                    || m.contains("CLIENT REQUESTED PROTOCOL") || m.contains("NO APPROPRIATE PROTOCOL")
                    || m.contains("UNSUPPORTED SSL") || m.contains("UNSUPPORTED OR UNRECOGNIZED SSL MESSAGE")) {
                return PROTOCOL;
            }
        }
        return OTHER;
    }
}
