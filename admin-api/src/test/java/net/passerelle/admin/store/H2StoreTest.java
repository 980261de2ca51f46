package net.passerelle.admin.store;

import net.passerelle.admin.model.Backend;
import net.passerelle.admin.model.BackendState;
import net.passerelle.admin.model.Group;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store contract on the embedded default: an H2 file in MariaDB mode, a fresh directory per test. */
class H2StoreTest extends StoreContractTest {

    @TempDir
    Path dir;

    @Override
    protected String createDatabase() {
        return "jdbc:h2:file:" + dir.resolve("data").resolve("passerelle");
    }

    @Override
    protected void dropDatabase() {
        // The @TempDir goes away with the test.
    }

    @Override
    protected void destroyDatabaseUnderTheStore() throws Exception {
        try (Connection c = DriverManager.getConnection(JdbcStore.h2Url(url), "", ""); Statement s = c.createStatement()) {
            s.execute("DROP ALL OBJECTS");
        }
    }

    @Override
    protected String user() {
        return "";
    }

    @Override
    protected String password() {
        return "";
    }

    @Override
    protected String unreachableUrl() {
        return "jdbc:h2:file:/proc/passerelle-cannot-be-here/db;password=secret";
    }

    @Test
    void backendStatesAreStoredAsTheirLowerCaseWireNames() throws Exception {
        store.putGroup("ops", Group.of("g", List.of(Backend.parse("10.0.0.1:80"))));
        store.setBackendState("ops", "10.0.0.1:80", BackendState.MAINT);
        try (Connection c = DriverManager.getConnection(JdbcStore.h2Url(url), "", "");
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT address, state FROM backend_state")) {
            assertTrue(rs.next());
            assertEquals("10.0.0.1:80", rs.getString(1));
            assertEquals("maint", rs.getString(2));
        }
    }

    @Test
    void theEmbeddedFileIsCreatedWithItsDirectory() {
        assertTrue(Files.exists(dir.resolve("data").resolve("passerelle.mv.db")));
    }

    /** It holds ACME keys and the audit log: readable by the gateway's user alone, whatever the shell's umask. */
    @Test
    void theEmbeddedFileIsTheGatewayUsersAlone() throws Exception {
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("data").resolve("passerelle.mv.db"))));
    }

    @Test
    void onlyFileUrlsNameAFile() {
        assertEquals(java.nio.file.Path.of("./data/passerelle"), H2Files.basePath("jdbc:h2:file:./data/passerelle;MODE=MariaDB"));
        assertEquals(java.nio.file.Path.of("/srv/p/db"), H2Files.basePath("jdbc:h2:/srv/p/db"));
        assertEquals(java.nio.file.Path.of(System.getProperty("user.home") + "/db"), H2Files.basePath("jdbc:h2:~/db"));
        assertEquals(null, H2Files.basePath("jdbc:h2:mem:x;DB_CLOSE_DELAY=-1"));
        assertEquals(null, H2Files.basePath("jdbc:h2:tcp://localhost/~/db"));
    }

    @Test
    void h2UrlsGetMariaDbModeUnlessTheySetIt() {
        assertEquals("jdbc:h2:file:./data/passerelle;MODE=MariaDB;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;LOCK_TIMEOUT=10000;DB_CLOSE_ON_EXIT=FALSE",
                JdbcStore.h2Url("jdbc:h2:file:./data/passerelle"));
        assertEquals("jdbc:h2:mem:x;lock_timeout=5;MODE=MariaDB;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_ON_EXIT=FALSE",
                JdbcStore.h2Url("jdbc:h2:mem:x;lock_timeout=5"));
    }
}
