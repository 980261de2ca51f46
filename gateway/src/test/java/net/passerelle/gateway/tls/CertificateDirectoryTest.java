package net.passerelle.gateway.tls;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import net.passerelle.gateway.testing.TestPki;
import net.passerelle.gateway.testing.TestPki.KeyForm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The directory source alone, scanned by hand (no watcher): what a scan serves, and what it says in the log. */
class CertificateDirectoryTest {
    private static final TestPki PKI = new TestPki();

    @TempDir
    Path dir;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(CertificateDirectory.class);
    private CertificateRegistry registry;
    private CertificateDirectory directory;

    @BeforeEach
    void setUp() throws Exception {
        TestPki.write(dir, "alice", PKI.issue("alice.gallery.test"), KeyForm.PKCS8);
        TestPki.write(dir, "bob", PKI.issue("bob.gallery.test"), KeyForm.PKCS8);
        log.start();
        logger.addAppender(log);
        registry = new CertificateRegistry(null);
        CertificateLoader loader = new CertificateLoader(new SslContexts("jdk", List.of("http/1.1"), 100, Duration.ofMinutes(1)));
        directory = new CertificateDirectory(dir, loader, registry, r -> { }).start(false);
    }

    @AfterEach
    void tearDown() {
        logger.detachAppender(log);
        directory.close();
        registry.close();
    }

    @Test
    void aPairWhoseFilesAreGoneStopsBeingServedAndTheLogSaysSo() throws Exception {
        assertNotNull(registry.of(ServedCertificate.Source.FILE).get("alice"));
        Files.delete(dir.resolve("alice.crt"));
        Files.delete(dir.resolve("alice.key"));
        log.list.clear();

        directory.scan();

        assertNull(registry.of(ServedCertificate.Source.FILE).get("alice"));
        assertTrue(!registry.covers("alice.gallery.test"));
        assertTrue(registry.covers("bob.gallery.test"));
        List<String> removals = log.list.stream().filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("removed")).toList();
        assertEquals(1, removals.size(), log.list.toString());
        assertTrue(removals.get(0).startsWith("certificate alice removed")
                && removals.get(0).contains("alice.gallery.test"), removals.get(0));
    }

    @Test
    void aPairLinkedToFilesElsewhereIsServedAgainOnceItsTargetsAreRenewed(@TempDir Path live) throws Exception {
        // certbot's layout: the pair in the watched directory links to live/, whose links move to new files
        Path certs = Files.createDirectory(dir.resolve("linked"));
        TestPki.write(live, "v1", PKI.issue("carol.gallery.test"), KeyForm.PKCS8);
        relink(live, "carol.crt", "v1.crt");
        relink(live, "carol.key", "v1.key");
        Files.createSymbolicLink(certs.resolve("carol.crt"), live.resolve("carol.crt"));
        Files.createSymbolicLink(certs.resolve("carol.key"), live.resolve("carol.key"));
        LinkedBlockingQueue<CertificateDirectory.Reload> reloads = new LinkedBlockingQueue<>();
        CertificateRegistry linkedRegistry = new CertificateRegistry(null);
        CertificateLoader loader = new CertificateLoader(new SslContexts("jdk", List.of("http/1.1"), 100, Duration.ofMinutes(1)));
        try (CertificateDirectory watched = new CertificateDirectory(certs, loader, linkedRegistry, reloads::add,
                Duration.ofMillis(100)).start(true)) {
            assertTrue(reloads.remove().loaded());   // the first scan, in start()
            TestPki.Issued renewed = PKI.issue("carol.gallery.test");
            TestPki.write(live, "v2", renewed, KeyForm.PKCS8);
            relink(live, "carol.key", "v2.key");
            relink(live, "carol.crt", "v2.crt");

            CertificateDirectory.Reload reload = reloads.poll(20, TimeUnit.SECONDS);
            assertNotNull(reload, "the renewed targets were never read");
            assertTrue(reload.loaded(), reload.toString());
            assertEquals(renewed.serial(),
                    linkedRegistry.of(ServedCertificate.Source.FILE).get("carol").leaf().getSerialNumber());
        } finally {
            linkedRegistry.close();
        }
    }

    /** Points {@code dir/link} at {@code target} in one rename, as certbot does. */
    private static void relink(Path dir, String link, String target) throws Exception {
        Path tmp = dir.resolve(link + ".new");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, dir.resolve(target));
        Files.move(tmp, dir.resolve(link), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void aScanWithNothingGoneSaysNothingOfRemovals() {
        log.list.clear();
        directory.scan();
        assertTrue(log.list.isEmpty(), log.list.toString());
    }
}
