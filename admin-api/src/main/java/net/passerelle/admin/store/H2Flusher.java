package net.passerelle.admin.store;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Makes what the embedded H2 store committed reach its file before the call that committed returns. H2 writes
 * commits from a background thread, up to half a second later ({@code WRITE_DELAY}): a gateway killed in that time
 * came back without a change the admin API had answered 200 for ({@code H2StoreCrashTest}).
 *
 * <p>{@code WRITE_DELAY=0} would write in the committing thread, and a write interrupted there makes NIO close H2's
 * file channel, which breaks the database for the whole process: seen when a migration driver's worker was stopped
 * in the middle of a commit. So the write ({@code CHECKPOINT}: everything committed so far) is made by a thread of its
 * own, which nothing interrupts; the committing thread waits for it. It reaches the operating system, not the disk: a
 * crash of the process loses nothing, a power cut may lose the last seconds (MariaDB is the store for that).
 */
final class H2Flusher implements AutoCloseable {
    private final DataSource dataSource;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "passerelle-store-flush");
        t.setDaemon(true);
        return t;
    });

    H2Flusher(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Returns once everything committed before the call is in the file; an interrupted caller stops waiting only. */
    void flush() {
        Future<?> written = writer.submit(this::checkpoint);
        try {
            written.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the write goes on in the writer thread
        } catch (ExecutionException e) {
            throw new StoreException("store: writing committed changes to the file failed: " + e.getCause(), e.getCause());
        }
    }

    private Void checkpoint() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CHECKPOINT");
        }
        return null;
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
