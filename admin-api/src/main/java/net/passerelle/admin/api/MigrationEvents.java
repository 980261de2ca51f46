package net.passerelle.admin.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import net.passerelle.admin.model.Migration;
import net.passerelle.admin.model.MigrationStep;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The event stream of one migration ({@code GET /v1/migrations/{id}/events}): an {@code event: migration} with the
 * view at once, then one on every change of its state, of a step or of its being overdue, until it is finished.
 * The store is polled, because whichever admin process holds the migration's lock drives it, not necessarily this
 * one. Comments keep idle connections (and the proxies between) open.
 */
public final class MigrationEvents implements StreamBody {
    private static final Logger log = LoggerFactory.getLogger(MigrationEvents.class);

    private final Supplier<Optional<Migration>> source;
    private final ScheduledExecutorService scheduler;
    private final Duration poll;
    private final Duration keepAlive;
    private final Clock clock;

    private Sink sink;
    private String lastSignature;
    private Instant lastUpdated;
    private long lastSentNanos;
    private ScheduledFuture<?> task;

    /**
     * @param source    reads the migration from the store
     * @param scheduler runs the polls (shared by every stream; a poll is short)
     * @param poll      how often the store is read (~250 ms)
     * @param keepAlive how long the stream may stay silent before a comment is sent (~15 s)
     */
    public MigrationEvents(Supplier<Optional<Migration>> source, ScheduledExecutorService scheduler, Duration poll,
                           Duration keepAlive, Clock clock) {
        this.source = source;
        this.scheduler = scheduler;
        this.poll = poll;
        this.keepAlive = keepAlive;
        this.clock = clock;
    }

    @Override
    public void start(Sink sink) {
        synchronized (this) {
            this.sink = sink;
            task = scheduler.scheduleWithFixedDelay(() -> tick(sink), 0, poll.toMillis(), TimeUnit.MILLISECONDS);
        }
        sink.onClose(this::stop);
    }

    private synchronized void stop() {
        if (task != null) {
            task.cancel(false);
        }
    }

    /**
     * A snapshot of the migration from the driver of this process, right after one of its transitions: sent if it
     * is a change, so that steps that follow each other faster than the poll each get their event.
     */
    public synchronized void offer(Migration m) {
        Sink sink = this.sink;
        if (sink == null || !sink.isOpen() || lastSignature == null) {
            return; // not started yet: the first tick sends the current view
        }
        if (lastUpdated != null && m.updatedAt() != null && m.updatedAt().isBefore(lastUpdated)) {
            return; // read before a change the stream has already shown (an abort by ops, say)
        }
        String signature = signature(m, clock.instant());
        if (!signature.equals(lastSignature)) {
            lastSignature = signature;
            send(sink, m);
        }
    }

    private synchronized void tick(Sink sink) {
        if (!sink.isOpen()) {
            stop();
            return;
        }
        Optional<Migration> m;
        try {
            m = source.get();
        } catch (RuntimeException e) {
            log.debug("migration stream: store read failed, trying again: {}", e.toString());
            keepAlive(sink);
            return;
        }
        if (m.isEmpty()) {
            sink.close();
            return;
        }
        String signature = signature(m.get(), clock.instant());
        if (!signature.equals(lastSignature)) {
            lastSignature = signature;
            if (!send(sink, m.get())) {
                return;
            }
        } else {
            keepAlive(sink);
        }
        if (m.get().state().terminal() && !m.get().active()) {
            sink.close();
        }
    }

    private void keepAlive(Sink sink) {
        if (System.nanoTime() - lastSentNanos >= keepAlive.toNanos()) {
            lastSentNanos = System.nanoTime();
            sink.send(": keep-alive\n\n");
        }
    }

    private boolean send(Sink sink, Migration m) {
        Map<String, Object> view = MigrationViews.view(m, clock.instant());
        String json;
        try {
            json = Json.STRICT.writeValueAsString(view);
        } catch (JsonProcessingException e) {
            sink.close();
            return false;
        }
        lastSentNanos = System.nanoTime();
        lastUpdated = m.updatedAt();
        return sink.send("event: migration\ndata: " + json + "\n\n");
    }

    /**
     * What a change of the view is: the state, whether it is overdue (it turns so with time alone, and ops must see
     * it), and each step's status and outcome (times follow from them). The read-only seconds are left out: they
     * change every second and the followers count them on their own.
     */
    static String signature(Migration m, Instant now) {
        StringBuilder sb = new StringBuilder(m.state().wireName()).append(m.active() ? "" : "/finished")
                .append(MigrationViews.overdue(m, now) ? "/overdue" : "");
        for (MigrationStep s : m.steps()) {
            sb.append('|').append(s.step()).append(':').append(s.status()).append(':').append(s.outcome());
        }
        return sb.toString();
    }
}
