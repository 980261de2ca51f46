package net.passerelle.gateway.spool;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway's on-disk store of queued writes: one directory per group, one file per entry (see {@link EntryFormat}),
 * one outcome journal per group (see {@link Journal}). Directories are 0700 and files 0600: entries hold cookies,
 * credentials and form passwords.
 *
 * <p>A write is acknowledged ({@link SpoolWriter#commit()} completes) only after the entry file was fsynced, renamed to
 * its final name and the directory fsynced. All disk I/O runs on the spool's own executor, never on the caller's
 * thread, except {@link #open} (recovery) and the journal updates made by {@link #discard} and {@link #requeue}.
 */
public final class Spool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Spool.class);

    static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    static final FileAttribute<Set<PosixFilePermission>> DIR_PERMISSIONS = PosixFilePermissions.asFileAttribute(DIR_MODE);
    static final FileAttribute<Set<PosixFilePermission>> FILE_PERMISSIONS = PosixFilePermissions.asFileAttribute(FILE_MODE);
    static final Pattern GROUP_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    static final Pattern ENTRY_NAME = Pattern.compile("(\\d{20})-([0-9a-f]{20}-[0-9a-f]{16})\\.req");
    private static final SecureRandom RANDOM = new SecureRandom();

    final SpoolSettings settings;
    final ExecutorService io;
    private final FileStore fileStore;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ConcurrentHashMap<String, GroupSpool> groups = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private volatile long usableSpace;
    volatile boolean closed;
    /** Told of every replay attempt's outcome (metrics); never null. */
    private volatile ReplayOutcomes outcomes = ReplayOutcomes.NONE;
    /** Test hook: called on the disk executor before each write to an entry file. */
    volatile IoFault fault;

    interface IoFault {
        void beforeWrite(Path file, long position) throws IOException;
    }

    private Spool(SpoolSettings settings) throws IOException {
        this.settings = settings;
        Path root = settings.dir();
        createPrivateDirectory(root);
        lockChannel = FileChannel.open(root.resolve(".lock"), Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                FILE_PERMISSIONS);
        FileLock l = lockChannel.tryLock();
        if (l == null) {
            lockChannel.close();
            throw new IOException("spool directory " + root + " is in use by another process");
        }
        lock = l;
        fileStore = Files.getFileStore(root);
        AtomicInteger n = new AtomicInteger();
        io = new ThreadPoolExecutor(settings.ioThreads(), settings.ioThreads(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "passerelle-spool-io-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /** Opens (creating if needed) the spool and recovers it: see {@link #recover()}. Blocking: call at start. */
    public static Spool open(SpoolSettings settings) throws IOException {
        Spool s = new Spool(settings);
        try {
            s.recover();
            s.refreshUsableSpace();
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Temp files (never acknowledged) are deleted; every entry file is verified in full; one that does not verify
     * (torn, corrupt, unknown version, name and content disagreeing) is moved to {@code set-aside/}, logged and listed
     * in the summary, never replayed; an entry whose journal says delivered or discarded has its file removed (the
     * removal was interrupted); the journal is compacted.
     */
    private void recover() throws IOException {
        long maxSeq = -1;
        Instant keepAfter = Instant.now().minus(settings.keepOutcomes());
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(settings.dir())) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (!Files.isDirectory(dir) || !GROUP_NAME.matcher(name).matches()) {
                    if (!name.equals(".lock")) {
                        log.warn("spool: ignoring {} (not a group directory)", dir);
                    }
                    continue;
                }
                maxSeq = Math.max(maxSeq, recoverGroup(name, keepAfter));
            }
        }
        sequence.set(maxSeq + 1);
    }

    private long recoverGroup(String name, Instant keepAfter) throws IOException {
        GroupSpool g = new GroupSpool(name, settings.dir());
        createPrivateDirectory(g.dir);
        int[] bad = {0};
        Map<Long, Journal.Record> latest = new HashMap<>();
        long maxSeq = -1;
        for (Journal.Record r : Journal.load(g.dir.resolve("journal"), bad)) {
            latest.put(r.seq(), r);
            maxSeq = Math.max(maxSeq, r.seq());
        }
        if (bad[0] > 0) {
            log.warn("spool {}: {} torn or corrupt journal line(s) ignored (their entries keep their previous status)", name, bad[0]);
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(g.dir)) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                if (f.endsWith(".tmp")) {
                    Files.delete(p);
                    log.info("spool {}: deleted unacknowledged temp file {}", name, f);
                } else if (Files.isRegularFile(p) && !f.equals("journal")) {
                    files.add(p);
                }
            }
        }
        files.sort(null);
        List<Tracked> setAsideNow = new ArrayList<>();
        for (Path p : files) {
            String f = p.getFileName().toString();
            Matcher m = ENTRY_NAME.matcher(f);
            long seq = m.matches() ? Long.parseLong(m.group(1)) : -1;
            String ref = m.matches() ? m.group(2) : f;
            try {
                if (seq < 0) {
                    throw new EntryFormat.CorruptEntryException("not an entry file name");
                }
                EntryFormat.Stored s = EntryFormat.verify(p);
                if (s.head().sequence() != seq || !s.head().referenceId().equals(ref) || !s.head().group().equals(name)) {
                    throw new EntryFormat.CorruptEntryException("name and content disagree");
                }
                maxSeq = Math.max(maxSeq, seq);
                Journal.Record r = latest.get(seq);
                Tracked t = r == null ? new Tracked(seq, ref) : Tracked.fromRecord(r);
                t.status = r == null ? EntryStatus.PENDING : t.status;
                t.method = s.head().method();
                t.path = s.head().path();
                t.arrival = s.head().arrival();
                t.size = s.fileSize();
                if (t.status == EntryStatus.DELIVERED || t.status == EntryStatus.DISCARDED) {
                    Files.delete(p);
                    log.info("spool {}: removed the file of {} entry {} (removal was interrupted)", name, t.status.wireName(), ref);
                } else {
                    if (t.status == EntryStatus.SET_ASIDE) {
                        t.status = EntryStatus.PENDING; // verifies now: cannot happen unless restored by hand
                    }
                    t.file = p;
                    g.committedBytes += t.size;
                }
                latest.remove(seq);
                g.add(t);
            } catch (IOException e) {
                Tracked t = new Tracked(seq, ref);
                t.status = EntryStatus.SET_ASIDE;
                t.reason = e.getMessage();
                t.at = Instant.now();
                t.size = Files.size(p);
                createPrivateDirectory(g.setAsideDir);
                Path target = g.setAsideDir.resolve(f);
                Files.move(p, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                t.file = target;
                log.error("spool {}: entry file {} set aside, never replayed: {}", name, f, e.getMessage());
                latest.remove(seq);
                setAsideNow.add(t);
                if (seq >= 0) {
                    maxSeq = Math.max(maxSeq, seq);
                    g.add(t);
                }
            }
        }
        if (!setAsideNow.isEmpty()) {
            fsyncDirectory(g.setAsideDir);
            fsyncDirectory(g.dir);
        }
        // set-aside files of earlier starts
        if (Files.isDirectory(g.setAsideDir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(g.setAsideDir)) {
                for (Path p : ds) {
                    String f = p.getFileName().toString();
                    Matcher m = ENTRY_NAME.matcher(f);
                    long seq = m.matches() ? Long.parseLong(m.group(1)) : -1;
                    if (seq >= 0 && g.bySeq.containsKey(seq)) {
                        continue;
                    }
                    Journal.Record r = seq >= 0 ? latest.remove(seq) : null;
                    Tracked t = r != null ? Tracked.fromRecord(r) : new Tracked(seq, m.matches() ? m.group(2) : f);
                    t.status = EntryStatus.SET_ASIDE;
                    t.reason = t.reason == null ? "set aside at an earlier start" : t.reason;
                    t.size = Files.size(p);
                    t.file = p;
                    if (seq >= 0) {
                        maxSeq = Math.max(maxSeq, seq);
                        g.add(t);
                    }
                }
            }
        }
        // outcomes whose file is gone
        for (Journal.Record r : latest.values()) {
            Tracked t = Tracked.fromRecord(r);
            if (t.status.awaitsReplay() || t.status == EntryStatus.FAILED_FINAL || t.status == EntryStatus.SET_ASIDE) {
                log.error("spool {}: entry {} is {} in the journal but its file is missing", name, t.ref, t.status.wireName());
                t.status = EntryStatus.SET_ASIDE;
                t.reason = "entry file missing";
                g.add(t);
            } else if (t.at == null || t.at.isAfter(keepAfter)) {
                g.add(t);
            }
        }
        List<Journal.Record> compacted = new ArrayList<>();
        for (Tracked t : g.bySeq.values()) {
            compacted.add(t.record(null));
        }
        g.openJournal(compacted);
        groups.put(name, g);
        if (!g.bySeq.isEmpty()) {
            log.info("spool {}: {} entries waiting, {} set aside", name,
                    g.bySeq.values().stream().filter(t -> t.status.awaitsReplay()).count(),
                    g.bySeq.values().stream().filter(t -> t.status == EntryStatus.SET_ASIDE).count());
        }
        return maxSeq;
    }

    /** As {@link #begin(String, HttpRequest, InetSocketAddress, long, String)} for a client that came over http. */
    public SpoolWriter begin(String group, HttpRequest head, InetSocketAddress client, long maxBytes) {
        return begin(group, head, client, maxBytes, "http");
    }

    /**
     * Starts an entry. Does no disk I/O (safe on an event loop). Refuses at once, with a {@link SpoolException}, when a
     * known {@code Content-Length} would exceed the group quota, {@code spool.maxEntryBytes} or the free-space floor.
     *
     * @param head     the request as received (its headers are copied; the original client headers, untouched)
     * @param client   the original client address, sent in the forwarding headers at replay
     * @param maxBytes the group's quota; 0 or less for {@code spool.maxBytesPerGroup}
     * @param scheme   {@code http} or {@code https}, as the client reached the gateway
     */
    public SpoolWriter begin(String group, HttpRequest head, InetSocketAddress client, long maxBytes, String scheme) {
        if (closed) {
            throw new SpoolException(SpoolException.Reason.CLOSED, "the spool is closed");
        }
        if (!GROUP_NAME.matcher(group).matches()) {
            throw new IllegalArgumentException("not a group name: " + group);
        }
        GroupSpool g = groups.computeIfAbsent(group, n -> new GroupSpool(n, settings.dir()));
        long seq = sequence.getAndIncrement();
        Instant arrival = Instant.now();
        String ref = referenceId(arrival, seq);
        HttpHeaders headers = new DefaultHttpHeaders(false);
        headers.add(head.headers());
        byte[] encoded = EntryFormat.encodeHead(new EntryFormat.Head(seq, arrival, ref, group, scheme, client,
                head.method().name(), head.uri(), head.protocolVersion().text(), headers));
        long contentLength = HttpUtil.getContentLength(head, -1L);
        long initial = encoded.length + EntryFormat.TRAILER + Math.max(0, contentLength);
        long quota = maxBytes > 0 ? maxBytes : settings.maxBytesPerGroup();
        if (initial > settings.maxEntryBytes()) {
            throw new SpoolException(SpoolException.Reason.ENTRY_TOO_LARGE, "entry of " + initial
                    + " bytes exceeds spool.maxEntryBytes (" + settings.maxEntryBytes() + ")");
        }
        reserve(g, initial, quota);
        synchronized (g) {
            g.openWriters++;
        }
        String path = new EntryFormat.Head(seq, arrival, ref, group, scheme, client, head.method().name(), head.uri(),
                "", headers).path();
        return new SpoolWriter(this, g, seq, ref, arrival, head.method().name(), path, encoded, initial, quota);
    }

    /** Reserves {@code bytes} of the group's quota and of the disk, or throws. */
    void reserve(GroupSpool g, long bytes, long quota) {
        synchronized (g) {
            if (g.committedBytes + g.reservedBytes + bytes > quota) {
                throw new SpoolException(SpoolException.Reason.GROUP_QUOTA, "spool quota of group " + g.name + " ("
                        + quota + " bytes) would be exceeded");
            }
            if (usableSpace - bytes < settings.minFreeBytes()) {
                throw new SpoolException(SpoolException.Reason.DISK_FULL, "spool disk has "
                        + usableSpace + " bytes usable, under the floor of " + settings.minFreeBytes() + " + " + bytes);
            }
            g.reservedBytes += bytes;
        }
    }

    void release(GroupSpool g, long reserved) {
        synchronized (g) {
            g.reservedBytes -= reserved;
        }
    }

    /** Called on the disk executor when a writer's file became a committed entry. */
    void committed(GroupSpool g, long reserved, Tracked t) {
        synchronized (g) {
            g.reservedBytes -= reserved;
            g.committedBytes += t.size;
            g.openWriters--;
            g.add(t);
            g.notifyAll();
        }
    }

    void writerClosed(GroupSpool g) {
        synchronized (g) {
            g.openWriters--;
            g.notifyAll();
        }
    }

    void refreshUsableSpace() {
        try {
            usableSpace = fileStore.getUsableSpace();
        } catch (IOException e) {
            usableSpace = 0;
            log.error("spool: cannot read the free space of {}: {}", settings.dir(), e.toString());
        }
    }

    static String referenceId(Instant arrival, long seq) {
        return String.format("%012x%08x-%016x", arrival.toEpochMilli(), seq & 0xFFFFFFFFL, RANDOM.nextLong());
    }

    static String fileName(long seq, String ref) {
        return String.format("%020d-%s.req", seq, ref);
    }

    // ---------------------------------------------------------------- inspection and ops

    /** The groups that have a spool directory or entries. */
    public Set<String> groups() {
        return new TreeSet<>(groups.keySet());
    }

    /** What ops may see of a group's spool; an empty summary for an unknown group. */
    public SpoolSummary summary(String group) {
        GroupSpool g = groups.get(group);
        if (g == null) {
            return new SpoolSummary(group, 0, 0, null, 0, 0, List.of());
        }
        synchronized (g) {
            List<EntryView> views = new ArrayList<>(g.bySeq.size());
            int waiting = 0;
            int failed = 0;
            int setAside = 0;
            long bytes = 0;
            Instant oldest = null;
            for (Tracked t : g.bySeq.values()) {
                views.add(t.view());
                if (t.file != null) {
                    bytes += t.size;
                }
                if (t.status.awaitsReplay()) {
                    waiting++;
                    if (oldest == null || t.arrival.isBefore(oldest)) {
                        oldest = t.arrival;
                    }
                } else if (t.status == EntryStatus.FAILED_FINAL) {
                    failed++;
                } else if (t.status == EntryStatus.SET_ASIDE) {
                    setAside++;
                }
            }
            return new SpoolSummary(group, waiting, bytes, oldest, failed, setAside, views);
        }
    }

    /**
     * Removes an entry (waiting, failed-final or set-aside) for good, recording the actor in the journal. Blocking
     * (one fsync): call off the event loop. The caller writes the audit entry.
     *
     * @return the entry as it was, empty when unknown
     * @throws IllegalStateException when the entry is being sent right now, or already delivered or discarded
     */
    public Optional<EntryView> discard(String group, String referenceId, String actor) throws IOException {
        GroupSpool g = groups.get(group);
        if (g == null) {
            return Optional.empty();
        }
        synchronized (g) {
            Tracked t = g.byRef.get(referenceId);
            if (t == null) {
                return Optional.empty();
            }
            if (t.status == EntryStatus.DELIVERED || t.status == EntryStatus.DISCARDED) {
                throw new IllegalStateException("entry " + referenceId + " is already " + t.status.wireName());
            }
            if (t.ref.equals(g.inFlight)) {
                throw new IllegalStateException("entry " + referenceId + " is being replayed right now");
            }
            EntryView before = t.view();
            EntryStatus was = t.status;
            t.status = EntryStatus.DISCARDED;
            t.reason = "discarded by " + actor;
            t.at = Instant.now();
            g.journal(t, actor);
            removeFile(g, t, was != EntryStatus.SET_ASIDE);
            return Optional.of(before);
        }
    }

    /**
     * Puts a failed-final entry back in the queue (its file was kept), for the next replay. Blocking (one fsync).
     *
     * @return the entry as it was, empty when unknown
     * @throws IllegalStateException when the entry is not failed-final
     */
    public Optional<EntryView> requeue(String group, String referenceId, String actor) throws IOException {
        GroupSpool g = groups.get(group);
        if (g == null) {
            return Optional.empty();
        }
        synchronized (g) {
            Tracked t = g.byRef.get(referenceId);
            if (t == null) {
                return Optional.empty();
            }
            if (t.status != EntryStatus.FAILED_FINAL) {
                throw new IllegalStateException("entry " + referenceId + " is " + t.status.wireName() + ", not failed-final");
            }
            EntryView before = t.view();
            t.status = EntryStatus.PENDING;
            t.attempts = 0;
            t.at = Instant.now();
            g.journal(t, actor);
            return Optional.of(before);
        }
    }

    // ---------------------------------------------------------------- for the replayer

    GroupSpool group(String name) {
        return groups.get(name);
    }

    /** The waiting entry with the lowest sequence, or null. */
    Tracked nextToReplay(GroupSpool g) {
        synchronized (g) {
            for (Tracked t : g.bySeq.values()) {
                if (t.status.awaitsReplay()) {
                    return t;
                }
            }
            return null;
        }
    }

    /** Durably marks an attempt as started, before anything is sent. */
    void markReplaying(GroupSpool g, Tracked t, int attempt) throws IOException {
        synchronized (g) {
            if (!t.status.awaitsReplay()) {
                throw new IllegalStateException("entry " + t.ref + " is " + t.status.wireName());
            }
            t.status = EntryStatus.REPLAYING;
            t.attempts = attempt;
            t.at = Instant.now();
            g.inFlight = t.ref;
            g.journal(t, null);
        }
    }

    /** Durably records an attempt's outcome; a delivered entry's file is then removed. */
    void markOutcome(GroupSpool g, Tracked t, EntryStatus status, int code, String reason) throws IOException {
        synchronized (g) {
            t.status = status;
            t.code = code;
            t.reason = reason;
            t.at = Instant.now();
            g.journal(t, null);
            if (status != EntryStatus.REPLAYING) {
                g.inFlight = null;
            }
            if (status == EntryStatus.DELIVERED) {
                removeFile(g, t, true);
            }
        }
        outcomes.outcome(g.name, status);
    }

    /** Who hears of replay outcomes: delivered, pending again (a retry will follow) or failed-final. */
    public void setReplayOutcomes(ReplayOutcomes listener) {
        this.outcomes = java.util.Objects.requireNonNull(listener);
    }

    private void removeFile(GroupSpool g, Tracked t, boolean counted) {
        if (t.file == null) {
            return;
        }
        try {
            Files.deleteIfExists(t.file);
        } catch (IOException e) {
            // the journal says it is gone: the next start removes it
            log.warn("spool {}: could not remove {}: {}", g.name, t.file, e.toString());
        }
        t.file = null;
        if (counted) {
            g.committedBytes -= t.size;
        }
    }

    /** Waits (at most {@code millis}) while writers of the group are still open; true when none is. */
    boolean awaitNoOpenWriters(GroupSpool g, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        synchronized (g) {
            while (g.openWriters > 0) {
                long left = end - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                g.wait(left);
            }
            return true;
        }
    }

    /** Reads and verifies an entry's file for replay. */
    EntryFormat.Stored read(GroupSpool g, Tracked t) throws IOException {
        Path file;
        synchronized (g) {
            file = t.file;
        }
        if (file == null) {
            throw new IOException("entry " + t.ref + " has no file");
        }
        return EntryFormat.verify(file);
    }

    // ---------------------------------------------------------------- file system helpers

    static void createPrivateDirectory(Path dir) throws IOException {
        try {
            Files.createDirectory(dir, DIR_PERMISSIONS);
            fsyncDirectory(dir.toAbsolutePath().getParent());
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        } catch (java.nio.file.NoSuchFileException e) {
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

    /** Stops accepting writes, lets the disk executor finish what it has, releases the directory lock. */
    @Override
    public void close() {
        closed = true;
        io.shutdown();
        try {
            if (!io.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("spool: disk executor did not finish in 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (GroupSpool g : groups.values()) {
            try {
                g.close();
            } catch (IOException e) {
                log.warn("spool: closing the journal of {}: {}", g.name, e.toString());
            }
        }
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            log.warn("spool: releasing the lock: {}", e.toString());
        }
    }

    Map<String, GroupSpool> groupMap() {
        return new LinkedHashMap<>(groups);
    }
}
