package net.passerelle.admin.store;

import net.passerelle.admin.store.CertificateStore.Account;
import net.passerelle.admin.store.CertificateStore.Challenge;
import net.passerelle.admin.store.CertificateStore.StoredCertificate;
import net.passerelle.testing.MariaDbDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link JdbcCertificateStore} (migration V4) on the embedded H2 file and on MariaDB alike. */
class CertificateStoreTest {
    @TempDir
    Path dir;
    private JdbcStore store;
    private String database;

    private CertificateStore open(String kind) throws Exception {
        if (kind.equals("h2")) {
            store = new JdbcStore("jdbc:h2:file:" + dir.resolve("db"), "", "");
        } else {
            database = MariaDbDatabases.create("passerelle_certs");
            store = new JdbcStore(MariaDbDatabases.url(database), MariaDbDatabases.USER, MariaDbDatabases.PASSWORD);
        }
        return JdbcCertificateStore.of(store);
    }

    @AfterEach
    void close() throws Exception {
        if (store != null) {
            store.close();
        }
        MariaDbDatabases.drop(database);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "mariadb"})
    void oneHolderAtATimeUntilReleasedOrLapsed(String kind) throws Exception {
        CertificateStore s = open(kind);
        assertTrue(s.tryLock("alice.test", "gw-a", 1_000, 60_000));
        assertFalse(s.tryLock("alice.test", "gw-b", 2_000, 60_000));
        assertTrue(s.tryLock("alice.test", "gw-a", 3_000, 60_000));       // the holder extends its claim
        assertTrue(s.tryLock("alice.test", "gw-b", 70_000, 60_000));      // a lapsed claim is taken over
        s.unlock("alice.test", "gw-a");                                   // not the holder: no effect
        assertFalse(s.tryLock("alice.test", "gw-a", 71_000, 60_000));
        s.unlock("alice.test", "gw-b");
        assertTrue(s.tryLock("alice.test", "gw-a", 72_000, 60_000));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "mariadb"})
    void certificatesChallengesAndFailuresMoveTheVersion(String kind) throws Exception {
        CertificateStore s = open(kind);
        long v0 = s.version();
        s.recordFailure("alice.test", "boom", 5_000);
        assertEquals(1, s.orderState("alice.test").orElseThrow().failures());
        s.putChallenge(new Challenge("tok", "alice.test", "tok.key", 10_000));
        assertEquals(1, s.challenges(9_000).size());
        assertEquals(0, s.challenges(10_000).size());
        long v1 = s.version();
        assertTrue(v1 > v0);
        s.putCertificate(new StoredCertificate("alice.test", "PEM", "plain:a2V5", "CN=Pebble", 1, 2, 3));
        s.putCertificate(new StoredCertificate("alice.test", "PEM2", "plain:a2V5", "CN=Pebble", 1, 4, 5));
        assertEquals("PEM2", s.certificate("alice.test").orElseThrow().chainPem());
        assertEquals(1, s.certificates().size());
        assertEquals(0, s.orderState("alice.test").orElseThrow().failures());   // a success clears the back-off
        s.removeChallenge("tok", 0);
        assertTrue(s.version() > v1);
        s.requestRenewal("alice.test");
        assertTrue(s.orderState("alice.test").orElseThrow().renewRequested());
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "mariadb"})
    void theFirstAccountStoredIsTheFleets(String kind) throws Exception {
        CertificateStore s = open(kind);
        Account first = s.putAccountIfAbsent(new Account("https://acme.test/dir", "https://acme.test/acct/1", "plain:MQ=="));
        Account second = s.putAccountIfAbsent(new Account("https://acme.test/dir", "https://acme.test/acct/2", "plain:Mg=="));
        assertEquals(first, second);
        assertEquals("https://acme.test/acct/1", s.account("https://acme.test/dir").orElseThrow().accountUrl());
    }
}
