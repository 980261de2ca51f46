package net.passerelle.gateway.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.ReferenceCountUtil;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * One certificate the gateway serves, with its ready {@link SslContext}.
 *
 * @param id     where it comes from: the pair's NAME in the directory, or the host it was ordered for
 * @param source {@link Source#FILE} or {@link Source#ACME}
 * @param names  the names it covers
 * @param chain  leaf first
 */
public record ServedCertificate(String id, Source source, CertificateNames names, List<X509Certificate> chain,
                                SslContext context) {

    public enum Source {
        FILE, ACME;

        public String label() {
            return this == FILE ? "file" : "acme";
        }
    }

    public ServedCertificate {
        chain = List.copyOf(chain);
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    public Instant notBefore() {
        return leaf().getNotBefore().toInstant();
    }

    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    public String issuer() {
        return leaf().getIssuerX500Principal().getName();
    }

    /** Takes a reference on the context for one connection; false when it has been released meanwhile. */
    boolean tryRetain() {
        try {
            ReferenceCountUtil.retain(context);
            return true;
        } catch (IllegalReferenceCountException e) {
            return false;
        }
    }

    /** Gives back the owner's reference (or one taken by {@link #tryRetain()}). */
    void release() {
        ReferenceCountUtil.release(context);
    }
}
