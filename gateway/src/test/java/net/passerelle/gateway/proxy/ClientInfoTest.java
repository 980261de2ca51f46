package net.passerelle.gateway.proxy;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The client's address as text: as the forwarding headers write it, and made once per connection. */
class ClientInfoTest {

    @Test
    void theAddressTextIsMadeOncePerConnection() throws Exception {
        ClientInfo v4 = new ClientInfo(new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 50123), false, "http");
        assertEquals("192.0.2.7", v4.addressText());
        assertSame(v4.addressText(), v4.addressText(), "the same text for every request of the connection");

        ClientInfo v6 = new ClientInfo(new InetSocketAddress(InetAddress.getByName("2001:db8:0:0:0:0:0:7"), 443), false,
                "https");
        assertEquals("2001:db8::7", v6.addressText(), "compressed, as in X-Forwarded-For");
    }

    @Test
    void noPeerNoText() {
        assertNull(new ClientInfo(null, false, "http").addressText());
    }
}
