package net.passerelle.gateway.policy;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Copies the body, up to the limit, then parses it as PHP would parse {@code $_POST} and runs the profile again with
 * the form parameters. As soon as the body passes the limit the answer is WRITE and the copy is dropped, so a
 * multipart upload is never held. A READ needs the whole body (a later duplicate parameter could change the answer).
 */
final class FormBodyPeek implements BodyPeek {
    private static final int INITIAL_CAPACITY = 512;

    private final ProfileClassifier classifier;
    private final RequestFacts facts;
    private final int limit;
    private byte[] buf;
    private int size;
    private int maxRetained;
    private RequestClass decided;

    FormBodyPeek(ProfileClassifier classifier, RequestFacts facts, int limit) {
        this.classifier = classifier;
        this.facts = facts;
        this.limit = limit;
    }

    @Override
    public RequestClass offer(ByteBuf chunk) {
        if (decided != null) {
            return decided;
        }
        int n = chunk.readableBytes();
        if ((long) size + n > limit) {
            return decide(RequestClass.WRITE);
        }
        if (n > 0) {
            ensureCapacity(size + n);
            chunk.getBytes(chunk.readerIndex(), buf, size, n);
            size += n;
        }
        if (facts.contentLength >= 0 && size >= facts.contentLength) {
            return decide(parseAndEvaluate());
        }
        return null;
    }

    @Override
    public RequestClass finish() {
        if (decided != null) {
            return decided;
        }
        if (facts.contentLength >= 0 && size != facts.contentLength) {
            return decide(RequestClass.WRITE); // truncated body: do not guess
        }
        return decide(parseAndEvaluate());
    }

    /** Bytes of body copy currently held (0 once decided). */
    int retainedBytes() {
        return buf == null ? 0 : buf.length;
    }

    /** The most bytes of body copy this peek ever held. */
    int maxRetainedBytes() {
        return maxRetained;
    }

    private void ensureCapacity(int needed) {
        if (buf == null) {
            buf = new byte[Math.min(limit, Math.max(INITIAL_CAPACITY, needed))];
        } else if (buf.length < needed) {
            int cap = buf.length;
            while (cap < needed) {
                cap = cap > limit / 2 ? limit : cap * 2;
            }
            buf = Arrays.copyOf(buf, cap);
        }
        maxRetained = Math.max(maxRetained, buf.length);
    }

    private RequestClass decide(RequestClass c) {
        buf = null;
        decided = c == null ? RequestClass.WRITE : c;
        return decided;
    }

    private RequestClass parseAndEvaluate() {
        byte[] b = buf == null ? new byte[0] : buf;
        Params body;
        if (facts.formKind == RequestFacts.FormKind.URLENCODED) {
            body = Params.parseUrlEncoded(new String(b, 0, size, StandardCharsets.ISO_8859_1));
        } else if (facts.formKind == RequestFacts.FormKind.MULTIPART && facts.boundary != null) {
            body = Params.parseMultipart(b, size, facts.boundary);
        } else {
            body = null;
        }
        if (body == null) {
            return RequestClass.WRITE;
        }
        return classifier.evaluate(facts, body);
    }
}
