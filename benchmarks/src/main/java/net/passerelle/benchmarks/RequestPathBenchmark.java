package net.passerelle.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.WritePolicy;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.http.ForwardingHeaders;
import net.passerelle.gateway.notice.NoticeRenderer;
import net.passerelle.gateway.proxy.ProxyListener;
import net.passerelle.gateway.proxy.ProxySettings;
import net.passerelle.gateway.origin.OriginPools;
import net.passerelle.gateway.origin.OriginSettings;
import net.passerelle.gateway.routing.Backend;
import net.passerelle.gateway.routing.GroupRoute;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.routing.RoutingTableHolder;
import net.passerelle.gateway.server.ConnectionLimiter;
import net.passerelle.gateway.server.GatewayChannelInitializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The whole request path of one keep-alive client connection, in memory: request bytes in, forwarded bytes out to
 * the backend, response bytes in from the backend, response bytes out to the client. The client connection carries
 * the gateway's real pipeline (limiter, activity, strict decoder, encoder, flow control, proxy); the backend
 * connection is the gateway's real upstream pipeline (client codec, flow control, origin receiver), made by the
 * gateway's own {@link OriginPools} on an {@link EmbeddedChannel} subclass given to it as the transport's client
 * channel class, and kept in the pool between requests as on a real socket. No syscalls: this is the CPU and
 * allocation cost of Passerelle's own code plus Netty's codecs.
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RequestPathBenchmark {
    static final InetSocketAddress BACKEND = new InetSocketAddress("127.0.0.1", 18081);
    static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 50123);
    static final InetSocketAddress GATEWAY = new InetSocketAddress("127.0.0.1", 18080);

    /** Every backend connection the pool opens, so the benchmark can play the backend on it. */
    static final List<UpstreamChannel> OPENED = new ArrayList<>();

    /** The backend side: an embedded channel registered by the gateway's Bootstrap on the client's event loop. */
    public static final class UpstreamChannel extends EmbeddedChannel {
        public UpstreamChannel() {
            super(DefaultChannelId.newInstance(), false, false);
            OPENED.add(this);
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return BACKEND;
        }

        @Override
        protected SocketAddress localAddress0() {
            return GATEWAY;
        }
    }

    static final class ClientChannel extends EmbeddedChannel {
        ClientChannel() {
            super(DefaultChannelId.newInstance(), false, false);
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return CLIENT;
        }

        @Override
        protected SocketAddress localAddress0() {
            return GATEWAY;
        }
    }

    /**
     * Response size from the backend: a 1 KiB HTML page (which the default-page guard scans) or a 100 KiB JPEG photo
     * (which it does not).
     */
    @Param({"1024", "102400"})
    public int responseBytes;

    private ClientChannel client;
    private ByteBuf getRequest;
    private ByteBuf postRequest;
    private ByteBuf unknownHostRequest;
    private ByteBuf readOnlyPost;
    private ByteBuf response;
    private long bytesOut;

    static ByteBuf ascii(String s) {
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.ISO_8859_1)));
    }

    static String browserHeaders(String host) {
        return "Host: " + host + "\r\n"
                + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
                + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
                + "Accept-Language: fr-FR,fr;q=0.8,en-US;q=0.5,en;q=0.3\r\n"
                + "Accept-Encoding: gzip, deflate, br\r\n"
                + "Referer: http://" + host + "/index.php?/category/12\r\n"
                + "Cookie: pwg_id=0123456789abcdef0123456789abcdef; pwg_display_thumbnail=no_display_thumbnail\r\n"
                + "Connection: keep-alive\r\n"
                + "Upgrade-Insecure-Requests: 1\r\n";
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    @Setup(Level.Trial)
    public void setUp() throws Exception {
        GatewayConfig config = GatewayConfig.defaults();
        GroupRoute group = new GroupRoute("g", List.of(new Backend("127.0.0.1:18081", BACKEND)), List.of(),
                Mode.OPEN, WritePolicy.REJECT, null, 120, Map.of(), "piwigo");
        GroupRoute readOnly = new GroupRoute("ro", List.of(new Backend("127.0.0.1:18081", BACKEND)), List.of(),
                Mode.READ_ONLY, WritePolicy.REJECT, null, 420, Map.of(), "piwigo");
        RoutingTable.Builder b = RoutingTable.builder(1).group(group).group(readOnly);
        for (int n = 0; n < 10_000; n++) {
            b.host(RoutingBenchmark.hostName(n), "g", "acct-" + n);
        }
        b.host("readonly.photos.example.net", "ro", "ro");
        RoutingTableHolder routes = new RoutingTableHolder(b.build());
        OriginPools pools = new OriginPools(UpstreamChannel.class, OriginSettings.from(config.upstream()));
        ProxySettings settings = ProxySettings.from(config, routes,
                new ForwardingHeaders(List.of(), config.forwarding().via()), new NoticeRenderer(Clock.systemUTC()),
                pools, ProxyListener.NOOP, Clock.systemUTC(), null);

        client = new ClientChannel();
        // The gateway's own initializer: the benchmark runs exactly the production pipeline.
        client.pipeline().addLast(new GatewayChannelInitializer(settings,
                new ConnectionLimiter(config.limits().maxConnectionsPerClient())));
        client.register();

        String host = RoutingBenchmark.hostName(4242);
        getRequest = ascii("GET /i.php?/upload/2024/05/12/20240512-abcdef-me.jpg HTTP/1.1\r\n" + browserHeaders(host) + "\r\n");
        String form = "method=pwg.categories.getImages&cat_id=12&per_page=100&page=0";
        postRequest = ascii("POST /ws.php?format=json HTTP/1.1\r\n" + browserHeaders(host)
                + "Content-Type: application/x-www-form-urlencoded; charset=UTF-8\r\nContent-Length: " + form.length() + "\r\n\r\n" + form);
        String write = "method=pwg.images.setInfo&image_id=1234&name=Sunset";
        readOnlyPost = ascii("POST /ws.php?format=json HTTP/1.1\r\n" + browserHeaders("readonly.photos.example.net")
                + "Content-Type: application/x-www-form-urlencoded; charset=UTF-8\r\nContent-Length: " + write.length() + "\r\n\r\n" + write);
        unknownHostRequest = ascii("GET / HTTP/1.1\r\n" + browserHeaders("nobody.example.org") + "\r\n");
        byte[] body = new byte[responseBytes];
        java.util.Arrays.fill(body, (byte) 'x');
        String head = "HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Tue, 12 May 2026 08:00:00 GMT\r\n"
                + "Content-Type: " + (responseBytes <= 1024 ? "text/html" : "image/jpeg") + "\r\nContent-Length: " + responseBytes + "\r\n"
                + "Last-Modified: Mon, 11 May 2026 08:00:00 GMT\r\nConnection: keep-alive\r\n"
                + "ETag: \"6640a3c0-400\"\r\nAccept-Ranges: bytes\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        response = Unpooled.unreleasableBuffer(Unpooled.directBuffer(all.length).writeBytes(all));

        // Sanity: one exchange must reach the backend and come back.
        long before = bytesOut;
        exchange(getRequest);
        if (bytesOut - before < responseBytes || OPENED.size() != 1) {
            throw new IllegalStateException("request path did not proxy: " + (bytesOut - before) + " bytes out, "
                    + OPENED.size() + " backend connections");
        }
        expect(readOnlyPost, "HTTP/1.1 503 Service Unavailable");
        expect(unknownHostRequest, "HTTP/1.1 404 Not Found");
    }

    private String firstLine(ByteBuf request) {
        client.writeInbound(request.duplicate());
        client.runPendingTasks();
        ByteBuf out = client.readOutbound();
        String text = out.toString(StandardCharsets.ISO_8859_1);
        out.release();
        drain(client);
        return text.substring(0, text.indexOf('\r'));
    }

    private long drain(EmbeddedChannel ch) {
        long n = 0;
        Object o;
        while ((o = ch.readOutbound()) != null) {
            if (o instanceof ByteBuf buf) {
                n += buf.readableBytes();
            }
            ReferenceCountUtil.release(o);
        }
        return n;
    }

    private void expect(ByteBuf request, String statusLine) {
        String got = firstLine(request);
        if (!got.equals(statusLine)) {
            throw new IllegalStateException("expected " + statusLine + ", got " + got);
        }
    }

    private long exchange(ByteBuf request) {
        client.writeInbound(request.duplicate());
        client.runPendingTasks();
        UpstreamChannel upstream = OPENED.get(OPENED.size() - 1);
        upstream.runPendingTasks();
        long forwarded = drain(upstream);
        if (forwarded == 0) {
            Object o = client.readOutbound();
            throw new IllegalStateException("nothing forwarded; upstream active=" + upstream.isActive()
                    + " registered=" + upstream.isRegistered() + " client got: "
                    + (o instanceof ByteBuf b ? b.toString(StandardCharsets.ISO_8859_1) : String.valueOf(o)));
        }
        upstream.writeInbound(response.duplicate());
        client.runPendingTasks();
        long out = drain(client);
        bytesOut += out;
        return out + forwarded;
    }

    /** GET forwarded to the backend (pooled keep-alive connection), response streamed back. */
    @Benchmark
    public long getForwarded() {
        return exchange(getRequest);
    }

    /** ws.php POST with a small urlencoded body, forwarded. */
    @Benchmark
    public long postForwarded() {
        return exchange(postRequest);
    }

    /** Unknown host: 404 page from the gateway, no backend. */
    @Benchmark
    public long unknownHost() {
        client.writeInbound(unknownHostRequest.duplicate());
        client.runPendingTasks();
        return drain(client);
    }

    /**
     * Piwigo ws.php write (urlencoded) to a read-only group, reject policy: classified from the body, answered with
     * the 503 JSON notice by the gateway, nothing forwarded.
     */
    @Benchmark
    public long readOnlyRejected() {
        client.writeInbound(readOnlyPost.duplicate());
        client.runPendingTasks();
        return drain(client);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (OPENED.size() != 1) {
            throw new IllegalStateException("the upstream connection was not reused: " + OPENED.size() + " opened");
        }
        client.finishAndReleaseAll();
        for (UpstreamChannel u : OPENED) {
            u.finishAndReleaseAll();
        }
        OPENED.clear();
    }
}
