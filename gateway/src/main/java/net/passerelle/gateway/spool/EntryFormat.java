package net.passerelle.gateway.spool;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The on-disk format of one entry (all integers big-endian):
 *
 * <pre>
 * offset 0   u32  magic 'PSPL'
 *        4   u16  format version (1)
 *        6   u16  flags (0)
 *        8   u32  head length H
 *       12   head (H bytes):
 *              u64 sequence, i64 arrival epoch second, u32 arrival nano,
 *              str16 reference id, str16 group, str16 scheme,
 *              u8 address length (4 or 16) + address bytes, u16 client port,
 *              str16 method, str32 request-target, str16 protocol version,
 *              u32 header count, then per header: str16 name, str32 value
 *     12+H   body (B bytes, as received, de-chunked)
 *   12+H+B   trailer (24 bytes):
 *              u64 B, u64 L = 12+H+B,
 *              u32 CRC32C of bytes [0, L) followed by the two u64 of the trailer,
 *              u32 magic 'PEND'
 * </pre>
 * {@code strN} is an N-bit length then the bytes; HTTP text is ISO-8859-1 (byte-faithful to what Netty decoded).
 * A file verifies only when its size is exactly L+24, both magics and the version match, the head parses within H,
 * and the CRC matches: a file torn at any offset or with any flipped byte does not.
 */
final class EntryFormat {
    static final int MAGIC = 0x5053504C;      // "PSPL"
    static final int END_MAGIC = 0x50454E44;  // "PEND"
    static final int VERSION = 1;
    static final int PREAMBLE = 12;
    static final int TRAILER = 24;
    static final int MAX_HEAD = 1 << 20;

    private EntryFormat() {
    }

    /** What an entry file holds besides its body. */
    record Head(long sequence, Instant arrival, String referenceId, String group, String scheme,
                InetSocketAddress client, String method, String uri, String protocol, HttpHeaders headers) {

        /** The path without the query string: what ops may see. */
        String path() {
            int q = uri.indexOf('?');
            String p = q >= 0 ? uri.substring(0, q) : uri;
            int hash = p.indexOf('#');
            return hash >= 0 ? p.substring(0, hash) : p;
        }
    }

    /** A verified file: its head, where the body is, and its size. */
    record Stored(Head head, long bodyOffset, long bodyLength, long fileSize) {
    }

    static final class CorruptEntryException extends IOException {
        CorruptEntryException(String message) {
            super(message);
        }
    }

