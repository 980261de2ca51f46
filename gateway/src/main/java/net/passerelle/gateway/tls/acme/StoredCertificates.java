package net.passerelle.gateway.tls.acme;

import net.passerelle.admin.store.CertificateStore;
import net.passerelle.admin.store.CertificateStore.StoredCertificate;
import net.passerelle.gateway.tls.CertificateLoader;
import net.passerelle.gateway.tls.CertificateRegistry;
import net.passerelle.gateway.tls.PemCodec;
import net.passerelle.gateway.tls.ServedCertificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the registry's ACME certificates and the fleet's HTTP-01 answers in step with the store: when the store's
 * certificate version moves, reloads what changed. So a certificate ordered by any gateway is served by all of
 * them, and any of them answers a challenge. Called from the ACME scheduler only.
 */
final class StoredCertificates {
    private static final Logger log = LoggerFactory.getLogger(StoredCertificates.class);

    private final CertificateRegistry registry;
    private final CertificateLoader loader;
    private final AcmeChallenges challenges;
    private final KeySealer sealer;
    private final Clock clock;
    private final Map<String, Long> loaded = new HashMap<>();
    private long version = -1;

    StoredCertificates(CertificateRegistry registry, CertificateLoader loader, AcmeChallenges challenges, KeySealer sealer,
                       Clock clock) {
        this.registry = registry;
        this.loader = loader;
        this.challenges = challenges;
        this.sealer = sealer;
        this.clock = clock;
    }

    /** Reloads from the store when its version moved; true when it did. */
    synchronized boolean poll(CertificateStore store) {
        long v = store.version();
        if (v == version) {
            return false;
        }
        challenges.replaceFleet(store.challenges(clock.millis()));
        List<StoredCertificate> all = store.certificates();
        for (StoredCertificate c : all) {
            Long at = loaded.get(c.host());
            if (at == null || at != c.updatedMs()) {
                install(c);
            }
        }
        version = v;
        return true;
    }

    /** Serves one stored certificate now (the one this gateway has just stored). */
    synchronized void install(StoredCertificate stored) {
        try {
            byte[] der = sealer.open(stored.keyData());
            PrivateKey key = privateKey(der);
            ServedCertificate cert = loader.build(stored.host(), ServedCertificate.Source.ACME,
                    PemCodec.certificates(stored.chainPem()), key);
            registry.put(cert);
            loaded.put(stored.host(), stored.updatedMs());
            log.info("ACME certificate for {} served (until {})", stored.host(), cert.notAfter());
        } catch (IOException | RuntimeException e) {
            loaded.put(stored.host(), stored.updatedMs());
            log.error("ACME certificate for {} in the store cannot be served: {}", stored.host(), e.getMessage());
        }
    }

    private static PrivateKey privateKey(byte[] pkcs8) throws IOException {
        for (String alg : new String[] {"EC", "RSA"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (java.security.GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException("unreadable private key");
    }
}
