package net.passerelle.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * Fresh databases on the test MariaDB server (127.0.0.1:3306, root without password, or
 * {@code PASSERELLE_TEST_MARIADB_URL/_USER/_PASSWORD}), so that runs and tests never see each other's data.
 */
public final class MariaDbDatabases {
    public static final String SERVER = setting("PASSERELLE_TEST_MARIADB_URL", "jdbc:mariadb://127.0.0.1:3306/");
    public static final String USER = setting("PASSERELLE_TEST_MARIADB_USER", "root");
    public static final String PASSWORD = setting("PASSERELLE_TEST_MARIADB_PASSWORD", "");

    private MariaDbDatabases() {
    }

    private static String setting(String name, String fallback) {
        String value = System.getProperty(name, System.getenv(name));
        return value == null ? fallback : value;
    }

    /** Creates a database named {@code <prefix>_<random>} and returns its name. */
    public static String create(String prefix) throws SQLException {
        String database = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(SERVER, USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database + " CHARACTER SET utf8mb4");
        }
        return database;
    }

    public static String url(String database) {
        return (SERVER.endsWith("/") ? SERVER : SERVER + "/") + database;
    }

    public static void drop(String database) throws SQLException {
        if (database == null) {
            return;
        }
        try (Connection c = DriverManager.getConnection(SERVER, USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database);
        }
    }
}
