package net.passerelle.gateway.config;

import net.passerelle.admin.model.HostPort;

import java.util.List;

/**
 * The whole configuration, as read from YAML. Every record fills in its documented default for a missing key, so
 * the rest of the gateway never sees a null; {@code deploy/passerelle.example.yml} documents the same defaults.
 *
 * <p>These are plain records of values: they build no feature object. Each feature makes its own settings from its
 * section (e.g. {@code SpoolSettings.from(SpoolConfig)}), so the configuration depends on no feature package.
 */
public record GatewayConfig(
        List<HostPort> listeners,
        AdminConfig admin,
        StoreConfig store,
        SpoolConfig spool,
        ServerConfig server,
        LimitsConfig limits,
        UpstreamConfig upstream,
        ForwardingConfig forwarding,
        MaintenanceConfig maintenance,
        GuardConfig defaultPageGuard,
        ClassificationConfig classification,
        HealthConfig health,
        CutoverConfig cutover,
        SeedConfig seed,
        TlsConfig tls,
        AccessLogConfig accessLog,
        LoggingConfig logging,
        Http2Config http2,
        MigrationConfig migrations) {

    public GatewayConfig {
        listeners = listeners == null ? List.of(HostPort.parse("0.0.0.0:8080"), HostPort.parse("[::]:8080")) : List.copyOf(listeners);
        if (listeners.isEmpty()) {
            throw new BadEntry("listeners: at least one address is needed", "listeners");
        }
        admin = admin == null ? new AdminConfig(null, null, null, null, null) : admin;
        store = store == null ? new StoreConfig(null, null, null, null, null) : store;
        spool = spool == null ? new SpoolConfig(null) : spool;
        server = server == null ? new ServerConfig(null, null, null, null) : server;
        limits = limits == null ? new LimitsConfig(null, null, null, null, null, null, null, null) : limits;
        upstream = upstream == null ? new UpstreamConfig(null, null, null, null) : upstream;
        forwarding = forwarding == null ? new ForwardingConfig(null, null) : forwarding;
        maintenance = maintenance == null ? new MaintenanceConfig(null, null, null) : maintenance;
        defaultPageGuard = defaultPageGuard == null ? new GuardConfig(null, null, null) : defaultPageGuard;
        classification = classification == null ? ClassificationConfig.defaults() : classification;
        health = health == null ? HealthConfig.defaults() : health;
        cutover = cutover == null ? new CutoverConfig(null, null) : cutover;
        seed = seed == null ? new SeedConfig(null, null) : seed;
        tls = tls == null ? TlsConfig.off() : tls;
        accessLog = accessLog == null ? AccessLogConfig.defaults() : accessLog;
        logging = logging == null ? new LoggingConfig(null, null) : logging;
        http2 = http2 == null ? Http2Config.defaults() : http2;
        migrations = migrations == null ? MigrationConfig.defaults() : migrations;
        ListenAddresses.check(listeners, tls.listeners(), admin.enabled() ? admin.listen() : null);
    }

    /** Without {@code tls:} (TLS off). */
    public GatewayConfig(List<HostPort> listeners, AdminConfig admin, StoreConfig store, SpoolConfig spool,
                         ServerConfig server, LimitsConfig limits, UpstreamConfig upstream, ForwardingConfig forwarding,
                         MaintenanceConfig maintenance, GuardConfig defaultPageGuard, ClassificationConfig classification,
                         HealthConfig health, CutoverConfig cutover, SeedConfig seed) {
        this(listeners, admin, store, spool, server, limits, upstream, forwarding, maintenance, defaultPageGuard,
                classification, health, cutover, seed, null, null, null, null, null);
    }

    public GatewayConfig withHttp2(Http2Config newHttp2) {
        return new GatewayConfig(listeners, admin, store, spool, server, limits, upstream, forwarding, maintenance,
                defaultPageGuard, classification, health, cutover, seed, tls, accessLog, logging, newHttp2, migrations);
    }

    public GatewayConfig withTls(TlsConfig newTls) {
        return new GatewayConfig(listeners, admin, store, spool, server, limits, upstream, forwarding, maintenance,
                defaultPageGuard, classification, health, cutover, seed, newTls, accessLog, logging, http2, migrations);
    }

    public GatewayConfig withLogging(LoggingConfig newLogging) {
        return new GatewayConfig(listeners, admin, store, spool, server, limits, upstream, forwarding, maintenance,
                defaultPageGuard, classification, health, cutover, seed, tls, accessLog, newLogging, http2, migrations);
    }

    public GatewayConfig withAccessLog(AccessLogConfig newAccessLog) {
        return new GatewayConfig(listeners, admin, store, spool, server, limits, upstream, forwarding, maintenance,
                defaultPageGuard, classification, health, cutover, seed, tls, newAccessLog, logging, http2, migrations);
    }

    public GatewayConfig withMigrations(MigrationConfig newMigrations) {
        return new GatewayConfig(listeners, admin, store, spool, server, limits, upstream, forwarding, maintenance,
                defaultPageGuard, classification, health, cutover, seed, tls, accessLog, logging, http2, newMigrations);
    }

    /** The built-in defaults: what {@code java -jar passerelle.jar} runs with when no {@code --config} is given. */
    public static GatewayConfig defaults() {
        return new GatewayConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    public GatewayConfig withListeners(List<HostPort> newListeners) {
        return new GatewayConfig(newListeners, admin, store, spool, server, limits, upstream, forwarding, maintenance,
                defaultPageGuard, classification, health, cutover, seed, tls, accessLog, logging, http2, migrations);
    }

    public GatewayConfig withSeed(SeedConfig newSeed) {
        return new GatewayConfig(listeners, admin, store, spool, server, limits, upstream, forwarding, maintenance,
                defaultPageGuard, classification, health, cutover, newSeed, tls, accessLog, logging, http2, migrations);
    }

    public GatewayConfig withLimits(LimitsConfig newLimits) {
        return new GatewayConfig(listeners, admin, store, spool, server, newLimits, upstream, forwarding, maintenance,
                defaultPageGuard, classification, health, cutover, seed, tls, accessLog, logging, http2, migrations);
    }

    public GatewayConfig withUpstream(UpstreamConfig newUpstream) {
        return new GatewayConfig(listeners, admin, store, spool, server, limits, newUpstream, forwarding, maintenance,
                defaultPageGuard, classification, health, cutover, seed, tls, accessLog, logging, http2, migrations);
    }

    public GatewayConfig withForwarding(ForwardingConfig newForwarding) {
        return new GatewayConfig(listeners, admin, store, spool, server, limits, upstream, newForwarding, maintenance,
                defaultPageGuard, classification, health, cutover, seed, tls, accessLog, logging, http2, migrations);
    }

    public GatewayConfig withAdmin(AdminConfig newAdmin) {
        return new GatewayConfig(listeners, newAdmin, store, spool, server, limits, upstream, forwarding, maintenance,
                defaultPageGuard, classification, health, cutover, seed, tls, accessLog, logging, http2, migrations);
    }

    public GatewayConfig withStore(StoreConfig newStore) {
        return new GatewayConfig(listeners, admin, newStore, spool, server, limits, upstream, forwarding, maintenance,
                defaultPageGuard, classification, health, cutover, seed, tls, accessLog, logging, http2, migrations);
    }

    public GatewayConfig withSpool(SpoolConfig newSpool) {
        return new GatewayConfig(listeners, admin, store, newSpool, server, limits, upstream, forwarding, maintenance,
                defaultPageGuard, classification, health, cutover, seed, tls, accessLog, logging, http2, migrations);
    }

    public GatewayConfig withServer(ServerConfig newServer) {
        return new GatewayConfig(listeners, admin, store, spool, newServer, limits, upstream, forwarding, maintenance,
                defaultPageGuard, classification, health, cutover, seed, tls, accessLog, logging, http2, migrations);
    }

    public GatewayConfig withMaintenance(MaintenanceConfig newMaintenance) {
        return new GatewayConfig(listeners, admin, store, spool, server, limits, upstream, forwarding, newMaintenance,
                defaultPageGuard, classification, health, cutover, seed, tls, accessLog, logging, http2, migrations);
    }
}
