package net.passerelle.gateway.spool;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How the spool lays itself out on disk: names, modes and the fsyncs that make a rename durable. Directories are 0700
 * and files 0600 because entries hold cookies, credentials and form passwords.
 */
final class SpoolFiles {
    // under the spool's name, as before the split: operators filter and alert on that logger
    private static final Logger log = LoggerFactory.getLogger(Spool.class);

    static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    static final FileAttribute<Set<PosixFilePermission>> DIR_PERMISSIONS = PosixFilePermissions.asFileAttribute(DIR_MODE);
    static final FileAttribute<Set<PosixFilePermission>> FILE_PERMISSIONS = PosixFilePermissions.asFileAttribute(FILE_MODE);
    static final Pattern GROUP_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    static final Pattern ENTRY_NAME = Pattern.compile("(\\d{20})-([0-9a-f]{20}-[0-9a-f]{16})\\.req");

    private SpoolFiles() {
    }

    static String fileName(long seq, String ref) {
        return String.format("%020d-%s.req", seq, ref);
    }

    static void createPrivateDirectory(Path dir) throws IOException {
        try {
            Files.createDirectory(dir, DIR_PERMISSIONS);
            fsyncDirectory(dir.toAbsolutePath().getParent());
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        } catch (NoSuchFileException e) {
            Files.createDirectories(dir.toAbsolutePath().getParent());
            Files.createDirectory(dir, DIR_PERMISSIONS);
        }
        if (!Files.getPosixFilePermissions(dir).equals(DIR_MODE)) {
            log.warn("spool: {} was readable by others; setting it to 0700", dir);
            Files.setPosixFilePermissions(dir, DIR_MODE);
        }
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
