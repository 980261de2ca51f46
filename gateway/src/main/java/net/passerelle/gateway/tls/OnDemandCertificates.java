package net.passerelle.gateway.tls;

import java.util.concurrent.CompletableFuture;

/**
 * Certificates obtained when a handshake first asks for a name (ACME). Implementations never block the caller (an
 * event loop) and refuse names they must not obtain (hosts not in the routing table).
 */
@FunctionalInterface
public interface OnDemandCertificates {

    /**
     * The certificate for {@code host} once it is there (registered in the {@link CertificateRegistry} by then), or
     * null when none will be obtained for this name (not routed, ACME off, backing off after failures).
     */
    CompletableFuture<Void> obtain(String host);

    OnDemandCertificates NONE = host -> null;
}
