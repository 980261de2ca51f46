package net.passerelle.gateway.testing;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/** A test certificate authority (Bouncy Castle): leaf certificates for given DNS names, written as PEM pairs. */
public final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A leaf (with the CA after it in the chain) and its key. */
    public record Issued(X509Certificate leaf, X509Certificate ca, KeyPair keys) {
        public BigInteger serial() {
            return leaf.getSerialNumber();
        }
    }

    /** How the private key is written. */
    public enum KeyForm { PKCS8, PKCS1_OR_SEC1 }

    private final KeyPair caKeys;
    private final X509Certificate ca;

    public TestPki() {
        try {
            caKeys = rsa();
            ca = sign(new X500Name("CN=Passerelle Test CA"), caKeys, caKeys, new X500Name("CN=Passerelle Test CA"),
                    Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(365)), true);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public X509Certificate ca() {
        return ca;
    }

    public Issued issue(String... names) {
        return issue(false, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(90)), names);
    }

    public Issued issue(boolean ec, Instant notBefore, Instant notAfter, String... names) {
        try {
            KeyPair keys = ec ? ec() : rsa();
            X509Certificate leaf = sign(new X500Name("CN=" + (names.length == 0 ? "nameless" : names[0].replace("*", "star"))),
                    keys, caKeys, new X500Name("CN=Passerelle Test CA"), notBefore, notAfter, false, names);
            return new Issued(leaf, ca, keys);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code dir/NAME.crt} (leaf, then CA) and {@code dir/NAME.key} (mode 600), each by an atomic move. */
    public static void write(Path dir, String name, Issued issued, KeyForm form) throws IOException {
        atomicWrite(dir.resolve(name + ".crt"), pem(issued.leaf()) + pem(issued.ca()));
        String key = form == KeyForm.PKCS8 ? pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(
                issued.keys().getPrivate(), null).generate()) : traditional(issued.keys());
        atomicWrite(dir.resolve(name + ".key"), key);
        Files.setPosixFilePermissions(dir.resolve(name + ".key"), PosixFilePermissions.fromString("rw-------"));
    }

    /** PKCS#1 for RSA; SEC 1 with its named curve for EC, as {@code openssl ecparam -genkey} writes it. */
    public static String traditional(KeyPair keys) throws IOException {
        if (!keys.getPrivate().getAlgorithm().equals("EC")) {
            return pem(keys);
        }
        org.bouncycastle.asn1.pkcs.PrivateKeyInfo info = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
        org.bouncycastle.asn1.sec.ECPrivateKey inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
        org.bouncycastle.asn1.sec.ECPrivateKey full = new org.bouncycastle.asn1.sec.ECPrivateKey(256, inner.getKey(),
                info.getPrivateKeyAlgorithm().getParameters());
        return pem(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", full.getEncoded()));
    }

    public static void atomicWrite(Path file, String text) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), ".tmp", ".part");
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    public static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(o);
        }
        return w.toString();
    }

    /** A client context that trusts this CA only. */
    public SSLContext clientContext() {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            ks.setCertificateEntry("ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, tmf.getTrustManagers(), null);
            return c;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static KeyPair ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, KeyPair issuerKeys, X500Name issuer,
                                        Instant notBefore, Instant notAfter, boolean isCa, String... names) throws Exception {
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(notBefore), Date.from(notAfter), subject, subjectKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (names.length > 0) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(Arrays.stream(names)
                    .map(n -> new GeneralName(Character.isDigit(n.charAt(0)) ? GeneralName.iPAddress : GeneralName.dNSName, n))
                    .toArray(GeneralName[]::new)));
        }
        String alg = issuerKeys.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(issuerKeys.getPrivate())));
    }
}
