package net.passerelle.admin.store;

import net.passerelle.testing.MariaDbDatabases;

/**
 * The store contract on a real MariaDB server: a database {@code passerelle_test_<random>} per test, dropped after.
 *
 * <p>The server is {@code 127.0.0.1:3306}, user {@code root} without password, unless the system properties
 * or environment variables {@code PASSERELLE_TEST_MARIADB_URL} (e.g. {@code jdbc:mariadb://db:3306/}),
 * {@code PASSERELLE_TEST_MARIADB_USER} and {@code PASSERELLE_TEST_MARIADB_PASSWORD} say otherwise. The user must be
 * allowed to create and drop databases.
 */
class MariaDbStoreTest extends StoreContractTest {

    private String database;

    @Override
    protected String createDatabase() throws Exception {
        database = MariaDbDatabases.create("passerelle_test");
        return MariaDbDatabases.url(database);
    }

    @Override
    protected void dropDatabase() throws Exception {
        MariaDbDatabases.drop(database);
    }

    @Override
    protected void destroyDatabaseUnderTheStore() throws Exception {
        dropDatabase();
    }

    @Override
    protected String user() {
        return MariaDbDatabases.USER;
    }

    @Override
    protected String password() {
        return MariaDbDatabases.PASSWORD;
    }

    @Override
    protected String unreachableUrl() {
        return "jdbc:mariadb://127.0.0.1:1/passerelle?password=secret";
    }
}
