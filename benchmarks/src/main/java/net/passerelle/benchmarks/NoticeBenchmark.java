package net.passerelle.benchmarks;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import net.passerelle.gateway.http.RequestIds;
import net.passerelle.gateway.notice.Language;
import net.passerelle.gateway.notice.NoticeContext;
import net.passerelle.gateway.notice.NoticeFormat;
import net.passerelle.gateway.notice.NoticeKind;
import net.passerelle.gateway.notice.NoticeNegotiator;
import net.passerelle.gateway.notice.NoticeRenderer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The read-only notice, as the gateway produces it for a refused write: negotiate format and language from the
 * request, render (cached template, per-request request id and Retry-After), release. One op = one notice.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class NoticeBenchmark {
    private NoticeRenderer renderer;
    private ByteBufAllocator alloc;
    private HttpRequest browserFr;
    private HttpRequest piwigoJson;
    private Instant windowEnd;
    private Map<String, String> message;

    @Setup(Level.Trial)
    public void setUp() {
        renderer = new NoticeRenderer(Clock.systemUTC());
        alloc = PooledByteBufAllocator.DEFAULT;
        browserFr = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/comments.php");
        browserFr.headers().set(HttpHeaderNames.ACCEPT, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
                .set(HttpHeaderNames.ACCEPT_LANGUAGE, "fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7");
        piwigoJson = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/ws.php?format=json&method=pwg.images.setInfo");
        piwigoJson.headers().set(HttpHeaderNames.ACCEPT, "*/*");
        windowEnd = Instant.now().plusSeconds(3 * 3600);
        message = Map.of("en", "We are moving your gallery to a faster server.",
                "fr", "Nous déménageons votre galerie vers un serveur plus rapide.");
    }

    private int render(HttpRequest request, Map<String, String> override) {
        NoticeFormat format = NoticeNegotiator.format(request);
        Language language = NoticeNegotiator.language(request.headers().get(HttpHeaderNames.ACCEPT_LANGUAGE));
        NoticeContext ctx = new NoticeContext(NoticeKind.READ_ONLY, "srv-12", override, windowEnd, null, null, RequestIds.next());
        FullHttpResponse r = renderer.render(ctx, format, language, alloc, false);
        int n = r.content().readableBytes() + r.headers().size();
        r.release();
        return n;
    }

    /** HTML page in French, with the group's message override and a window end. */
    @Benchmark
    public int readOnlyHtmlFr() {
        return render(browserFr, message);
    }

    /** Piwigo ws.php JSON shape, no override. */
    @Benchmark
    public int readOnlyPiwigoJson() {
        return render(piwigoJson, Map.of());
    }

    /** Unknown host 404 page, no group. */
    @Benchmark
    public int unknownHostHtml() {
        NoticeContext ctx = new NoticeContext(NoticeKind.UNKNOWN_HOST, null, null, null, null, null, RequestIds.next());
        FullHttpResponse r = renderer.render(ctx, NoticeNegotiator.format(browserFr), Language.EN, alloc, false);
        int n = r.content().readableBytes();
        r.release();
        return n;
    }
}
