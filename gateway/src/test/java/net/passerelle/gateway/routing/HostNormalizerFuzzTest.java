package net.passerelle.gateway.routing;

import com.code_intelligence.jazzer.junit.FuzzTest;
import net.passerelle.admin.model.HostNames;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Host normalisation, the request path's ({@link HostNormalizer}, header bytes) and the store's ({@link HostNames},
 * text): never throws; what it returns is in normal form (lower-case RFC 1123 labels or a bracketed IPv6 literal, at
 * most 253 characters) and normalises to itself, so the gateway and the store agree byte for byte.
 *
 * <p>Seeds: {@code HostNormalizerFuzzTestInputs/normalize/}, one authority per file.
 */
public class HostNormalizerFuzzTest {

    /** Entry point for Jazzer's own driver, for long runs ({@code gateway/fuzz.sh}). */
    public static void fuzzerTestOneInput(byte[] input) {
        new HostNormalizerFuzzTest().normalize(input);
    }

    @FuzzTest(maxDuration = "5s")
    void normalize(byte[] input) {
        String asHeader = new String(input, StandardCharsets.ISO_8859_1);
        String asText = new String(input, StandardCharsets.UTF_8);
        check(HostNormalizer.normalize(asHeader));
        check(HostNormalizer.normalize(asText));
        String stored = HostNames.normalize(asText);
        check(stored);
        if (stored != null) {
            assertEquals(stored, HostNames.requireValid(asText));
        }
    }

    private static void check(String normal) {
        if (normal == null) {
            return;
        }
        assertTrue(normal.length() <= HostNames.MAX_LENGTH + 2, normal);
        assertEquals(normal, HostNames.normalize(normal), "normal form normalises to itself");
        assertEquals(normal, HostNormalizer.normalize(normal));
        if (normal.startsWith("[")) {
            assertTrue(normal.matches("\\[[0-9a-f:.]+]"), normal);
        } else {
            assertTrue(normal.matches("[a-z0-9.-]+"), normal);
        }
    }
}
