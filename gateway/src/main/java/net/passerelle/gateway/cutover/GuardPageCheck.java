package net.passerelle.gateway.cutover;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.passerelle.gateway.config.GuardConfig;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.health.DefaultPageCheck;
import net.passerelle.gateway.policy.DefaultPageGuard;

import java.util.ArrayList;
import java.util.List;

/**
 * Health checks look for the same default pages as the proxy's guard and the cutover verification: the built-in
 * fingerprints always (even with the proxy's guard switched off), plus the configured ones, in the first
 * {@code defaultPageGuard.scanBytes} of an HTML answer.
 */
public final class GuardPageCheck implements DefaultPageCheck {
    private final DefaultPageGuard guard;

    public GuardPageCheck(GuardConfig config) {
        List<String> fingerprints = new ArrayList<>(GuardConfig.BUILT_IN);
        fingerprints.addAll(config.fingerprints());
        this.guard = new DefaultPageGuard(true, fingerprints, config.scanBytes().intBytes());
    }

    @Override
    public int scanBytes() {
        return guard.scanBytes();
    }

    @Override
    public String fingerprint(String contentType, String contentEncoding, byte[] start) {
        if (start.length == 0 || contentType == null || !contentType.regionMatches(true, 0, "text/html", 0, 9)) {
            return null;
        }
        ByteBuf buf = Unpooled.wrappedBuffer(start);
        try {
            return guard.match(buf, contentEncoding);
        } finally {
            buf.release();
        }
    }
}
