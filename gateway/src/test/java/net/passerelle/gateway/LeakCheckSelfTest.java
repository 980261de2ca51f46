package net.passerelle.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import net.passerelle.testing.LeakCheckExtension;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;

/** The leak check must be able to fail: a deliberately leaked buffer has to be reported. */
class LeakCheckSelfTest {
    @Test
    void aLeakedBufferFailsTheCheck() {
        leak();
        assertThrows(AssertionError.class, () -> new LeakCheckExtension().afterAll(null));
    }

    private static void leak() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        buf.writeLong(42);
        // dropped without release on purpose
    }
}
