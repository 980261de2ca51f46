package net.passerelle.gateway.admin;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import net.passerelle.admin.model.HostPort;
import net.passerelle.gateway.config.AdminConfig;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generated token's file: created 0600 (in a directory made for it), reused, replaced when others may read it. */
class TokenFileTest {

    @Test
    void theTokenIsKeptPrivateAndReused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data").resolve("admin-token");
        String token = TokenFile.readOrCreate(file, null);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(token + "\n", Files.readString(file));
        assertEquals(token, TokenFile.readOrCreate(file, null), "a restart keeps the token ctl already reads");
        try (var listing = Files.list(file.getParent())) {
            assertEquals(1, listing.count(), "no temporary file is left behind");
        }

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        String replaced = TokenFile.readOrCreate(file, null);
        assertNotEquals(token, replaced, "a token others could read is exposed: replaced");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void theLogLineGivesACurlCommandWithTheAdminAddress(@TempDir Path dir) {
        assertTrue(generatedLine(dir.resolve("a"), "0.0.0.0:19090").contains(" http://127.0.0.1:19090/v1/groups"),
                "a wildcard listener is reached on loopback");
        assertTrue(generatedLine(dir.resolve("b"), "[::1]:19091").contains(" http://[::1]:19091/v1/groups"));
        assertTrue(generatedLine(dir.resolve("c"), "127.0.0.1:0").contains(" http://<admin.listen>/v1/groups"),
                "an ephemeral port is not known before the listener binds");
    }

    private static String generatedLine(Path dir, String listen) {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(TokenFile.class);
        log.start();
        logger.addAppender(log);
        try {
            AdminConfig ac = new AdminConfig(true, HostPort.parse(listen), null, null, null, dir.resolve("admin-token").toString());
            GatewayAdmin.tokens(ac, name -> null);
        } finally {
            logger.detachAppender(log);
        }
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("generated into"))
                .findFirst().orElseThrow();
    }
}
