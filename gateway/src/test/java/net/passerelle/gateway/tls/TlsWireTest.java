package net.passerelle.gateway.tls;

import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.gateway.testing.Tables;
import net.passerelle.gateway.testing.TestPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What another TLS stack sees on the wire ({@code openssl s_client}): the {@code unrecognized_name} alert, no
 * protocol older than TLS 1.2, no suite without forward secrecy; each refusal counted by outcome.
 */
class TlsWireTest {
    private static final TestPki PKI = new TestPki();
    @TempDir
    static Path dir;
    private static StubBackend backend;
    private static TlsGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        backend = new StubBackend();
        TestPki.write(dir, "alice", PKI.issue("alice.gallery.test"), TestPki.KeyForm.PKCS8);
        gateway = new TlsGateway(dir, null, RoutingTable.builder(1).group(Tables.open("g", backend.address()))
                .host("alice.gallery.test", "g", "alice").build());
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    @Test
    void anUnknownNameGetsTheUnrecognizedNameAlert() throws Exception {
        String out = sClient(gateway.tlsV4(), "mallory.example");
        assertTrue(out.contains("unrecognized name") || out.contains("alert number 112"), out);
        assertTrue(!out.contains("BEGIN CERTIFICATE") && !out.contains("alice"), out);
    }

    @Test
    void tls12And13AreServedWithForwardSecrecy() throws Exception {
        String v13 = sClient(gateway.tlsV6(), "alice.gallery.test", "-tls1_3");
        assertTrue(v13.contains("TLSv1.3") && v13.contains("CN = alice.gallery.test"), v13);
        String v12 = sClient(gateway.tlsV4(), "alice.gallery.test", "-tls1_2");
        assertTrue(v12.contains("Protocol  : TLSv1.2") && v12.contains("ECDHE"), v12);
    }

    @Test
    void olderProtocolsAndWeakSuitesAreRefused() throws Exception {
        double protocol = gateway.edge.metrics().handshakes(HandshakeOutcome.PROTOCOL);
        double cipher = gateway.edge.metrics().handshakes(HandshakeOutcome.CIPHER);
        for (String old : List.of("-tls1", "-tls1_1")) {
            String out = sClient(gateway.tlsV4(), "alice.gallery.test", old, "-cipher", "DEFAULT@SECLEVEL=0");
            assertTrue(!out.contains("BEGIN CERTIFICATE") && !out.contains("Cipher is ECDHE"), out);
        }
        for (String weak : List.of("AES128-SHA", "AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA")) {
            String out = sClient(gateway.tlsV4(), "alice.gallery.test", "-tls1_2", "-cipher", weak + "@SECLEVEL=0");
            assertTrue(!out.contains("BEGIN CERTIFICATE"), weak + ": " + out);
        }
        awaitCount(HandshakeOutcome.PROTOCOL, protocol + 2);
        awaitCount(HandshakeOutcome.CIPHER, cipher + 3);
    }

    private static void awaitCount(HandshakeOutcome outcome, double expected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (gateway.edge.metrics().handshakes(outcome) < expected && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
        assertEquals(expected, gateway.edge.metrics().handshakes(outcome), outcome.label());
    }

    private static String sClient(InetSocketAddress address, String sni, String... options) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect",
                (address.getAddress() instanceof java.net.Inet6Address ? "[::1]" : "127.0.0.1") + ":" + address.getPort(),
                "-servername", sni, "-showcerts"));
        cmd.addAll(List.of(options));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "openssl s_client hung");
        return out;
    }
}
