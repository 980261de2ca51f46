package net.passerelle.gateway;

import net.passerelle.gateway.config.ConfigLoader;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.reload.ConfigReloader;
import net.passerelle.gateway.reload.LogLevels;
import net.passerelle.gateway.systemd.SystemdNotifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * The gateway as a service: starts {@link Passerelle}, tells systemd when it is ready ({@code READY=1}), pings its
 * watchdog, reloads the configuration file on {@code SIGHUP} ({@code RELOADING=1}, then {@code READY=1}), and on
 * {@code SIGTERM} says {@code STOPPING=1} and drains.
 */
final class ServiceRunner {
    private static final Logger log = LoggerFactory.getLogger(ServiceRunner.class);

    private final Passerelle app;
    private final SystemdNotifier systemd;
    private final ConfigReloader reloader;
    /** One reload at a time, off the signal thread. */
    private final ExecutorService reloads = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "passerelle-reload");
        t.setDaemon(true);
        return t;
    });

    private ServiceRunner(Passerelle app, SystemdNotifier systemd, ConfigReloader reloader) {
        this.app = app;
        this.systemd = systemd;
        this.reloader = reloader;
    }

    /**
     * Starts the gateway and returns once it has stopped.
     *
     * @param file the configuration file that {@code SIGHUP} re-reads, or null (built-in defaults: nothing to re-read)
     * @throws IllegalStateException when it cannot start
     */
    static void run(Path file, GatewayConfig config, Function<String, String> env) throws InterruptedException {
        LogLevels levels = new LogLevels();
        levels.apply(config.logging());
        Passerelle app = Passerelle.start(config);
        // Once, at start-up: the store's schema migration has run (Flyway and Jackson 3, a thousand classes in a class
        // loader of their own, SchemaMigration), and only a collection that unloads classes gives their metaspace
        // back; a gateway at a steady pace may go days without one. Before the trim, which then returns what the
        // unloading freed in the C heap. A store still unreachable here migrates later and is left to the GC.
        System.gc();
        NativeHeap.trim(); // the process's start-up garbage, once: a concern of the process, not of each gateway
        app.addReloadable(levels);
        ConfigReloader reloader = file == null ? null : new ConfigReloader(file, new ConfigLoader(env), config, app::reload);
        ServiceRunner service = new ServiceRunner(app, SystemdNotifier.fromEnvironment(env), reloader);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.stop();
            stopped.countDown();
        }, "passerelle-shutdown"));
        service.onHangup();
        service.systemd.ready(service.status());
        service.systemd.startWatchdog(() -> !app.listeners().isEmpty());
        stopped.await();
    }

    private String status() {
        var t = app.routes().get();
        return "serving " + t.hostCount() + " hosts in " + t.groups().size() + " groups (table version " + t.version()
                + ") on " + app.listeners();
    }

    /** SIGHUP reloads instead of stopping the JVM (its default). */
    private void onHangup() {
        try {
            if (!handle(new sun.misc.Signal("HUP"), signal -> reloads.execute(this::reload))) {
                log.warn("SIGHUP is ignored by this process (started under nohup?), and the JVM installs no handler "
                        + "for an ignored signal: kill -HUP will not reload the configuration. Start the gateway "
                        + "without nohup (systemd, or setsid) to reload it with SIGHUP; until then, reload by restarting");
            }
        } catch (IllegalArgumentException e) {
            log.warn("SIGHUP cannot be handled here ({}): reload by restarting", e.getMessage());
        }
    }

    /**
     * Installs {@code handler}, and says whether it will ever run: for a signal the process inherited as ignored
     * (nohup ignores SIGHUP), the JVM leaves it ignored and answers {@code SIG_IGN} as the previous handler,
     * without an error, so without this check a reload by {@code kill -HUP} would do nothing and say nothing.
     */
    static boolean handle(sun.misc.Signal signal, sun.misc.SignalHandler handler) {
        return sun.misc.Signal.handle(signal, handler) != sun.misc.SignalHandler.SIG_IGN;
    }

    private void reload() {
        if (reloader == null) {
            log.warn("SIGHUP: the gateway runs on its built-in defaults (no --config), so there is nothing to reload");
            return;
        }
        log.info("SIGHUP: reloading the configuration");
        systemd.reloading();
        ConfigReloader.Result r = reloader.reload();
        systemd.ready(r.loaded() ? status() : "reload refused: " + r.error());
    }

    private void stop() {
        log.info("shutting down: draining connections");
        systemd.stopping();
        reloads.shutdownNow();
        app.shutdown();
        systemd.close();
    }
}
