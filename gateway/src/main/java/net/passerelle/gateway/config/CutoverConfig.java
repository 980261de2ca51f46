package net.passerelle.gateway.config;

import java.time.Duration;

/**
 * Cutover verification: every host of the group is requested at {@code path} from each new backend, over each
 * address family it has, within {@code timeout}.
 */
public record CutoverConfig(Duration timeout, String path) {
    public CutoverConfig {
        timeout = timeout == null ? Duration.ofSeconds(5) : timeout;
        path = path == null || path.isBlank() ? "/" : path;
        if (!path.startsWith("/")) {
            throw new BadEntry("cutover.path must start with /, got '" + path + "'", "path");
        }
    }
}
