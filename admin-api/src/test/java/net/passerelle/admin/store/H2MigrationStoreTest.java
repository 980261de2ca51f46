package net.passerelle.admin.store;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The migration store on the embedded H2 file. */
class H2MigrationStoreTest extends MigrationStoreContract {
    @TempDir
    Path dir;

    @Override
    protected String createDatabase() {
        return "jdbc:h2:file:" + dir.resolve("passerelle");
    }

    @Override
    protected void dropDatabase() {
    }

    @Override
    protected String user() {
        return "";
    }

    @Override
    protected String password() {
        return "";
    }
}
