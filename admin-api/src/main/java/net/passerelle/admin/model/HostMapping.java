package net.passerelle.admin.model;

/**
 * A host name (vhost) that reaches one account of one group.
 *
 * @param host    stored and compared in the normal form of {@link HostNames#normalize(String)}
 * @param group   the group that serves it
 * @param account the account (gallery) it reaches, 1 to 255 characters without control characters
 */
public record HostMapping(String host, String group, String account) {

    /**
     * Normalises the host name and validates.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public HostMapping {
        host = HostNames.requireValid(host);
        Names.requireGroupName(group);
        if (account == null || account.isBlank()) {
            throw new IllegalArgumentException("host '" + host + "': account is required");
        }
        if (account.length() > 255 || account.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("host '" + host + "': account must be at most 255 characters without control characters");
        }
    }
}
