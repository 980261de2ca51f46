package net.passerelle.admin.api;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The admin API on the embedded store: a fresh H2 file per test. */
class H2AdminApiTest extends AdminApiContractTest {
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
