package net.passerelle.gateway.policy;

import net.passerelle.gateway.policy.ClassifierHarness.Req;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static net.passerelle.gateway.policy.ClassifierHarness.classify;
import static net.passerelle.gateway.policy.ClassifierHarness.classifySplit;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Piwigo profile against a corpus of Piwigo requests: every web-service method of Piwigo's source sent by GET,
 * urlencoded POST and multipart POST ({@code piwigo/ws-methods.tsv}), and page writes, evasions and other requests
 * ({@code piwigo/requests.tsv}). Bodies are also fed cut at every byte boundary and byte by byte.
 */
class PiwigoCorpusTest {
    private static final WriteClassifier PIWIGO = ClassifierProfiles.builtIn().get(ClassifierProfiles.PIWIGO);

    static Stream<Arguments> requests() {
        return ClassifierHarness.readTsv("/piwigo/requests.tsv").stream()
                .map(row -> Arguments.of(RequestClass.valueOf(row[0]), ClassifierHarness.fromRow(row)));
    }

    static List<String[]> wsMethods() {
        return ClassifierHarness.readTsv("/piwigo/ws-methods.tsv");
    }

    /** Each ws.php method, the way clients send it. */
    static Stream<Arguments> wsCalls() {
        return wsMethods().stream().flatMap(row -> {
            String m = row[0];
            RequestClass expected = RequestClass.valueOf(row[1]);
            String enc = URLEncoder.encode(m, StandardCharsets.UTF_8);
            String multipart = "--AaB03x\r\nContent-Disposition: form-data; name=\"method\"\r\n\r\n" + m
                    + "\r\n--AaB03x\r\nContent-Disposition: form-data; name=\"image_id\"\r\n\r\n12\r\n--AaB03x--\r\n";
            return Stream.of(
                    Arguments.of(expected, ClassifierHarness.get("/ws.php?format=json&method=" + enc + "&image_id=12")),
                    Arguments.of(expected, ClassifierHarness.get("/photos/ws.php?method=" + enc)),
                    Arguments.of(expected, ClassifierHarness.post("/ws.php?format=json",
                            "application/x-www-form-urlencoded", "method=" + enc + "&image_id=12")),
                    Arguments.of(expected, ClassifierHarness.post("/ws.php?format=json&method=" + enc,
                            "application/x-www-form-urlencoded", "image_id=12&pwg_token=0123")),
                    Arguments.of(expected, ClassifierHarness.post("/ws.php?format=json",
                            "multipart/form-data; boundary=AaB03x", multipart)));
        });
    }

    @ParameterizedTest(name = "{0} <- {1}")
    @MethodSource("requests")
    void corpusRequest(RequestClass expected, Req req) {
        assertEquals(expected, classify(PIWIGO, req), req.toString());
    }

    @ParameterizedTest(name = "{0} <- {1}")
    @MethodSource("wsCalls")
    void everyWebServiceMethod(RequestClass expected, Req req) {
        assertEquals(expected, classify(PIWIGO, req), req.toString());
    }

    @ParameterizedTest(name = "{0} <- {1}")
    @MethodSource({"requests", "wsCalls"})
    void sameAnswerWhateverTheChunking(RequestClass expected, Req req) {
        if (req.body() == null) {
            return;
        }
        int n = req.body().length;
        for (int cut = 0; cut <= n; cut++) {
            assertEquals(expected, classifySplit(PIWIGO, req, new int[] {cut}), req + " cut at " + cut);
        }
        int[] everyByte = new int[Math.max(0, n - 1)];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = i + 1;
        }
        assertEquals(expected, classifySplit(PIWIGO, req, everyByte), req + " byte by byte");
    }

    /** The allow-list in the code is exactly the set of methods the corpus, taken from Piwigo's source, calls reads. */
    @Test
    void allowListMatchesTheCorpus() {
        Set<String> reads = wsMethods().stream().filter(r -> r[1].equals("READ")).map(r -> r[0])
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(reads, new TreeSet<>(PiwigoProfile.WS_READ_METHODS));
    }

    /** The http profile knows nothing of Piwigo: a write method over GET is a read there. */
    @Test
    void httpProfileGoesByMethodOnly() {
        WriteClassifier http = ClassifierProfiles.builtIn().get(ClassifierProfiles.HTTP);
        assertEquals(RequestClass.READ, classify(http, ClassifierHarness.get("/ws.php?method=pwg.images.rate")));
        assertEquals(RequestClass.READ, classify(http, ClassifierHarness.get("/picture.php?/1&action=rate")));
        assertEquals(RequestClass.WRITE, classify(http, ClassifierHarness.post("/ws.php", 
                "application/x-www-form-urlencoded", "method=pwg.getVersion")));
    }
}
