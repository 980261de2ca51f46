package net.passerelle.gateway.admin;

import net.passerelle.admin.api.FleetConfirmer;
import net.passerelle.admin.api.Router;
import net.passerelle.admin.model.MigrationState;
import net.passerelle.admin.store.MigrationStore;
import net.passerelle.gateway.config.GatewayConfig;
import net.passerelle.gateway.config.MigrationConfig;
import net.passerelle.gateway.cutover.CutoverVerifier;
import net.passerelle.gateway.metrics.MigrationMetrics;
import net.passerelle.gateway.migration.FleetEffects;
import net.passerelle.gateway.migration.MigrationCommands;
import net.passerelle.gateway.migration.MigrationDriver;
import net.passerelle.gateway.migration.MigrationSteps;

import java.time.Clock;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * The migrations of an admin process, wired: its driver (started with the admin API, stopped with it), the
 * commands and routes ops use, the event streams' scheduler and the meters.
 */
final class Migrations implements AutoCloseable {
    private final MigrationDriver driver;
    private final MigrationCommands commands;
    private final FleetEffects effects;
    private final ScheduledExecutorService events;
    private final GatewayAdmin.Parts parts;

    private Migrations(MigrationDriver driver, MigrationCommands commands, FleetEffects effects,
                       ScheduledExecutorService events, GatewayAdmin.Parts parts) {
        this.driver = driver;
        this.commands = commands;
        this.effects = effects;
        this.events = events;
        this.parts = parts;
    }

    static Migrations start(GatewayConfig config, GatewayAdmin.Parts parts, FleetConfirmer confirmer,
                            CutoverVerifier verifier) {
        MigrationConfig mc = config.migrations();
        Clock clock = Clock.systemUTC();
        Supplier<MigrationStore> store = () -> parts.store().get().migrations();
        FleetEffects effects = new FleetEffects(parts.store(), confirmer, verifier, parts.routes(),
                config.cutover().path(), parts.spool(), parts.replay(), parts.gatewayId());
        MigrationMetrics metrics = parts.registry() == null ? null : new MigrationMetrics(parts.registry(),
                Arrays.stream(MigrationState.values()).map(MigrationState::wireName).toList());
        MigrationSteps steps = new MigrationSteps(store, effects, parts.gatewayId(), clock, mc.replayWait(),
                m -> {
                    if (metrics != null) {
                        metrics.overrun(m.group());
                    }
                });
        MigrationDriver driver = new MigrationDriver(store, steps, mc.pollInterval(), mc.lockTtl(), clock, metrics).start();
        MigrationCommands commands = new MigrationCommands(store, driver,
                config.admin().confirmTimeout().plusSeconds(1));
        ScheduledExecutorService events = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "passerelle-migration-events");
            t.setDaemon(true);
            return t;
        });
        return new Migrations(driver, commands, effects, events, parts);
    }

    void register(Router router) {
        new MigrationRoutes(parts.store(), commands, effects, events, Clock.systemUTC()).register(router);
    }

    MigrationDriver driver() {
        return driver;
    }

    @Override
    public void close() {
        driver.close();
        events.shutdownNow();
    }
}
