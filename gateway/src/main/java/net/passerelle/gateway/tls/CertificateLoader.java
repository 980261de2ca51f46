package net.passerelle.gateway.tls;

import io.netty.handler.ssl.SslContext;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** Turns a chain and a key into a {@link ServedCertificate}, refusing what could not be served. */
public final class CertificateLoader {
    private final SslContexts contexts;

    public CertificateLoader(SslContexts contexts) {
        this.contexts = contexts;
    }

    /** Loads {@code NAME.crt} + {@code NAME.key}; the message of the exception names the file at fault. */
    public ServedCertificate fromFiles(String name, Path crt, Path key) throws IOException {
        List<X509Certificate> chain;
        try {
            chain = PemCodec.certificates(Files.readString(crt, StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            throw new IOException(crt + ": " + e.getMessage(), e);
        }
        PrivateKey pk;
        try {
            pk = PemCodec.privateKey(Files.readString(key, StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            throw new IOException(key + ": " + e.getMessage(), e);
        }
        try {
            return build(name, ServedCertificate.Source.FILE, chain, pk);
        } catch (IOException e) {
            throw new IOException(crt + " + " + key + ": " + e.getMessage(), e);
        }
    }

    /** A certificate from a chain and its key (checked to belong together, and to name at least one host). */
    public ServedCertificate build(String id, ServedCertificate.Source source, List<X509Certificate> chain, PrivateKey key)
            throws IOException {
        X509Certificate leaf = chain.get(0);
        PemCodec.requireMatch(key, leaf);
        CertificateNames names = CertificateNames.of(leaf);
        if (names.names().isEmpty()) {
            throw new IOException("the certificate has no DNS subject alternative name, so it serves no host");
        }
        SslContext context;
        try {
            context = contexts.build(key, chain);
        } catch (javax.net.ssl.SSLException | RuntimeException e) {
            throw new IOException("refused by the TLS engine: " + e.getMessage(), e);
        }
        return new ServedCertificate(id, source, names, chain, context);
    }
}
