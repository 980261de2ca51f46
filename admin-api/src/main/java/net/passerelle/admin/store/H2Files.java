package net.passerelle.admin.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Makes the embedded store's files readable by the gateway's user alone. They hold the ACME account and certificate
 * keys (unencrypted without {@code tls.acme.storeKey}) and the audit log. Under systemd the unit's {@code UMask=0077}
 * already does this; started by hand, H2 created them {@code 0644} under the shell's umask, beside an admin token
 * and a spool that the gateway keeps {@code 0600}.
 */
final class H2Files {
    private static final Logger log = LoggerFactory.getLogger(H2Files.class);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final String[] SUFFIXES = {".mv.db", ".trace.db"};

    private H2Files() {
    }

    /** For {@code jdbc:h2:file:…} (or a bare path); in-memory and server URLs have no file here. */
    static void restrict(String url) {
        Path base = basePath(url);
        if (base == null || !FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        for (String suffix : SUFFIXES) {
            Path file = base.resolveSibling(base.getFileName() + suffix);
            try {
                if (Files.exists(file) && !Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
                    Files.setPosixFilePermissions(file, OWNER_ONLY);
                }
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                log.warn("store file {} keeps its permissions: {}", file, e.toString());
            }
        }
    }

    /** The database's path without H2's suffix, or null when the URL names no local file. */
    static Path basePath(String url) {
        String rest = url.substring("jdbc:h2:".length());
        int options = rest.indexOf(';');
        rest = options < 0 ? rest : rest.substring(0, options);
        if (rest.startsWith("file:")) {
            rest = rest.substring("file:".length());
        } else if (rest.matches("^[a-zA-Z]+:.*")) {
            return null; // mem:, tcp:, ssl:, zip:, and H2's other file systems
        }
        if (rest.isEmpty()) {
            return null;
        }
        if (rest.startsWith("~")) {
            rest = System.getProperty("user.home") + rest.substring(1);
        }
        return Path.of(rest);
    }
}
