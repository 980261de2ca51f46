package net.passerelle.admin.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.management.JMException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16: the schema migration's classes, Flyway's and the Jackson 3 it brings, do not outlive it. What the JVM
 * has loaded, and by which loader, is read from its {@code VM.class_hierarchy} command, so that looking does not
 * load anything.
 */
class SchemaMigrationTest {
    private static final Duration UNLOAD_DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private String url() {
        return "jdbc:h2:file:" + dir.resolve("passerelle");
    }

    private JdbcStore open() {
        return new JdbcStore(url(), "", "");
    }

    @Test
    void theApplicationClassLoaderNeverDefinesFlyway() {
        try (JdbcStore store = open()) {
            assertTrue(store.version() >= 0, "the store is open and migrated");
            String app = loaderOf(SchemaMigrationTest.class.getName());
            List<String> flyway = loaded("org.flywaydb.core.Flyway/");
            assertFalse(flyway.contains("org.flywaydb.core.Flyway/" + app),
                    "Flyway was defined by the application class loader (" + app + "): " + flyway);
        }
    }

    /**
     * Collections unload them while the store stays open. Not always the first one: a compilation of one of their
     * methods still running keeps their class loader through the collection that meets it.
     */
    @Test
    @Timeout(60)
    void flywayAndJackson3AreUnloadedOnceTheStoreIsOpen() {
        try (JdbcStore store = open()) {
            long deadline = System.nanoTime() + UNLOAD_DEADLINE.toNanos();
            List<String> left = loaded("org.flywaydb.", "tools.jackson.");
            while (!left.isEmpty() && System.nanoTime() < deadline) {
                System.gc(); // a full collection, the kind that unloads classes; it is also the wait
                left = loaded("org.flywaydb.", "tools.jackson.");
            }
            assertEquals(List.of(), left.stream().limit(5).toList(),
                    left.size() + " classes still loaded " + UNLOAD_DEADLINE + " after the migration");
            assertTrue(store.version() >= 0, "the store still works");
        }
    }

    /** Flyway's exceptions cross from its class loader as they are: the message is Flyway's, as it always was. */
    @Test
    void aFailedMigrationSaysWhatFlywaySaid() throws Exception {
        open().close();
        try (Connection c = DriverManager.getConnection(JdbcStore.h2Url(url()), "", "");
             Statement s = c.createStatement()) {
            assertEquals(1, s.executeUpdate("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '1'"));
        }
        StoreException e = assertThrows(StoreException.class, this::open);
        assertTrue(e.getMessage().startsWith("store " + url() + ": schema migration failed: Validate failed: "),
                e.getMessage());
        assertTrue(e.getMessage().contains("Migration checksum mismatch for migration version 1"), e.getMessage());
    }

    /** {@code name/loader} of each loaded class whose name starts with one of {@code prefixes}. */
    private static List<String> loaded(String... prefixes) {
        return classHierarchy().lines()
                .map(l -> l.replaceFirst("^[|\\s-]*", ""))
                .map(l -> l.split(" ", 2)[0])
                .filter(c -> List.of(prefixes).stream().anyMatch(c::startsWith))
                .toList();
    }

    private static String loaderOf(String className) {
        return loaded(className).stream().filter(c -> c.startsWith(className + "/")).findFirst()
                .map(c -> c.substring(className.length() + 1))
                .orElseThrow(() -> new AssertionError(className + " is not loaded"));
    }

    private static String classHierarchy() {
        try {
            return String.valueOf(ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmClassHierarchy",
                    new Object[]{new String[0]}, new String[]{String[].class.getName()}));
        } catch (JMException e) {
            throw new AssertionError("VM.class_hierarchy: " + e, e);
        }
    }
}
