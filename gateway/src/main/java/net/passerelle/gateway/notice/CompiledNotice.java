package net.passerelle.gateway.notice;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A notice body split into static UTF-8 segments around slots for the per-request values, so that rendering a
 * request is a few buffer copies into one exactly-sized buffer, with no string built for the whole body.
 */
final class CompiledNotice {
    /** Marks, in a compiled body, where the reference id, the request id and the retry delay go. */
    static final char SLOT_REF = '\uE000';
    static final char SLOT_REQ = '\uE001';
    static final char SLOT_RETRY = '\uE002';

    private final byte[][] segments; // slots.length + 1
    private final char[] slots;
    private final int staticLength;

    private CompiledNotice(byte[][] segments, char[] slots) {
        this.segments = segments;
        this.slots = slots;
        int n = 0;
        for (byte[] s : segments) {
            n += s.length;
        }
        this.staticLength = n;
    }

    static CompiledNotice of(String body) {
        List<byte[]> segs = new ArrayList<>();
        StringBuilder slots = new StringBuilder();
        int start = 0;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == SLOT_REF || c == SLOT_REQ || c == SLOT_RETRY) {
                segs.add(body.substring(start, i).getBytes(StandardCharsets.UTF_8));
                slots.append(c);
                start = i + 1;
            }
        }
        segs.add(body.substring(start).getBytes(StandardCharsets.UTF_8));
        return new CompiledNotice(segs.toArray(new byte[0][]), slots.toString().toCharArray());
    }

    private static String value(char slot, String ref, String req, String retry) {
        String v = slot == SLOT_REF ? ref : slot == SLOT_REQ ? req : retry;
        return v == null ? "" : v;
    }

    int length(String ref, String req, String retry) {
        int n = staticLength;
        for (char slot : slots) {
            n += ByteBufUtil.utf8Bytes(value(slot, ref, req, retry));
        }
        return n;
    }

    void write(ByteBuf out, String ref, String req, String retry) {
        for (int i = 0; i < slots.length; i++) {
            out.writeBytes(segments[i]);
            String v = value(slots[i], ref, req, retry);
            ByteBufUtil.reserveAndWriteUtf8(out, v, ByteBufUtil.utf8Bytes(v));
        }
        out.writeBytes(segments[slots.length]);
    }

    /** The body with empty slots, for tests. */
    String staticText() {
        StringBuilder sb = new StringBuilder();
        for (byte[] s : segments) {
            sb.append(new String(s, StandardCharsets.UTF_8));
        }
        return sb.toString();
    }
}
