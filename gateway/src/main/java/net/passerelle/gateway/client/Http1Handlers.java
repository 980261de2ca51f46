package net.passerelle.gateway.client;

import io.netty.channel.ChannelHandler;
import net.passerelle.gateway.proxy.ConnectionFacts;
import net.passerelle.gateway.proxy.ProxySettings;

/** The per-connection handlers of an HTTP/1.1 client connection that know each other, made together. */
public record Http1Handlers(ChannelHandler activity, ChannelHandler encoder, ChannelHandler connection) {
    public static Http1Handlers create(ProxySettings settings, ConnectionFacts facts) {
        ClientActivity activity = new ClientActivity();
        ClientResponseEncoder encoder = new ClientResponseEncoder();
        return new Http1Handlers(activity, encoder, new Http1Connection(settings, activity, encoder, facts));
    }
}
