package net.passerelle.admin.store;

/** The group already has a migration that is not finished (the API answers {@code 409} naming it). */
public class ActiveMigrationException extends ConflictException {
    private static final long serialVersionUID = 1L;

    private final String migrationId;

    public ActiveMigrationException(String group, String migrationId) {
        super("group '" + group + "' already has migration " + migrationId + " in progress; abort it or let it finish");
        this.migrationId = migrationId;
    }

    public String migrationId() {
        return migrationId;
    }
}
