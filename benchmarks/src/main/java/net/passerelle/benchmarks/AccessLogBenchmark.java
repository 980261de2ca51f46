package net.passerelle.benchmarks;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import net.logstash.logback.composite.loggingevent.LoggingEventFormattedTimestampJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggingEventJsonProviders;
import net.logstash.logback.composite.loggingevent.LogstashMarkersJsonProvider;
import net.logstash.logback.encoder.LoggingEventCompositeJsonEncoder;
import net.passerelle.gateway.accesslog.AccessLineEncoder;
import net.passerelle.gateway.accesslog.AccessLogEntry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * One access-log line encoded, as the log's writer thread does for every exchange: {@code line} with the gateway's
 * encoder, {@code compositeLine} with logstash-logback-encoder's composite encoder set up as the access log had it.
 * The writer thread shares the gateway's CPU, so this is per-request cost.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AccessLogBenchmark {
    private AccessLineEncoder encoder;
    private LoggingEventCompositeJsonEncoder composite;
    private LoggingEvent event;
    private long tick;

    @Setup(Level.Trial)
    public void setUp() {
        LoggerContext context = new LoggerContext();
        encoder = new AccessLineEncoder();
        composite = new LoggingEventCompositeJsonEncoder();
        composite.setContext(context);
        LoggingEventJsonProviders providers = new LoggingEventJsonProviders();
        LoggingEventFormattedTimestampJsonProvider time = new LoggingEventFormattedTimestampJsonProvider();
        time.setFieldName("time");
        time.setTimeZone("UTC");
        providers.addTimestamp(time);
        providers.addLogstashMarkers(new LogstashMarkersJsonProvider());
        composite.setProviders(providers);
        composite.start();
        event = new LoggingEvent(AccessLogBenchmark.class.getName(), context.getLogger("passerelle.access"),
                ch.qos.logback.classic.Level.INFO, "", null, null);
        event.addMarker(new AccessLogEntry("1e7e6e49905ce860c524245fe1810784", "203.0.113.7", "gallery-0.photos.example.net", "g",
                "GET", "/picture.php?/1234/category/56", 200, "proxied", 0, 1024, "10.0.0.12:80", -1, 12_719_000, 6_632_000,
                43_264_000, "HTTP/1.1", null, "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
                "https://gallery-0.photos.example.net/index.php?/category/56"));
    }

    /** A new moment per line, a few microseconds apart, as under load: the second changes now and then. */
    private void advance() {
        tick += 7_919;
        event.setInstant(Instant.ofEpochSecond(1_796_168_000L + tick / 1_000_000_000L, (int) (tick % 1_000_000_000L)));
    }

    @Benchmark
    public byte[] line() {
        advance();
        return encoder.encode(event);
    }

    @Benchmark
    public byte[] compositeLine() {
        advance();
        return composite.encode(event);
    }
}
