package net.passerelle.gateway.cutover;

import io.netty.util.NetUtil;
import io.netty.buffer.Unpooled;
import net.passerelle.gateway.config.GuardConfig;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.admin.model.HostPort;
import net.passerelle.gateway.health.BackendHealth;
import net.passerelle.gateway.health.HttpProbe;
import net.passerelle.gateway.policy.DefaultPageGuard;
import net.passerelle.gateway.routing.Backend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * Checks, before a cutover, that new backends serve every host of the group as the current backend does: for each
 * host, each new backend and each address the backend's name resolves to (so both IPv4 and IPv6 when it has both:
 * the migration-day incident was an IPv6 virtual host that differed), a GET of {@code path} with that Host must get
 * <ul>
 *   <li>a response, within the timeout;</li>
 *   <li>no {@code 5xx};</li>
 *   <li>no known default page ({@link DefaultPageGuard} with the built-in and configured fingerprints);</li>
 *   <li>when the current backend answers that host usably: the same status class and the same {@code <title>}.</li>
 * </ul>
 * Everything runs on the probe's own event loop and this verifier's small executor (DNS), never on a data-plane
 * loop, and the whole verification is bounded by {@code timeout} (each request has that bound, and they run in
 * parallel).
 */
public final class CutoverVerifier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CutoverVerifier.class);
    private static final int BODY_BYTES = 64 * 1024;
    private static final Pattern TITLE = Pattern.compile("<title[^>]*>(.*?)</title\\s*>", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    /** Name resolution; the default returns every A and AAAA record. */
    @FunctionalInterface
    public interface Resolver {
        List<InetAddress> resolve(String host) throws UnknownHostException;
    }

    public static final Resolver SYSTEM_RESOLVER = host -> List.of(InetAddress.getAllByName(host));

    private final HttpProbe probe;
    private final DefaultPageGuard guard;
    private final BackendHealth health;
    private final Resolver resolver;
    private final Duration timeout;
    private final Clock clock;
    private final ExecutorService executor;

    /**
     * @param probe   the client to check with (typically {@code HealthRegistry.probe()})
     * @param guard   default-page fingerprints; see {@link #guard(GuardConfig)}
     * @param health  which current backend is healthy enough to be the reference
     * @param timeout bound of the whole verification (default 5 s)
     */
    public CutoverVerifier(HttpProbe probe, DefaultPageGuard guard, BackendHealth health, Resolver resolver,
                           Duration timeout, Clock clock) {
        this.probe = probe;
        this.guard = guard;
        this.health = health;
        this.resolver = resolver;
        this.timeout = timeout;
        this.clock = clock;
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "passerelle-cutover");
            t.setDaemon(true);
            return t;
        });
    }

    public CutoverVerifier(HttpProbe probe, GuardConfig guardConfig, BackendHealth health) {
        this(probe, guard(guardConfig), health, SYSTEM_RESOLVER, Duration.ofSeconds(5), Clock.systemUTC());
    }

    /** The proxy's guard, always with the built-in fingerprints (even when the proxy's guard is switched off). */
    public static DefaultPageGuard guard(GuardConfig config) {
        List<String> fingerprints = new ArrayList<>(GuardConfig.BUILT_IN);
        fingerprints.addAll(config.fingerprints());
        return new DefaultPageGuard(true, fingerprints, BODY_BYTES);
    }

    /** The executor that runs resolution and what follows a verification (never a Netty loop). */
    ExecutorService executor() {
        return executor;
    }

    /**
     * @param hosts           the group's host names
     * @param currentBackends the group's backends now (the reference is the first available one)
     * @param newBackends     the new backends (and spares) as configured, {@code name:port}
     * @param path            the path to request, {@code /} by default
     */
    public CompletableFuture<CutoverReport> verify(Collection<String> hosts, List<Backend> currentBackends,
                                                   Collection<String> newBackends, String path) {
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        String p = path == null || path.isBlank() ? "/" : path;
        List<String> hostList = List.copyOf(new LinkedHashSet<>(hosts));
        List<String> backendList = List.copyOf(new LinkedHashSet<>(newBackends));
        return CompletableFuture.supplyAsync(() -> resolveAll(backendList), executor).thenCompose(resolved -> {
            Backend reference = pickReference(currentBackends);
            Map<String, CompletableFuture<HttpProbe.Result>> refs = new LinkedHashMap<>();
            Map<String, Map<String, Map<String, CompletableFuture<HttpProbe.Result>>>> checks = new LinkedHashMap<>();
            List<CompletableFuture<?>> all = new ArrayList<>();
            for (String host : hostList) {
                if (reference != null) {
                    CompletableFuture<HttpProbe.Result> f = probe.get(reference.address(), host, p, timeout, BODY_BYTES);
                    refs.put(host, f);
                    all.add(f);
                }
                Map<String, Map<String, CompletableFuture<HttpProbe.Result>>> perBackend = new LinkedHashMap<>();
                for (String b : backendList) {
                    Map<String, CompletableFuture<HttpProbe.Result>> perAddress = new LinkedHashMap<>();
                    Resolved r = resolved.get(b);
                    if (r.error() != null) {
                        perAddress.put("-", CompletableFuture.completedFuture(new HttpProbe.Result(0, null, null, new byte[0], r.error())));
                    }
                    for (InetSocketAddress a : r.addresses()) {
                        CompletableFuture<HttpProbe.Result> f = probe.get(a, host, p, timeout, BODY_BYTES);
                        perAddress.put(format(a), f);
                        all.add(f);
                    }
                    perBackend.put(b, perAddress);
                }
                checks.put(host, perBackend);
            }
            return CompletableFuture.allOf(all.toArray(new CompletableFuture[0]))
                    .thenApplyAsync(v -> report(p, started, t0, reference, refs, checks), executor);
        }).orTimeout(timeout.toMillis() + 2000, TimeUnit.MILLISECONDS);
    }

    private record Resolved(List<InetSocketAddress> addresses, String error) {
    }

    private Map<String, Resolved> resolveAll(List<String> backends) {
        Map<String, Resolved> out = new LinkedHashMap<>();
        for (String b : backends) {
            try {
                HostPort hp = HostPort.parseBackend(b);
                LinkedHashSet<InetSocketAddress> addresses = new LinkedHashSet<>();
                for (InetAddress a : resolver.resolve(hp.host())) {
                    addresses.add(new InetSocketAddress(a, hp.port()));
                }
                if (addresses.isEmpty()) {
                    out.put(b, new Resolved(List.of(), "resolves to no address"));
                } else {
                    out.put(b, new Resolved(List.copyOf(addresses), null));
                }
            } catch (UnknownHostException e) {
                out.put(b, new Resolved(List.of(), "cannot resolve: " + e.getMessage()));
            } catch (RuntimeException e) {
                out.put(b, new Resolved(List.of(), "not a backend address: " + e.getMessage()));
            }
        }
        return out;
    }

    private Backend pickReference(List<Backend> current) {
        for (Backend b : current) {
            if (health.available(b)) {
                return b;
            }
        }
        return null;
    }

    private CutoverReport report(String path, Instant started, long t0, Backend reference,
                                 Map<String, CompletableFuture<HttpProbe.Result>> refs,
                                 Map<String, Map<String, Map<String, CompletableFuture<HttpProbe.Result>>>> checks) {
        Map<String, CutoverReport.HostReport> hosts = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Map<String, Map<String, CompletableFuture<HttpProbe.Result>>>> h : checks.entrySet()) {
            String host = h.getKey();
            CutoverReport.Reference ref = reference == null
                    ? new CutoverReport.Reference(null, null, null, null, false, "no current backend is available")
                    : reference(reference, refs.get(host).join());
            Map<String, Map<String, CutoverReport.Check>> perBackend = new LinkedHashMap<>();
            for (Map.Entry<String, Map<String, CompletableFuture<HttpProbe.Result>>> b : h.getValue().entrySet()) {
                Map<String, CutoverReport.Check> perAddress = new LinkedHashMap<>();
                for (Map.Entry<String, CompletableFuture<HttpProbe.Result>> a : b.getValue().entrySet()) {
                    CutoverReport.Check c = judge(a.getValue().join(), ref);
                    perAddress.put(a.getKey(), c);
                    if (!c.ok()) {
                        problems.add("host " + host + ", backend " + b.getKey() + ", address " + a.getKey() + ": " + c.reason());
                    }
                }
                perBackend.put(b.getKey(), perAddress);
            }
            hosts.put(host, new CutoverReport.HostReport(ref, perBackend));
        }
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        CutoverReport report = new CutoverReport(problems.isEmpty(), path, started, took, hosts, List.copyOf(problems));
        if (!report.ok()) {
            log.info("cutover verification failed: {}", problems);
        }
        return report;
    }

    private CutoverReport.Reference reference(Backend b, HttpProbe.Result r) {
        String address = format(b.address());
        if (!r.answered()) {
            return new CutoverReport.Reference(b.name(), address, null, null, false, "no answer: " + r.error());
        }
        String title = title(r);
        if (r.status() >= 500) {
            return new CutoverReport.Reference(b.name(), address, r.status(), title, false, "HTTP " + r.status());
        }
        String fingerprint = fingerprint(r);
        if (fingerprint != null) {
            return new CutoverReport.Reference(b.name(), address, r.status(), title, false, "default page: " + fingerprint);
        }
        return new CutoverReport.Reference(b.name(), address, r.status(), title, true, null);
    }

    private CutoverReport.Check judge(HttpProbe.Result r, CutoverReport.Reference ref) {
        if (!r.answered()) {
            return new CutoverReport.Check(null, null, "fail", r.error());
        }
        String title = title(r);
        if (r.status() >= 500) {
            return new CutoverReport.Check(r.status(), title, "fail", "HTTP " + r.status());
        }
        String fingerprint = fingerprint(r);
        if (fingerprint != null) {
            return new CutoverReport.Check(r.status(), title, "fail", "default page: " + fingerprint);
        }
        if (!ref.usable()) {
            return new CutoverReport.Check(r.status(), title, "ok",
                    "HTTP " + r.status() + "; not compared (current backend: " + ref.note() + ")");
        }
        if (r.status() / 100 != ref.status() / 100) {
            return new CutoverReport.Check(r.status(), title, "fail",
                    "HTTP " + r.status() + " where the current backend answers " + ref.status());
        }
        if (!java.util.Objects.equals(title, ref.title())) {
            return new CutoverReport.Check(r.status(), title, "fail", "title " + quote(title)
                    + " differs from the current backend's " + quote(ref.title()));
        }
        return new CutoverReport.Check(r.status(), title, "ok", "HTTP " + r.status() + ", same title as the current backend");
    }

    private static String quote(String s) {
        return s == null ? "(none)" : "'" + s + "'";
    }

    private String fingerprint(HttpProbe.Result r) {
        if (r.body().length == 0) {
            return null;
        }
        io.netty.buffer.ByteBuf start = Unpooled.wrappedBuffer(r.body());
        try {
            return guard.match(start, r.contentEncoding());
        } finally {
            start.release();
        }
    }

    /** The page's {@code <title>}, whitespace collapsed and common entities decoded; null when there is none. */
    static String title(HttpProbe.Result r) {
        byte[] body = decoded(r.body(), r.contentEncoding());
        Matcher m = TITLE.matcher(new String(body, StandardCharsets.UTF_8));
        if (!m.find()) {
            return null;
        }
        String t = m.group(1).replaceAll("\\s+", " ").trim()
                .replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
                .replace("&apos;", "'").replace("&nbsp;", " ").replace("&amp;", "&");
        return t;
    }

    private static byte[] decoded(byte[] body, String encoding) {
        if (encoding == null || body.length == 0) {
            return body;
        }
        String e = encoding.trim().toLowerCase(Locale.ROOT);
        if (!e.contains("gzip") && !e.equals("deflate")) {
            return body;
        }
        try (InputStream in = e.contains("gzip") ? new GZIPInputStream(new ByteArrayInputStream(body))
                : new InflaterInputStream(new ByteArrayInputStream(body))) {
            return in.readNBytes(BODY_BYTES);
        } catch (IOException ex) {
            return body;
        }
    }

    /** {@code [::1]:80}, as ops write it (RFC 5952), not Java's {@code [0:0:0:0:0:0:0:1]:80}. */
    static String format(InetSocketAddress a) {
        String host = a.getAddress() != null ? NetUtil.toAddressString(a.getAddress()) : a.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
