package net.passerelle.gateway.origin;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpDecoderConfig;

/**
 * A backend connection's pipeline, in order:
 * <ol>
 *   <li>{@code codec}: HTTP/1.1 requests out, responses in, with the limits of {@code upstream.*} (a response
 *       beyond them fails to decode: the exchange answers 502 and the connection is never pooled)</li>
 *   <li>{@code origin}: the {@link OriginConnection} itself, which hands responses to the exchange using it</li>
 * </ol>
 */
final class OriginChannelInitializer extends ChannelInitializer<Channel> {
    private final OriginSettings settings;
    private final OriginConnection connection;

    OriginChannelInitializer(OriginSettings settings, OriginConnection connection) {
        this.settings = settings;
        this.connection = connection;
    }

    @Override
    protected void initChannel(Channel ch) {
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(settings.maxStatusLine())
                .setMaxHeaderSize(settings.maxHeaderSize())
                .setMaxChunkSize(settings.maxChunkSize())
                .setValidateHeaders(true);
        ch.pipeline()
                .addLast("codec", new OriginCodec(decoder))
                .addLast("origin", connection);
    }
}
