package net.passerelle.gateway.tls.acme;

import java.time.Duration;
import java.time.Instant;

/** When to renew, and how long to wait after failures: pure arithmetic. */
final class RenewalPolicy {
    private RenewalPolicy() {
    }

    /** Renewal starts once two thirds of the certificate's lifetime have passed (30 days before the end of 90). */
    static boolean due(Instant notBefore, Instant notAfter, Instant now) {
        Duration life = Duration.between(notBefore, notAfter);
        return !now.isBefore(notBefore.plus(life.multipliedBy(2).dividedBy(3)));
    }

    /** {@code base} doubled per failure after the first, at most {@code max}. */
    static Duration backoff(int failures, Duration base, Duration max) {
        if (failures <= 1) {
            return base.compareTo(max) < 0 ? base : max;
        }
        Duration d = base;
        for (int i = 1; i < failures && d.compareTo(max) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(max) < 0 ? d : max;
    }
}
