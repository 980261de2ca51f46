package net.passerelle.gateway.config;

public record SeedHost(String group, String account) {
    public SeedHost {
        if (group == null || group.isBlank()) {
            throw new BadEntry("a host needs a group", "group");
        }
        account = account == null ? "" : account;
    }
}
