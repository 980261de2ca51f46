package net.passerelle.gateway.config;

import java.util.List;

/**
 * @param trustedProxies client networks (CIDR) whose X-Forwarded-* / Forwarded headers are believed; nobody else's are
 * @param via the name this gateway gives itself in {@code Via}
 */
public record ForwardingConfig(List<String> trustedProxies, String via) {
    public ForwardingConfig {
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
        for (String cidr : trustedProxies) {
            Cidr.parse(cidr);
        }
        via = via == null || via.isBlank() ? "passerelle" : via;
    }
}
