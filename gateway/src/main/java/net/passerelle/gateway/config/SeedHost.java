package net.passerelle.gateway.config;

public record SeedHost(String group, String account) {
    public SeedHost {
        if (group == null || group.isBlank()) {
            throw new IllegalArgumentException("a host needs a group");
        }
        account = account == null ? "" : account;
    }
}
