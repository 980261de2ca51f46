package net.passerelle.gateway.notice;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Function;

/**
 * Renders notices: the page or document a visitor gets instead of a backend answer.
 *
 * <p>Templates and messages are loaded once. Everything a body says except the per-request values (reference id,
 * request id, retry delay) is compiled once per (kind, format, language, message override, end time to the minute,
 * minutes left, which optional values are present) into static UTF-8 segments with slots, and cached (bounded);
 * rendering a request is then a few buffer copies into one exactly-sized buffer. Thread-safe.
 *
 * <p>The key is {@link NoticeKey}, the compilation {@link NoticeCompiler}'s, the compiled body a {@link CompiledNotice}.
 */
public final class NoticeRenderer {
    private static final AsciiString NO_STORE = AsciiString.cached("no-store");
    private static final AsciiString NOSNIFF = AsciiString.cached("nosniff");
    private static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    private static final AsciiString X_CONTENT_TYPE_OPTIONS = AsciiString.cached("x-content-type-options");
    private static final AsciiString ALLOW_VALUE = AsciiString.cached("GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE");
    /** The HTML loads nothing and runs nothing; say so to the browser as well. */
    private static final AsciiString HTML_CSP = AsciiString.cached(
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    private static final HttpHeadersFactory HEADERS = net.passerelle.gateway.http.CompactHttpHeaders.FACTORY;
    private static final HttpHeadersFactory TRAILERS = DefaultHttpHeadersFactory.trailersFactory().withValidation(false);
    private static final int MAX_REQUEST_ID_LENGTH = 200;
    /** No {@code Retry-After}: a real delay is never negative. */
    private static final int NO_RETRY = -1;

    private final Clock clock;
    private final Function<NoticeKey, CompiledNotice> compile;
    private final Cache<NoticeKey, CompiledNotice> cache;

    public NoticeRenderer(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.compile = new NoticeCompiler()::compile;
        this.cache = Caffeine.newBuilder()
                .maximumSize(10_000)
                .expireAfterAccess(Duration.ofMinutes(30))
                .recordStats()
                // Caffeine's upkeep (draining the buffer of recorded reads, every few reads) runs on the thread that
                // reads, not in the common pool: handing it over woke a pool thread, on the event loop's own core, for
                // every few notices. Profiled on read-only refusals: waking it was 7 % of the event loop's time, and
                // the pool thread another 5 % of the process, mostly contending for the cache's lock.
                .executor(Runnable::run)
                .build();
    }

    /** The compiled-template cache, for its metrics (hit rate, size, evictions). */
    public Cache<?, ?> cache() {
        return cache;
    }

    /**
     * Renders one notice as a complete response (status, headers, body) that can be written to a channel as is.
     * The caller owns the response (and its buffer). For a HEAD request the body is empty and {@code Content-Length}
     * is the length the GET body would have.
     */
    public FullHttpResponse render(NoticeContext ctx, NoticeFormat format, Language language, ByteBufAllocator alloc,
                                   boolean headRequest) {
        Objects.requireNonNull(ctx, "ctx");
        NoticeFormat f = format == null ? NoticeFormat.HTML : format;
        Language lang = language == null ? Language.EN : language;
        Instant now = clock.instant();
        int retry = retryAfter(ctx, now);
        String referenceId = nonBlank(ctx.referenceId());
        String requestId = validRequestId(ctx.requestId());
        CompiledNotice compiled = cache.get(NoticeKey.of(ctx, f, lang, now, referenceId != null, requestId != null,
                retry != NO_RETRY), compile);

        String ref = referenceId == null ? null : slotValue(f, referenceId);
        String req = requestId == null ? null : slotValue(f, requestId);
        String retryText = retry == NO_RETRY ? null : Integer.toString(retry);
        int length = compiled.length(ref, req, retryText);
        ByteBuf body = headRequest ? Unpooled.EMPTY_BUFFER : body(compiled, alloc, length, ref, req, retryText);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, ctx.kind().status(), body,
                HEADERS, TRAILERS);
        setHeaders(response.headers(), ctx.kind(), f, lang, length, retry, requestId);
        return response;
    }

    /** The {@code Retry-After} delay: the one given, else the time left in the window; never negative. */
    private static int retryAfter(NoticeContext ctx, Instant now) {
        Integer given = ctx.retryAfterSeconds();
        if (given != null) {
            return Math.max(0, given);
        }
        if (ctx.endsAt() == null) {
            return NO_RETRY;
        }
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, NoticeKey.secondsLeft(ctx.endsAt(), now)));
    }

    private static ByteBuf body(CompiledNotice compiled, ByteBufAllocator alloc, int length, String ref, String req,
                                String retry) {
        ByteBuf body = alloc.buffer(length, length);
        try {
            compiled.write(body, ref, req, retry);
        } catch (RuntimeException e) {
            body.release();
            throw e;
        }
        return body;
    }

    private static void setHeaders(HttpHeaders h, NoticeKind kind, NoticeFormat format, Language language, int length,
                                   int retry, String requestId) {
        h.set(HttpHeaderNames.CONTENT_TYPE, format.contentType());
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        h.set(HttpHeaderNames.CACHE_CONTROL, NO_STORE);
        h.set(HttpHeaderNames.CONTENT_LANGUAGE, language.headerValue());
        h.set(X_CONTENT_TYPE_OPTIONS, NOSNIFF);
        if (format == NoticeFormat.HTML) {
            h.set(HttpHeaderNames.CONTENT_SECURITY_POLICY, HTML_CSP);
        }
        if (retry != NO_RETRY && kind.sendsRetryAfter()) {
            h.setInt(HttpHeaderNames.RETRY_AFTER, retry);
        }
        if (kind == NoticeKind.METHOD_NOT_ALLOWED) {
            h.set(HttpHeaderNames.ALLOW, ALLOW_VALUE);
        }
        if (requestId != null) {
            h.set(X_REQUEST_ID, requestId);
        }
    }

    /** Number of compiled bodies held (for tests and metrics). */
    public long cachedBodies() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    private static String nonBlank(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** A request id goes into a header verbatim: visible ASCII only, bounded; anything else is dropped. */
    static String validRequestId(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_REQUEST_ID_LENGTH) {
            return null;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c <= 0x20 || c >= 0x7F) {
                return null;
            }
        }
        return id;
    }

    private static String slotValue(NoticeFormat format, String raw) {
        return Escape.isPlainAscii(raw) ? raw : Escape.forFormat(format, raw);
    }
}
