package net.passerelle.gateway.h2;

import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.config.Http2Config;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.testing.H2Client;
import net.passerelle.gateway.testing.H2Gateway;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.gateway.testing.Tables;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTP/2 over TLS, chosen by ALPN after the handshake ({@code ProtocolNegotiation}): {@code h2} when the client
 * offers it, {@code http/1.1} otherwise, over Netty's TLS with a self-signed certificate made by the test.
 */
class Http2OverTlsTest {
    private static final String HOST = "alice.gallery.example";

    private StubBackend backend;
    private H2Gateway gateway;

    @BeforeEach
    void backend() throws Exception {
        backend = new StubBackend();
    }

    private void start(Http2Config http2, boolean offerH2) throws Exception {
        RoutingTable table = RoutingTable.builder(1).group(Tables.open("srv-12", backend.address()))
                .host(HOST, "srv-12", "alice").build();
        gateway = H2Gateway.tls(GatewayConfig.defaults().withHttp2(http2), table, offerH2, HOST);
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        backend.close();
    }

    /** An HTTP/1.1 client over TLS that offers {@code alpn} (nothing when empty). */
    private RawHttp http11(String... alpn) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, gateway.trust().getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket(gateway.address().getAddress(),
                gateway.address().getPort());
        SSLParameters p = socket.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(HOST)));
        p.setApplicationProtocols(alpn);
        socket.setSSLParameters(p);
        socket.startHandshake();
        assertEquals(alpn.length == 0 ? "" : "http/1.1", socket.getApplicationProtocol());
        return new RawHttp(socket);
    }

    @Test
    void alpnChoosesH2AndTheRequestGoesThroughTheExchange() throws Exception {
        start(Http2Config.defaults(), true);
        try (H2Client client = H2Client.tls(gateway.address(), gateway.trust(), HOST)) {
            assertEquals("h2", client.negotiatedProtocol());
            H2Client.Response r = client.get(HOST, "/index.php?/category/3");
            assertEquals(200, r.status());
            assertEquals("hello from backend", r.body());
            assertEquals("1.1 passerelle", r.header("via"));
        }
        StubBackend.Seen seen = backend.take();
        assertEquals("GET", seen.method());
        assertEquals("/index.php?/category/3", seen.uri());
        assertEquals(HOST, seen.header("host"));
        assertEquals("https", seen.header("x-forwarded-proto"));
        assertEquals("2 passerelle", seen.header("via"));
    }

    @Test
    void aClientThatOffersOnlyHttp11GetsHttp11() throws Exception {
        start(Http2Config.defaults(), true);
        try (RawHttp c = http11("http/1.1")) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("hello from backend", r.bodyText());
        }
        StubBackend.Seen seen = backend.take();
        assertEquals("https", seen.header("x-forwarded-proto"));
        assertEquals("1.1 passerelle", seen.header("via"));
    }

    @Test
    void aClientWithoutAlpnGetsHttp11() throws Exception {
        start(Http2Config.defaults(), true);
        try (RawHttp c = http11()) {
            assertEquals(200, c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read().status());
        }
    }

    @Test
    void withoutH2OnOfferAnH2ClientFallsBackToHttp11() throws Exception {
        start(new Http2Config(false, null, null, null, null, null, null, null, null, null, null), false);
        try (H2Client client = H2Client.tls(gateway.address(), gateway.trust(), HOST)) {
            assertEquals("http/1.1", client.negotiatedProtocol());
        }
        try (RawHttp c = http11("h2", "http/1.1")) {
            assertEquals(200, c.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read().status());
        }
    }

    @Test
    void h2IsNotServedWhenDisabledEvenIfTheTlsContextOfferedIt() throws Exception {
        start(new Http2Config(false, null, null, null, null, null, null, null, null, null, null), true);
        try (H2Client client = H2Client.tls(gateway.address(), gateway.trust(), HOST)) {
            assertEquals("h2", client.negotiatedProtocol());
            H2Client.Response r;
            try {
                r = client.get(HOST, "/");
            } catch (Exception closedByTheGateway) {
                r = null;
            }
            assertTrue(r == null || r.status() == 0, "no answer over h2: " + r);
        }
        assertEquals(0, backend.requestCount());
    }
}
