package net.passerelle.gateway.proxy;

import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.WritePolicy;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.testing.EmbeddedGateway;
import net.passerelle.gateway.testing.EmbeddedGateway.OriginChannel;
import net.passerelle.gateway.testing.Tables;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exchange's stages and transitions, message by message, on the gateway's real pipelines over embedded channels:
 * no socket, no thread, no timing. Each case plays the client and the backend and ends with everything released
 * ({@link EmbeddedGateway#close()}; the leak detector runs at PARANOID and fails the class on a leak).
 */
class ExchangeStagesTest {
    private static final String OPEN = "open.example";
    private static final String READ_ONLY = "ro.example";
    private static final String QUEUED = "queue.example";
    private static final String OK_5 = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";

    private EmbeddedGateway gw;

    @BeforeEach
    void start() {
        RoutingTable table = RoutingTable.builder(1)
                .group(Tables.open("g-open", EmbeddedGateway.BACKEND))
                .group(Tables.group("g-ro", Mode.READ_ONLY, WritePolicy.REJECT, EmbeddedGateway.BACKEND))
                .group(Tables.group("g-queue", Mode.READ_ONLY, WritePolicy.QUEUE, EmbeddedGateway.BACKEND))
                .host(OPEN, "g-open", "a").host(READ_ONLY, "g-ro", "b").host(QUEUED, "g-queue", "c")
                .build();
        gw = new EmbeddedGateway(GatewayConfig.defaults(), table);
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    private static String get(String host, String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
    }

    private static String statusLine(String response) {
        return response.substring(0, response.indexOf('\r'));
    }

    @Test
    void aGetIsForwardedAndItsBackendConnectionPooledForTheNext() {
        gw.clientSends(get(OPEN, "/a"));
        OriginChannel origin = gw.origin(0);
        String forwarded = origin.received();
        assertTrue(forwarded.startsWith("GET /a HTTP/1.1\r\n"), forwarded);
        assertTrue(forwarded.contains("x-forwarded-for: 192.0.2.7"), forwarded);
        origin.sends(OK_5);
        String answer = gw.clientReceived();
        assertTrue(answer.startsWith("HTTP/1.1 200 OK") && answer.endsWith("hello") && answer.contains("via: 1.1 passerelle"), answer);

        gw.clientSends(get(OPEN, "/b"));
        assertEquals(1, gw.origins().size(), "the second request reuses the pooled connection");
        assertTrue(origin.received().startsWith("GET /b "));
        origin.sends(OK_5);
        assertTrue(gw.clientReceived().endsWith("hello"));
        assertTrue(gw.clientOpen());
    }

    /** Answers the gateway makes itself: no backend connection is ever opened. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown host      | GET / HTTP/1.1\\r\\nHost: nobody.example\\r\\n\\r\\n                 | 404 | true",
            "TRACE             | TRACE / HTTP/1.1\\r\\nHost: open.example\\r\\n\\r\\n                 | 405 | true",
            "two Host headers  | GET / HTTP/1.1\\r\\nHost: open.example\\r\\nHost: x\\r\\n\\r\\n         | 400 | false",
            "bad escape, no host | GET /%zz HTTP/1.1\\r\\n\\r\\n                                    | 400 | false",
            "read-only write   | POST /comments.php HTTP/1.1\\r\\nHost: ro.example\\r\\nContent-Length: 0\\r\\n\\r\\n | 503 | true",
            "read-only ws write | POST /ws.php?method=pwg.images.delete HTTP/1.1\\r\\nHost: ro.example\\r\\nContent-Length: 0\\r\\n\\r\\n | 503 | true",
    })
    void answeredByTheGateway(String name, String request, int status, boolean keepsConnection) {
        gw.clientSends(request.replace("\\r\\n", "\r\n"));
        String answer = gw.clientReceived();
        assertEquals(status, Integer.parseInt(statusLine(answer).substring(9, 12)), answer);
        assertTrue(gw.origins().isEmpty(), name + ": a backend connection was opened");
        assertEquals(keepsConnection, gw.clientOpen(), name + ": connection kept");
    }

    @Test
    void aSmallBodyReachesTheBackendOnlyWhole() {
        gw.clientSends("POST /upload.php HTTP/1.1\r\nHost: open.example\r\nContent-Length: 10\r\n\r\nhello");
        assertTrue(gw.origins().isEmpty(), "half a body: nothing leaves the gateway yet");
        gw.clientSends("world");
        String forwarded = gw.origin(0).received();
        assertTrue(forwarded.startsWith("POST /upload.php HTTP/1.1\r\n") && forwarded.endsWith("\r\n\r\nhelloworld"), forwarded);
        gw.origin(0).sends(OK_5);
        assertTrue(gw.clientReceived().endsWith("hello"));
    }

    @Test
    void aBrokenChunkIsRefusedBeforeAnyBackendIsChosen() {
        gw.clientSends("POST /comments.php HTTP/1.1\r\nHost: open.example\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n");
        assertEquals("HTTP/1.1 400 Bad Request", statusLine(gw.clientReceived()));
        assertTrue(gw.origins().isEmpty());
        assertFalse(gw.clientOpen());
    }

    @Test
    void expectContinueOnAHeldBodyIsAnsweredByTheGatewayAndNotForwarded() {
        gw.clientSends("PUT /f HTTP/1.1\r\nHost: open.example\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        assertEquals("HTTP/1.1 100 Continue", statusLine(gw.clientReceived()));
        gw.clientSends("hello");
        String forwarded = gw.origin(0).received().toLowerCase();
        assertFalse(forwarded.contains("expect:"), forwarded);
        gw.origin(0).sends(OK_5);
        assertTrue(gw.clientReceived().startsWith("HTTP/1.1 200"));
    }

    @Test
    void aReadOnlyFormIsPeekedThenForwardedWhenItReads() {
        String form = "method=pwg.categories.getList";
        gw.clientSends("POST /ws.php HTTP/1.1\r\nHost: ro.example\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: " + form.length() + "\r\n\r\n" + form);
        String forwarded = gw.origin(0).received();
        assertTrue(forwarded.endsWith(form), forwarded);
        gw.origin(0).sends(OK_5);
        assertTrue(gw.clientReceived().startsWith("HTTP/1.1 200"));
    }

    @Test
    void aReadOnlyFormThatWritesIsRefusedAndNothingIsForwarded() {
        String form = "method=pwg.images.setInfo&image_id=1";
        gw.clientSends("POST /ws.php?format=json HTTP/1.1\r\nHost: ro.example\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: " + form.length() + "\r\n\r\n" + form);
        String answer = gw.clientReceived();
        assertTrue(answer.startsWith("HTTP/1.1 503") && answer.contains("\"stat\":\"fail\""), answer);
        assertTrue(gw.origins().isEmpty());
        assertTrue(gw.clientOpen(), "a small refused body is read and dropped: the connection stays");
    }

    @Test
    void aQueuedWriteWithoutASpoolIsRefusedNeverAcknowledged() {
        gw.clientSends("POST /comments.php HTTP/1.1\r\nHost: queue.example\r\nContent-Length: 3\r\n\r\nabc");
        assertEquals("HTTP/1.1 503 Service Unavailable", statusLine(gw.clientReceived()));
        assertTrue(gw.origins().isEmpty());
    }

    @Test
    void aDefaultPageFromTheBackendBecomesTheNotice() {
        gw.clientSends(get(OPEN, "/"));
        String page = "<html><head><title>Welcome to nginx!</title></head><body>...</body></html>";
        gw.origin(0).sends("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " + page.length() + "\r\n\r\n" + page);
        String answer = gw.clientReceived();
        assertEquals("HTTP/1.1 502 Bad Gateway", statusLine(answer));
        assertFalse(answer.contains("Welcome to nginx"), answer);
        assertFalse(gw.origin(0).isOpen(), "the backend connection that served it is not pooled");
    }

    @Test
    void aMalformedResponseIsA502AndItsConnectionDropped() {
        gw.clientSends(get(OPEN, "/"));
        gw.origin(0).sends("HTTP/1.1 2OO OK\r\n\r\n");
        assertEquals("HTTP/1.1 502 Bad Gateway", statusLine(gw.clientReceived()));
        assertFalse(gw.origin(0).isOpen());
    }

    @Test
    void aStalePooledConnectionIsReplacedForAnIdempotentRequest() {
        gw.clientSends(get(OPEN, "/a"));
        gw.origin(0).received();
        gw.origin(0).sends(OK_5);
        gw.clientReceived();
        gw.clientSends(get(OPEN, "/b"));
        assertTrue(gw.origin(0).received().startsWith("GET /b"));
        gw.origin(0).close();
        gw.origin(0).runPendingTasks();
        assertEquals(2, gw.origins().size(), "the GET is sent again on a fresh connection");
        assertTrue(gw.origin(1).received().startsWith("GET /b"));
        gw.origin(1).sends(OK_5);
        assertTrue(gw.clientReceived().endsWith("hello"));
    }

    @Test
    void aPostOnADeadPooledConnectionIsNotSentTwice() {
        gw.clientSends(get(OPEN, "/a"));
        gw.origin(0).received();
        gw.origin(0).sends(OK_5);
        gw.clientReceived();
        gw.clientSends("POST /comments.php HTTP/1.1\r\nHost: open.example\r\nContent-Length: 3\r\n\r\nabc");
        gw.origin(0).received();
        gw.origin(0).close();
        gw.origin(0).runPendingTasks();
        assertEquals(1, gw.origins().size());
        assertEquals("HTTP/1.1 502 Bad Gateway", statusLine(gw.clientReceived()));
    }

    @Test
    void aCloseDelimitedResponseIsChunkedForAnHttp11Client() {
        gw.clientSends(get(OPEN, "/"));
        gw.origin(0).sends("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nuntil the end");
        gw.origin(0).close();
        gw.origin(0).runPendingTasks();
        String answer = gw.clientReceived();
        assertTrue(answer.contains("transfer-encoding: chunked"), answer);
        assertTrue(answer.endsWith("0\r\n\r\n"), answer);
        assertTrue(gw.clientOpen());
    }

    @Test
    void anHttp10ClientGetsTheCloseInsteadOfChunks() {
        gw.clientSends("GET / HTTP/1.0\r\nHost: open.example\r\n\r\n");
        gw.origin(0).sends("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        String answer = gw.clientReceived();
        assertFalse(answer.toLowerCase().contains("transfer-encoding"), answer);
        assertTrue(answer.endsWith("hello"), answer);
        assertFalse(gw.clientOpen());
    }

    @Test
    void aClientThatLeavesMidBodyReleasesTheBackendConnectionAtOnce() {
        gw.clientSends("POST /upload.php HTTP/1.1\r\nHost: open.example\r\nContent-Length: 1000000\r\n\r\n" + "x".repeat(100));
        assertTrue(gw.origin(0).received().startsWith("POST /upload.php"));
        gw.clientShutsOutput();
        assertFalse(gw.origin(0).isOpen());
        assertFalse(gw.clientOpen());
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() {
        gw.clientSends(get(OPEN, "/1") + get(OPEN, "/2"));
        assertTrue(gw.origin(0).received().startsWith("GET /1"));
        gw.origin(0).sends(OK_5);
        assertTrue(gw.origin(0).received().startsWith("GET /2"), "the second waits for the first to be answered");
        gw.origin(0).sends(OK_5);
        String both = gw.clientReceived();
        assertEquals(2, both.split("HTTP/1.1 200 OK", -1).length - 1, both);
    }
}
