package net.passerelle.gateway.logging;

import ch.qos.logback.classic.ClassicConstants;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.util.Map;
import java.util.function.Function;

/**
 * The gateway's own logging, set up in code and found by Logback through {@code META-INF/services}: reading an XML
 * file for it made Logback load its Joran configuration machinery and the JDK's XML parser (about 380 classes, kept in
 * metaspace for the life of the process) to build one console appender and set five levels.
 *
 * <p>An operator's or a test's Logback file still wins, looked for as Logback itself does: the
 * {@code logback.configurationFile} system property (a URL, a class path resource or a file), then
 * {@code logback-test.xml}, then {@code logback.xml} on the class path. When one is there this configurator steps
 * aside and Logback's {@code DefaultJoranConfigurator}, next in line, reads it. A property naming nothing that exists
 * does not: the gateway logs as usual, and Logback prints the warning left here.
 *
 * <p>{@code logging:} in the gateway's configuration file changes levels afterwards (see {@code reload/LogLevels}).
 */
// The lowest rank a library's configurator can have: one that comes with something on the class path goes first.
@ConfiguratorRank(ConfiguratorRank.CUSTOM_LOW_PRIORITY)
public final class GatewayLogConfigurator extends ContextAwareBase implements Configurator {
    /** The console line: what the packaged {@code logback.xml} printed, so that log readers and parsers see no change. */
    private static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSX} %-5level [%thread] %logger{24} - %msg%n";
    private static final String APPENDER = "STDOUT";
    private static final Level ROOT_LEVEL = Level.INFO;
    private static final Map<String, Level> LEVELS = Map.of(
            "io.netty", Level.WARN,
            "com.zaxxer.hikari", Level.WARN,
            "org.flywaydb", Level.WARN,
            // Flyway warns at every start that this H2 is newer than the one it was verified with; H2 is pinned and tested here.
            "org.flywaydb.core.internal.database.base.Database", Level.ERROR);

    private final Function<String, String> systemProperty;
    private final Function<String, URL> classPathResource;

    /** As Logback's service loader creates it: the JVM's system properties and this class's class path. */
    public GatewayLogConfigurator() {
        this(System::getProperty, GatewayLogConfigurator.class.getClassLoader()::getResource);
    }

    GatewayLogConfigurator(Function<String, String> systemProperty, Function<String, URL> classPathResource) {
        this.systemProperty = systemProperty;
        this.classPathResource = classPathResource;
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        String file = logbackFile();
        if (file != null) {
            addInfo("Logback configuration found (" + file + "): leaving it to Logback's own configurator");
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        ConsoleAppender<ILoggingEvent> console = console(context);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(ROOT_LEVEL);
        root.addAppender(console);
        LEVELS.forEach((name, level) -> context.getLogger(name).setLevel(level));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    private static ConsoleAppender<ILoggingEvent> console(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName(APPENDER);
        console.setEncoder(encoder);
        console.start();
        return console;
    }

    /** The Logback file that Logback's own configurator would read, or null when there is none. */
    String logbackFile() {
        String property = systemProperty.apply(ClassicConstants.CONFIG_FILE_PROPERTY);
        if (property != null && !property.isBlank()) {
            if (resolves(property)) {
                return ClassicConstants.CONFIG_FILE_PROPERTY + "=" + property;
            }
            addWarn(ClassicConstants.CONFIG_FILE_PROPERTY + "=" + property + " is neither a URL, a class path resource "
                    + "nor a file: the gateway logs with its built-in configuration");
        }
        for (String name : new String[] {ClassicConstants.TEST_AUTOCONFIG_FILE, ClassicConstants.AUTOCONFIG_FILE}) {
            URL url = classPathResource.apply(name);
            if (url != null) {
                return url.toString();
            }
        }
        return null;
    }

    /** As Logback's {@code DefaultJoranConfigurator} resolves it: a URL (not opened), a resource, a file. */
    private boolean resolves(String location) {
        try {
            new URL(location);
            return true;
        } catch (MalformedURLException notAUrl) {
            return classPathResource.apply(location) != null || new File(location).isFile();
        }
    }
}
