package net.passerelle.gateway.spool;

import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * One entry being written. Methods may be called from an event loop: they only hand work to the spool's disk
 * executor, where this writer's tasks run one at a time, in call order.
 *
 * <p>Backpressure contract: call {@link #write} again only once the previous write's future completed, or while
 * {@link #pendingBytes()} is under {@link #bufferLimit()}. A writer thus never holds more than the limit plus one
 * chunk; a call made while the limit is already reached fails the writer ({@link SpoolException.Reason#BACKPRESSURE}).
 *
 * <p>Any failure (quota, disk, I/O) deletes the temp file and fails this and every later future; {@link #commit()}
 * then fails too. Nothing is ever committed after a failure.
 */
public final class SpoolWriter {
    private enum State { OPEN, COMMITTING, DONE, FAILED }

    private final Spool spool;
    private final GroupSpool group;
    private final long seq;
    private final String ref;
    private final Instant arrival;
    private final String method;
    private final String path;
    private final long quota;
    private final SerialExecutor serial;
    private final AtomicLong pending = new AtomicLong();
    private final Path finalPath;
    private final Path tempPath;
    private byte[] head;

    // state, read on the caller's thread, written on both
    private volatile State state = State.OPEN;
    private volatile SpoolException failure;

    // disk-executor-only fields
    private FileChannel channel;
    private final CRC32C crc = new CRC32C();
    private long position;
    private long reserved;
    private long bodyBytes;
    private long spaceCheckedAt;

    SpoolWriter(Spool spool, GroupSpool group, long seq, String ref, Instant arrival, String method, String path,
                byte[] head, long reserved, long quota) {
        this.spool = spool;
        this.group = group;
        this.seq = seq;
        this.ref = ref;
        this.arrival = arrival;
        this.method = method;
        this.path = path;
        this.head = head;
        this.reserved = reserved;
        this.quota = quota;
        this.serial = new SerialExecutor(spool.io);
        String name = SpoolFiles.fileName(seq, ref);
        this.finalPath = group.dir.resolve(name);
        this.tempPath = group.dir.resolve(name + ".tmp");
    }

    /** The reference id the entry will have once committed. */
    public String referenceId() {
        return ref;
    }

    /** Bytes handed over and not yet written. */
    public long pendingBytes() {
        return pending.get();
    }

    public long bufferLimit() {
        return spool.settings.maxBufferedBytes();
    }

    /**
     * Hands a body chunk over; takes ownership (it is released in every case). The future completes once the chunk is
     * written to the file (not yet fsynced: that is {@link #commit()}'s job), or exceptionally with a
     * {@link SpoolException}.
     */
    public CompletableFuture<Void> write(ByteBuf chunk) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        SpoolException f = failure;
        if (state != State.OPEN || f != null) {
            chunk.release();
            done.completeExceptionally(f != null ? f : new SpoolException(SpoolException.Reason.CLOSED,
                    "write after commit or abort"));
            return done;
        }
        int size = chunk.readableBytes();
        if (pending.get() >= bufferLimit()) {
            chunk.release();
            SpoolException e = new SpoolException(SpoolException.Reason.BACKPRESSURE, pending.get()
                    + " bytes already waiting for the disk (limit " + bufferLimit() + ")");
            fail(e);
            done.completeExceptionally(e);
            return done;
        }
        pending.addAndGet(size);
        serial.execute(() -> writeOnDisk(chunk, size, done));
        return done;
    }

    /** On the disk executor: the chunk is written, or the writer fails; the chunk is released either way. */
    private void writeOnDisk(ByteBuf chunk, int size, CompletableFuture<Void> done) {
        try {
            checkUsable();
            ensureOpen();
            reserveUpTo(position + size + EntryFormat.TRAILER);
            ByteBuffer[] buffers = chunk.nioBuffers(chunk.readerIndex(), size);
            for (ByteBuffer b : buffers) {
                crc.update(b.duplicate());
                writeAll(b);
            }
            bodyBytes += size;
            done.complete(null);
        } catch (SpoolException e) {
            failOnDisk(e);
            done.completeExceptionally(e);
        } catch (IOException | RuntimeException e) {
            SpoolException se = new SpoolException(SpoolException.Reason.IO, "spool write failed: " + e, e);
            failOnDisk(se);
            done.completeExceptionally(se);
        } finally {
            chunk.release();
            pending.addAndGet(-size);
        }
    }

    /**
     * Grows the reservation to cover a file of {@code needed} bytes. The free space is read again every MiB, so that
     * one long upload cannot take the disk under the floor that was checked when it began.
     */
    private void reserveUpTo(long needed) {
        if (needed > spool.settings.maxEntryBytes()) {
            throw new SpoolException(SpoolException.Reason.ENTRY_TOO_LARGE, "entry exceeds spool.maxEntryBytes ("
                    + spool.settings.maxEntryBytes() + ")");
        }
        if (needed > reserved) {
            spool.quotas.reserve(group, needed - reserved, quota);
            reserved = needed;
        }
        if (position - spaceCheckedAt >= (1 << 20)) {
            spaceCheckedAt = position;
            spool.quotas.refreshUsableSpace();
            spool.quotas.reserve(group, 0, quota);
        }
    }

    /** On the disk executor: a writer that failed, or a spool that closed, takes no more work. */
    private void checkUsable() {
        if (failure != null) {
            throw failure;
        }
        if (spool.closed) {
            throw new SpoolException(SpoolException.Reason.CLOSED, "the spool is closed");
        }
    }

    /**
     * Ends the entry: writes the trailer, fsyncs the file, renames it to its final name, fsyncs the directory. The
     * future completes with the entry only then (the {@code 202} may be sent), or exceptionally, in which case nothing
     * was committed and the temp file is gone.
     */
    public CompletableFuture<SpoolEntry> commit() {
        CompletableFuture<SpoolEntry> done = new CompletableFuture<>();
        SpoolException f = failure;
        if (state != State.OPEN || f != null) {
            done.completeExceptionally(f != null ? f : new SpoolException(SpoolException.Reason.CLOSED,
                    "commit after commit or abort"));
            return done;
        }
        state = State.COMMITTING;
        serial.execute(() -> {
            try {
                checkUsable();
                ensureOpen();
                long contentLength = position;
                writeAll(EntryFormat.trailer(bodyBytes, contentLength, crc));
                channel.force(true);
                channel.close();
                channel = null;
                Files.move(tempPath, finalPath, StandardCopyOption.ATOMIC_MOVE);
                SpoolFiles.fsyncDirectory(group.dir);
                Tracked t = new Tracked(seq, ref);
                t.status = EntryStatus.PENDING;
                t.method = method;
                t.path = path;
                t.arrival = arrival;
                t.size = position;
                t.file = finalPath;
                spool.quotas.committed(group, reserved, t);
                reserved = 0;
                state = State.DONE;
                spool.quotas.refreshUsableSpace();
                done.complete(new SpoolEntry(group.name, ref, seq, arrival, method, path, position, bodyBytes));
            } catch (SpoolException e) {
                failOnDisk(e);
                done.completeExceptionally(e);
            } catch (IOException | RuntimeException e) {
                SpoolException se = new SpoolException(SpoolException.Reason.IO, "spool commit failed: " + e, e);
                failOnDisk(se);
                done.completeExceptionally(se);
            }
        });
        return done;
    }

    /** Drops the entry: the temp file is deleted, chunks still queued are released. Idempotent. */
    public void abort() {
        if (state == State.DONE || failure != null) {
            return;
        }
        fail(new SpoolException(SpoolException.Reason.CLOSED, "aborted"));
    }

    private void fail(SpoolException e) {
        failure = e;
        serial.execute(() -> failOnDisk(e));
    }

    /** On the disk executor: once only, closes and deletes the temp file and gives the reservation back. */
    private void failOnDisk(SpoolException e) {
        if (failure == null) {
            failure = e;
        }
        if (state == State.FAILED || state == State.DONE) {
            return;
        }
        state = State.FAILED;
        head = null;
        try {
            if (channel != null) {
                channel.close();
                channel = null;
            }
            Files.deleteIfExists(tempPath);
        } catch (IOException io) {
            // a temp file left behind is deleted at the next start
        }
        spool.quotas.release(group, reserved);
        reserved = 0;
        spool.quotas.writerClosed(group);
    }

    private void ensureOpen() throws IOException {
        if (channel != null) {
            return;
        }
        group.ensureDirectory();
        channel = FileChannel.open(tempPath, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                SpoolFiles.FILE_PERMISSIONS);
        crc.update(head, 0, head.length);
        writeAll(ByteBuffer.wrap(head));
        head = null;
    }

    private void writeAll(ByteBuffer b) throws IOException {
        Spool.IoFault f = spool.fault;
        if (f != null) {
            f.beforeWrite(tempPath, position);
        }
        while (b.hasRemaining()) {
            position += channel.write(b, position);
        }
    }
}
