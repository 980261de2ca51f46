package net.passerelle.gateway.policy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Builds requests, runs a classifier on them (head, then body if asked) and reads the corpus files. */
final class ClassifierHarness {
    private ClassifierHarness() {
    }

    /** One request of a corpus. {@code body} null means no body at all. */
    record Req(String method, String uri, String contentType, byte[] body, List<String[]> headers, String note) {
        HttpRequest head() {
            HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri);
            r.headers().set(HttpHeaderNames.HOST, "gallery.example");
            if (contentType != null) {
                r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
            }
            boolean chunked = false;
            for (String[] h : headers) {
                r.headers().add(h[0], h[1]);
                chunked |= h[0].equalsIgnoreCase("Transfer-Encoding");
            }
            if (body != null && !chunked) {
                r.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
            }
            return r;
        }

        @Override
        public String toString() {
            return method + " " + uri + (contentType == null ? "" : " [" + contentType + "]")
                    + (note == null || note.isEmpty() ? "" : " (" + note + ")");
        }
    }

    static Req get(String uri) {
        return new Req("GET", uri, null, null, List.of(), "");
    }

    static Req post(String uri, String contentType, String body) {
        return new Req("POST", uri, contentType, body.getBytes(StandardCharsets.UTF_8), List.of(), "");
    }

    /** Classifies with the body fed as one chunk. */
    static RequestClass classify(WriteClassifier c, Req req) {
        return classifySplit(c, req, new int[0]);
    }

    /** Classifies with the body cut at the given offsets (ascending), checking the peek leaves buffers untouched. */
    static RequestClass classifySplit(WriteClassifier c, Req req, int[] cuts) {
        HeadVerdict v = c.classify(req.head());
        assertNotNull(v, "verdict for " + req);
        if (v instanceof Decided d) {
            return d.requestClass();
        }
        NeedsBody nb = (NeedsBody) v;
        BodyPeek peek = nb.newPeek();
        byte[] body = req.body() == null ? new byte[0] : req.body();
        ByteBuf all = Unpooled.directBuffer(Math.max(1, body.length));
        try {
            all.writeBytes(body);
            int from = 0;
            for (int i = 0; i <= cuts.length; i++) {
                int to = i < cuts.length ? cuts[i] : body.length;
                ByteBuf chunk = all.retainedSlice(from, to - from);
                try {
                    int ri = chunk.readerIndex();
                    int wi = chunk.writerIndex();
                    int refs = chunk.refCnt();
                    RequestClass got = peek.offer(chunk);
                    assertEquals(ri, chunk.readerIndex(), "offer moved the reader index");
                    assertEquals(wi, chunk.writerIndex(), "offer moved the writer index");
                    assertEquals(refs, chunk.refCnt(), "offer retained or released the chunk");
                    if (got != null) {
                        return got;
                    }
                } finally {
                    chunk.release();
                }
                from = to;
            }
            RequestClass end = peek.finish();
            assertNotNull(end, "finish() must decide");
            return end;
        } finally {
            all.release();
            if (peek instanceof FormBodyPeek fp) {
                assertTrue(fp.maxRetainedBytes() <= nb.limitBytes(), "peek held more than the limit");
            }
        }
    }

    static List<String[]> readTsv(String resource) {
        try (InputStream in = ClassifierHarness.class.getResourceAsStream(resource)) {
            assertNotNull(in, "missing test resource " + resource);
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<String[]> rows = new ArrayList<>();
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                rows.add(line.split("\t", -1));
            }
            return rows;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String unescape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                switch (n) {
                    case 'r' -> sb.append('\r');
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    default -> sb.append(n);
                }
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Reads requests.tsv rows: expected, method, target, content type, body, headers, note. */
    static Req fromRow(String[] row) {
        String ct = row[3].equals("-") ? null : row[3];
        byte[] body = row[4].equals("-") ? null : unescape(row[4]).getBytes(StandardCharsets.UTF_8);
        List<String[]> headers = new ArrayList<>();
        if (!row[5].equals("-")) {
            for (String h : row[5].split(" \\| ")) {
                int colon = h.indexOf(':');
                headers.add(new String[] {h.substring(0, colon).trim(), h.substring(colon + 1).trim()});
            }
        }
        return new Req(row[1], unescape(row[2]), ct, body, headers, row.length > 6 ? row[6] : "");
    }
}
