package net.passerelle.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fails a test class when Netty's leak detector reported a leaked buffer while it ran (or since the last check).
 * Registered for every test class through JUnit's extension auto-detection.
 *
 * <p>Leaks are only noticed when a buffer becomes unreachable and a later allocation polls the detector's
 * reference queue, so the check collects garbage and allocates a few tracked buffers before looking.
 */
public final class LeakCheckExtension implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) {
        for (int round = 0; round < 3; round++) {
            System.gc();
            System.runFinalization();
            for (int i = 0; i < 64; i++) {
                ByteBuf pooled = PooledByteBufAllocator.DEFAULT.directBuffer(16);
                pooled.release();
                ByteBuf heap = UnpooledByteBufAllocator.DEFAULT.heapBuffer(16);
                heap.release();
            }
        }
        List<String> reports = new ArrayList<>(RecordingLeakDetector.REPORTS);
        RecordingLeakDetector.REPORTS.clear();
        if (!reports.isEmpty()) {
            fail("Netty reported " + reports.size() + " leaked buffer(s) during " + (context == null ? "a check" : context.getDisplayName())
                    + ":\n" + String.join("\n\n", reports));
        }
    }
}
