package net.passerelle.gateway.config;

import net.passerelle.admin.model.HostPort;
import java.time.Duration;
import java.util.Map;

/**
 * The admin API listener; {@code enabled: false} runs a pure data-plane gateway. It never runs without a token.
 *
 * @param token          bearer token, named {@code admin} in the audit; when unset, the environment variable
 *                       {@code PASSERELLE_ADMIN_TOKEN} is used; without either (nor {@code tokens}) one is generated
 *                       into {@code tokenFile}
 * @param confirmTimeout how long a change waits for every gateway live at the write before answering 202 (5s)
 * @param gatewayTtl     for gateways older than leases (a rolling upgrade): a heartbeat older than this is not live (3s)
 * @param tokenFile      where the generated token is kept (mode 0600) when none is configured; {@code ctl} reads
 *                       it ({@code ./data/admin-token})
 * @param tokens         more tokens, by name (one per operator or script): the name is the audit's actor
 * @param maxAuthFailuresPerMinute failed authentications a client address may make in a row, then one a minute
 *                       per this many (10)
 */
public record AdminConfig(Boolean enabled, HostPort listen, String token, Duration confirmTimeout, Duration gatewayTtl,
                          String tokenFile, Map<String, String> tokens, Integer maxAuthFailuresPerMinute) {
    public AdminConfig {
        enabled = enabled == null || enabled;
        listen = listen == null ? HostPort.parse("127.0.0.1:9090") : listen;
        token = token == null || token.isBlank() ? null : token;
        confirmTimeout = confirmTimeout == null ? Duration.ofSeconds(5) : confirmTimeout;
        gatewayTtl = gatewayTtl == null ? Duration.ofSeconds(3) : gatewayTtl;
        if (confirmTimeout.isNegative() || gatewayTtl.isNegative() || gatewayTtl.isZero()) {
            throw new IllegalArgumentException("admin.confirmTimeout must be >= 0 and admin.gatewayTtl > 0");
        }
        tokenFile = tokenFile == null || tokenFile.isBlank() ? "./data/admin-token" : tokenFile;
        tokens = tokens == null ? Map.of() : Map.copyOf(tokens);
        maxAuthFailuresPerMinute = maxAuthFailuresPerMinute == null ? 10 : maxAuthFailuresPerMinute;
        if (maxAuthFailuresPerMinute < 1) {
            throw new BadEntry("admin.maxAuthFailuresPerMinute must be at least 1", "maxAuthFailuresPerMinute");
        }
    }

    /**
     * The API's base URL from this machine, {@code http://127.0.0.1:9090}: a wildcard listener is reached on loopback
     * (of its family), an IPv6 literal in brackets.
     */
    public String localUrl() {
        String host = listen.host();
        if (host.equals("0.0.0.0")) {
            host = "127.0.0.1";
        } else if (host.equals("::") || host.equals("[::]")) {
            host = "::1";
        }
        return "http://" + new HostPort(host, listen.port());
    }

    public AdminConfig(Boolean enabled, HostPort listen, String token, Duration confirmTimeout, Duration gatewayTtl,
                       String tokenFile) {
        this(enabled, listen, token, confirmTimeout, gatewayTtl, tokenFile, null, null);
    }

    public AdminConfig(Boolean enabled, HostPort listen, String token, Duration confirmTimeout, Duration gatewayTtl) {
        this(enabled, listen, token, confirmTimeout, gatewayTtl, null, null, null);
    }

    public AdminConfig(Boolean enabled, HostPort listen, String token) {
        this(enabled, listen, token, null, null, null, null, null);
    }
}
