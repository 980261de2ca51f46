package net.passerelle.gateway.config;

import net.passerelle.admin.model.HostPort;
import java.time.Duration;
import java.util.List;

/**
 * {@code tls:}: TLS listeners, certificates from a watched directory, certificates on demand through ACME, and the
 * redirection of plain HTTP. No listener (the default) means no TLS at all.
 *
 * @param listeners          TLS addresses, IPv4 and IPv6, served by the same pipeline as the plain ones
 * @param certificates       the watched directory of {@code NAME.crt} + {@code NAME.key} pairs
 * @param defaultCertificate what a handshake without SNI is served: the NAME of a pair in the directory, or a host
 *                           name one certificate covers; empty refuses such handshakes
 * @param redirectHttp       plain-HTTP requests for a host that has a certificate get 308 to https (not ACME challenges)
 * @param provider           {@code auto} (OpenSSL through BoringSSL when it loads, the JDK otherwise), {@code openssl}, {@code jdk}
 * @param handshakeTimeout   a handshake must complete within this (ACME waits extend it by {@code acme.handshakeWait})
 * @param sessionCacheSize   TLS sessions kept per certificate for resumption (tickets need none)
 * @param sessionTimeout     how long a session (or ticket) may be resumed
 */
public record TlsConfig(List<HostPort> listeners, CertificatesConfig certificates, String defaultCertificate,
                        Boolean redirectHttp, String provider, Duration handshakeTimeout, Integer sessionCacheSize,
                        Duration sessionTimeout, AcmeConfig acme, HstsConfig hsts) {

    public TlsConfig {
        listeners = listeners == null ? List.of() : List.copyOf(listeners);
        certificates = certificates == null ? new CertificatesConfig(null, null) : certificates;
        defaultCertificate = defaultCertificate == null || defaultCertificate.isBlank() ? null : defaultCertificate.trim();
        redirectHttp = redirectHttp == null || redirectHttp;
        provider = provider == null ? "auto" : provider;
        if (!List.of("auto", "openssl", "jdk").contains(provider)) {
            throw new BadEntry("tls.provider must be auto, openssl or jdk, got '" + provider + "'", "provider");
        }
        handshakeTimeout = handshakeTimeout == null ? Duration.ofSeconds(10) : handshakeTimeout;
        sessionCacheSize = sessionCacheSize == null ? 20_000 : sessionCacheSize;
        sessionTimeout = sessionTimeout == null ? Duration.ofHours(1) : sessionTimeout;
        if (handshakeTimeout.toMillis() < 100 || sessionCacheSize < 0 || sessionTimeout.toSeconds() < 1) {
            throw new IllegalArgumentException("tls: handshakeTimeout >= 100ms, sessionCacheSize >= 0 and sessionTimeout >= 1s");
        }
        acme = acme == null ? new AcmeConfig(null, null, null, null, null, null, null, null, null, null) : acme;
        hsts = hsts == null ? new HstsConfig(null, null, null) : hsts;
    }

    /** Without {@code hsts}. */
    public TlsConfig(List<HostPort> listeners, CertificatesConfig certificates, String defaultCertificate,
                     Boolean redirectHttp, String provider, Duration handshakeTimeout, Integer sessionCacheSize,
                     Duration sessionTimeout, AcmeConfig acme) {
        this(listeners, certificates, defaultCertificate, redirectHttp, provider, handshakeTimeout, sessionCacheSize,
                sessionTimeout, acme, null);
    }

    public static TlsConfig off() {
        return new TlsConfig(null, null, null, null, null, null, null, null, null, null);
    }

    /**
     * {@code Strict-Transport-Security} on the answers sent over https to the visitors of some groups; off by default,
     * since a browser then refuses plain HTTP for that host for {@code maxAge} (a gallery must be sure of its
     * certificates before it asks for that).
     *
     * @param groups            the groups whose https answers carry it (a backend's own header is left as it is)
     * @param maxAge            how long browsers remember it (180 days)
     * @param includeSubDomains whether it covers the host's subdomains too
     */
    public record HstsConfig(List<String> groups, Duration maxAge, Boolean includeSubDomains) {
        public HstsConfig {
            groups = groups == null ? List.of() : List.copyOf(groups);
            maxAge = maxAge == null ? Duration.ofDays(180) : maxAge;
            includeSubDomains = includeSubDomains != null && includeSubDomains;
            if (maxAge.isNegative()) {
                throw new BadEntry("tls.hsts.maxAge must be >= 0", "maxAge");
            }
        }

        /** The header's value, e.g. {@code max-age=15552000; includeSubDomains}. */
        public String headerValue() {
            return "max-age=" + maxAge.toSeconds() + (includeSubDomains ? "; includeSubDomains" : "");
        }
    }

    public boolean enabled() {
        return !listeners.isEmpty();
    }

    /**
     * @param dir   the directory of {@code NAME.crt} (leaf then chain) + {@code NAME.key} pairs
     * @param watch reload changed pairs without a restart (new handshakes get them; open connections keep theirs)
     */
    public record CertificatesConfig(String dir, Boolean watch) {
        public CertificatesConfig {
            dir = dir == null || dir.isBlank() ? "./data/certs" : dir;
            watch = watch == null || watch;
        }
    }

    /**
     * Certificates on demand (RFC 8555, HTTP-01) for hosts of the routing table, and for no other name.
     *
     * @param directory     the ACME server's directory URL; empty turns ACME off
     * @param email         the account's contact, optional
     * @param caFile        PEM certificates trusted for the ACME server's own TLS, besides the JDK's (tests)
     * @param storeKey      secret that encrypts the account key and certificate keys in the store (AES-GCM);
     *                      empty stores them plainly, with a warning
     * @param handshakeWait how long a first handshake for a host waits for its certificate, then fails cleanly
     * @param orderTimeout  bound of one whole order (challenge validation and issuance)
     * @param retryBackoff  first pause after a failed order for a host; doubles up to {@code maxBackoff}
     * @param maxBackoff    longest pause between two failed orders for a host
     * @param pollInterval  how often the store is checked for certificates and challenges of other gateways
     * @param lockTtl       how long one gateway's claim to order a name holds (it is released at the end of the order)
     */
    public record AcmeConfig(String directory, String email, String caFile, String storeKey, Duration handshakeWait,
                             Duration orderTimeout, Duration retryBackoff, Duration maxBackoff, Duration pollInterval,
                             Duration lockTtl) {
        public AcmeConfig {
            directory = blankToNull(directory);
            email = blankToNull(email);
            caFile = blankToNull(caFile);
            storeKey = blankToNull(storeKey);
            handshakeWait = handshakeWait == null ? Duration.ofSeconds(20) : handshakeWait;
            orderTimeout = orderTimeout == null ? Duration.ofSeconds(90) : orderTimeout;
            retryBackoff = retryBackoff == null ? Duration.ofMinutes(1) : retryBackoff;
            maxBackoff = maxBackoff == null ? Duration.ofHours(6) : maxBackoff;
            pollInterval = pollInterval == null ? Duration.ofMillis(500) : pollInterval;
            lockTtl = lockTtl == null ? Duration.ofMinutes(3) : lockTtl;
            if (directory != null && !directory.startsWith("https://") && !directory.startsWith("http://")
                    && !directory.startsWith("acme://")) {
                throw new BadEntry("tls.acme.directory must be an https:// URL, got '" + directory + "'", "directory");
            }
            if (pollInterval.toMillis() < 10 || pollInterval.toMillis() > 60_000) {
                throw new BadEntry("tls.acme.pollInterval must be 10ms..1m, got " + pollInterval, "pollInterval");
            }
            if (lockTtl.compareTo(orderTimeout) < 0) {
                throw new BadEntry("tls.acme.lockTtl must be at least tls.acme.orderTimeout", "lockTtl");
            }
        }

        public boolean enabled() {
            return directory != null;
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s.trim();
        }
    }
}
