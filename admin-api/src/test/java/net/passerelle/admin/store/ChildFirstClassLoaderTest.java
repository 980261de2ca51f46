package net.passerelle.admin.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The loader the schema migration runs in, over the test's class path. */
class ChildFirstClassLoaderTest {
    private final ClassLoader app = ChildFirstClassLoaderTest.class.getClassLoader();
    private ChildFirstClassLoader loader;

    @BeforeEach
    void open() {
        loader = new ChildFirstClassLoader("test", SchemaMigration.classPath(), app,
                List.of("org.flywaydb.", SchemaMigration.FLYWAY_MIGRATE));
    }

    @AfterEach
    void close() throws IOException {
        loader.close();
    }

    @Test
    void definesItsOwnNamesAndLeavesEverythingElseToItsParent() throws Exception {
        assertSame(loader, loader.loadClass("org.flywaydb.core.Flyway").getClassLoader());
        assertSame(loader, loader.loadClass("org.flywaydb.database.mysql.MySQLDatabaseType").getClassLoader());
        assertSame(loader, loader.loadClass(SchemaMigration.FLYWAY_MIGRATE).getClassLoader());
        assertSame(javax.sql.DataSource.class, loader.loadClass("javax.sql.DataSource"));
        assertSame(org.slf4j.Logger.class, loader.loadClass("org.slf4j.Logger"));
        assertSame(SchemaMigration.class, loader.loadClass(SchemaMigration.class.getName()));
    }

    /** A class path searched twice, its own and its parent's, would show Flyway every migration twice. */
    @Test
    void findsEachResourceOnceThroughItsParent() throws Exception {
        List<URL> mine = Collections.list(loader.getResources("db/migration"));
        assertEquals(Collections.list(app.getResources("db/migration")), mine);
        assertFalse(mine.isEmpty());
    }

    /**
     * A thread started while these classes are on the stack keeps their domains; a domain that named this loader
     * would keep it, and all it defined, for as long as that thread lives.
     */
    @Test
    void theDomainsOfItsClassesDoNotNameIt() throws Exception {
        Class<?> flyway = loader.loadClass("org.flywaydb.core.Flyway");
        assertNull(flyway.getProtectionDomain().getClassLoader());
        assertNotNull(flyway.getProtectionDomain().getCodeSource().getLocation(), "where it came from, all the same");
    }
}
