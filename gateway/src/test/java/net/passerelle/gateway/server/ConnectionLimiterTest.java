package net.passerelle.gateway.server;

import net.passerelle.gateway.config.LimitsConfig;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.testing.GatewayFixture;
import net.passerelle.gateway.testing.RawHttp;
import net.passerelle.gateway.testing.StubBackend;
import net.passerelle.gateway.testing.Tables;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionLimiterTest {
    @Test
    void aClientAddressGetsAtMostItsShareOfConnections() throws Exception {
        try (StubBackend backend = new StubBackend();
             GatewayFixture gateway = new GatewayFixture(GatewayConfig.defaults().withLimits(
                     new LimitsConfig(null, null, null, null, null, null, null, 3)),
                     RoutingTable.builder(1).group(Tables.open("g", backend.address())).host("a.example", "g", "a").build())) {
            List<RawHttp> open = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    RawHttp c = gateway.connect();
                    open.add(c);
                    // a full exchange proves the connection was accepted, not merely queued by the kernel
                    assertEquals(200, c.send("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n").read().status());
                }
                try (RawHttp fourth = gateway.connect()) {
                    assertEquals(429, fourth.read().status());
                    assertTrue(fourth.isClosedByPeer());
                }
                open.remove(0).close();
                // a slot freed is a slot usable again (the close is noticed asynchronously: retry a few times)
                int status = 0;
                for (int attempt = 0; attempt < 50 && status != 200; attempt++) {
                    try (RawHttp again = gateway.connect()) {
                        again.send("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n");
                        status = again.read().status();
                    }
                }
                assertEquals(200, status);
            } finally {
                for (RawHttp c : open) {
                    c.close();
                }
            }
        }
    }
}
