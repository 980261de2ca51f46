package net.passerelle.gateway.tls.acme;

import net.passerelle.admin.store.CertificateStore;
import net.passerelle.admin.store.CertificateStore.OrderState;
import net.passerelle.admin.store.CertificateStore.StoredCertificate;
import net.passerelle.admin.store.StoreException;
import net.passerelle.gateway.config.TlsConfig.AcmeConfig;
import net.passerelle.gateway.routing.RoutingTableHolder;
import net.passerelle.gateway.tls.OnDemandCertificates;
import net.passerelle.gateway.tls.PemCodec;
import net.passerelle.gateway.tls.TlsMetrics;
import net.passerelle.gateway.tls.TlsMetrics.OrderOutcome;
import org.shredzone.acme4j.exception.AcmeRateLimitedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Orders certificates through ACME: on demand, when a handshake asks for a routed host that has none, and for
 * renewal. Never for a name the routing table does not route. Fleet-wide through the store: a certificate another
 * gateway has stored is served, not ordered again; a per-host lock lets one gateway order a name at a time, the
 * others wait for its certificate; failures back off fleet-wide (doubling from {@code retryBackoff} to
 * {@code maxBackoff}), and a rate-limited order waits for the time the ACME server gives. Orders run on the
 * {@code passerelle-acme-order} threads, never on an event loop.
 */
public final class AcmeOrders implements OnDemandCertificates {
    private static final Logger log = LoggerFactory.getLogger(AcmeOrders.class);

    private final AcmeConfig config;
    private final AcmeClient client;
    private final Supplier<CertificateStore> store;
    private final RoutingTableHolder routes;
    private final StoredCertificates stored;
    private final AcmeChallenges challenges;
    private final KeySealer sealer;
    private final TlsMetrics metrics;
    private final String gatewayId;
    private final Clock clock;
    private final ExecutorService workers;
    private final Map<String, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();

    AcmeOrders(AcmeConfig config, AcmeClient client, Supplier<CertificateStore> store, RoutingTableHolder routes,
               StoredCertificates stored, AcmeChallenges challenges, KeySealer sealer, TlsMetrics metrics,
               String gatewayId, Clock clock, ExecutorService workers) {
        this.config = config;
        this.client = client;
        this.store = store;
        this.routes = routes;
        this.stored = stored;
        this.challenges = challenges;
        this.sealer = sealer;
        this.metrics = metrics;
        this.gatewayId = gatewayId;
        this.clock = clock;
        this.workers = workers;
    }

    boolean routed(String host) {
        return routes.get().route(host) != null;
    }

    @Override
    public CompletableFuture<Void> obtain(String host) {
        if (!routed(host)) {
            metrics.order(OrderOutcome.REFUSED_UNROUTED);
            return null;
        }
        return start(host, false);
    }

    /** Renews {@code host} now (an ops request, or the renewal scan); the old certificate serves until then. */
    public CompletableFuture<Void> renew(String host) {
        return start(host, true);
    }

    private CompletableFuture<Void> start(String host, boolean renewal) {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> running = inFlight.putIfAbsent(host, mine);
        if (running != null) {
            return running;
        }
        workers.execute(() -> {
            Throwable failure = null;
            try {
                obtainNow(host, renewal);
            } catch (Throwable t) {
                failure = t;
            }
            // Off the map before the future completes: an order asked for by whoever waited on this one starts anew
            // instead of being handed this finished one (as Replayer and MigrationDriver do).
            inFlight.remove(host, mine);
            if (failure == null) {
                mine.complete(null);
            } else {
                mine.completeExceptionally(failure);
            }
        });
        return mine;
    }

    private void obtainNow(String host, boolean renewal) throws Exception {
        CertificateStore s = store.get();
        if (s == null) {
            throw new StoreException("the store is unreachable: no certificate can be ordered for " + host);
        }
        Optional<StoredCertificate> before = s.certificate(host);
        if (!renewal && before.isPresent()) {
            stored.install(before.get());
            return;
        }
        Instant now = clock.instant();
        OrderState state = s.orderState(host).orElse(null);
        if (state != null && state.nextAttemptMs() > now.toEpochMilli()) {
            metrics.order(OrderOutcome.BACKOFF);
            throw new IllegalStateException("ordering " + host + " is backing off until "
                    + Instant.ofEpochMilli(state.nextAttemptMs()) + " after: " + state.lastError());
        }
        if (!s.tryLock(host, gatewayId, now.toEpochMilli(), config.lockTtl().toMillis())) {
            awaitOther(s, host, before.map(StoredCertificate::updatedMs).orElse(-1L));
            return;
        }
        try {
            Optional<StoredCertificate> current = s.certificate(host);
            if (current.isPresent() && current.get().updatedMs() != before.map(StoredCertificate::updatedMs).orElse(-1L)) {
                stored.install(current.get());   // another gateway finished it between our two reads
                return;
            }
            order(s, host, state == null ? 0 : state.failures());
        } finally {
            s.unlock(host, gatewayId);
        }
    }

