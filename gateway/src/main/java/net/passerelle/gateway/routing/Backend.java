package net.passerelle.gateway.routing;

import java.net.InetSocketAddress;

/**
 * One backend server as the data plane sees it: the configured name (for logs, metrics and the API) and the
 * address resolved when the table was built, so no DNS lookup ever happens on the request path.
 */
public record Backend(String name, InetSocketAddress address) {
    @Override
    public String toString() {
        return name;
    }
}
