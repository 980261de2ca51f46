package net.passerelle.gateway.proxy;

import io.netty.channel.ChannelHandler;

/** The three per-connection handlers of the proxy that know each other, made together. */
public record ClientPipeline(ChannelHandler activity, ChannelHandler encoder, ChannelHandler receiver) {
    public static ClientPipeline create(ProxySettings settings) {
        ClientActivity activity = new ClientActivity();
        ClientResponseEncoder encoder = new ClientResponseEncoder();
        return new ClientPipeline(activity, encoder, new ClientRequestReceiver(settings, activity, encoder));
    }
}
