package net.passerelle.gateway.accesslog;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Hands access-log lines to a writer thread that encodes and writes them in batches, as nginx's
 * {@code access_log … buffer= flush=} does. Logback's own asynchronous appender wakes its thread for every line and
 * its file appender makes a {@code write} per line: a futex and a syscall per request, measured at about one each
 * with strace under load. Here the event loops only queue the line; the writer wakes every {@link #FLUSH_NANOS}
 * (or as soon as the queue is half full), writes everything queued through a buffered sink and flushes once, so a
 * line is in the file within that interval and a busy second costs a few dozen writes. A full queue drops the line
 * and counts it: the request path never waits for the disk. So does a sink that could not start (its file could not
 * be opened), so that the loss shows in the metric instead of vanishing in Logback's status list.
 */
final class BatchingAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
    static final long FLUSH_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final OutputStreamAppender<ILoggingEvent> sink;
    private final ArrayBlockingQueue<ILoggingEvent> queue;
    private final int wakeAt;
    final LongAdder dropped = new LongAdder();
    private volatile boolean running;
    private Thread writer;

    /** @param sink started by the caller with immediate flush off; this appender flushes it after each batch */
    BatchingAppender(OutputStreamAppender<ILoggingEvent> sink, int queueSize) {
        this.sink = sink;
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.wakeAt = queueSize / 2;
    }

    @Override
    public void start() {
        running = true;
        writer = new Thread(this::writeLoop, "passerelle-access-log");
        writer.setDaemon(true);
        writer.start();
        super.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (!sink.isStarted()) { // its file could not be opened (said once, at start): the line goes nowhere
            dropped.increment();
            return;
        }
        event.prepareForDeferredProcessing();
        if (!queue.offer(event)) {
            dropped.increment();
        } else if (queue.size() >= wakeAt) {
            LockSupport.unpark(writer);
        }
    }

    private void writeLoop() {
        List<ILoggingEvent> batch = new ArrayList<>();
        while (running) {
            LockSupport.parkNanos(this, FLUSH_NANOS);
            writeQueued(batch);
        }
        writeQueued(batch); // what came before stop()
    }

    private void writeQueued(List<ILoggingEvent> batch) {
        while (queue.drainTo(batch, 1024) > 0) {
            for (ILoggingEvent event : batch) {
                sink.doAppend(event);
            }
            batch.clear();
        }
        OutputStream out = sink.getOutputStream();
        if (out != null) {
            try {
                out.flush();
            } catch (IOException e) {
                addError("access log: flush failed", e); // Logback's status; the next batch tries again
            }
        }
    }

    /** Writes what is queued, flushes, and stops the sink too. */
    @Override
    public void stop() {
        if (!running) {
            return;
        }
        running = false;
        LockSupport.unpark(writer);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        super.stop();
        sink.stop();
    }
}
