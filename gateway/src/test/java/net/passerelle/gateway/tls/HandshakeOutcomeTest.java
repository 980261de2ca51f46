package net.passerelle.gateway.tls;

import io.netty.handler.ssl.NotSslRecordException;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLHandshakeException;
import java.nio.channels.ClosedChannelException;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HandshakeOutcomeTest {
    @Test
    void classifiesWhatOpenSslAndTheJdkSay() {
        assertEquals(HandshakeOutcome.PROTOCOL, HandshakeOutcome.of(new SSLHandshakeException(
                "error:100000f0:SSL routines:OPENSSL_internal:UNSUPPORTED_PROTOCOL")));
        assertEquals(HandshakeOutcome.PROTOCOL, HandshakeOutcome.of(new NotSslRecordException("not an SSL/TLS record: 474554")));
        assertEquals(HandshakeOutcome.PROTOCOL, HandshakeOutcome.of(new SSLHandshakeException(
                "The client supported protocol versions [TLSv1.1] are not accepted by server preferences [TLSv1.3, TLSv1.2]")
                .initCause(new SSLHandshakeException("Client requested protocol TLSv1.1 is not enabled or supported"))));
        assertEquals(HandshakeOutcome.CIPHER, HandshakeOutcome.of(new SSLHandshakeException(
                "error:100000b8:SSL routines:OPENSSL_internal:NO_SHARED_CIPHER")));
        assertEquals(HandshakeOutcome.CIPHER, HandshakeOutcome.of(new SSLHandshakeException("no cipher suites in common")));
        assertEquals(HandshakeOutcome.OTHER, HandshakeOutcome.of(new ClosedChannelException()));
    }
}
