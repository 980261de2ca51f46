package net.passerelle.gateway.policy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import net.passerelle.gateway.config.GuardConfig;
import net.passerelle.gateway.config.GatewayConfig;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DefaultPageGuardTest {
    private final DefaultPageGuard guard = guard(List.of("Custom Parking Page"));

    private static DefaultPageGuard guard(List<String> extra) {
        List<String> all = new ArrayList<>(GuardConfig.BUILT_IN);
        all.addAll(extra);
        return new DefaultPageGuard(true, all, 4096);
    }

    private String match(String body) {
        ByteBuf buf = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        try {
            return guard.match(buf, null);
        } finally {
            buf.release();
        }
    }

    @Test
    void findsEachFingerprintAnywhereInTheScannedStart() {
        assertEquals("Welcome to nginx!", match("<html><head><title>Welcome to nginx!</title>"));
        assertEquals("Apache2 Debian Default Page", match("<title>Apache2 Debian Default Page: It works</title>"));
        assertEquals("Custom Parking Page", match("x".repeat(3000) + "Custom Parking Page"));
        assertEquals("Welcome to nginx!", match("Welcome to nginx!"));
    }

    @Test
    void ordinaryPagesAndNearMissesPass() {
        assertNull(match("<html><title>Alice's photos</title><h1>Welcome to my gallery!</h1>"
                + "Apache2 is great. Test Page numbers. Welcome to nginx"));
        assertNull(match(""));
    }

    @Test
    void looksOnlyAtTheConfiguredStart() {
        assertNull(match("x".repeat(4096) + "Welcome to nginx!"));
        // a fingerprint straddling the limit is not complete within it
        assertNull(match("x".repeat(4090) + "Welcome to nginx!"));
    }

    @Test
    void appliesOnlyToHtmlResponsesTheProxyCanRead() {
        assertTrue(guard.appliesTo(response("text/html; charset=utf-8", null), false));
        assertFalse(guard.appliesTo(response("image/jpeg", null), false));
        assertFalse(guard.appliesTo(response("text/html", null), true), "HEAD has no body to look at");
        assertTrue(guard.appliesTo(response("text/html", "gzip"), false));
        assertFalse(guard.appliesTo(response("text/html", "br"), false));
        assertFalse(new DefaultPageGuard(false, GuardConfig.BUILT_IN, 4096)
                .appliesTo(response("text/html", null), false));
    }

    private static HttpResponse response(String type, String encoding) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().set("content-type", type);
        if (encoding != null) {
            r.headers().set("content-encoding", encoding);
        }
        return r;
    }
}
