package net.passerelle.gateway.tls;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;

/** A TLS client for tests: chooses the SNI name (or none), shows the certificate served, speaks HTTP/1.1 keep-alive. */
final class TlsClient implements AutoCloseable {
    record Response(int status, String head, String body) {
    }

    private final SSLSocket socket;

    /**
     * Connects and completes the handshake; {@code sni} null sends no server name. Each client has its own context,
     * so no session is resumed across clients (the JDK resumes by address and would resend the old name).
     */
    TlsClient(net.passerelle.gateway.testing.TestPki pki, InetSocketAddress address, String sni) throws IOException {
        this(pki.clientContext(), address, sni);
    }

    TlsClient(SSLContext context, InetSocketAddress address, String sni) throws IOException {
        socket = (SSLSocket) context.getSocketFactory().createSocket();
        socket.connect(address, 5000);
        socket.setSoTimeout(15000);
        SSLParameters p = socket.getSSLParameters();
        p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
        p.setApplicationProtocols(new String[] {"http/1.1"});
        socket.setSSLParameters(p);
        socket.startHandshake();
    }

    X509Certificate served() throws IOException {
        return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }

    SSLSocket socket() {
        return socket;
    }

    String protocol() {
        return socket.getSession().getProtocol();
    }

    Response get(String host, String path) throws IOException {
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the response head: " + head);
            }
            head.write(b);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        return new Response(Integer.parseInt(h.substring(9, 12)), h, new String(body, StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
