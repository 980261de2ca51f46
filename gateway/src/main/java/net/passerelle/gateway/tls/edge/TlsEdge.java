package net.passerelle.gateway.tls.edge;

import io.micrometer.core.instrument.MeterRegistry;
import net.passerelle.admin.store.CertificateStore;
import net.passerelle.gateway.config.TlsConfig;
import net.passerelle.gateway.routing.RoutingTableHolder;
import net.passerelle.gateway.server.SecureTransport;
import net.passerelle.gateway.tls.CertificateDirectory;
import net.passerelle.gateway.tls.CertificateLoader;
import net.passerelle.gateway.tls.CertificateRegistry;
import net.passerelle.gateway.tls.HttpsRedirect;
import net.passerelle.gateway.tls.OnDemandCertificates;
import net.passerelle.gateway.tls.SslContexts;
import net.passerelle.gateway.tls.TlsHandshakes;
import net.passerelle.gateway.tls.TlsMetrics;
import net.passerelle.gateway.tls.acme.AcmeChallenges;
import net.passerelle.gateway.tls.acme.AcmeService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * TLS at the edge, assembled from {@code tls:}: the certificate registry fed by the watched directory and (when
 * {@code tls.acme.directory} is set) by ACME through the store; the handshake step of the TLS listeners; the
 * entry points of the plain listener's admission ({@link #redirect}, {@link #challenges()}); the meters.
 */
public final class TlsEdge implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TlsEdge.class);

    private final TlsConfig config;
    private final CertificateRegistry registry;
    private final TlsMetrics metrics;
    private final CertificateDirectory directory;
    private final AcmeService acme;
    private final SecureTransport handshakes;
    private final List<CertificateDirectory.Listener> reloadListeners = new CopyOnWriteArrayList<>();

    private TlsEdge(TlsConfig config, CertificateRegistry registry, TlsMetrics metrics, CertificateDirectory directory,
                    AcmeService acme, SecureTransport handshakes) {
        this.config = config;
        this.registry = registry;
        this.metrics = metrics;
        this.directory = directory;
        this.acme = acme;
        this.handshakes = handshakes;
    }

    /**
     * @param alpn      the protocols ALPN advertises, preferred first ({@code http/1.1}; {@code h2} first once
     *                  HTTP/2 is on)
     * @param store     the certificate store, or null while the store is unreachable
     * @param gatewayId this gateway's name in the fleet (the holder of its ACME locks)
     */
    public static TlsEdge start(TlsConfig config, List<String> alpn, RoutingTableHolder routes,
                                Supplier<CertificateStore> store, MeterRegistry meters, String gatewayId, Clock clock)
            throws IOException {
        SslContexts contexts = new SslContexts(config.provider(), alpn, config.sessionCacheSize(), config.sessionTimeout());
        CertificateRegistry registry = new CertificateRegistry(config.defaultCertificate());
        TlsMetrics metrics = new TlsMetrics(meters, registry, clock);
        CertificateLoader loader = new CertificateLoader(contexts);
        List<CertificateDirectory.Listener> listeners = new CopyOnWriteArrayList<>();
        listeners.add(metrics::reloaded);
        CertificateDirectory directory = new CertificateDirectory(Path.of(config.certificates().dir()), loader, registry,
                r -> listeners.forEach(l -> l.reloaded(r)));
        AcmeService acme = null;
        try {
            directory.start(config.certificates().watch());
            if (config.acme().enabled()) {
                acme = new AcmeService(config.acme(), store, routes, registry, loader, metrics, gatewayId, clock).start();
            }
        } catch (IOException | RuntimeException e) {
            directory.close();
            registry.close();
            throw e;
        }
        OnDemandCertificates onDemand = acme == null ? OnDemandCertificates.NONE : acme.orders();
        SecureTransport handshakes = new TlsHandshakes(registry, onDemand, metrics, config.handshakeTimeout(),
                config.acme().handshakeWait());
        log.info("TLS on {} with {}: {} certificate(s) from {}{}", config.listeners(), contexts.providerName(),
                registry.all().size(), config.certificates().dir(), acme == null ? "" : ", ACME on demand");
        warnIfTheDefaultServesNothing(config, registry);
        TlsEdge edge = new TlsEdge(config, registry, metrics, directory, acme, handshakes);
        listeners.add(r -> edge.reloadListeners.forEach(l -> l.reloaded(r)));
        return edge;
    }

    /**
     * A {@code tls.defaultCertificate} that names nothing refuses every handshake without SNI (old clients, health
     * checks by IP address) with {@code unrecognized_name}, exactly as an empty one does: without this line a typo in
     * it looks like a working setting.
     */
    private static void warnIfTheDefaultServesNothing(TlsConfig config, CertificateRegistry registry) {
        String name = config.defaultCertificate();
        if (name != null && !registry.servesWithoutSni()) {
            log.warn("tls.defaultCertificate '{}' names no certificate served now (no pair {}.crt + {}.key in {}, none"
                    + " for a host of that name): handshakes without SNI are refused until one is", name, name, name,
                    config.certificates().dir());
        }
    }

    /** The step the TLS listeners add after the connection limiter. */
    public SecureTransport handshakes() {
        return handshakes;
    }

    public CertificateRegistry registry() {
        return registry;
    }

    public TlsMetrics metrics() {
        return metrics;
    }

    /** ACME, or null when {@code tls.acme.directory} is not set. */
    public AcmeService acme() {
        return acme;
    }

    /** The HTTP-01 answers (none without ACME). */
    public AcmeChallenges challenges() {
        return acme == null ? NO_CHALLENGES : acme.challenges();
    }

    private static final AcmeChallenges NO_CHALLENGES = new AcmeChallenges();

    /** The {@code tls.redirectHttp} decision, given the TLS listeners' bound port. */
    public HttpsRedirect redirect(IntSupplier tlsPort) {
        return new HttpsRedirect(config.redirectHttp(), registry, tlsPort);
    }

    /** Told of every pair the directory loads or refuses, after the registry changed (tests, logs). */
    public void onReload(CertificateDirectory.Listener listener) {
        reloadListeners.add(listener);
    }

    @Override
    public void close() {
        if (acme != null) {
            acme.close();
        }
        directory.close();
        registry.close();
    }
}
