package net.passerelle.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import net.passerelle.gateway.http.CompactHttpHeaders;
import net.passerelle.gateway.http.ForwardingHeaders;
import net.passerelle.gateway.http.KnownHeaderNames;
import net.passerelle.gateway.http.StrictRequestDecoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The header work of one proxied request, piece by piece, which {@link RequestPathBenchmark} measures only as part
 * of the whole: decoding a browser's request head with the gateway's decoder ({@code decodeHead}), rewriting its
 * headers for the backend ({@code prepareRequest}: hop-by-hop headers out, forwarding headers in) and writing them
 * out ({@code encode}), and the same three for a backend's response head. Each op starts from a fresh copy of
 * decoded headers (the copy is in every op, so it cancels out of comparisons).
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HeadersBenchmark {
    private static final String HOST = RoutingBenchmark.hostName(4242);

    private EmbeddedChannel decoder;
    private ByteBuf requestHead;
    private HttpHeaders request;
    private HttpHeaders response;
    private ForwardingHeaders forwarding;
    private ForwardingHeaders.Client client;
    private ByteBuf out;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        decoder = new EmbeddedChannel(new StrictRequestDecoder(new HttpDecoderConfig()
                .setHeadersFactory(CompactHttpHeaders.FACTORY).setTrailersFactory(CompactHttpHeaders.TRAILERS)));
        requestHead = RequestPathBenchmark.ascii("GET /i.php?/upload/2024/05/12/20240512-abcdef-me.jpg HTTP/1.1\r\n"
                + RequestPathBenchmark.browserHeaders(HOST) + "\r\n");
        HttpRequest decoded = decode();
        request = decoded.headers().copy();
        ReferenceCountUtil.release(decoded);
        response = new CompactHttpHeaders(16);
        for (String[] h : List.of(new String[]{"Server", "nginx"}, new String[]{"Date", "Tue, 12 May 2026 08:00:00 GMT"},
                new String[]{"Content-Type", "text/html"}, new String[]{"Content-Length", "1024"},
                new String[]{"Last-Modified", "Mon, 11 May 2026 08:00:00 GMT"}, new String[]{"Connection", "keep-alive"},
                new String[]{"ETag", "\"6640a3c0-400\""}, new String[]{"Accept-Ranges", "bytes"})) {
            // as the decoder makes them: the shared name where there is one
            io.netty.util.AsciiString known = KnownHeaderNames.find(h[0].getBytes(StandardCharsets.US_ASCII), 0, h[0].length());
            response.add(known != null ? known : new io.netty.util.AsciiString(h[0]), h[1]);
        }
        forwarding = new ForwardingHeaders(List.of(), "passerelle");
        client = new ForwardingHeaders.Client(InetAddress.getByName("192.0.2.7"));
        out = ByteBufAllocator.DEFAULT.directBuffer(4096);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        out.release();
        decoder.finishAndReleaseAll();
    }

    private HttpRequest decode() {
        decoder.writeInbound(requestHead.duplicate());
        HttpRequest req = decoder.readInbound();
        Object last = decoder.readInbound();
        if (!(last instanceof LastHttpContent) || !req.decoderResult().isSuccess()) {
            throw new IllegalStateException("not decoded: " + req + " " + last);
        }
        ReferenceCountUtil.release(last);
        return req;
    }

    @Benchmark
    public HttpRequest decodeHead() {
        return decode();
    }

    @Benchmark
    public HttpHeaders copyOnly() {
        return request.copy();
    }

    @Benchmark
    public HttpHeaders prepareRequest() {
        HttpHeaders h = request.copy();
        forwarding.prepareRequest(h, client, false, HOST, "http", "0123456789abcdef");
        return h;
    }

    @Benchmark
    public int prepareAndEncodeRequest() {
        HttpHeaders h = request.copy();
        forwarding.prepareRequest(h, client, false, HOST, "http", "0123456789abcdef");
        out.clear();
        ((CompactHttpHeaders) h).encode(out);
        return out.writerIndex();
    }

    @Benchmark
    public int prepareAndEncodeResponse() {
        HttpHeaders h = response.copy();
        forwarding.prepareResponse(h, "0123456789abcdef");
        out.clear();
        ((CompactHttpHeaders) h).encode(out);
        return out.writerIndex();
    }
}
