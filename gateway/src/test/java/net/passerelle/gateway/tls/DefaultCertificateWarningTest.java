package net.passerelle.gateway.tls;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import net.passerelle.gateway.config.TlsConfig;
import net.passerelle.gateway.routing.RoutingTable;
import net.passerelle.gateway.routing.RoutingTableHolder;
import net.passerelle.gateway.testing.TestPki;
import net.passerelle.gateway.testing.TestPki.KeyForm;
import net.passerelle.gateway.tls.edge.TlsEdge;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Start-up says when {@code tls.defaultCertificate} names nothing, which would refuse every handshake without SNI. */
class DefaultCertificateWarningTest {
    private static final TestPki PKI = new TestPki();

    @TempDir
    Path dir;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(TlsEdge.class);

    @BeforeEach
    void setUp() throws Exception {
        TestPki.write(dir, "alice", PKI.issue("alice.gallery.test"), KeyForm.PKCS8);
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void tearDown() {
        logger.detachAppender(log);
    }

    @ParameterizedTest
    @CsvSource({"alice, false", "alice.gallery.test, false", "ALICE.gallery.test, false", "alcie, true",
            "bob.gallery.test, true"})
    void aDefaultThatNamesNoCertificateIsAWarningAtStart(String defaultCertificate, boolean warned) throws Exception {
        TlsConfig tls = new TlsConfig(List.of(), new TlsConfig.CertificatesConfig(dir.toString(), false),
                defaultCertificate, true, "jdk", null, null, null, null, null);
        try (TlsEdge edge = TlsEdge.start(tls, List.of("http/1.1"), new RoutingTableHolder(RoutingTable.builder(1).build()),
                () -> null, new SimpleMeterRegistry(), "test", Clock.systemUTC())) {
            assertEquals(!warned, edge.registry().servesWithoutSni());
        }
        List<String> warnings = log.list.stream().filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("tls.defaultCertificate")).toList();
        assertEquals(warned ? 1 : 0, warnings.size(), warnings.toString());
        if (warned) {
            assertTrue(warnings.get(0).contains("'" + defaultCertificate + "'") && warnings.get(0).contains(dir.toString())
                    && warnings.get(0).contains("without SNI are refused"), warnings.get(0));
        }
    }
}
