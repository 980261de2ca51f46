package net.passerelle.gateway.server;

import io.netty.channel.ChannelPipeline;

/**
 * What a TLS listener adds to the client pipeline right after {@code limit}, before everything else (which stays
 * the same as on a plain listener). Implemented by the TLS package; the server knows nothing more of TLS.
 */
@FunctionalInterface
public interface SecureTransport {
    /** Appends the TLS handlers to a pipeline that holds {@code limit} so far. */
    void addTo(ChannelPipeline pipeline);
}
