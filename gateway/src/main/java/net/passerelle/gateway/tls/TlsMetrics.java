package net.passerelle.gateway.tls;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The TLS meters (Prometheus spelling; no host name in any label, every label from a closed set):
 * <ul>
 *   <li>{@value #HANDSHAKES}{@code _total}, tag {@code outcome} ({@link HandshakeOutcome}).</li>
 *   <li>{@value #CERTIFICATES}, tags {@code source} ({@code file}, {@code acme}) and {@code days_left}
 *       ({@code expired}, {@code lt7}, {@code lt30}, {@code ge30}): certificates served, by how long they have left.</li>
 *   <li>{@value #RELOADS}{@code _total}, tag {@code outcome} ({@code loaded}, {@code refused}): pairs read from the
 *       certificate directory.</li>
 *   <li>{@value #ORDERS}{@code _total}, tag {@code outcome} ({@link OrderOutcome}): ACME orders.</li>
 * </ul>
 */
public final class TlsMetrics {
    public static final String HANDSHAKES = "passerelle.tls.handshakes";
    public static final String CERTIFICATES = "passerelle.tls.certificates";
    public static final String RELOADS = "passerelle.tls.certificate.reloads";
    public static final String ORDERS = "passerelle.tls.acme.orders";
    static final List<String> BUCKETS = List.of("expired", "lt7", "lt30", "ge30");

    /** How an ACME order ended. */
    public enum OrderOutcome {
        OK, FAILED, RATE_LIMITED, TIMEOUT, REFUSED_UNROUTED, BACKOFF;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Map<HandshakeOutcome, Counter> handshakes = new EnumMap<>(HandshakeOutcome.class);
    private final Map<OrderOutcome, Counter> orders = new EnumMap<>(OrderOutcome.class);
    private final Counter loaded;
    private final Counter refused;
    private final CertificateRegistry registry;
    private final Clock clock;

    public TlsMetrics(MeterRegistry meters, CertificateRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        for (HandshakeOutcome o : HandshakeOutcome.values()) {
            handshakes.put(o, Counter.builder(HANDSHAKES).description("TLS handshakes by outcome")
                    .tag("outcome", o.label()).register(meters));
        }
        for (OrderOutcome o : OrderOutcome.values()) {
            orders.put(o, Counter.builder(ORDERS).description("ACME certificate orders by outcome")
                    .tag("outcome", o.label()).register(meters));
        }
        loaded = Counter.builder(RELOADS).description("certificate pairs read from the directory").tag("outcome", "loaded")
                .register(meters);
        refused = Counter.builder(RELOADS).description("certificate pairs read from the directory").tag("outcome", "refused")
                .register(meters);
        for (ServedCertificate.Source s : ServedCertificate.Source.values()) {
            for (String b : BUCKETS) {
                String key = s.label() + "/" + b;
                Gauge.builder(CERTIFICATES, this, m -> m.count(key)).description("certificates served, by days left")
                        .tag("source", s.label()).tag("days_left", b).register(meters);
            }
        }
    }

    public void handshake(HandshakeOutcome outcome) {
        handshakes.get(outcome).increment();
    }

    public double handshakes(HandshakeOutcome outcome) {
        return handshakes.get(outcome).count();
    }

    public void order(OrderOutcome outcome) {
        orders.get(outcome).increment();
    }

    public double orders(OrderOutcome outcome) {
        return orders.get(outcome).count();
    }

    public void reloaded(CertificateDirectory.Reload reload) {
        (reload.loaded() ? loaded : refused).increment();
    }

    private double count(String key) {
        Instant now = clock.instant();
        return registry.all().stream().filter(c -> key.equals(c.source().label() + "/" + bucket(c.notAfter(), now))).count();
    }

    static String bucket(Instant notAfter, Instant now) {
        long days = Duration.between(now, notAfter).toDays();
        if (!notAfter.isAfter(now)) {
            return "expired";
        }
        return days < 7 ? "lt7" : days < 30 ? "lt30" : "ge30";
    }
}