    /** The preamble and head, ready to be written first. */
    static byte[] encodeHead(Head h) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeShort(VERSION);
            out.writeShort(0);
            out.writeInt(0); // head length, patched below
            out.writeLong(h.sequence());
            out.writeLong(h.arrival().getEpochSecond());
            out.writeInt(h.arrival().getNano());
            str16(out, h.referenceId());
            str16(out, h.group());
            str16(out, h.scheme());
            InetAddress a = h.client().getAddress();
            byte[] addr = a == null ? new byte[0] : a.getAddress();
            out.writeByte(addr.length);
            out.write(addr);
            out.writeShort(h.client().getPort());
            str16(out, h.method());
            str32(out, h.uri());
            str16(out, h.protocol());
            out.writeInt(h.headers().size());
            for (Map.Entry<String, String> e : h.headers()) {
                str16(out, e.getKey());
                str32(out, e.getValue());
            }
            out.flush();
            byte[] result = bytes.toByteArray();
            int headLength = result.length - PREAMBLE;
            if (headLength > MAX_HEAD) {
                throw new IllegalArgumentException("request head too large to spool: " + headLength + " bytes");
            }
            ByteBuffer.wrap(result, 8, 4).putInt(headLength);
            return result;
        } catch (IOException e) {
            throw new IllegalStateException(e); // ByteArrayOutputStream does not throw
        }
    }

    static ByteBuffer trailer(long bodyLength, long contentLength, CRC32C crcOfContent) {
        ByteBuffer t = ByteBuffer.allocate(TRAILER);
        t.putLong(bodyLength).putLong(contentLength);
        crcOfContent.update(t.array(), 0, 16);
        t.putInt((int) crcOfContent.getValue()).putInt(END_MAGIC);
        t.flip();
        return t;
    }

    /** Reads and fully verifies an entry file (reads it all: the CRC covers every byte). */
    static Stored verify(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < PREAMBLE + TRAILER) {
                throw new CorruptEntryException("torn: " + size + " bytes, shorter than any entry");
            }
            ByteBuffer pre = readFully(ch, 0, PREAMBLE);
            if (pre.getInt() != MAGIC) {
                throw new CorruptEntryException("not a spool entry (bad magic)");
            }
            int version = pre.getShort() & 0xFFFF;
            if (version != VERSION) {
                throw new CorruptEntryException("format version " + version + " not supported (this gateway reads " + VERSION + ")");
            }
            ByteBuffer t = readFully(ch, size - TRAILER, TRAILER);
            long bodyLength = t.getLong();
            long contentLength = t.getLong();
            int crc = t.getInt();
            if (t.getInt() != END_MAGIC || contentLength != size - TRAILER) {
                throw new CorruptEntryException("torn: trailer missing or length mismatch");
            }
            pre.position(8);
            long headLength = pre.getInt() & 0xFFFFFFFFL;
            if (headLength > MAX_HEAD || bodyLength < 0 || PREAMBLE + headLength + bodyLength != contentLength) {
                throw new CorruptEntryException("corrupt: lengths disagree");
            }
            CRC32C c = new CRC32C();
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            long pos = 0;
            long end = size - TRAILER + 16;
            while (pos < end) {
                buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
                int n = ch.read(buf, pos);
                if (n < 0) {
                    throw new CorruptEntryException("torn while reading");
                }
                buf.flip();
                c.update(buf);
                pos += n;
            }
            if ((int) c.getValue() != crc) {
                throw new CorruptEntryException("corrupt: CRC32C mismatch");
            }
            ByteBuffer head = readFully(ch, PREAMBLE, (int) headLength);
            Head h;
            try {
                h = decodeHead(head);
            } catch (RuntimeException e) {
                throw new CorruptEntryException("corrupt head: " + e);
            }
            if (head.hasRemaining()) {
                throw new CorruptEntryException("corrupt head: trailing bytes");
            }
            return new Stored(h, PREAMBLE + headLength, bodyLength, size);
        }
    }

    private static Head decodeHead(ByteBuffer b) throws IOException {
        long seq = b.getLong();
        long sec = b.getLong();
        int nano = b.getInt();
        String ref = str16(b);
        String group = str16(b);
        String scheme = str16(b);
        int addrLen = b.get() & 0xFF;
        if (addrLen != 0 && addrLen != 4 && addrLen != 16) {
            throw new IllegalArgumentException("address length " + addrLen);
        }
        byte[] addr = new byte[addrLen];
        b.get(addr);
        int port = b.getShort() & 0xFFFF;
        InetSocketAddress client = addrLen == 0 ? InetSocketAddress.createUnresolved("unknown", port)
                : new InetSocketAddress(InetAddress.getByAddress(addr), port);
        String method = str16(b);
        String uri = str32(b);
        String protocol = str16(b);
        int count = b.getInt();
        if (count < 0 || count > 100_000) {
            throw new IllegalArgumentException("header count " + count);
        }
        HttpHeaders headers = new DefaultHttpHeaders(false);
        for (int i = 0; i < count; i++) {
            headers.add(str16(b), str32(b));
        }
        return new Head(seq, Instant.ofEpochSecond(sec, nano), ref, group, scheme, client, method, uri, protocol, headers);
    }

    private static ByteBuffer readFully(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) {
                throw new CorruptEntryException("torn while reading");
            }
        }
        return b.flip();
    }

    private static void str16(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        if (b.length > 0xFFFF) {
            throw new IllegalArgumentException("field too long to spool: " + b.length + " bytes");
        }
        out.writeShort(b.length);
        out.write(b);
    }

    private static void str32(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String str16(ByteBuffer b) {
        int n = b.getShort() & 0xFFFF;
        return str(b, n);
    }

    private static String str32(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw new IllegalArgumentException("string length " + n);
        }
        return str(b, n);
    }

    private static String str(ByteBuffer b, int n) {
        byte[] bytes = new byte[n];
        b.get(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
