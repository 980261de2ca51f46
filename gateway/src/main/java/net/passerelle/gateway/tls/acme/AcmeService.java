package net.passerelle.gateway.tls.acme;

import net.passerelle.admin.store.CertificateStore;
import net.passerelle.admin.store.CertificateStore.OrderState;
import net.passerelle.admin.store.CertificateStore.StoredCertificate;
import net.passerelle.admin.store.StoreException;
import net.passerelle.gateway.config.TlsConfig.AcmeConfig;
import net.passerelle.gateway.routing.RoutingTableHolder;
import net.passerelle.gateway.tls.CertificateLoader;
import net.passerelle.gateway.tls.CertificateRegistry;
import net.passerelle.gateway.tls.TlsMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * ACME for one gateway: follows the store ({@link StoredCertificates}, every {@code tls.acme.pollInterval}), renews
 * what is due (two thirds of the lifetime, or asked for by ops) once a minute and whenever the store changes, and
 * orders on demand ({@link #orders()}). Its threads: {@code passerelle-acme} (polling, renewal scans) and
 * {@code passerelle-acme-order} (orders, which block on the ACME server).
 */
public final class AcmeService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AcmeService.class);
    private static final Duration RENEWAL_SCAN = Duration.ofMinutes(1);

    private final AcmeConfig config;
    private final Supplier<CertificateStore> store;
    private final RoutingTableHolder routes;
    private final CertificateRegistry registry;
    private final AcmeChallenges challenges = new AcmeChallenges();
    private final StoredCertificates stored;
    private final AcmeOrders orders;
    private final Clock clock;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(named("passerelle-acme"));
    private final ExecutorService workers = Executors.newFixedThreadPool(4, named("passerelle-acme-order"));
    private Instant nextScan = Instant.MIN;

    public AcmeService(AcmeConfig config, Supplier<CertificateStore> store, RoutingTableHolder routes,
                       CertificateRegistry registry, CertificateLoader loader, TlsMetrics metrics, String gatewayId,
                       Clock clock) {
        this.config = config;
        this.store = store;
        this.routes = routes;
        this.registry = registry;
        this.clock = clock;
        KeySealer sealer = new KeySealer(storeKey(config, System::getenv));
        this.stored = new StoredCertificates(registry, loader, challenges, sealer, clock);
        AcmeClient client = new AcmeClient(config.directory(), config.email(),
                config.caFile() == null ? null : Path.of(config.caFile()), sealer);
        this.orders = new AcmeOrders(config, client, store, routes, stored, challenges, sealer, metrics, gatewayId, clock, workers);
    }

    /**
     * {@code tls.acme.storeKey}, else the environment's {@code PASSERELLE_ACME_STORE_KEY}, as {@code admin.token} falls
     * back to {@code PASSERELLE_ADMIN_TOKEN}: the example configuration names that variable, and an operator who set it
     * but left the key out of the file had the keys stored unencrypted.
     */
    static String storeKey(AcmeConfig config, java.util.function.Function<String, String> env) {
        if (config.storeKey() != null) {
            return config.storeKey();
        }
        String value = env.apply("PASSERELLE_ACME_STORE_KEY");
        return value == null || value.isBlank() ? null : value;
    }

    public AcmeService start() {
        scheduler.execute(this::tick);   // certificates already in the store are served as soon as possible
        scheduler.scheduleWithFixedDelay(this::tick, config.pollInterval().toMillis(), config.pollInterval().toMillis(),
                TimeUnit.MILLISECONDS);
        log.info("ACME on demand through {}", config.directory());
        return this;
    }

    /** The on-demand source of the TLS handshakes. */
    public AcmeOrders orders() {
        return orders;
    }

    /** The HTTP-01 answers, for the plain listener's admission. */
    public AcmeChallenges challenges() {
        return challenges;
    }

    /**
     * Renews {@code host} now, for the whole fleet (the request is stored, so it survives this gateway).
     *
     * @return the renewal, or null when {@code host} is not routed (nothing is ordered for it)
     */
    public CompletableFuture<Void> renew(String host) {
        if (!orders.routed(host)) {
            return null;
        }
        CertificateStore s = store.get();
        if (s == null) {
            throw new StoreException("the store is unreachable");
        }
        s.requestRenewal(host);
        return orders.renew(host);
    }

    private void tick() {
        CertificateStore s = store.get();
        if (s == null) {
            return;
        }
        try {
            boolean changed = stored.poll(s);
            Instant now = clock.instant();
            if (changed || !now.isBefore(nextScan)) {
                nextScan = now.plus(RENEWAL_SCAN);
                scanRenewals(s, now);
            }
        } catch (StoreException e) {
            log.debug("ACME store poll failed: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.error("ACME store poll failed", e);
        }
    }

    private void scanRenewals(CertificateStore s, Instant now) {
        for (StoredCertificate c : s.certificates()) {
            String host = c.host();
            OrderState st = s.orderState(host).orElse(null);
            if (RenewalPolicy.renewNow(c, st, routes.get().route(host) != null, registry.fileNames(host), now)) {
                orders.renew(host).exceptionally(e -> null);
            }
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static java.util.concurrent.ThreadFactory named(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
