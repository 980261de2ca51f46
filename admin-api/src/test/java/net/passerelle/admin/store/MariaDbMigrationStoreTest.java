package net.passerelle.admin.store;

import net.passerelle.testing.MariaDbDatabases;

/** The migration store on the test MariaDB server (see {@link MariaDbStoreTest}). */
class MariaDbMigrationStoreTest extends MigrationStoreContract {
    private String database;

    @Override
    protected String createDatabase() throws Exception {
        database = MariaDbDatabases.create("passerelle_mig");
        return MariaDbDatabases.url(database);
    }

    @Override
    protected void dropDatabase() throws Exception {
        MariaDbDatabases.drop(database);
    }

    @Override
    protected String user() {
        return MariaDbDatabases.USER;
    }

    @Override
    protected String password() {
        return MariaDbDatabases.PASSWORD;
    }
}
