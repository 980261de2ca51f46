package net.passerelle.benchmarks;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import net.passerelle.gateway.config.SpoolConfig;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.http.ForwardingHeaders;
import net.passerelle.gateway.spool.Replayer;
import net.passerelle.gateway.spool.Spool;
import net.passerelle.gateway.spool.SpoolSettings;
import net.passerelle.gateway.spool.SpoolWriter;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The queued-write path, measured end to end on the local disk (not JMH: each operation is an fsync, and what
 * matters is its distribution): acknowledgement latency (stream to the spool, fsync the file, rename, fsync the
 * directory) for 1 KiB and 1 MiB bodies, then replay throughput to an in-process backend answering 200.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar net.passerelle.benchmarks.QueuedPathBenchmark [dir]}
 */
public final class QueuedPathBenchmark {
    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("passerelle-spool-bench");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        AtomicInteger received = new AtomicInteger();
        Channel backend = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec()).addLast(new SimpleChannelInboundHandler<HttpObject>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                                if (msg instanceof LastHttpContent) {
                                    received.incrementAndGet();
                                    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                                            Unpooled.EMPTY_BUFFER);
                                    r.headers().setInt("content-length", 0);
                                    ctx.writeAndFlush(r);
                                }
                            }
                        });
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        try (Spool spool = Spool.open(SpoolSettings.from(new SpoolConfig(dir.resolve("spool").toString(), null, null,
                net.passerelle.gateway.config.DataSize.ofBytes(0),
                null, null, null, null)))) {
            InetSocketAddress client = new InetSocketAddress("192.0.2.7", 50000);
            for (int size : new int[]{1024, 1 << 20}) {
                int n = size == 1024 ? 500 : 40;
                long[] nanos = new long[n];
                byte[] body = new byte[size];
                for (int i = 0; i < n; i++) {
                    HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/ws.php?method=pwg.images.addSimple");
                    head.headers().set("host", "alice.gallery.example").setInt("content-length", size);
                    long start = System.nanoTime();
                    SpoolWriter w = spool.begin("bench" + size, head, client, 0);
                    for (int off = 0; off < size; off += 65536) {
                        w.write(Unpooled.wrappedBuffer(body, off, Math.min(65536, size - off))).get(10, TimeUnit.SECONDS);
                    }
                    w.commit().get(10, TimeUnit.SECONDS);
                    nanos[i] = System.nanoTime() - start;
                }
                Arrays.sort(nanos);
                System.out.printf("ack %7d B: n=%d p50 %.2f ms p99 %.2f ms max %.2f ms%n", size, n,
                        nanos[n / 2] / 1e6, nanos[(int) (n * 0.99)] / 1e6, nanos[n - 1] / 1e6);
            }
            try (Replayer replayer = new Replayer(spool, new ForwardingHeaders(List.of(), "passerelle"))) {
                InetSocketAddress to = (InetSocketAddress) backend.localAddress();
                long start = System.nanoTime();
                Replayer.Report report = replayer.replay("bench1024", List.of(to)).get(120, TimeUnit.SECONDS);
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("replay 1 KiB entries: %d delivered in %.2f s = %.0f entries/s (one connection per entry, "
                        + "outcome journaled with fsync)%n", report.delivered(), seconds, report.delivered() / seconds);
            }
        } finally {
            backend.close().sync();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
