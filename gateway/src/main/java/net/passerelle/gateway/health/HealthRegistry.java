package net.passerelle.gateway.health;

import net.passerelle.admin.model.BackendState;
import net.passerelle.gateway.routing.Backend;
import net.passerelle.gateway.routing.GroupRoute;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The health of every backend of the current routing table, by address: active checks on a dedicated
 * single-threaded client ({@link HttpProbe}), passive detection from real traffic, and ops' admin state.
 *
 * <p>The request path reads one immutable map and a few volatile fields ({@link #available}); it never blocks.
 * TrackedBackend changes (check results, passive thresholds, admin calls) take the backend's own monitor, which only the
 * checker and the rare transition contend for.
 *
 * <p>A backend starts {@code up} when first tracked (a fresh table routes at once) and is checked right away; a
 * backend the table does not know (not tracked yet) counts as available.
 */
public final class HealthRegistry implements BackendHealth, AutoCloseable {
    static final Logger log = LoggerFactory.getLogger(HealthRegistry.class);

    final HealthSettings settings;
    final HttpProbe probe;
    final DefaultPageCheck pages;
    final Clock clock;
    final boolean checksEnabled;
    private volatile Map<InetSocketAddress, TrackedBackend> states = Map.of();
    /** Admin states survive a backend leaving and re-entering the table. */
    private final Map<InetSocketAddress, BackendState> adminStates = new ConcurrentHashMap<>();
    private final List<Consumer<HealthTransition>> listeners = new CopyOnWriteArrayList<>();
    final AtomicLong upCount = new AtomicLong();
    final AtomicLong downCount = new AtomicLong();
    private volatile Consumer<Predicate<InetSocketAddress>> idleCloser = p -> { };
    private volatile boolean closed;

    public HealthRegistry(HealthSettings settings) {
        this(settings, Clock.systemUTC(), true);
    }

    /** @param pages what makes an answered check fail anyway: a web server's default page */
    public HealthRegistry(HealthSettings settings, DefaultPageCheck pages) {
        this(settings, Clock.systemUTC(), true, pages);
    }

    /** @param checksEnabled false for tests of passive detection and admin states alone */
    public HealthRegistry(HealthSettings settings, Clock clock, boolean checksEnabled) {
        this(settings, clock, checksEnabled, DefaultPageCheck.NONE);
    }

    public HealthRegistry(HealthSettings settings, Clock clock, boolean checksEnabled, DefaultPageCheck pages) {
        this.settings = Objects.requireNonNull(settings);
        this.pages = Objects.requireNonNull(pages);
        this.clock = clock;
        this.checksEnabled = checksEnabled;
        this.probe = new HttpProbe("passerelle-health");
    }

    public HealthSettings settings() {
        return settings;
    }

    /** The checker's client, shared with cutover verification (never a data-plane loop). */
    public HttpProbe probe() {
        return probe;
    }

    /**
     * Where idle pooled connections of backends that left the table get closed; typically
     * {@code upstreamPools::closeIdle}.
     */
    public void closeIdleWith(Consumer<Predicate<InetSocketAddress>> closer) {
        this.idleCloser = Objects.requireNonNull(closer);
    }

    /** Called on every health or admin transition (on the thread that caused it; must not block). */
    public void onTransition(Consumer<HealthTransition> listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    /** Transitions to up and to down since start, for metrics. */
    public long transitionsUp() {
        return upCount.get();
    }

    public long transitionsDown() {
        return downCount.get();
    }

    // ---------------------------------------------------------------- tracking the table

    /** {@link #track(Collection, Function)} with checks sent with the configured {@code health.host} only. */
    public Set<InetSocketAddress> track(Collection<GroupRoute> groups) {
        return track(groups, g -> null);
    }

    /**
     * (Re)starts checks for the backends and spares of the current table, stops them for backends that left it
     * and closes the idle pooled connections to those. Call after each table swap (cheap when nothing changed).
     *
     * @param checkHost the Host header to check a group's backends with (one of its hosts), or null when it has
     *                  none. {@code health.host}, when configured, is used for every group. A backend with no host
     *                  to check it with is not checked and reported {@code unknown}: checked with its own address as
     *                  Host it would get the web server's default site, answer 200 and pass for up.
     * @return the addresses that left the table
     */
    public synchronized Set<InetSocketAddress> track(Collection<GroupRoute> groups, Function<GroupRoute, String> checkHost) {
        if (closed) {
            return Set.of();
        }
        Map<InetSocketAddress, TrackedBackend> old = states;
        Map<InetSocketAddress, TrackedBackend> next = new HashMap<>();
        for (GroupRoute g : groups) {
            String host = settings.host() != null ? settings.host() : checkHost.apply(g);
            for (List<Backend> list : List.of(g.backends(), g.spares())) {
                for (Backend b : list) {
                    TrackedBackend shared = next.get(b.address());
                    if (shared != null) {
                        if (shared.hostFromTable == null) {
                            shared.hostFromTable = host; // a backend shared by groups: any group's host will do
                        }
                        continue;
                    }
                    TrackedBackend s = old.get(b.address());
                    if (s == null) {
                        s = new TrackedBackend(this, b, adminStates.getOrDefault(b.address(), BackendState.READY), clock.instant());
                    }
                    s.hostFromTable = host;
                    s.name = b.name();
                    next.put(b.address(), s);
                }
            }
        }
        states = Map.copyOf(next);
        Set<InetSocketAddress> removed = new HashSet<>(old.keySet());
        removed.removeAll(next.keySet());
        for (InetSocketAddress a : removed) {
            old.get(a).stop();
        }
        for (TrackedBackend s : next.values()) {
            s.setCheckHost(s.hostFromTable, !old.containsKey(s.address));
        }
        if (!removed.isEmpty()) {
            log.info("no longer in the routing table: {}; closing their idle connections", removed);
            idleCloser.accept(Set.copyOf(removed)::contains);
        }
        return removed;
    }

    // ---------------------------------------------------------------- the request path

    @Override
    public boolean available(Backend backend) {
        TrackedBackend s = states.get(backend.address());
        return s == null || s.available;
    }

    @Override
    public boolean lastResort(Backend backend) {
        TrackedBackend s = states.get(backend.address());
        return s == null || s.admin == BackendState.READY;
    }

    @Override
    public void connectFailed(Backend backend) {
        passiveError(backend, "connect failed");
    }

    @Override
    public void closedBeforeResponse(Backend backend) {
        passiveError(backend, "closed before a response");
    }

    @Override
    public void responded(Backend backend, int status) {
        if (status >= 500) {
            passiveError(backend, "HTTP " + status);
            return;
        }
        TrackedBackend s = states.get(backend.address());
        if (s != null && s.passiveErrors.get() != 0) {
            s.passiveErrors.set(0);
        }
    }

    private void passiveError(Backend backend, String what) {
        int limit = settings.passiveFailures();
        TrackedBackend s = states.get(backend.address());
        if (limit == 0 || s == null) {
            return;
        }
        int n = s.passiveErrors.incrementAndGet();
        if (n >= limit && s.up) {
            s.markDown("passive: " + n + " consecutive errors, last " + what);
        }
    }

    // ---------------------------------------------------------------- ops

    /**
     * Sets a backend's admin state. Applies to the backend with this address wherever the table uses it.
     *
     * @return its status afterwards
     * @throws IllegalArgumentException when no backend of the current table has this address
     */
    public BackendStatus setAdminState(InetSocketAddress address, BackendState admin) {
        TrackedBackend s = states.get(address);
        if (s == null) {
            throw new IllegalArgumentException("no backend " + format(address) + " in the routing table");
        }
        adminStates.put(address, admin);
        s.setAdmin(admin);
        return s.status();
    }

    /** The backend of the current table named {@code nameOrAddress} (as configured, or as {@code ip:port}). */
    /**
     * Applies the fleet's administrative states from the routing table: every tracked backend named there takes its
     * state, every other one is ready. Called after each table swap, after {@link #track}.
     */
    public synchronized void applyAdminStates(Map<String, BackendState> byName) {
        for (TrackedBackend s : states.values()) {
            BackendState wanted = byName.get(s.name);
            if (wanted == null) {
                wanted = byName.get(format(s.address));
            }
            BackendState admin = wanted == null ? BackendState.READY : wanted;
            if (adminStates.getOrDefault(s.address, BackendState.READY) != admin) {
                log.info("backend {} ({}) is now {} (fleet state)", s.name, format(s.address), admin.name().toLowerCase(java.util.Locale.ROOT));
                setAdminState(s.address, admin);
            }
        }
    }

    public InetSocketAddress find(String nameOrAddress) {
        for (TrackedBackend s : states.values()) {
            if (s.name.equals(nameOrAddress) || format(s.address).equals(nameOrAddress)) {
                return s.address;
            }
        }
        return null;
    }

    public BackendStatus status(InetSocketAddress address) {
        TrackedBackend s = states.get(address);
        return s == null ? null : s.status();
    }

    /** Every tracked backend by address ({@code 127.0.0.1:8081}, {@code [::1]:8081}), sorted. */
    public Map<String, BackendStatus> snapshot() {
        Map<String, BackendStatus> out = new java.util.TreeMap<>();
        for (TrackedBackend s : states.values()) {
            BackendStatus st = s.status();
            out.put(st.address(), st);
        }
        return new LinkedHashMap<>(out);
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (TrackedBackend s : states.values()) {
            s.stop();
        }
        states = Map.of();
        probe.close();
    }

    static String format(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    void emit(HealthTransition t) {
        for (Consumer<HealthTransition> l : listeners) {
            try {
                l.accept(t);
            } catch (RuntimeException e) {
                log.warn("health transition listener failed", e);
            }
        }
    }
}
