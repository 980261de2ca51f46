package net.passerelle.admin.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.File;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs the Flyway migration in a class loader that is dropped afterwards. Flyway and the Jackson 3 it brings
 * ({@code tools.jackson}) are some 1,100 classes used once, when the store opens; defined by the application class
 * loader they would stay loaded for the life of the process (issue 16: 6.5 MiB of the gateway's 39 MiB of
 * metaspace). Defined by a loader of their
 * own that nothing references once the migration has returned, they are unloaded at the next garbage collection
 * that unloads classes. Everything else, the DataSource and its pool, the JDBC drivers, logging (SLF4J, so Flyway
 * logs as before), comes from the application class loader.
 */
final class SchemaMigration {
    private static final Logger log = LoggerFactory.getLogger(SchemaMigration.class);

    /** Named, not referenced: a reference would load it, and with it Flyway, in the application class loader. */
    static final String FLYWAY_MIGRATE = "net.passerelle.admin.store.FlywayMigrate";
    private static final List<String> OWN = List.of("org.flywaydb.", "tools.jackson.", FLYWAY_MIGRATE);

    private SchemaMigration() {
    }

    /**
     * Migrates {@code ds}. Flyway's failures come out as it throws them: their classes are the other loader's,
     * their messages the same.
     */
    static void run(DataSource ds) {
        ChildFirstClassLoader loader = new ChildFirstClassLoader("schema-migration", classPath(),
                SchemaMigration.class.getClassLoader(), OWN);
        try {
            migrator(loader).accept(ds);
        } finally {
            try {
                loader.close();
            } catch (IOException e) {
                log.debug("the schema migration's class path did not close cleanly: {}", e.toString());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Consumer<DataSource> migrator(ClassLoader loader) {
        try {
            Object m = Class.forName(FLYWAY_MIGRATE, true, loader).getConstructor().newInstance();
            if (m.getClass().getClassLoader() != loader) {
                log.debug("the class path ({}) does not hold Flyway: it stays loaded after the migration",
                        System.getProperty("java.class.path"));
            }
            return (Consumer<DataSource>) m;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Flyway cannot be loaded: " + e, e);
        }
    }

    /**
     * The application's class path, where Flyway is: the gateway's single jar in production, directories and jars
     * under a build. Since Java 9 the application class loader does not list it otherwise.
     */
    static List<ClassPathEntry> classPath() {
        List<ClassPathEntry> entries = new ArrayList<>();
        for (String s : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            try {
                ClassPathEntry e = ClassPathEntry.open(Path.of(s));
                if (e != null) {
                    entries.add(e);
                }
            } catch (IOException | InvalidPathException e) {
                log.debug("class path entry {} left out of the schema migration's: {}", s, e.toString());
            }
        }
        return entries;
    }
}