    private void order(CertificateStore s, String host, int failuresBefore) throws Exception {
        Instant started = clock.instant();
        log.info("ACME: ordering a certificate for {}", host);
        try {
            AcmeClient.Issued issued = client.order(s, host, publisher(s), started.plus(config.orderTimeout()));
            StoredCertificate cert = new StoredCertificate(host, PemCodec.toPem(issued.chain()),
                    sealer.seal(issued.key().getEncoded()), issued.chain().get(0).getIssuerX500Principal().getName(),
                    issued.chain().get(0).getNotBefore().getTime(), issued.chain().get(0).getNotAfter().getTime(),
                    clock.millis());
            s.putCertificate(cert);
            stored.install(cert);
            metrics.order(OrderOutcome.OK);
            log.info("ACME: certificate for {} issued in {} ms", host, Duration.between(started, clock.instant()).toMillis());
        } catch (AcmeRateLimitedException e) {
            metrics.order(OrderOutcome.RATE_LIMITED);
            Instant retry = e.getRetryAfter().orElse(clock.instant().plus(RenewalPolicy.backoff(failuresBefore + 1,
                    config.retryBackoff(), config.maxBackoff())));
            log.warn("ACME: rate limited ordering {}, next attempt at {}: {}", host, retry, e.getMessage());
            s.recordFailure(host, "rate limited: " + e.getMessage(), retry.toEpochMilli());
            throw e;
        } catch (Exception e) {
            metrics.order(OrderOutcome.FAILED);
            Duration pause = RenewalPolicy.backoff(failuresBefore + 1, config.retryBackoff(), config.maxBackoff());
            log.warn("ACME: order for {} failed, next attempt in {}: {}", host, pause, e.toString());
            s.recordFailure(host, e.toString(), clock.instant().plus(pause).toEpochMilli());
            throw e;
        }
    }

    /** Another gateway holds the lock: serve its certificate once it is stored, up to the order timeout. */
    private void awaitOther(CertificateStore s, String host, long previous) throws Exception {
        Instant deadline = clock.instant().plus(config.orderTimeout());
        while (clock.instant().isBefore(deadline)) {
            Thread.sleep(config.pollInterval().toMillis());
            Optional<StoredCertificate> c = s.certificate(host);
            if (c.isPresent() && c.get().updatedMs() != previous) {
                stored.install(c.get());
                return;
            }
            OrderState st = s.orderState(host).orElse(null);
            if (st != null && st.holder() == null && st.nextAttemptMs() > clock.millis()) {
                throw new IllegalStateException("the gateway ordering " + host + " failed: " + st.lastError());
            }
        }
        metrics.order(OrderOutcome.TIMEOUT);
        throw new TimeoutException("another gateway is ordering " + host + " and did not finish in " + config.orderTimeout());
    }

    private AcmeClient.ChallengePublisher publisher(CertificateStore s) {
        return new AcmeClient.ChallengePublisher() {
            @Override
            public void publish(String host, String token, String keyAuthorization) throws InterruptedException {
                CertificateStore.Challenge c = new CertificateStore.Challenge(token, host, keyAuthorization,
                        clock.instant().plus(config.orderTimeout()).toEpochMilli());
                challenges.publish(c);
                s.putChallenge(c);
                // The ACME server may reach any gateway of the fleet: give them two polls to learn the answer.
                Thread.sleep(2 * config.pollInterval().toMillis());
            }

            @Override
            public void withdraw(String token) {
                challenges.withdraw(token);
                try {
                    s.removeChallenge(token, clock.millis());
                } catch (StoreException e) {
                    log.debug("challenge {} not removed from the store (it expires): {}", token, e.getMessage());
                }
            }
        };
    }
}
