package net.passerelle.gateway.health;

import io.netty.util.concurrent.ScheduledFuture;
import net.passerelle.admin.model.BackendState;
import net.passerelle.gateway.routing.Backend;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One backend address of a {@link HealthRegistry}: its checks, and its health and admin state. Health fields change
 * under its monitor; the request path reads the volatiles.
 */
final class TrackedBackend {
private final HealthRegistry owner;
    final InetSocketAddress address;
    volatile String name;
    volatile String checkHost;
    /** Set while the table is being tracked, then applied by {@link #setCheckHost}. */
    String hostFromTable;
    volatile boolean up = true;
    volatile BackendState admin;
    volatile boolean available;
    final AtomicInteger passiveErrors = new AtomicInteger();
    // under the monitor
    int successes;
    int failures;
    String lastCheck;
    Instant lastCheckAt;
    Instant since;
    String reason = "not checked yet";
    long transitions;
    ScheduledFuture<?> task;
    boolean stopped;

    TrackedBackend(HealthRegistry owner, Backend b, BackendState admin, Instant now) {
        this.owner = owner;
        this.address = b.address();
        this.name = b.name();
        this.admin = admin;
        this.since = now;
        this.available = admin == BackendState.READY;
        if (admin == BackendState.MAINT) {
            up = false;
            reason = "maint";
        }
    }

    synchronized void schedule(long delayMillis) {
        if (stopped || !owner.checksEnabled || admin == BackendState.MAINT || checkHost == null) {
            return;
        }
        task = owner.probe.loop().schedule(this::check, delayMillis, TimeUnit.MILLISECONDS);
    }

    /** Starts, moves or stops checks for a new Host ({@code null}: nothing to check it with, see track). */
    synchronized void setCheckHost(String host, boolean fresh) {
        String before = checkHost;
        checkHost = host;
        if (host == null) {
            if (task != null) {
                task.cancel(false);
                task = null;
            }
            if (before != null || fresh) {
                reason = "not checked: its groups have no host and health.host is not set";
                lastCheck = null;
            }
        } else if (fresh || before == null) {
            if (!fresh) {
                reason = "checks started";
            }
            schedule(0);
        }
    }

    synchronized void stop() {
        stopped = true;
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private void check() {
        synchronized (this) {
            task = null;
            if (stopped || admin == BackendState.MAINT) {
                return;
            }
        }
        String host = checkHost;
        if (host == null) {
            return;
        }
        java.util.concurrent.CompletableFuture<HttpProbe.Result> f;
        try {
            f = owner.probe.get(address, host, owner.settings.path(), owner.settings.timeout(), owner.pages.scanBytes());
        } catch (RuntimeException shuttingDown) {
            return;
        }
        f.whenComplete((r, e) -> {
            HttpProbe.Result result = r != null ? r : HttpProbe.Result.failed(String.valueOf(e));
            long next = onResult(result);
            if (next >= 0) {
                schedule(next);
            }
        });
    }

    /** @return the delay to the next check, or -1 when checks stopped */
    private long onResult(HttpProbe.Result r) {
        HealthTransition t = null;
        long delay;
        synchronized (this) {
            if (stopped || admin == BackendState.MAINT || checkHost == null) {
                return -1;
            }
            String what = judge(r);
            boolean ok = what == null;
            what = ok ? "HTTP " + r.status() : what;
            lastCheck = what;
            lastCheckAt = owner.clock.instant();
            if (ok) {
                failures = 0;
                successes++;
                if (!up && successes >= owner.settings.rise()) {
                    t = setUp(true, "check: " + what + " (" + successes + " in a row)");
                }
            } else {
                successes = 0;
                failures++;
                if (up && failures >= owner.settings.fall()) {
                    t = setUp(false, "check: " + what + " (" + failures + " in a row)");
                }
            }
            if (t == null && ok == up) {
                // A check that agrees with the state is now why the backend is in it: without this, a backend that was
                // up from the start kept "not checked yet" for ever, having no transition to set its reason.
                reason = "check: " + what + " (" + (ok ? successes : failures) + " in a row)";
            }
            boolean changing = up ? failures > 0 : successes > 0;
            delay = (changing ? owner.settings.fastInterval() : owner.settings.interval()).toMillis();
        }
        if (t != null) {
            owner.emit(t);
        }
        return delay;
    }

    /** Why the check failed, or null when it passed. */
    private String judge(HttpProbe.Result r) {
        if (!r.answered()) {
            return r.error();
        }
        if (!owner.settings.expects(r.status())) {
            return "HTTP " + r.status() + " not expected";
        }
        String fingerprint = owner.pages.fingerprint(r.contentType(), r.contentEncoding(), r.body());
        return fingerprint == null ? null
                : "HTTP " + r.status() + " with a default page ('" + fingerprint + "') for " + checkHost;
    }

    void markDown(String why) {
        HealthTransition t;
        synchronized (this) {
            if (!up || stopped) {
                return;
            }
            successes = 0;
            t = setUp(false, why);
        }
        owner.emit(t);
    }

    /** Under the monitor. */
    private HealthTransition setUp(boolean nowUp, String why) {
        up = nowUp;
        available = nowUp && admin == BackendState.READY;
        passiveErrors.set(0);
        since = owner.clock.instant();
        reason = why;
        transitions++;
        (nowUp ? owner.upCount : owner.downCount).incrementAndGet();
        HealthRegistry.log.info("backend {} ({}) is {}: {}", HealthRegistry.format(address), name, nowUp ? "UP" : "DOWN", why);
        return new HealthTransition(HealthRegistry.format(address), name, "health", nowUp ? "down" : "up", nowUp ? "up" : "down", why, since);
    }

    void setAdmin(BackendState next) {
        HealthTransition t;
        boolean restartChecks;
        synchronized (this) {
            BackendState before = admin;
            if (before == next) {
                return;
            }
            admin = next;
            restartChecks = before == BackendState.MAINT;
            if (next == BackendState.MAINT) {
                if (task != null) {
                    task.cancel(false);
                    task = null;
                }
                up = false;
                reason = "maint";
            } else if (restartChecks) {
                // Out of maintenance: unknown health, so down until it passes `rise` checks.
                up = !owner.checksEnabled;
                successes = 0;
                failures = 0;
                since = owner.clock.instant();
                reason = owner.checksEnabled ? "back from maint, waiting for checks" : "back from maint";
            }
            available = up && next == BackendState.READY;
            HealthRegistry.log.info("backend {} ({}) admin state {} -> {}", HealthRegistry.format(address), name, before.wireName(), next.wireName());
            t = new HealthTransition(HealthRegistry.format(address), name, "admin", before.wireName(), next.wireName(), "admin", owner.clock.instant());
        }
        owner.emit(t);
        if (restartChecks) {
            schedule(0);
        }
    }

    synchronized BackendStatus status() {
        String health = checkHost == null && owner.checksEnabled && admin != BackendState.MAINT ? "unknown" : up ? "up" : "down";
        return new BackendStatus(HealthRegistry.format(address), name, health, admin.wireName(), available, lastCheck,
                lastCheckAt, since, reason, transitions);
    }
}
