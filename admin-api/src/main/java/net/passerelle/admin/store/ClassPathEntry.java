package net.passerelle.admin.store;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipFile;

/**
 * One entry of a class path, a directory or a jar, read for the bytes of its class files on behalf of
 * {@link ChildFirstClassLoader}. A jar is read as the running Java version sees it (multi-release entries), through
 * a {@link JarFile} of its own, so that closing it closes nothing that others read (a {@code jar:} URL's connection
 * shares a cached one).
 */
final class ClassPathEntry implements Closeable {
    private final Path dir;
    private final JarFile jar;
    private final ProtectionDomain domain;

    private ClassPathEntry(Path dir, JarFile jar, ProtectionDomain domain) {
        this.dir = dir;
        this.jar = jar;
        this.domain = domain;
    }

    /** The entry at {@code path}, or null when there is nothing there. */
    static ClassPathEntry open(Path path) throws IOException {
        Path p = path.toAbsolutePath();
        // A domain without a class loader: a thread started while such classes are on the stack keeps the domains of
        // the stack (its inherited access control context), and a domain made by a SecureClassLoader would keep
        // that loader, and every class it defined, as long as the thread lives (a pool's connection adder: seconds).
        ProtectionDomain domain = new ProtectionDomain(new CodeSource(p.toUri().toURL(), (CodeSigner[]) null), null);
        if (Files.isDirectory(p)) {
            return new ClassPathEntry(p, null, domain);
        }
        if (Files.isRegularFile(p)) {
            return new ClassPathEntry(null, new JarFile(p.toFile(), false, ZipFile.OPEN_READ, Runtime.version()), domain);
        }
        return null;
    }

    /** The bytes of {@code resource} (a path with slashes), or null when this entry has none. */
    byte[] read(String resource) throws IOException {
        if (jar != null) {
            JarEntry e = jar.getJarEntry(resource);
            if (e == null) {
                return null;
            }
            try (InputStream in = jar.getInputStream(e)) {
                return in.readAllBytes();
            }
        }
        Path file = dir.resolve(resource);
        return Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
    }

    /** Where the classes read here come from, as their code source. */
    ProtectionDomain domain() {
        return domain;
    }

    @Override
    public void close() throws IOException {
        if (jar != null) {
            jar.close();
        }
    }
}
