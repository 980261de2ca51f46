package net.passerelle.gateway.ctl;

import java.util.Iterator;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Server-sent events read from the lines of a {@code text/event-stream} body, as the WHATWG format defines them: an
 * event is the {@code event:} and {@code data:} fields up to a blank line (several data lines joined by a newline);
 * lines starting with a colon are comments (the server's keep-alives) and are skipped.
 */
final class EventStream {
    /** One dispatched event: its name ("message" when the server named none) and its data. */
    record Event(String name, String data) {
    }

    private EventStream() {
    }

    /**
     * Hands each event to {@code listener} while it answers true.
     *
     * @return true when the listener stopped the reading, false when the lines ended first
     */
    static boolean read(Stream<String> lines, Predicate<Event> listener) {
        Iterator<String> it = lines.iterator();
        String name = "message";
        StringBuilder data = null;
        while (it.hasNext()) {
            String line = it.next();
            if (line.isEmpty()) {
                if (data != null && !listener.test(new Event(name, data.toString()))) {
                    return true;
                }
                name = "message";
                data = null;
                continue;
            }
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            value = value.startsWith(" ") ? value.substring(1) : value;
            if (field.equals("event")) {
                name = value;
            } else if (field.equals("data")) {
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            }
        }
        return false;
    }
}
