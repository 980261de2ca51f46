package net.passerelle.gateway.client;

import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import net.passerelle.gateway.http.StrictRequestDecoder;
import net.passerelle.gateway.proxy.ConnectionFacts;
import net.passerelle.gateway.proxy.ProxySettings;

/** The per-connection handlers of an HTTP/1.1 client connection that know each other, made together. */
public record Http1Handlers(ChannelHandler decoder, ChannelHandler encoder, ChannelHandler connection) {
    public static Http1Handlers create(ProxySettings settings, HttpDecoderConfig decoderConfig, ConnectionFacts facts) {
        StrictRequestDecoder decoder = new StrictRequestDecoder(decoderConfig);
        ClientResponseEncoder encoder = new ClientResponseEncoder();
        return new Http1Handlers(decoder, encoder, new Http1Connection(settings, decoder, encoder, facts));
    }
}
