package net.passerelle.gateway.config;

import java.util.List;

/**
 * Who may pass during maintenance (and read-only) to check the new server: client networks, or requests that
 * carry {@code opsHeader} with {@code opsSecret}.
 */
public record MaintenanceConfig(List<String> allowNetworks, String opsHeader, String opsSecret) {
    public MaintenanceConfig {
        allowNetworks = allowNetworks == null ? List.of() : List.copyOf(allowNetworks);
        for (String cidr : allowNetworks) {
            Cidr.parse(cidr);
        }
        opsHeader = opsHeader == null || opsHeader.isBlank() ? "X-Passerelle-Ops" : opsHeader;
        opsSecret = opsSecret == null || opsSecret.isBlank() ? null : opsSecret;
    }
}
