package net.passerelle.admin.store;

import org.flywaydb.core.Flyway;

import javax.sql.DataSource;
import java.util.function.Consumer;

/**
 * The one class that calls Flyway: {@link SchemaMigration} defines it in a class loader of its own, with Flyway, and
 * calls it through {@link Consumer}, a JDK type both loaders share. Public only so that the other loader may
 * instantiate it; nothing else should.
 */
public final class FlywayMigrate implements Consumer<DataSource> {

    /** For {@link SchemaMigration}, reflectively. */
    public FlywayMigrate() {
    }

    /** Migrates {@code ds} to the schema of {@code classpath:db/migration}. */
    @Override
    public void accept(DataSource ds) {
        // Flyway's own loader, not the thread's: its database plugins (ServiceLoader) must be the ones this loader
        // defines, implementing the same Flyway interfaces as the core that loads them.
        Flyway.configure(FlywayMigrate.class.getClassLoader())
                .dataSource(ds)
                .locations("classpath:db/migration")
                .failOnMissingLocations(true)
                .load()
                .migrate();
    }
}
