package net.passerelle.gateway.ctl;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The line on standard error that says a call is waiting for the fleet ("waiting for the fleet to apply… 1.4 s"),
 * redrawn in place; it is erased when the answer comes, so the output a script reads is the same with or without it.
 */
final class Progress implements AutoCloseable {
    private final PrintWriter err;
    private final ScheduledExecutorService ticker;
    private final long started = System.nanoTime();

    private Progress(PrintWriter err, String what) {
        this.err = err;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "passerelle-ctl-progress");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(() -> draw(what), 0, 200, TimeUnit.MILLISECONDS);
    }

    /** Starts the line when {@code enabled}; otherwise a no-op. */
    static AutoCloseable start(boolean enabled, PrintWriter err, String what) {
        return enabled ? new Progress(err, what) : () -> { };
    }

    /** Whether standard error is a terminal (Java 17 cannot ask that of one stream; Linux's /proc can). */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception e) {
            return false;
        }
    }

    private synchronized void draw(String what) {
        double seconds = (System.nanoTime() - started) / 1e9;
        err.printf("\r%s… %.1f s ", what, seconds);
        err.flush();
    }

    @Override
    public synchronized void close() {
        ticker.shutdownNow();
        err.print("\r\033[K");
        err.flush();
    }
}
