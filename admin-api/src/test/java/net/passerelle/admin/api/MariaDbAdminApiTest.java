package net.passerelle.admin.api;

import net.passerelle.testing.MariaDbDatabases;


/** The admin API on MariaDB (127.0.0.1:3306, root, or PASSERELLE_TEST_MARIADB_*): a fresh database per test, dropped after. */
class MariaDbAdminApiTest extends AdminApiContractTest {

    private String database;

    @Override
    protected String createDatabase() throws Exception {
        database = MariaDbDatabases.create("passerelle_api");
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
