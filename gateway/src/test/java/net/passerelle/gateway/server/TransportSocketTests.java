package net.passerelle.gateway.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketAutoReadTest;
import io.netty.testsuite.transport.socket.SocketHalfClosedTest;
import net.passerelle.gateway.testing.GatewayTransports;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.util.List;

/**
 * Netty's own socket tests for the channel behaviours the proxy relies on, run over each transport exactly as
 * {@link Transport} sets it up for the gateway (and each with Netty's pooled and adaptive allocators): half-closure
 * (a client that shuts its sending side still gets its answer) and auto-read switched off and on (backpressure).
 * Bulk-data variants that take seconds under the PARANOID leak detector are left out; the proxy's own socket tests
 * run over every transport too.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TransportSocketTests {
    private static final String SLOW = "bulk-data variant: seconds per transport under the PARANOID leak detector";

    private static List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> factories() {
        return GatewayTransports.Permutation.INSTANCE.socket();
    }

    @Nested
    class HalfClosed extends SocketHalfClosedTest {
        @Override
        protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
            return factories();
        }

        @Override
        @Test
        @Disabled("AUTO_CLOSE off, which the gateway never uses; over io_uring this case of the 4.2.17 testsuite waits "
                + "forever for a close that transport reports differently")
        public void testAutoCloseFalseDoesShutdownOutput(TestInfo testInfo) {
        }

        @Override
        @Test
        @Disabled(SLOW)
        public void testAllDataReadAfterHalfClosure(TestInfo testInfo) {
        }

        @Override
        @Test
        @Disabled(SLOW)
        public void testAllDataReadClosure(TestInfo testInfo) {
        }

        @Override
        @Test
        @Disabled(SLOW)
        public void testHalfClosureReceiveDataOnFinalWait2StateWhenSoLingerSet(TestInfo testInfo) {
        }
    }

    @Nested
    class AutoRead extends SocketAutoReadTest {
        @Override
        protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
            return factories();
        }
    }
}
