package net.passerelle.gateway.spool;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A group's append-only outcome journal: one line per status change, {@code <crc32c hex> <json>\n}, fsynced before
 * the change counts. A torn or corrupt line (a crash mid-append) is ignored at load, which reverts that entry to its
 * previous status (e.g. "delivered" torn: the entry is replayed again with the same key). The journal is rewritten
 * (compacted to the last record per entry) at every start, which also drops a torn tail.
 */
final class Journal implements AutoCloseable {

    /** One status change. Fields other than seq, ref and status repeat the entry's metadata for the summary. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Record(long seq, String ref, String status, int attempts, int code, String reason, long at,
                  String method, String path, Long arrival, long size, String actor) {
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Path file;
    private FileChannel channel;

    private Journal(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Reads every intact record; counts lines that were not. */
    static List<Record> load(Path file, int[] badLines) throws IOException {
        List<Record> out = new ArrayList<>();
        List<String> lines;
        try {
            byte[] all = Files.readAllBytes(file);
            String text = new String(all, StandardCharsets.UTF_8);
            lines = new ArrayList<>(List.of(text.split("\n", -1)));
            // the last element is "" after a final newline, or a torn line without one
            String last = lines.remove(lines.size() - 1);
            if (!last.isEmpty()) {
                badLines[0]++;
            }
        } catch (NoSuchFileException e) {
            return out;
        }
        for (String line : lines) {
            Record r = parse(line);
            if (r == null) {
                badLines[0]++;
            } else {
                out.add(r);
            }
        }
        return out;
    }

    private static Record parse(String line) {
        int sp = line.indexOf(' ');
        if (sp != 8) {
            return null;
        }
        byte[] json = line.substring(sp + 1).getBytes(StandardCharsets.UTF_8);
        CRC32C c = new CRC32C();
        c.update(json);
        try {
            if ((int) c.getValue() != (int) Long.parseLong(line.substring(0, 8), 16)) {
                return null;
            }
            return JSON.readValue(json, Record.class);
        } catch (RuntimeException | IOException e) {
            return null;
        }
    }

    /** Writes {@code records} to a fresh journal (temp, fsync, rename, directory fsync) and opens it for appends. */
    static Journal rewrite(Path file, Collection<Record> records) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                SpoolFiles.FILE_PERMISSIONS)) {
            StringBuilder sb = new StringBuilder();
            for (Record r : records) {
                sb.append(line(r));
            }
            writeAll(ch, ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        SpoolFiles.fsyncDirectory(file.getParent());
        FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        return new Journal(file, ch);
    }

    /** Appends and fsyncs; the change is durable when this returns. */
    synchronized void append(Record r) throws IOException {
        if (channel == null) {
            throw new IOException("journal closed: " + file);
        }
        writeAll(channel, ByteBuffer.wrap(line(r).getBytes(StandardCharsets.UTF_8)));
        channel.force(false);
    }

    private static String line(Record r) throws IOException {
        byte[] json = JSON.writeValueAsBytes(r);
        CRC32C c = new CRC32C();
        c.update(json);
        return HexFormat.of().toHexDigits((int) c.getValue()) + " " + new String(json, StandardCharsets.UTF_8) + "\n";
    }

    private static void writeAll(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }
}
