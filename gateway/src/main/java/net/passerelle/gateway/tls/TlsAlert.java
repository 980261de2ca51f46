package net.passerelle.gateway.tls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A fatal TLS alert record, written in plaintext before any TLS state exists: what a server answers a ClientHello
 * it will not serve. The record version {@code 0x0303} is what TLS 1.2 uses and TLS 1.3 requires for it.
 */
final class TlsAlert {
    /** RFC 6066 section 3: the server does not recognise the name the client asked for. */
    static final byte UNRECOGNIZED_NAME = 112;

    private TlsAlert() {
    }

    static ByteBuf fatal(ByteBufAllocator alloc, byte description) {
        return alloc.buffer(7).writeByte(21).writeShort(0x0303).writeShort(2).writeByte(2).writeByte(description);
    }
}
