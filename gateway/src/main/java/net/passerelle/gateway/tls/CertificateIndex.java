package net.passerelle.gateway.tls;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable lookup from server name to certificate. The most specific match wins: a certificate naming the host
 * exactly beats a wildcard. Between certificates naming it alike, a file beats ACME (ops put it there on purpose),
 * then the one that expires last.
 */
final class CertificateIndex {
    static final CertificateIndex EMPTY = new CertificateIndex(List.of(), null);

    private static final Comparator<ServedCertificate> PREFERENCE = Comparator
            .comparing((ServedCertificate c) -> c.source() == ServedCertificate.Source.FILE)
            .thenComparing(ServedCertificate::notAfter);

    private final Map<String, ServedCertificate> exact = new HashMap<>();
    /** Keyed by the wildcard's suffix with its leading dot: {@code *.example.org} under {@code .example.org}. */
    private final Map<String, ServedCertificate> wildcard = new HashMap<>();
    private final ServedCertificate fallback;

    CertificateIndex(Collection<ServedCertificate> certificates, String defaultName) {
        ServedCertificate byId = null;
        for (ServedCertificate c : certificates) {
            for (String name : c.names().names()) {
                Map<String, ServedCertificate> map = name.startsWith("*.") ? wildcard : exact;
                String key = name.startsWith("*.") ? name.substring(1) : name;
                map.merge(key, c, (a, b) -> PREFERENCE.compare(a, b) >= 0 ? a : b);
            }
            if (defaultName != null && c.id().equals(defaultName)) {
                byId = c;
            }
        }
        this.fallback = byId != null || defaultName == null ? byId : select(defaultName.toLowerCase(java.util.Locale.ROOT));
    }

    /** The certificate for a normalised server name, or null when none covers it. */
    ServedCertificate select(String host) {
        ServedCertificate c = exact.get(host);
        if (c != null) {
            return c;
        }
        int dot = host.indexOf('.');
        return dot > 0 ? wildcard.get(host.substring(dot)) : null;
    }

    /** The certificate for handshakes without SNI ({@code tls.defaultCertificate}), or null. */
    ServedCertificate fallback() {
        return fallback;
    }
}
