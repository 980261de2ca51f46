package net.passerelle.gateway.accesslog;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import net.logstash.logback.composite.loggingevent.LoggingEventFormattedTimestampJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggingEventJsonProviders;
import net.logstash.logback.composite.loggingevent.LogstashMarkersJsonProvider;
import net.logstash.logback.encoder.LoggingEventCompositeJsonEncoder;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The access log's lines are a format ops parse: the encoder that replaced logstash-logback-encoder's composite one
 * must write the same bytes. The reference is that encoder, set up as the access log set it up.
 */
class AccessLineEncoderTest {
    private final LoggerContext context = new LoggerContext();

    @Test
    void writesTheLinesTheCompositeEncoderWrote() {
        LoggingEventCompositeJsonEncoder reference = reference();
        AccessLineEncoder encoder = new AccessLineEncoder();
        Random random = new Random(42);
        for (int i = 0; i < 2_000; i++) {
            LoggingEvent event = event(randomEntry(random), randomInstant(random));
            String expected = new String(reference.encode(event), StandardCharsets.UTF_8);
            assertEquals(expected, new String(encoder.encode(event), StandardCharsets.UTF_8));
        }
    }

    @Test
    void writesTheTimeAsTheIsoFormatterDoesOnEveryKindOfFraction() {
        IsoTime time = new IsoTime();
        DateTimeFormatter iso = DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(ZoneOffset.UTC);
        Random random = new Random(7);
        long[] seconds = {0, -1, 1_796_168_135L, 253_402_300_799L /* 9999-12-31T23:59:59 */, 253_402_300_800L, -62_167_219_200L /* 0000-01-01 */,
            -62_167_219_201L};
        int[] nanos = {0, 1, 10, 100_000_000, 999_999_999, 120_000_000, 311_898_481, 5_000};
        for (long s : seconds) {
            for (int n : nanos) {
                assertEquals(iso.format(Instant.ofEpochSecond(s, n)), new String(time.chars(), 0, time.format(s, n)), s + "/" + n);
            }
        }
        for (int i = 0; i < 100_000; i++) {
            // runs of the same second, as a busy log has them, and jumps
            long s = 1_796_168_000L + random.nextInt(50);
            int n = random.nextInt(4) == 0 ? random.nextInt(1000) * 1_000_000 : random.nextInt(1_000_000_000);
            assertEquals(iso.format(Instant.ofEpochSecond(s, n)), new String(time.chars(), 0, time.format(s, n)));
        }
    }

    private LoggingEventCompositeJsonEncoder reference() {
        LoggingEventCompositeJsonEncoder encoder = new LoggingEventCompositeJsonEncoder();
        encoder.setContext(context);
        LoggingEventJsonProviders providers = new LoggingEventJsonProviders();
        LoggingEventFormattedTimestampJsonProvider time = new LoggingEventFormattedTimestampJsonProvider();
        time.setFieldName("time");
        time.setTimeZone("UTC");
        providers.addTimestamp(time);
        providers.addLogstashMarkers(new LogstashMarkersJsonProvider());
        encoder.setProviders(providers);
        encoder.start();
        return encoder;
    }

    private LoggingEvent event(AccessLogEntry entry, Instant at) {
        LoggingEvent event = new LoggingEvent(AccessLineEncoderTest.class.getName(), context.getLogger(AccessLog.LOGGER), Level.INFO, "", null, null);
        event.addMarker(entry);
        event.setInstant(at);
        return event;
    }

    private static Instant randomInstant(Random random) {
        return Instant.ofEpochSecond(1_796_168_000L + random.nextInt(100_000), random.nextInt(3) == 0 ? 0 : random.nextInt(1_000_000_000));
    }

    private static AccessLogEntry randomEntry(Random r) {
        return new AccessLogEntry(hex(r), text(r, false), text(r, true), text(r, true), "GET", text(r, false), 100 + r.nextInt(500),
                "proxied", r.nextInt(3) == 0 ? 0 : r.nextLong(1L << 40), r.nextLong(1L << 40), text(r, true),
                nanos(r), nanos(r), nanos(r), nanos(r), r.nextBoolean() ? "HTTP/1.1" : "HTTP/2", text(r, true), text(r, true), text(r, true));
    }

    /** -1 (the step did not happen), 0, or a duration up to a minute. */
    private static long nanos(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> -1;
            case 1 -> 0;
            default -> r.nextLong(60_000_000_000L);
        };
    }

    private static String hex(Random r) {
        return Long.toHexString(r.nextLong()) + Long.toHexString(r.nextLong());
    }

    /** Text a client controls: quotes, backslashes, control characters, non-ASCII, and sometimes nothing at all. */
    private static String text(Random r, boolean nullable) {
        if (nullable && r.nextInt(5) == 0) {
            return null;
        }
        String alphabet = "abcXYZ019 /?&=%\"\\\t\n\r\u0000\u001f\u007f\u00e9\u4e2d\ud83d\ude00<>'";
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(40);
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(alphabet.length());
            if (Character.isHighSurrogate(alphabet.charAt(c))) {
                sb.append(alphabet, c, c + 2);
            } else if (!Character.isLowSurrogate(alphabet.charAt(c))) {
                sb.append(alphabet.charAt(c));
            }
        }
        return sb.toString();
    }
}
