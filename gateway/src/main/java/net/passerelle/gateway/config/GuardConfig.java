package net.passerelle.gateway.config;

import java.util.List;

/** The default-page guard: the last line of defence against a backend that shows a web server's welcome page. */
public record GuardConfig(Boolean enabled, List<String> fingerprints, DataSize scanBytes) {
    public static final List<String> BUILT_IN = List.of("Apache2 Debian Default Page", "Welcome to nginx!",
            "Apache2 Ubuntu Default Page", "Test Page for the Apache HTTP Server", "Test Page for the Nginx HTTP Server");

    public GuardConfig {
        enabled = enabled == null || enabled;
        fingerprints = fingerprints == null ? List.of() : List.copyOf(fingerprints);
        scanBytes = scanBytes == null ? DataSize.ofBytes(4096) : scanBytes;
    }
}
