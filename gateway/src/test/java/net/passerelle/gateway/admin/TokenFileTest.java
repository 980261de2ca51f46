package net.passerelle.gateway.admin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The generated token's file: created 0600 (in a directory made for it), reused, replaced when others may read it. */
class TokenFileTest {

    @Test
    void theTokenIsKeptPrivateAndReused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data").resolve("admin-token");
        String token = TokenFile.readOrCreate(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(token + "\n", Files.readString(file));
        assertEquals(token, TokenFile.readOrCreate(file), "a restart keeps the token ctl already reads");
        try (var listing = Files.list(file.getParent())) {
            assertEquals(1, listing.count(), "no temporary file is left behind");
        }

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        String replaced = TokenFile.readOrCreate(file);
        assertNotEquals(token, replaced, "a token others could read is exposed: replaced");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }
}
