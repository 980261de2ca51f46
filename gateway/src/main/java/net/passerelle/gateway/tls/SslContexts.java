package net.passerelle.gateway.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * Builds the server {@link SslContext} of one certificate: TLS 1.2 and 1.3 only, Mozilla's "intermediate" cipher
 * list (forward secrecy and AEAD only), a session cache and tickets for resumption, ALPN with the given protocols.
 *
 * <p>With OpenSSL the contexts are {@link io.netty.handler.ssl.ReferenceCountedOpenSslContext}s: their owner
 * releases them ({@link io.netty.util.ReferenceCountUtil#release}); each engine made from one holds its own
 * reference, so a context released while connections still use it lives until they close.
 */
public final class SslContexts {
    private static final Logger log = LoggerFactory.getLogger(SslContexts.class);

    /** TLS 1.3 suites, then Mozilla "intermediate" (v5.7) TLS 1.2 suites, in IANA names. */
    public static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final SslProvider provider;
    private final List<String> alpn;
    private final long sessionCacheSize;
    private final long sessionTimeoutSeconds;

    /**
     * @param preference {@code auto}, {@code openssl} or {@code jdk}
     * @param alpn       protocols advertised by ALPN, preferred first ({@code http/1.1}; {@code h2} once HTTP/2 is on)
     */
    public SslContexts(String preference, List<String> alpn, int sessionCacheSize, Duration sessionTimeout) {
        this.provider = select(preference);
        this.alpn = List.copyOf(alpn);
        this.sessionCacheSize = sessionCacheSize;
        this.sessionTimeoutSeconds = sessionTimeout.toSeconds();
    }

    static SslProvider select(String preference) {
        boolean openssl = OpenSsl.isAvailable();
        return switch (preference) {
            case "jdk" -> SslProvider.JDK;
            case "openssl" -> {
                if (!openssl) {
                    throw new IllegalStateException("tls.provider is openssl but it does not load: " + OpenSsl.unavailabilityCause());
                }
                yield SslProvider.OPENSSL_REFCNT;
            }
            default -> {
                if (!openssl) {
                    log.warn("OpenSSL (netty-tcnative) unavailable, TLS runs on the JDK's provider: {}",
                            String.valueOf(OpenSsl.unavailabilityCause()));
                }
                yield openssl ? SslProvider.OPENSSL_REFCNT : SslProvider.JDK;
            }
        };
    }

    public String providerName() {
        return provider == SslProvider.JDK ? "jdk" : "openssl (" + OpenSsl.versionString() + ")";
    }

    /** A new context for this key and chain; the caller owns it and releases it. */
    public SslContext build(PrivateKey key, List<X509Certificate> chain) throws SSLException {
        SslContextBuilder b = SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))
                .sslProvider(provider)
                .protocols(PROTOCOLS)
                .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .clientAuth(ClientAuth.NONE)
                .sessionCacheSize(sessionCacheSize)
                .sessionTimeout(sessionTimeoutSeconds);
        if (!alpn.isEmpty()) {
            b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
        }
        return b.build();
    }
}
