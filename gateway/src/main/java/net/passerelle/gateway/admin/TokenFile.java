package net.passerelle.gateway.admin;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * The admin token generated when none is configured ({@code admin.tokenFile}, {@code ./data/admin-token}): 32 random
 * bytes as hex, on one line, in a file readable by the gateway's user alone. {@code passerelle ctl} and
 * {@code curl -H "Authorization: Bearer $(cat ./data/admin-token)"} read it.
 *
 * <p>The file is created with mode 0600 from its first byte (never written wider and narrowed after): a temporary
 * file made with that mode in the same directory, then moved over the name. An existing file is reused, so the
 * token survives restarts; one that others may read is replaced (its token was exposed).
 */
final class TokenFile {
    private static final Logger log = LoggerFactory.getLogger(TokenFile.class);
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);

    private TokenFile() {
    }

    /**
     * The token in {@code file}, generated first when there is none (or the file is exposed).
     *
     * @param adminUrl the admin API's base URL for the log's example, or null when it is not known yet
     * @throws IllegalStateException when the file can be neither read nor written
     */
    static String readOrCreate(Path file, String adminUrl) {
        Path abs = file.toAbsolutePath().normalize();
        try {
            String existing = readIfPrivate(abs);
            if (existing != null) {
                log.info("admin API token: none configured; using the one generated earlier in {} (mode 0600)", abs);
                return existing;
            }
            String token = HexFormat.of().formatHex(randomBytes());
            write(abs, token);
            log.info("admin API token: none configured, so one was generated into {} (mode 0600, readable by this user"
                    + " only). Use it with: curl -H \"Authorization: Bearer $(cat {})\" {}/v1/groups", abs, abs,
                    adminUrl != null ? adminUrl : "http://<admin.listen>");
            return token;
        } catch (IOException e) {
            throw new IllegalStateException("no admin token is configured and none can be kept in " + abs + " ("
                    + e.getMessage() + "): set admin.token, PASSERELLE_ADMIN_TOKEN or admin.tokens, or admin.tokenFile", e);
        }
    }

    /** The token of an existing file that only its owner may read; null when there is none to reuse. */
    private static String readIfPrivate(Path file) throws IOException {
        PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        try {
            if (posix != null && !OWNER_ONLY.containsAll(posix.readAttributes().permissions())) {
                log.warn("admin API token file {} may be read by others ({}): replacing it with a new token", file,
                        PosixFilePermissions.toString(posix.readAttributes().permissions()));
                return null;
            }
            String token = Files.readString(file, StandardCharsets.UTF_8).strip();
            return token.isEmpty() ? null : token;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static void write(Path file, String token) throws IOException {
        Path dir = file.getParent();
        Files.createDirectories(dir);
        boolean posix = Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class);
        FileAttribute<?>[] attrs = posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                : new FileAttribute<?>[0];
        Path tmp = dir.resolve("." + file.getFileName() + "." + HexFormat.of().formatHex(randomBytes(), 0, 6) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attrs)) {
                ch.write(StandardCharsets.UTF_8.encode(token + "\n"));
                ch.force(true);
            }
            if (!posix) {
                tmp.toFile().setReadable(false, false);
                tmp.toFile().setReadable(true, true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("a temporary file " + tmp + " is in the way", e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
