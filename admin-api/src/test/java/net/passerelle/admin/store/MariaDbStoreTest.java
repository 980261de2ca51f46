package net.passerelle.admin.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;

/**
 * The store contract on a real MariaDB server: a database {@code passerelle_test_<random>} per test, dropped after.
 *
 * <p>The server is {@code 127.0.0.1:3306}, user {@code root} without password, unless the system properties
 * or environment variables {@code PASSERELLE_TEST_MARIADB_URL} (e.g. {@code jdbc:mariadb://db:3306/}),
 * {@code PASSERELLE_TEST_MARIADB_USER} and {@code PASSERELLE_TEST_MARIADB_PASSWORD} say otherwise. The user must be
 * allowed to create and drop databases.
 */
class MariaDbStoreTest extends StoreContractTest {

    private static final String SERVER = setting("PASSERELLE_TEST_MARIADB_URL", "jdbc:mariadb://127.0.0.1:3306/");
    private static final String USER = setting("PASSERELLE_TEST_MARIADB_USER", "root");
    private static final String PASSWORD = setting("PASSERELLE_TEST_MARIADB_PASSWORD", "");

    private String database;

    private static String setting(String name, String fallback) {
        String value = System.getProperty(name, System.getenv(name));
        return value == null ? fallback : value;
    }

    @Override
    protected String createDatabase() throws Exception {
        database = "passerelle_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(SERVER, USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database + " CHARACTER SET utf8mb4");
        }
        return (SERVER.endsWith("/") ? SERVER : SERVER + "/") + database;
    }

    @Override
    protected void dropDatabase() throws Exception {
        try (Connection c = DriverManager.getConnection(SERVER, USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database);
        }
    }

    @Override
    protected void destroyDatabaseUnderTheStore() throws Exception {
        dropDatabase();
    }

    @Override
    protected String user() {
        return USER;
    }

    @Override
    protected String password() {
        return PASSWORD;
    }

    @Override
    protected String unreachableUrl() {
        return "jdbc:mariadb://127.0.0.1:1/passerelle?password=secret";
    }
}
