package net.passerelle.gateway.proxy;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.WritePolicy;
import net.passerelle.gateway.config.Cidr;
import net.passerelle.gateway.config.ClassificationConfig;
import net.passerelle.gateway.http.Rejection;
import net.passerelle.gateway.http.RequestValidator;
import net.passerelle.gateway.notice.NoticeKind;
import net.passerelle.gateway.policy.ClassifierProfiles;
import net.passerelle.gateway.policy.OpsBypass;
import net.passerelle.gateway.policy.RequestClass;
import net.passerelle.gateway.routing.HostNormalizer;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.testing.Tables;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Admission is pure: a request head, a table and a client address in, a closed outcome out. */
class AdmissionTest {
    private static final InetSocketAddress BACKEND = new InetSocketAddress("127.0.0.1", 8081);
    private static final RoutingTable TABLE = RoutingTable.builder(1)
            .group(Tables.open("open", BACKEND))
            .group(Tables.group("ro", Mode.READ_ONLY, WritePolicy.REJECT, BACKEND))
            .group(Tables.group("queue", Mode.READ_ONLY, WritePolicy.QUEUE, BACKEND))
            .group(Tables.group("maint", Mode.MAINTENANCE, WritePolicy.REJECT, BACKEND))
            .host("open.example", "open", "a").host("ro.example", "ro", "b")
            .host("queue.example", "queue", "c").host("maint.example", "maint", "d")
            .build();
    private static final InetAddress VISITOR = address("203.0.113.9");
    private static final InetAddress OPS = address("10.0.0.5");

    private final Admission admission = new Admission(new RequestValidator(100, 1 << 20),
            ClassifierProfiles.fromConfig(new ClassificationConfig(null, null, null)),
            new OpsBypass(List.of(Cidr.parse("10.0.0.0/8")), "X-Passerelle-Ops", null));

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static HttpRequest request(String method, String uri, String host) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri);
        if (host != null) {
            r.headers().set("Host", host);
        }
        if (method.equals("POST")) {
            r.headers().set("Content-Type", "application/x-www-form-urlencoded").set("Content-Length", "20");
        }
        return r;
    }

    private Admitted admit(HttpRequest r, InetAddress client, boolean overloaded) {
        return admission.admit(r, HostNormalizer.normalize(r.headers().get("Host")),
                new ClientInfo(new InetSocketAddress(client, 40000), false, "http"), TABLE, overloaded);
    }

    @ParameterizedTest(name = "{0} {1} on {2}: {3}")
    @CsvSource({
            "GET,    /,                           open.example,  Forward",
            "POST,   /comments.php,               open.example,  Forward",
            "GET,    /index.php,                  ro.example,    Forward",
            "POST,   /comments.php,               ro.example,    Notice",
            "GET,    /picture.php?action=rate,    ro.example,    Notice",
            "POST,   /ws.php,                     ro.example,    PeekBody",
            "POST,   /comments.php,               queue.example, Queue",
            "GET,    /,                           maint.example, Notice",
            "GET,    /,                           Nobody.Example., UnknownHost",
            "TRACE,  /,                           open.example,  Refused",
    })
    void outcomes(String method, String uri, String host, String expected) {
        Admitted a = admit(request(method, uri, host), VISITOR, false);
        assertEquals(expected, a.getClass().getSimpleName(), a.toString());
    }

    @Test
    void theNoticeNamesItsKind() {
        assertEquals(NoticeKind.READ_ONLY, ((Admitted.Notice) admit(request("POST", "/comments.php", "ro.example"), VISITOR, false)).kind());
        assertEquals(NoticeKind.MAINTENANCE, ((Admitted.Notice) admit(request("GET", "/", "maint.example"), VISITOR, false)).kind());
    }

    @Test
    void opsPassMaintenanceButNotReadOnly() {
        assertInstanceOf(Admitted.Forward.class, admit(request("GET", "/", "maint.example"), OPS, false));
        assertInstanceOf(Admitted.Notice.class, admit(request("POST", "/comments.php", "ro.example"), OPS, false));
    }

    @Test
    void malformedRequestsAreRefusedBeforeAnythingElse() {
        HttpRequest broken = request("GET", "/", "open.example");
        broken.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad")));
        assertEquals(new Admitted.Malformed(Rejection.MALFORMED), admit(broken, VISITOR, true));
        assertEquals(new Admitted.Malformed(Rejection.MISSING_HOST), admit(request("GET", "/", null), VISITOR, false));
    }

    @Test
    void anOverloadedGatewayRefusesValidRequestsWhateverTheirHost() {
        assertSame(Admitted.OVERLOADED, admit(request("GET", "/", "open.example"), VISITOR, true));
        assertSame(Admitted.OVERLOADED, admit(request("GET", "/", "nobody.example"), VISITOR, true));
    }

    @Test
    void afterAPeekTheBodysClassDecides() {
        var ro = TABLE.group("ro");
        assertInstanceOf(Admitted.Forward.class, admission.afterPeek(ro, RequestClass.READ));
        assertInstanceOf(Admitted.Notice.class, admission.afterPeek(ro, RequestClass.WRITE));
        assertInstanceOf(Admitted.Queue.class, admission.afterPeek(TABLE.group("queue"), RequestClass.WRITE));
    }

    @Test
    void groupLessOutcomesAreSharedInstances() {
        assertSame(admit(request("GET", "/", "nobody.example"), VISITOR, false), Admitted.UNKNOWN_HOST);
        assertSame(Admitted.malformed(Rejection.MISSING_HOST), Admitted.malformed(Rejection.MISSING_HOST));
    }
}
