package net.passerelle.gateway.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.status.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The built-in configuration on a fresh context, and when it leaves the work to a Logback file. */
class GatewayLogConfiguratorTest {
    private static final Function<String, String> NO_PROPERTY = name -> null;
    private static final Function<String, URL> NOTHING_ON_THE_CLASS_PATH = name -> null;

    private final LoggerContext context = new LoggerContext();

    private ExecutionStatus configure(Function<String, String> property, Function<String, URL> resources) {
        GatewayLogConfigurator configurator = new GatewayLogConfigurator(property, resources);
        configurator.setContext(context);
        return configurator.configure(context);
    }

    @Test
    void printsWhatThePackagedLogbackXmlPrinted() {
        assertEquals(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY, configure(NO_PROPERTY, NOTHING_ON_THE_CLASS_PATH));
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertEquals(Level.INFO, root.getLevel());
        Appender<ILoggingEvent> appender = root.getAppender("STDOUT");
        ConsoleAppender<ILoggingEvent> console = assertInstanceOf(ConsoleAppender.class, appender);
        assertTrue(console.isStarted());
        assertEquals("System.out", console.getTarget());
        PatternLayoutEncoder encoder = assertInstanceOf(PatternLayoutEncoder.class, console.getEncoder());
        assertEquals("%d{yyyy-MM-dd'T'HH:mm:ss.SSSX} %-5level [%thread] %logger{24} - %msg%n", encoder.getPattern());

        LoggingEvent event = new LoggingEvent(getClass().getName(),
                context.getLogger("net.passerelle.gateway.server.GatewayServer"), Level.INFO, "listening on {}", null,
                new Object[] {"/127.0.0.1:8080"});
        String line = encoder.getLayout().doLayout(event);
        assertTrue(Pattern.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d(\\d\\d)?) INFO  \\["
                + Pattern.quote(Thread.currentThread().getName())
                + "] n\\.p\\.g\\.s\\.GatewayServer - listening on /127\\.0\\.0\\.1:8080\\R", line), line);
    }

    @Test
    void quietensTheSameLibrariesAsThePackagedLogbackXml() {
        configure(NO_PROPERTY, NOTHING_ON_THE_CLASS_PATH);
        Map.of("io.netty", Level.WARN, "com.zaxxer.hikari", Level.WARN, "org.flywaydb", Level.WARN,
                        "org.flywaydb.core.internal.database.base.Database", Level.ERROR)
                .forEach((name, level) -> assertEquals(level, context.getLogger(name).getLevel(), name));
        assertEquals(Level.WARN, context.getLogger("io.netty.channel.DefaultChannelPipeline").getEffectiveLevel());
        assertEquals(Level.INFO, context.getLogger("net.passerelle.gateway.Passerelle").getEffectiveLevel());
    }

    @Test
    void stepsAsideForTheFileNamedByTheSystemProperty(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("logback.xml"), "<configuration/>");
        Function<String, String> property = name -> name.equals("logback.configurationFile") ? file.toString() : null;
        assertEquals(ExecutionStatus.INVOKE_NEXT_IF_ANY, configure(property, NOTHING_ON_THE_CLASS_PATH));
        assertFalse(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext(), "nothing set up");
    }

    @Test
    void stepsAsideForAUrlWithoutOpeningIt() {
        Function<String, String> property = name -> "https://config.invalid/logback.xml";
        assertEquals(ExecutionStatus.INVOKE_NEXT_IF_ANY, configure(property, NOTHING_ON_THE_CLASS_PATH));
    }

    @Test
    void stepsAsideForLogbackTestXmlOrLogbackXmlOnTheClassPath() {
        for (String found : new String[] {"logback-test.xml", "logback.xml"}) {
            Function<String, URL> resources = name -> name.equals(found) ? url("file:/test-classes/" + found) : null;
            assertEquals(ExecutionStatus.INVOKE_NEXT_IF_ANY, configure(NO_PROPERTY, resources), found);
        }
    }

    @Test
    void aPropertyNamingNothingIsAWarningAndTheBuiltInConfigurationApplies() {
        Function<String, String> property = name -> "/nonexistent/passerelle/logback.xml";
        assertEquals(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY, configure(property, NOTHING_ON_THE_CLASS_PATH));
        assertTrue(context.getStatusManager().getCopyOfStatusList().stream()
                .anyMatch(s -> s.getLevel() == Status.WARN && s.getMessage().contains("/nonexistent/passerelle/logback.xml")));
        assertInstanceOf(ConsoleAppender.class, context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT"));
    }

    @Test
    void isTheConfiguratorLogbackFindsAsAService() {
        var found = java.util.ServiceLoader.load(ch.qos.logback.classic.spi.Configurator.class).stream()
                .map(p -> p.type().getName()).toList();
        assertEquals(java.util.List.of(GatewayLogConfigurator.class.getName()), found);
        assertNull(GatewayLogConfigurator.class.getClassLoader().getResource("logback.xml"),
                "no logback.xml in the gateway: it would make Logback read XML again");
    }

    private static URL url(String spec) {
        try {
            return new URL(spec);
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
