package net.passerelle.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import net.passerelle.gateway.policy.ClassifierProfiles;
import net.passerelle.gateway.policy.Decided;
import net.passerelle.gateway.policy.HeadVerdict;
import net.passerelle.gateway.policy.NeedsBody;
import net.passerelle.gateway.policy.RequestClass;
import net.passerelle.gateway.policy.WriteClassifier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Write classification with the built-in Piwigo profile: the head verdict, then (for a {@code ws.php} POST) the body
 * peek fed the whole body in one chunk, as it arrives from the decoder for a small form. Each op classifies one
 * request from scratch (a fresh peek per request, as the gateway does).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ClassificationBenchmark {
    static final String BOUNDARY = "----WebKitFormBoundary7MA4YWxkTrZu0gW";

    private WriteClassifier classifier;
    private HttpRequest getPage;
    private HttpRequest wsGetRead;
    private HttpRequest urlencodedPost;
    private ByteBuf urlencodedBody;
    private HttpRequest multipartPost;
    private ByteBuf multipartBody;
    private HttpRequest multipartUpload;
    private ByteBuf uploadFirstChunk;

    static HttpRequest post(String uri, String contentType, int length) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri);
        r.headers().set(HttpHeaderNames.HOST, "gallery-1.photos.example.net")
                .set(HttpHeaderNames.USER_AGENT, "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0")
                .set(HttpHeaderNames.ACCEPT, "application/json")
                .set(HttpHeaderNames.COOKIE, "pwg_id=0123456789abcdef0123456789abcdef")
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .set(HttpHeaderNames.CONTENT_LENGTH, length);
        return r;
    }

    static String multipart(String method, String extraName, String extra) {
        return "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"method\"\r\n\r\n" + method + "\r\n"
                + "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + extraName + "\"\r\n\r\n" + extra + "\r\n"
                + "--" + BOUNDARY + "--\r\n";
    }

    @Setup(Level.Trial)
    public void setUp() {
        classifier = ClassifierProfiles.builtIn().defaultClassifier();
        getPage = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/picture.php?/1234/category/56");
        getPage.headers().set(HttpHeaderNames.HOST, "gallery-1.photos.example.net");
        wsGetRead = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/ws.php?format=json&method=pwg.categories.getImages&cat_id=3");
        wsGetRead.headers().set(HttpHeaderNames.HOST, "gallery-1.photos.example.net");

        byte[] form = "method=pwg.categories.getImages&cat_id=12&per_page=100&page=0&order=date_available%20DESC"
                .getBytes(StandardCharsets.US_ASCII);
        urlencodedBody = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(form));
        urlencodedPost = post("/ws.php?format=json", "application/x-www-form-urlencoded; charset=UTF-8", form.length);

        byte[] mp = multipart("pwg.images.setInfo", "image_id", "1234").getBytes(StandardCharsets.US_ASCII);
        multipartBody = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(mp));
        multipartPost = post("/ws.php?format=json", "multipart/form-data; boundary=" + BOUNDARY, mp.length);

        // A 10 MiB photo upload whose method field comes first: classified from the first 16 KiB chunk.
        byte[] head = multipart("pwg.images.addSimple", "image", "").getBytes(StandardCharsets.US_ASCII);
        byte[] chunk = new byte[16384];
        System.arraycopy(head, 0, chunk, 0, head.length);
        uploadFirstChunk = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(chunk));
        multipartUpload = post("/ws.php?format=json", "multipart/form-data; boundary=" + BOUNDARY, 10 << 20);
    }

    @TearDown
    public void check() {
        if (classifyBody(urlencodedPost, urlencodedBody) != RequestClass.READ) {
            throw new IllegalStateException("urlencoded pwg.categories.getImages should be READ");
        }
        if (classifyBody(multipartPost, multipartBody) != RequestClass.WRITE) {
            throw new IllegalStateException("multipart pwg.images.setInfo should be WRITE");
        }
    }

    private RequestClass classifyBody(HttpRequest head, ByteBuf body) {
        HeadVerdict v = classifier.classify(head);
        if (v instanceof Decided d) {
            return d.requestClass();
        }
        var peek = ((NeedsBody) v).newPeek();
        RequestClass c = peek.offer(body);
        return c != null ? c : peek.finish();
    }

    /** A page GET: decided from the head. */
    @Benchmark
    public HeadVerdict headGetPage() {
        return classifier.classify(getPage);
    }

    /** ws.php GET with method in the query string: decided from the head. */
    @Benchmark
    public HeadVerdict headWsGet() {
        return classifier.classify(wsGetRead);
    }

    /** ws.php POST, method in an urlencoded body (a read method: the whole body is parsed). */
    @Benchmark
    public RequestClass wsPostUrlencoded() {
        return classifyBody(urlencodedPost, urlencodedBody);
    }

    /** ws.php POST, method in a small multipart body (a write method). */
    @Benchmark
    public RequestClass wsPostMultipart() {
        return classifyBody(multipartPost, multipartBody);
    }

    /** ws.php POST, 10 MiB multipart upload, method in the first 16 KiB chunk. */
    @Benchmark
    public RequestClass wsPostMultipartUpload() {
        return classifyBody(multipartUpload, uploadFirstChunk);
    }
}
