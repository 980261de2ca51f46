package net.passerelle.gateway.accesslog;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import net.logstash.logback.marker.LogstashMarker;
import org.slf4j.Marker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * Encodes an access-log event as one JSON line: {@code time}, then the fields of its {@link AccessLogEntry} (the
 * marker it travels with), then a newline. One generator and one buffer, kept for the encoder's life and reused for every line.
 *
 * <p>Why not logstash-logback-encoder's composite encoder, which wrote these lines before: per line it made a
 * generator, wrapped it in two delegates, walked its providers, looked the MDC up and formatted the time through
 * {@code DateTimeFormatter}. In the load harness's profile that machinery was most of the writer thread's time, and
 * the writer thread shares the gateway's CPU with the event loops (benchmarks/README.md has the figures). The lines
 * are the same, byte for byte (AccessLineEncoderTest compares them).
 *
 * <p>Encoding is synchronized: the batching appender's one thread is the only caller in the gateway, so the lock is
 * never contended, but an appender used directly (tests, the console) may call from several.
 */
public final class AccessLineEncoder extends EncoderBase<ILoggingEvent> {
    private static final SerializedString TIME = new SerializedString("time");
    private static final byte[] NONE = new byte[0];

    private final ByteArrayBuilder buffer = new ByteArrayBuilder(512);
    private JsonGenerator json;
    private final IsoTime time = new IsoTime();

    public AccessLineEncoder() {
        json = generator(buffer);
    }

    private static JsonGenerator generator(ByteArrayBuilder buffer) {
        try {
            JsonGenerator g = new JsonFactory().createGenerator(buffer, JsonEncoding.UTF8);
            // Lines are separated by the newline written after each, not by Jackson's root separator (a space).
            g.setRootValueSeparator(null);
            return g;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a generator over memory does not fail to open
        }
    }

    @Override
    public byte[] headerBytes() {
        return NONE;
    }

    @Override
    public byte[] footerBytes() {
        return NONE;
    }

    @Override
    public synchronized byte[] encode(ILoggingEvent event) {
        try {
            json.writeStartObject();
            json.writeFieldName(TIME);
            Instant at = event.getInstant();
            json.writeString(time.chars(), 0, time.format(at.getEpochSecond(), at.getNano()));
            writeFields(event.getMarkerList());
            json.writeEndObject();
            json.writeRaw('\n');
            json.flush();
            return buffer.toByteArray();
        } catch (IOException | RuntimeException e) {
            // A line that failed half-way leaves the generator inside its object: start the next on a new one.
            json = generator(buffer);
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        } finally {
            buffer.reset();
        }
    }

    /** The entry's fields; any other Logstash marker's too, as the composite encoder wrote them (tests log such). */
    private void writeFields(List<Marker> markers) throws IOException {
        if (markers == null) {
            return;
        }
        for (int i = 0; i < markers.size(); i++) {
            if (markers.get(i) instanceof LogstashMarker m) {
                m.writeTo(json);
            }
        }
    }
}
