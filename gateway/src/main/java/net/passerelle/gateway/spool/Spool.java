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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
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

/**
 * The gateway's on-disk store of queued writes: one directory per group, one file per entry (see {@link EntryFormat}),
 * one outcome journal per group (see {@link Journal}). Directories are 0700 and files 0600: entries hold cookies,
 * credentials and form passwords.
 *
 * <p>A write is acknowledged ({@link SpoolWriter#commit()} completes) only after the entry file was fsynced, renamed to
 * its final name and the directory fsynced. All disk I/O runs on the spool's own executor, never on the caller's
 * thread, except {@link #open} (recovery) and the journal updates made by {@link #discard} and {@link #requeue}.
 *
 * <p>This class is the front: recovery at start is {@link GroupRecovery}'s, quotas and free space
 * {@link SpoolQuotas}', status moves and views {@link EntryLedger}'s, on-disk names and modes {@link SpoolFiles}'.
 */
public final class Spool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Spool.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    final SpoolSettings settings;
    final ExecutorService io;
    final SpoolQuotas quotas;
    private final EntryLedger ledger = new EntryLedger();
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ConcurrentHashMap<String, GroupSpool> groups = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    volatile boolean closed;
    /** Test hook: called on the disk executor before each write to an entry file. */
    volatile IoFault fault;

    interface IoFault {
        void beforeWrite(Path file, long position) throws IOException;
    }

    private Spool(SpoolSettings settings) throws IOException {
        this.settings = settings;
        Path root = settings.dir();
        SpoolFiles.createPrivateDirectory(root);
        lockChannel = FileChannel.open(root.resolve(".lock"), Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                SpoolFiles.FILE_PERMISSIONS);
        FileLock l = lockChannel.tryLock();
        if (l == null) {
            lockChannel.close();
            throw new IOException("spool directory " + root + " is in use by another process");
        }
        lock = l;
        quotas = new SpoolQuotas(settings, Files.getFileStore(root));
        AtomicInteger n = new AtomicInteger();
        io = new ThreadPoolExecutor(settings.ioThreads(), settings.ioThreads(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "passerelle-spool-io-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /** Opens (creating if needed) the spool and recovers it: see {@link GroupRecovery}. Blocking: call at start. */
    public static Spool open(SpoolSettings settings) throws IOException {
        Spool s = new Spool(settings);
        try {
            Instant keepAfter = Instant.now().minus(settings.keepOutcomes());
            s.sequence.set(GroupRecovery.recoverAll(settings.dir(), keepAfter, s.groups) + 1);
            s.quotas.refreshUsableSpace();
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
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
        if (!SpoolFiles.GROUP_NAME.matcher(group).matches()) {
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
        quotas.admit(g, initial, quota);
        String path = new EntryFormat.Head(seq, arrival, ref, group, scheme, client, head.method().name(), head.uri(),
                "", headers).path();
        return new SpoolWriter(this, g, seq, ref, arrival, head.method().name(), path, encoded, initial, quota);
    }

    static String referenceId(Instant arrival, long seq) {
        return String.format("%012x%08x-%016x", arrival.toEpochMilli(), seq & 0xFFFFFFFFL, RANDOM.nextLong());
    }

    // ---------------------------------------------------------------- inspection and ops

    /** The groups that have a spool directory or entries. */
    public Set<String> groups() {
        return new TreeSet<>(groups.keySet());
    }

    /** What ops may see of a group's spool; an empty summary for an unknown group. */
    public SpoolSummary summary(String group) {
        GroupSpool g = groups.get(group);
        return g == null ? new SpoolSummary(group, 0, 0, null, 0, 0, List.of()) : ledger.summary(g);
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
        return g == null ? Optional.empty() : ledger.discard(g, referenceId, actor);
    }

    /**
     * Puts a failed-final entry back in the queue (its file was kept), for the next replay. Blocking (one fsync).
     *
     * @return the entry as it was, empty when unknown
     * @throws IllegalStateException when the entry is not failed-final
     */
    public Optional<EntryView> requeue(String group, String referenceId, String actor) throws IOException {
        GroupSpool g = groups.get(group);
        return g == null ? Optional.empty() : ledger.requeue(g, referenceId, actor);
    }

    /** Who hears of replay outcomes: delivered, pending again (a retry will follow) or failed-final. */
    public void setReplayOutcomes(ReplayOutcomes listener) {
        ledger.setReplayOutcomes(listener);
    }

    // ---------------------------------------------------------------- for the replayer

    GroupSpool group(String name) {
        return groups.get(name);
    }

    Tracked nextToReplay(GroupSpool g) {
        return ledger.nextToReplay(g);
    }

    void markReplaying(GroupSpool g, Tracked t, int attempt) throws IOException {
        ledger.markReplaying(g, t, attempt);
    }

    void markOutcome(GroupSpool g, Tracked t, EntryStatus status, int code, String reason) throws IOException {
        ledger.markOutcome(g, t, status, code, reason);
    }

    boolean awaitNoOpenWriters(GroupSpool g, long millis) throws InterruptedException {
        return ledger.awaitNoOpenWriters(g, millis);
    }

    EntryFormat.Stored read(GroupSpool g, Tracked t) throws IOException {
        return ledger.read(g, t);
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
}
