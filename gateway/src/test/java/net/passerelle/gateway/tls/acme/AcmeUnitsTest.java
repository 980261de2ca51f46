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
