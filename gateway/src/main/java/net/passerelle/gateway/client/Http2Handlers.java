package net.passerelle.gateway.client;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import net.passerelle.gateway.config.Http2Config;
import net.passerelle.gateway.proxy.ConnectionFacts;
import net.passerelle.gateway.proxy.ProxySettings;

import java.time.Duration;

/**
 * The handlers of an HTTP/2 client connection, made together, in pipeline order: {@code codec}
 * ({@code Http2FrameCodec}, with every limit of {@code http2:}), {@code streams} ({@code Http2MultiplexHandler}:
 * one child channel per stream, each with {@code Http2StreamFrameToHttpObjectCodec} and an {@link Http2Stream}),
 * {@code connection} ({@link Http2Connection}).
 *
 * <p>What bounds abuse, all Netty's own mechanisms, configured here:
 * <ul>
 *   <li>rapid reset (CVE-2023-44487): more than {@code http2.maxResetsPerWindow} RST_STREAMs from the client per
 *       {@code http2.resetWindow} end the connection (GOAWAY ENHANCE_YOUR_CALM); and each reset stream's backend
 *       request is cancelled at once, its backend connection closed ({@link Http2Stream} → the exchange);</li>
 *   <li>too many streams: SETTINGS_MAX_CONCURRENT_STREAMS, enforced from the first frame (REFUSED_STREAM);</li>
 *   <li>oversized header lists: SETTINGS_MAX_HEADER_LIST_SIZE; over it a stream gets {@code 431} and a reset, a
 *       quarter over it ends the connection, and a CONTINUATION flood is bounded by the same size and by
 *       {@code http2.maxSmallContinuationFrames};</li>
 *   <li>SETTINGS and PING floods: at most {@code http2.maxQueuedControlFrames} acknowledgements wait for a client
 *       that does not read them, then the connection is closed; empty DATA floods likewise;</li>
 *   <li>malformed requests (upper-case names, connection-specific fields, pseudo-header order, a content-length the
 *       DATA disagrees with): stream errors, validated by the codec before anything is converted
 *       ({@link Http2Translation}).</li>
 * </ul>
 */
public record Http2Handlers(ChannelHandler codec, ChannelHandler streams, ChannelHandler connection) {
    /**
     * What one stream may hold on its way to the client before its backend stops being read: the same as an
     * HTTP/1.1 connection's (the server's child option), per stream.
     */
    private static final WriteBufferWaterMark STREAM_WATER_MARK = new WriteBufferWaterMark(16 * 1024, 32 * 1024);

    /**
     * @param drainTimeout how long open streams may take to finish once GOAWAY is sent ({@code server.drainTimeout})
     */
    public static Http2Handlers create(ProxySettings px, Http2Config config, ConnectionFacts facts,
                                       Duration drainTimeout) {
        Http2Settings settings = Http2Settings.defaultSettings()
                .maxConcurrentStreams(config.maxConcurrentStreams())
                .maxHeaderListSize(config.maxHeaderListSize().bytes())
                .initialWindowSize(config.initialWindowSize().intBytes());
        ChannelHandler codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(settings)
                .validateHeaders(true)
                .validateRequiredPseudoHeaders(true)
                .decoderEnforceMaxRstFramesPerWindow(config.maxResetsPerWindow(), (int) config.resetWindow().toSeconds())
                .decoderEnforceMaxSmallContinuationFrames(config.maxSmallContinuationFrames())
                .decoderEnforceMaxConsecutiveEmptyDataFrames(config.maxConsecutiveEmptyDataFrames())
                .encoderEnforceMaxQueuedControlFrames(config.maxQueuedControlFrames())
                .gracefulShutdownTimeoutMillis(drainTimeout.toMillis())
                .build();
        Http2Connection connection = new Http2Connection(px, facts, config.effectiveConnectionWindow());
        ChannelHandler streams = new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                // Read on demand: a frame at a time, when the exchange asks (window updates follow).
                ch.config().setAutoRead(false).setWriteBufferWaterMark(STREAM_WATER_MARK);
                ch.pipeline()
                        .addLast("codec", new Http2StreamFrameToHttpObjectCodec(true, true))
                        .addLast("stream", new Http2Stream(px, connection));
            }
        });
        return new Http2Handlers(codec, streams, connection);
    }
}
