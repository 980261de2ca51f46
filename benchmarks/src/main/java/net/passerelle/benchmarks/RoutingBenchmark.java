package net.passerelle.benchmarks;

import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.WritePolicy;
import net.passerelle.gateway.routing.Backend;
import net.passerelle.gateway.routing.GroupRoute;
import net.passerelle.gateway.routing.HostNormalizer;
import net.passerelle.gateway.routing.HostRoute;
import net.passerelle.gateway.routing.RoutingTable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Host normalisation and routing lookup, as done once per request: {@code Host} header text in, {@link HostRoute} out.
 * Lookups cycle over 4,096 Host values drawn from the table (so a 1,000,000-host table is probed all over and
 * misses the CPU caches as it would in production), in the shapes clients send them: already normal, with a port,
 * with upper case, and with a trailing dot.
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RoutingBenchmark {
    private static final int PROBES = 4096;

    @Param({"10", "10000", "1000000"})
    public int hosts;

    private RoutingTable table;
    private String[] plain;
    private String[] withPort;
    private String[] mixedCase;
    private String[] unknown;
    private int i;

    static String hostName(int n) {
        return "gallery-" + n + ".photos.example.net";
    }

    @Setup(Level.Trial)
    public void setUp() {
        GroupRoute group = new GroupRoute("g", List.of(new Backend("127.0.0.1:8081", new InetSocketAddress("127.0.0.1", 8081))),
                List.of(), Mode.OPEN, WritePolicy.REJECT, null, 120, Map.of(), "piwigo");
        RoutingTable.Builder b = RoutingTable.builder(1).group(group);
        for (int n = 0; n < hosts; n++) {
            b.host(hostName(n), "g", "acct-" + n);
        }
        table = b.build();
        SplittableRandom r = new SplittableRandom(42);
        plain = new String[PROBES];
        withPort = new String[PROBES];
        mixedCase = new String[PROBES];
        unknown = new String[PROBES];
        for (int k = 0; k < PROBES; k++) {
            int n = r.nextInt(hosts);
            plain[k] = hostName(n);
            withPort[k] = hostName(n) + ":8080";
            mixedCase[k] = "Gallery-" + n + ".Photos.Example.NET.";
            unknown[k] = "nobody-" + n + ".photos.example.net";
        }
    }

    private int next() {
        return i = (i + 1) & (PROBES - 1);
    }

    /** Normalisation alone, already-normal name (the common case: must not allocate). */
    @Benchmark
    public String normalizePlain() {
        return HostNormalizer.normalize(plain[next()]);
    }

    /** Normalisation alone, {@code name:port}. */
    @Benchmark
    public String normalizeWithPort() {
        return HostNormalizer.normalize(withPort[next()]);
    }

    /** Normalisation alone, upper case and trailing dot (slow path). */
    @Benchmark
    public String normalizeMixedCase() {
        return HostNormalizer.normalize(mixedCase[next()]);
    }

    /** Normalise + look up, the request path's routing step. */
    @Benchmark
    public HostRoute route() {
        return table.route(HostNormalizer.normalize(plain[next()]));
    }

    @Benchmark
    public HostRoute routeWithPort() {
        return table.route(HostNormalizer.normalize(withPort[next()]));
    }

    /** Unknown host: the lookup misses (answered 404 by the gateway). */
    @Benchmark
    public HostRoute routeUnknown() {
        return table.route(HostNormalizer.normalize(unknown[next()]));
    }
}
