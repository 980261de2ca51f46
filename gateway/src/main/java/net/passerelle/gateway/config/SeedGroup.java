package net.passerelle.gateway.config;

import net.passerelle.admin.model.HostPort;
import java.util.List;
import java.util.Map;

public record SeedGroup(List<HostPort> backends, List<HostPort> spares, String mode, String writes,
                        Integer retryAfterSeconds, Map<String, String> message, String profile) {
    public SeedGroup {
        backends = backends == null ? List.of() : List.copyOf(backends);
        spares = spares == null ? List.of() : List.copyOf(spares);
        mode = mode == null ? "open" : mode;
        writes = writes == null ? "reject" : writes;
        if (!List.of("open", "read-only", "maintenance").contains(mode)) {
            throw new BadEntry("mode must be open, read-only or maintenance, got '" + mode + "'", "mode");
        }
        if (!List.of("reject", "queue").contains(writes)) {
            throw new BadEntry("writes must be reject or queue, got '" + writes + "'", "writes");
        }
        retryAfterSeconds = retryAfterSeconds == null ? 300 : retryAfterSeconds;
        if (retryAfterSeconds < 0) {
            throw new BadEntry("retryAfterSeconds must be >= 0", "retryAfterSeconds");
        }
        message = message == null ? Map.of() : Map.copyOf(message);
        profile = profile == null ? "piwigo" : profile;
    }
}
