package net.passerelle.gateway.tls.acme;

import net.passerelle.admin.store.CertificateStore.Challenge;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pure parts of ACME: challenge answers, renewal timing and back-off, key sealing. */
class AcmeUnitsTest {
    private static final String PATH = "/.well-known/acme-challenge/";

    /** As admin.token falls back to PASSERELLE_ADMIN_TOKEN: a key set only in the environment still seals the keys. */
    @Test
    void theStoreKeyFallsBackToItsEnvironmentVariable() {
        java.util.Map<String, String> env = java.util.Map.of("PASSERELLE_ACME_STORE_KEY", "from-env");
        assertEquals("from-env", AcmeService.storeKey(acme(null), env::get));
        assertEquals("from-file", AcmeService.storeKey(acme("from-file"), env::get), "the file's key wins");
        assertNull(AcmeService.storeKey(acme(null), java.util.Map.<String, String>of()::get));
        assertNull(AcmeService.storeKey(acme(null), java.util.Map.of("PASSERELLE_ACME_STORE_KEY", " ")::get));
    }

    private static net.passerelle.gateway.config.TlsConfig.AcmeConfig acme(String storeKey) {
        return new net.passerelle.gateway.config.TlsConfig.AcmeConfig("https://acme.test/dir", null, null, storeKey, null, null,
                null, null, null, null);
    }

    @Test
    void challengesAreAnsweredForTheirHostOnly() {
        AcmeChallenges c = new AcmeChallenges();
        c.publish(new Challenge("tok-1", "alice.gallery.test", "tok-1.thumb", Long.MAX_VALUE));
        c.replaceFleet(List.of(new Challenge("tok_2", "bob.gallery.test", "tok_2.thumb", Long.MAX_VALUE)));
        assertEquals("tok-1.thumb", c.answer("alice.gallery.test", PATH + "tok-1"));
        assertEquals("tok_2.thumb", c.answer("bob.gallery.test", PATH + "tok_2"));   // ordered by another gateway
        assertNull(c.answer("bob.gallery.test", PATH + "tok-1"));                    // another host's token
        assertNull(c.answer("alice.gallery.test", PATH + "unknown"));
        assertNull(c.answer("alice.gallery.test", PATH + "tok-1/../x"));
        assertNull(c.answer("alice.gallery.test", "/index.php"));
        c.withdraw("tok-1");
        assertNull(c.answer("alice.gallery.test", PATH + "tok-1"));
    }

    @Test
    void renewalStartsAtTwoThirdsOfTheLifetime() {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        Instant end = start.plus(Duration.ofDays(90));
        assertFalse(RenewalPolicy.due(start, end, start.plus(Duration.ofDays(59))));
        assertTrue(RenewalPolicy.due(start, end, start.plus(Duration.ofDays(60))));
        assertTrue(RenewalPolicy.due(start, end, end.plusSeconds(1)));
    }

    /**
     * The renewal scan's decision. A host a file of the certificate directory took over is never renewed: its ordered
     * certificate is never served, and renewing it every two months spent the CA's rate limits for nothing.
     */
    @Test
    void theScanRenewsWhatIsDueOrAskedForUnlessAFileServesTheHost() {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        var cert = new net.passerelle.admin.store.CertificateStore.StoredCertificate("carol.gallery.test", "", "", "ca",
                start.toEpochMilli(), start.plus(Duration.ofDays(90)).toEpochMilli(), start.toEpochMilli());
        Instant due = start.plus(Duration.ofDays(61));
        Instant young = start.plus(Duration.ofDays(10));
        var asked = new net.passerelle.admin.store.CertificateStore.OrderState("carol.gallery.test", null, 0, 0, 0, null, true);
        assertTrue(RenewalPolicy.renewNow(cert, null, true, false, due));
        assertTrue(RenewalPolicy.renewNow(cert, asked, true, false, young), "ops asked");
        assertFalse(RenewalPolicy.renewNow(cert, null, true, false, young), "not yet due");
        assertFalse(RenewalPolicy.renewNow(cert, null, true, true, due), "a file names the host");
        assertFalse(RenewalPolicy.renewNow(cert, asked, true, true, young), "a file names the host, even when asked");
        assertFalse(RenewalPolicy.renewNow(cert, null, false, false, due), "no longer routed");
        var backingOff = new net.passerelle.admin.store.CertificateStore.OrderState("carol.gallery.test", null, 0, 1,
                due.plusSeconds(60).toEpochMilli(), "refused", false);
        assertFalse(RenewalPolicy.renewNow(cert, backingOff, true, false, due), "backing off");
        var heldElsewhere = new net.passerelle.admin.store.CertificateStore.OrderState("carol.gallery.test", "gw-b",
                due.plusSeconds(60).toEpochMilli(), 0, 0, null, false);
        assertFalse(RenewalPolicy.renewNow(cert, heldElsewhere, true, false, due), "another gateway orders it");
    }

    @Test
    void backOffDoublesUpToTheMaximum() {
        Duration base = Duration.ofMinutes(1);
        Duration max = Duration.ofMinutes(10);
        assertEquals(base, RenewalPolicy.backoff(1, base, max));
        assertEquals(Duration.ofMinutes(2), RenewalPolicy.backoff(2, base, max));
        assertEquals(Duration.ofMinutes(8), RenewalPolicy.backoff(4, base, max));
        assertEquals(max, RenewalPolicy.backoff(30, base, max));
    }

    @Test
    void keysAreSealedWithTheStoreKeyAndOpenOnlyWithIt() {
        byte[] secret = "-----BEGIN PRIVATE KEY-----".getBytes(StandardCharsets.US_ASCII);
        KeySealer sealer = new KeySealer("fleet secret");
        String sealed = sealer.seal(secret);
        assertTrue(sealed.startsWith("gcm1:") && !sealed.contains("PRIVATE"), sealed);
        assertArrayEquals(secret, new KeySealer("fleet secret").open(sealed));
        assertThrows(IllegalArgumentException.class, () -> new KeySealer("another secret").open(sealed));
        assertThrows(IllegalArgumentException.class, () -> new KeySealer(null).open(sealed));
        String plain = new KeySealer(null).seal(secret);
        assertTrue(plain.startsWith("plain:"));
        assertArrayEquals(secret, sealer.open(plain));
    }
}
