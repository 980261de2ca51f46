package net.passerelle.admin.api;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;

/** The admin API on MariaDB (127.0.0.1:3306, root, or PASSERELLE_TEST_MARIADB_*): a fresh database per test, dropped after. */
class MariaDbAdminApiTest extends AdminApiContractTest {
    static final String SERVER = setting("PASSERELLE_TEST_MARIADB_URL", "jdbc:mariadb://127.0.0.1:3306/");
    static final String USER = setting("PASSERELLE_TEST_MARIADB_USER", "root");
    static final String PASSWORD = setting("PASSERELLE_TEST_MARIADB_PASSWORD", "");

    private String database;

    static String setting(String name, String fallback) {
        String value = System.getProperty(name, System.getenv(name));
        return value == null ? fallback : value;
    }

    @Override
    protected String createDatabase() throws Exception {
        database = "passerelle_api_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
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
    protected String user() {
        return USER;
    }

    @Override
    protected String password() {
        return PASSWORD;
    }
}
