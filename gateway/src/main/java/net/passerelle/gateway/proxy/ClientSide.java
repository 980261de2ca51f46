package net.passerelle.gateway.proxy;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import net.passerelle.gateway.origin.OriginPool;

/**
 * What an {@link Exchange} needs of the side it answers: one HTTP/1.1 connection (or, beside it, one HTTP/2
 * stream). The exchange decides and carries the request; the client side owns its protocol: reading the next
 * message, framing, keep-alive, what happens to a request body nobody read, closing.
 *
 * <p>Every method runs on the channel's event loop, as do the exchange's callbacks.
 */
public interface ClientSide {
    /** The client's channel: its event loop, allocator and writability. */
    Channel channel();

    /** Facts about the connection, computed once per connection. */
    ClientInfo info();

    /** Idle backend connections of this event loop. */
    OriginPool originPool();

    /** The exchange is ready for the next part of the request body; it comes through {@link Exchange#onRequestContent}. */
    void readRequestBody();

    /** {@code 100 Continue}: the client waits for it before sending the body the exchange wants. */
    void sendContinue();

    /** The head of a backend's response; the client side fixes its framing for its protocol and writes it. */
    void sendHead(HttpResponse head);

    /** A part of the response body, written and flushed. */
    void sendContent(HttpContent part);

    /** The last part: the response is complete and the exchange over. */
    void sendLast(LastHttpContent last);

    /**
     * A whole response made by the gateway; the exchange is over once it is sent.
     *
     * @param close the connection must not be used again (the request was malformed or could not be finished)
     */
    void sendLocal(FullHttpResponse response, boolean close);

    /** The exchange cannot finish cleanly (its response is cut, or must not be sent): drop the connection. */
    void abort();

    /** Wakes the exchange ({@link Exchange#onTimer}) no later than {@code delayNanos} from now. */
    void schedule(long delayNanos);
}
