package net.passerelle.gateway.tls;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * PEM in and out: certificate chains, and private keys in the usual forms ({@code PRIVATE KEY} PKCS#8,
 * {@code RSA PRIVATE KEY} PKCS#1, {@code EC PRIVATE KEY} SEC 1), through Bouncy Castle's parser. Encrypted keys are
 * refused: the gateway starts unattended.
 */
public final class PemCodec {
    private static final JcaX509CertificateConverter CERTS = new JcaX509CertificateConverter();

    private PemCodec() {
    }

    /** Every certificate of a PEM text, in order (leaf first, by convention). */
    public static List<X509Certificate> certificates(String pem) throws IOException {
        List<X509Certificate> chain = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (!(o instanceof X509CertificateHolder holder)) {
                    throw new IOException("unexpected " + o.getClass().getSimpleName() + " among the certificates");
                }
                chain.add(CERTS.getCertificate(holder));
            }
        } catch (CertificateException e) {
            throw new IOException("bad certificate: " + e.getMessage(), e);
        }
        if (chain.isEmpty()) {
            throw new IOException("no certificate in it");
        }
        return chain;
    }

    /** The one private key of a PEM text. */
    public static PrivateKey privateKey(String pem) throws IOException {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof PrivateKeyInfo info) {
                    return pkcs8(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    // SEC 1 keys may come without their public half: the private part is all a server needs.
                    return jdk(BouncyCastleKeys.CONVERTER.getPrivateKey(pair.getPrivateKeyInfo()));
                }
                if (!(o instanceof org.bouncycastle.asn1.x9.X9ECParameters)) {
                    throw new IOException("not an unencrypted private key (" + o.getClass().getSimpleName() + ")");
                }
            }
        }
        throw new IOException("no private key in it");
    }

    /** A PKCS#8 key as the JDK reads it; Bouncy Castle only for what the JDK refuses (explicit curve parameters). */
    private static PrivateKey pkcs8(PrivateKeyInfo info) throws IOException {
        String algorithm = switch (info.getPrivateKeyAlgorithm().getAlgorithm().getId()) {
            case "1.2.840.113549.1.1.1" -> "RSA";
            case "1.2.840.10045.2.1" -> "EC";
            default -> null;
        };
        if (algorithm != null) {
            try {
                return java.security.KeyFactory.getInstance(algorithm)
                        .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(info.getEncoded()));
            } catch (java.security.GeneralSecurityException e) {
                // an encoding the JDK does not take: Bouncy Castle's reading, re-encoded, below
            }
        }
        return jdk(BouncyCastleKeys.CONVERTER.getPrivateKey(info));
    }

    /**
     * Bouncy Castle's provider, made on first use only: it reads SEC 1 keys whose curve is named only inside the key
     * (the result is re-encoded as PKCS#8 and read back by the JDK, which every TLS engine accepts), but registering
     * it loads some 500 classes that stay in the gateway's memory, for keys most deployments never have.
     */
    private static final class BouncyCastleKeys {
        static final JcaPEMKeyConverter CONVERTER = new JcaPEMKeyConverter()
                .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider());
    }

    private static PrivateKey jdk(PrivateKey key) throws IOException {
        try {
            return java.security.KeyFactory.getInstance(key.getAlgorithm().equals("ECDSA") ? "EC" : key.getAlgorithm())
                    .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(key.getEncoded()));
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("unsupported private key: " + e.getMessage(), e);
        }
    }

    /** Refuses a key that does not belong to the certificate (a pair half-replaced, or mixed up). */
    public static void requireMatch(PrivateKey key, X509Certificate leaf) throws IOException {
        PublicKey pub = leaf.getPublicKey();
        if (!pub.getAlgorithm().equals(key.getAlgorithm())) {
            throw new IOException("the key does not match the certificate (" + key.getAlgorithm() + " key, "
                    + pub.getAlgorithm() + " certificate)");
        }
        if (key instanceof RSAPrivateCrtKey rsa && pub instanceof RSAPublicKey rpub) {
            if (rsa.getModulus().equals(rpub.getModulus()) && rsa.getPublicExponent().equals(rpub.getPublicExponent())) {
                return;
            }
            throw new IOException("the key does not match the certificate");
        }
        try {
            String alg = pub instanceof ECPublicKey ? "SHA256withECDSA" : pub.getAlgorithm().equals("RSA") ? "SHA256withRSA"
                    : pub.getAlgorithm();
            byte[] probe = new BigInteger(64, new java.security.SecureRandom()).toByteArray();
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(pub);
            v.update(probe);
            if (v.verify(sig)) {
                return;
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("the key does not match the certificate: " + e.getMessage(), e);
        }
        throw new IOException("the key does not match the certificate");
    }

    public static String toPem(List<X509Certificate> chain) {
        StringBuilder sb = new StringBuilder();
        try {
            for (X509Certificate c : chain) {
                sb.append(block("CERTIFICATE", c.getEncoded()));
            }
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalArgumentException(e);
        }
        return sb.toString();
    }

    public static String toPem(PrivateKey key) {
        return block("PRIVATE KEY", key.getEncoded());
    }

    private static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
