package net.passerelle.gateway.tls;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The {@code tls.certificates.dir} source: every {@code NAME.crt} + {@code NAME.key} pair, watched. A new or changed
 * pair is loaded and served to new handshakes; one that does not load (unreadable, key not matching, no DNS name)
 * is refused with a log line naming the file, and the pair loaded before keeps serving. A pair whose files vanish
 * stops being served. Watching runs on its own thread ({@code passerelle-tls-certs}); a burst of file events (a
 * certificate and its key copied one after the other) is read as one change once the directory has been quiet for
 * {@value #QUIET_MILLIS} ms, and the directory is read again every {@link #RESCAN} whatever the events say.
 */
public final class CertificateDirectory implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CertificateDirectory.class);
    static final long QUIET_MILLIS = 200;
    /**
     * How often the directory is read again without an event. A pair linked to files elsewhere (certbot's
     * {@code live/} symbolic links, a Kubernetes secret volume) is renewed by changing the link or its target, which
     * tells a watch on this directory nothing; the digests make a rescan that finds no change silent and cheap.
     */
    static final Duration RESCAN = Duration.ofSeconds(60);

    /** What one scan did to one pair. */
    public record Reload(String name, boolean loaded, String detail) {
    }

    /** Told of every pair loaded or refused (after the registry has been updated). */
    @FunctionalInterface
    public interface Listener {
        void reloaded(Reload reload);
    }

    private final Path dir;
    private final CertificateLoader loader;
    private final CertificateRegistry registry;
    private final Listener listener;
    private final Duration rescan;
    private final Map<String, String> digests = new HashMap<>();
    private final Map<String, ServedCertificate> served = new HashMap<>();
    private final List<Reload> loaded = new ArrayList<>();
    private WatchService watcher;
    private Thread thread;

    public CertificateDirectory(Path dir, CertificateLoader loader, CertificateRegistry registry, Listener listener) {
        this(dir, loader, registry, listener, RESCAN);
    }

    /** @param rescan how often the watched directory is read again without an event */
    CertificateDirectory(Path dir, CertificateLoader loader, CertificateRegistry registry, Listener listener,
                         Duration rescan) {
        this.dir = dir;
        this.loader = loader;
        this.registry = registry;
        this.listener = listener;
        this.rescan = rescan;
    }

    /** Loads every pair now; with {@code watch}, keeps following the directory. */
    public CertificateDirectory start(boolean watch) throws IOException {
        if (!Files.isDirectory(dir)) {
            log.warn("tls.certificates.dir {} is not a directory: no certificate from files", dir);
            return this;
        }
        scan();
        if (watch) {
            watcher = dir.getFileSystem().newWatchService();
            dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
            thread = new Thread(this::watch, "passerelle-tls-certs");
            thread.setDaemon(true);
            thread.start();
        }
        return this;
    }

    private void watch() {
        try {
            for (;;) {
                WatchKey key = watcher.poll(rescan.toMillis(), TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
                // Let a burst settle: a pair is usually written as two files.
                for (WatchKey more = watcher.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS); more != null;
                     more = watcher.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)) {
                    more.pollEvents();
                    more.reset();
                }
                scan();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("certificate directory watcher stopped", e);
        }
    }

    /** Reads the directory and applies what changed; synchronized with itself (start and the watcher). */
    synchronized void scan() {
        Set<String> names = pairNames();
        boolean changed = removeVanished(names);
        digests.keySet().removeIf(n -> !names.contains(n));
        for (String name : names) {
            changed |= load(name);
        }
        if (changed) {
            registry.replaceAll(ServedCertificate.Source.FILE, served);
        }
        // Told after the registry changed, so that a listener sees what new handshakes get.
        loaded.forEach(listener::reloaded);
        loaded.clear();
    }

    /**
     * Forgets the pairs whose files are gone. Said in the log: the names they served now fail their handshakes with
     * {@code unrecognized_name} (or get an ACME certificate), and ops must be able to see why.
     */
    private boolean removeVanished(Set<String> names) {
        boolean changed = false;
        for (var it = served.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, ServedCertificate> e = it.next();
            if (!names.contains(e.getKey())) {
                it.remove();
                changed = true;
                log.warn("certificate {} removed: {}.crt or {}.key is no longer in {}, so {} is no longer served from files",
                        e.getKey(), e.getKey(), e.getKey(), dir, e.getValue().names());
            }
        }
        return changed;
    }

    private boolean load(String name) {
        Path crt = dir.resolve(name + ".crt");
        Path key = dir.resolve(name + ".key");
        String digest;
        try {
            digest = digest(crt, key);
        } catch (IOException e) {
            return refuse(name, e.getMessage());
        }
        if (digest.equals(digests.get(name))) {
            return false;
        }
        digests.put(name, digest);
        warnIfReadableByOthers(key);
        ServedCertificate cert;
        try {
            cert = loader.fromFiles(name, crt, key);
        } catch (IOException e) {
            return refuse(name, e.getMessage());
        }
        served.put(name, cert);
        log.info("certificate {} loaded from {}: {} (until {})", name, crt, cert.names(), cert.notAfter());
        loaded.add(new Reload(name, true, cert.names().toString()));
        return true;
    }

    private boolean refuse(String name, String why) {
        log.error("certificate {} refused, {}: {}", name, served.containsKey(name)
                ? "the one loaded before keeps serving" : "nothing is served for it", why);
        listener.reloaded(new Reload(name, false, why));
        return false;
    }


    private Set<String> pairNames() {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".crt"))
                    .map(f -> f.substring(0, f.length() - 4))
                    .filter(n -> Files.exists(dir.resolve(n + ".key")))
                    .forEach(names::add);
        } catch (IOException e) {
            log.error("cannot list the certificate directory {}: {}", dir, e.toString());
            return new TreeSet<>(served.keySet());
        }
        return names;
    }

    private static void warnIfReadableByOthers(Path key) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(key);
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                log.warn("private key {} is readable by others than its owner (chmod 600 it)", key);
            }
        } catch (IOException | UnsupportedOperationException e) {
            log.debug("cannot read the permissions of {}", key, e);
        }
    }

    private static String digest(Path crt, Path key) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(Files.readAllBytes(crt));
            md.update((byte) 0);
            md.update(Files.readAllBytes(key));
            return Arrays.toString(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                log.debug("closing the watcher", e);
            }
        }
        if (thread != null) {
            thread.interrupt();
            // A scan in progress finishes before the registry is closed after this: a pair it loaded later would
            // reach a closed registry, and its TLS context would never be released (the tests' rescan runs every 100 ms).
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
