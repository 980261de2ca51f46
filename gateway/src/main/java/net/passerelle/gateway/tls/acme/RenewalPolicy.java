package net.passerelle.gateway.tls.acme;

import net.passerelle.admin.store.CertificateStore.OrderState;
import net.passerelle.admin.store.CertificateStore.StoredCertificate;

import java.time.Duration;
import java.time.Instant;

/** When to renew, and how long to wait after failures: pure arithmetic. */
final class RenewalPolicy {
    private RenewalPolicy() {
    }

    /**
     * Whether the renewal scan orders {@code c}'s host again now: asked for by ops or {@link #due}, unless the host is
     * no longer routed (its certificate is left to expire), a file of {@code tls.certificates.dir} names it (an order
     * would never be served, and the scan would renew it for ever, spending the CA's rate limits), an attempt is
     * backing off, or another gateway holds the order.
     */
    static boolean renewNow(StoredCertificate c, OrderState st, boolean routed, boolean fileServesHost, Instant now) {
        if (!routed || fileServesHost) {
            return false;
        }
        boolean asked = st != null && st.renewRequested();
        boolean due = due(Instant.ofEpochMilli(c.notBeforeMs()), Instant.ofEpochMilli(c.notAfterMs()), now);
        boolean waiting = st != null && st.nextAttemptMs() > now.toEpochMilli();
        boolean heldElsewhere = st != null && st.holder() != null && st.lockExpiresMs() > now.toEpochMilli();
        return (asked || due) && !waiting && !heldElsewhere;
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
