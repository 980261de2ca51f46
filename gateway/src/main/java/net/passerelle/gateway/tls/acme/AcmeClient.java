package net.passerelle.gateway.tls.acme;

import net.passerelle.admin.store.CertificateStore;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.connector.HttpConnector;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.provider.GenericAcmeProvider;
import org.shredzone.acme4j.util.KeyPairUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One ACME (RFC 8555) conversation per call, through acme4j: the account (shared by the fleet through the store),
 * and orders of one name validated by HTTP-01. Blocking; runs on the ACME threads only.
 */
final class AcmeClient {
    private static final Logger log = LoggerFactory.getLogger(AcmeClient.class);

    static {
        // acme4j makes its keys and CSRs with Bouncy Castle's provider, by name; last in the list, so the JDK's
        // own providers still serve everything else.
        if (java.security.Security.getProvider("BC") == null) {
            java.security.Security.addProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider());
        }
    }

    /** What an order gives: the chain (leaf first) and the key it was issued for. */
    record Issued(List<X509Certificate> chain, PrivateKey key) {
    }

    /** Where an order's HTTP-01 answer is published while it is validated. */
    interface ChallengePublisher {
        void publish(String host, String token, String keyAuthorization) throws InterruptedException;

        void withdraw(String token);
    }

    private final String directory;
    private final String email;
    private final KeySealer sealer;
    private final Session session;
    private volatile Login login;

    AcmeClient(String directory, String email, Path caFile, KeySealer sealer) {
        this.directory = directory;
        this.email = email;
        this.sealer = sealer;
        SSLContext trust = caFile == null ? null : trust(caFile);
        this.session = trust == null ? new Session(URI.create(directory)) : new Session(URI.create(directory), new GenericAcmeProvider() {
            @Override
            protected HttpConnector createHttpConnector(NetworkSettings settings) {
                return new HttpConnector(settings) {
                    @Override
                    public HttpClient.Builder createClientBuilder() {
                        return super.createClientBuilder().sslContext(trust);
                    }
                };
            }
        });
    }

    /** The JDK's trusted roots plus the certificates of {@code caFile}. */
    private static SSLContext trust(Path caFile) {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            defaults.init((KeyStore) null);
            int n = 0;
            for (javax.net.ssl.TrustManager tm : defaults.getTrustManagers()) {
                if (tm instanceof javax.net.ssl.X509TrustManager x) {
                    for (X509Certificate c : x.getAcceptedIssuers()) {
                        ks.setCertificateEntry("jdk-" + n++, c);
                    }
                }
            }
            for (X509Certificate c : net.passerelle.gateway.tls.PemCodec.certificates(Files.readString(caFile, StandardCharsets.US_ASCII))) {
                ks.setCertificateEntry("ca-" + n++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("tls.acme.caFile " + caFile + ": " + e.getMessage(), e);
        }
    }

    /** The fleet's account: read from the store, or registered now and stored (the first gateway to store wins). */
    private Login login(CertificateStore store) throws AcmeException, IOException {
        Login l = login;
        if (l != null) {
            return l;
        }
        CertificateStore.Account account = store.account(directory).orElse(null);
        if (account == null || account.accountUrl() == null) {
            KeyPair kp = KeyPairUtils.createECKeyPair("secp256r1");
            AccountBuilder builder = new AccountBuilder().agreeToTermsOfService().useKeyPair(kp);
            if (email != null) {
                builder.addEmail(email);
            }
            URL url = builder.create(session).getLocation();
            account = store.putAccountIfAbsent(new CertificateStore.Account(directory, url.toString(), sealer.seal(pem(kp))));
            log.info("ACME account {} at {}", account.accountUrl(), directory);
        }
        KeyPair kp = KeyPairUtils.readKeyPair(new StringReader(new String(sealer.open(account.keyData()), StandardCharsets.US_ASCII)));
        l = session.login(URI.create(account.accountUrl()).toURL(), kp);
        login = l;
        return l;
    }

    /** Orders a certificate for {@code host} alone and waits for it, at most until {@code deadline}. */
    Issued order(CertificateStore store, String host, ChallengePublisher publisher, Instant deadline)
            throws AcmeException, IOException, InterruptedException {
        Order order = login(store).getAccount().newOrder().domain(host).create();
        for (Authorization auth : order.getAuthorizations()) {
            if (auth.getStatus() == Status.VALID) {
                continue;
            }
            Http01Challenge challenge = auth.findChallenge(Http01Challenge.class)
                    .orElseThrow(() -> new AcmeException("the ACME server offers no http-01 challenge for " + host));
            publisher.publish(host, challenge.getToken(), challenge.getAuthorization());
            try {
                challenge.trigger();
                Status s = challenge.waitForCompletion(remaining(deadline));
                if (s != Status.VALID) {
                    throw new AcmeException("http-01 validation of " + host + " ended " + s
                            + challenge.getError().map(p -> ": " + p).orElse(""));
                }
            } finally {
                publisher.withdraw(challenge.getToken());
            }
        }
        KeyPair domainKey = KeyPairUtils.createECKeyPair("secp256r1");
        order.execute(domainKey);
        Status s = order.waitForCompletion(remaining(deadline));
        if (s != Status.VALID) {
            throw new AcmeException("the order for " + host + " ended " + s + order.getError().map(p -> ": " + p).orElse(""));
        }
        return new Issued(order.getCertificate().getCertificateChain(), domainKey.getPrivate());
    }

    private static Duration remaining(Instant deadline) {
        Duration d = Duration.between(Instant.now(), deadline);
        return d.isNegative() ? Duration.ofMillis(1) : d;
    }

    private static byte[] pem(KeyPair kp) throws IOException {
        StringWriter w = new StringWriter();
        KeyPairUtils.writeKeyPair(kp, w);
        return w.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
