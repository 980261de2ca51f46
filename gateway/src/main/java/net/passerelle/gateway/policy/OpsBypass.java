package net.passerelle.gateway.policy;

import io.netty.handler.codec.http.HttpHeaders;
import net.passerelle.gateway.config.Cidr;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Who may pass through maintenance to check the new server: clients in the allowed networks, or requests carrying
 * the ops header with the configured secret (compared in constant time). The header is removed before
 * forwarding, so the secret never reaches a backend or its logs.
 */
public final class OpsBypass {
    private final List<Cidr> networks;
    private final String header;
    private final byte[] secret;

    public OpsBypass(List<Cidr> networks, String header, String secret) {
        this.networks = List.copyOf(networks);
        this.header = header;
        this.secret = secret == null ? null : secret.getBytes(StandardCharsets.UTF_8);
    }

    public static OpsBypass none() {
        return new OpsBypass(List.of(), "X-Passerelle-Ops", null);
    }

    public boolean allows(InetAddress client, HttpHeaders headers) {
        if (client != null) {
            for (int i = 0; i < networks.size(); i++) {
                if (networks.get(i).contains(client)) {
                    return true;
                }
            }
        }
        if (secret == null) {
            return false;
        }
        String presented = headers.get(header);
        return presented != null && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), secret);
    }

    /** Removes the ops header (whatever its value) so it never reaches a backend. */
    public void strip(HttpHeaders headers) {
        headers.remove(header);
    }
}
