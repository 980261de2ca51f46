package net.passerelle.gateway.policy;

import io.netty.handler.codec.http.HttpRequest;

/** Decides whether a request reads or writes. Implementations are immutable and thread-safe. */
public interface WriteClassifier {
    /**
     * Decides from the request head alone, or asks for the body. Must be cheap (called on every request): it never
     * blocks and never keeps a reference to {@code head}.
     */
    HeadVerdict classify(HttpRequest head);
}
