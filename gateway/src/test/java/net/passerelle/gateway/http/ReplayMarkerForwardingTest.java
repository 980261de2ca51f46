package net.passerelle.gateway.http;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import net.passerelle.gateway.config.Cidr;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * {@code X-Passerelle-Replay: 1} tells a backend that a request is a queued write the gateway replays. A visitor who
 * sends it on a live request must not make it look like one, whether it comes directly or through a trusted proxy.
 */
class ReplayMarkerForwardingTest {
    private final ForwardingHeaders forwarding = new ForwardingHeaders(List.of(Cidr.parse("10.0.0.0/8")), "passerelle");

    @Test
    void aClientsReplayMarkerIsNeverForwarded() throws Exception {
        for (String peer : new String[] {"203.0.113.9", "10.1.2.3"}) {
            InetAddress address = InetAddress.getByName(peer);
            HttpHeaders headers = new DefaultHttpHeaders();
            headers.add("Host", "alice.gallery.example");
            headers.add("X-Passerelle-Replay", "1");
            headers.add("Idempotency-Key", "the-client's-own");
            forwarding.prepareRequest(headers, address, forwarding.isTrusted(address), "alice.gallery.example", "http", "rid");
            assertFalse(headers.contains("x-passerelle-replay"), "from " + peer + ": " + headers);
            assertEquals("the-client's-own", headers.get("idempotency-key"), "the client's own key is its business");
        }
    }
}
