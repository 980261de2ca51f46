package net.passerelle.gateway.config;

import net.passerelle.admin.model.HostPort;

import java.time.Duration;
import java.util.List;
import java.util.Map;

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
            throw new IllegalArgumentException("listeners: at least one address is needed");
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

    /**
     * The admin API listener; {@code enabled: false} runs a pure data-plane gateway. It never runs without a token.
     *
     * @param token          bearer token, named {@code admin} in the audit; when unset, the environment variable
     *                       {@code PASSERELLE_ADMIN_TOKEN} is used; without either (nor {@code tokens}) one is generated
     *                       into {@code tokenFile}
     * @param confirmTimeout how long a change waits for every gateway live at the write before answering 202 (5s)
     * @param gatewayTtl     for gateways older than leases (a rolling upgrade): a heartbeat older than this is not live (3s)
     * @param tokenFile      where the generated token is kept (mode 0600) when none is configured; {@code ctl} reads
     *                       it ({@code ./data/admin-token})
     * @param tokens         more tokens, by name (one per operator or script): the name is the audit's actor
     * @param maxAuthFailuresPerMinute failed authentications a client address may make in a row, then one a minute
     *                       per this many (10)
     */
    public record AdminConfig(Boolean enabled, HostPort listen, String token, Duration confirmTimeout, Duration gatewayTtl,
                              String tokenFile, Map<String, String> tokens, Integer maxAuthFailuresPerMinute) {
        public AdminConfig {
            enabled = enabled == null || enabled;
            listen = listen == null ? HostPort.parse("127.0.0.1:9090") : listen;
            token = token == null || token.isBlank() ? null : token;
            confirmTimeout = confirmTimeout == null ? Duration.ofSeconds(5) : confirmTimeout;
            gatewayTtl = gatewayTtl == null ? Duration.ofSeconds(3) : gatewayTtl;
            if (confirmTimeout.isNegative() || gatewayTtl.isNegative() || gatewayTtl.isZero()) {
                throw new IllegalArgumentException("admin.confirmTimeout must be >= 0 and admin.gatewayTtl > 0");
            }
            tokenFile = tokenFile == null || tokenFile.isBlank() ? "./data/admin-token" : tokenFile;
            tokens = tokens == null ? Map.of() : Map.copyOf(tokens);
            maxAuthFailuresPerMinute = maxAuthFailuresPerMinute == null ? 10 : maxAuthFailuresPerMinute;
            if (maxAuthFailuresPerMinute < 1) {
                throw new IllegalArgumentException("admin.maxAuthFailuresPerMinute must be at least 1");
            }
        }

        public AdminConfig(Boolean enabled, HostPort listen, String token, Duration confirmTimeout, Duration gatewayTtl,
                           String tokenFile) {
            this(enabled, listen, token, confirmTimeout, gatewayTtl, tokenFile, null, null);
        }

        public AdminConfig(Boolean enabled, HostPort listen, String token, Duration confirmTimeout, Duration gatewayTtl) {
            this(enabled, listen, token, confirmTimeout, gatewayTtl, null, null, null);
        }

        public AdminConfig(Boolean enabled, HostPort listen, String token) {
            this(enabled, listen, token, null, null, null, null, null);
        }
    }

    /**
     * @param pollInterval how often the gateway checks the store's version and heartbeats (200ms)
     * @param snapshot     the local copy of the last table applied from the store, used at start when the store is
     *                     unreachable ({@code ./data/routing-snapshot.json})
     * @param lease        how long one heartbeat holds the gateway's lease (4s); the admin API waits for leased
     *                     gateways, and a gateway that cannot renew applies {@code onLeaseLost}
     * @param onLeaseLost  {@code read-only} (every group serves reads and refuses writes, the gateway stays ready) or
     *                     {@code unready} (the same, and {@code /readyz} says not-ready after {@code leaseLostGrace})
     * @param leaseLostGrace with {@code unready}: how long after losing its lease the gateway still says ready (10s)
     */
    public record StoreConfig(String url, String user, String password, Duration pollInterval, String snapshot,
                              Duration lease, String onLeaseLost, Duration leaseLostGrace) {
        public static final List<String> ON_LEASE_LOST = List.of("read-only", "unready");

        public StoreConfig {
            lease = lease == null ? Duration.ofSeconds(4) : lease;
            onLeaseLost = onLeaseLost == null ? "read-only" : onLeaseLost;
            leaseLostGrace = leaseLostGrace == null ? Duration.ofSeconds(10) : leaseLostGrace;
            if (lease.toMillis() < 100 || !ON_LEASE_LOST.contains(onLeaseLost) || leaseLostGrace.isNegative()) {
                throw new IllegalArgumentException("store.lease must be at least 100ms, store.onLeaseLost read-only or unready"
                        + " (got '" + onLeaseLost + "'), store.leaseLostGrace >= 0");
            }
            url = url == null || url.isBlank() ? "jdbc:h2:file:./data/passerelle" : url;
            user = user == null ? "" : user;
            password = password == null ? "" : password;
            pollInterval = pollInterval == null ? Duration.ofMillis(200) : pollInterval;
            if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:mariadb:")) {
                // The URL may carry a password: say what it starts with, not all of it.
                throw new IllegalArgumentException("store.url must be jdbc:h2:… (embedded) or jdbc:mariadb:… (fleet), got '"
                        + url.replaceFirst("^((?:[A-Za-z0-9]+:){0,2}).*$", "$1") + "…'");
            }
            if (pollInterval.toMillis() < 10 || pollInterval.toMillis() > 1000) {
                throw new IllegalArgumentException("store.pollInterval must be 10ms..1s (changes must apply within a second), got " + pollInterval);
            }
            snapshot = snapshot == null || snapshot.isBlank() ? "./data/routing-snapshot.json" : snapshot;
        }

        public StoreConfig(String url, String user, String password, Duration pollInterval, String snapshot) {
            this(url, user, password, pollInterval, snapshot, null, null, null);
        }

        public StoreConfig(String url, String user, String password, Duration pollInterval) {
            this(url, user, password, pollInterval, null);
        }
    }

    /**
     * The on-disk spool of queued writes. A write is acknowledged (202) only once it is fsynced here; quotas and
     * free-space limits turn it into the 503 reject instead.
     */
    public record SpoolConfig(String dir, DataSize maxBytesPerGroup, DataSize maxEntryBytes, DataSize minFreeBytes,
                              DataSize maxBufferedBytes, Integer ioThreads, Duration keepOutcomes, SpoolReplayConfig replay) {
        public SpoolConfig {
            dir = dir == null || dir.isBlank() ? "./data/spool" : dir;
            maxBytesPerGroup = maxBytesPerGroup == null ? DataSize.parse("1GiB") : maxBytesPerGroup;
            maxEntryBytes = maxEntryBytes == null ? DataSize.parse("256MiB") : maxEntryBytes;
            minFreeBytes = minFreeBytes == null ? DataSize.parse("512MiB") : minFreeBytes;
            maxBufferedBytes = maxBufferedBytes == null ? DataSize.parse("256KiB") : maxBufferedBytes;
            ioThreads = ioThreads == null ? 4 : ioThreads;
            keepOutcomes = keepOutcomes == null ? Duration.ofDays(7) : keepOutcomes;
            replay = replay == null ? new SpoolReplayConfig(null, null, null, null, null) : replay;
        }

        public SpoolConfig(String dir) {
            this(dir, null, null, null, null, null, null, null);
        }
    }

    /** How queued writes are replayed once their group leaves read-only. */
    public record SpoolReplayConfig(Duration initialBackoff, Duration maxBackoff, Integer maxAttempts,
                                    Duration connectTimeout, Duration responseTimeout) {
        public SpoolReplayConfig {
            initialBackoff = initialBackoff == null ? Duration.ofMillis(500) : initialBackoff;
            maxBackoff = maxBackoff == null ? Duration.ofSeconds(30) : maxBackoff;
            maxAttempts = maxAttempts == null ? 8 : maxAttempts;
            connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
            responseTimeout = responseTimeout == null ? Duration.ofSeconds(60) : responseTimeout;
        }
    }

    /**
     * @param ioThreads event loops; 0 means one per core
     * @param transport {@code auto} (epoll when the native library loads, NIO otherwise), {@code epoll} or {@code nio}
     * @param gatewayId this gateway's name in the fleet; defaults to the host name
     * @param drainTimeout how long in-flight requests may take to finish at shutdown
     */
    public record ServerConfig(Integer ioThreads, String transport, String gatewayId, Duration drainTimeout) {
        public ServerConfig {
            ioThreads = ioThreads == null ? 0 : ioThreads;
            if (ioThreads < 0) {
                throw new IllegalArgumentException("server.ioThreads must be >= 0 (0 = one per core)");
            }
            transport = transport == null ? "auto" : transport;
            if (!List.of("auto", "epoll", "io_uring", "nio").contains(transport)) {
                throw new IllegalArgumentException("server.transport must be auto, epoll, io_uring or nio, got '" + transport + "'");
            }
            drainTimeout = drainTimeout == null ? Duration.ofSeconds(30) : drainTimeout;
        }
    }

    /**
     * Limits on what a client may send. Their defaults follow nginx and HAProxy where those are sane for a gallery:
     * photo uploads are large, so the body limit is generous.
     */
    public record LimitsConfig(
            DataSize maxRequestLine,
            DataSize maxHeaderSize,
            Integer maxHeaderCount,
            DataSize maxBodySize,
            Duration headerReadTimeout,
            Duration keepAliveTimeout,
            Duration idleTimeout,
            Integer maxConnectionsPerClient,
            Integer maxConnections,
            DataSize bufferRequestBody,
            Duration sendTimeout,
            DataSize maxBufferedMemory,
            DataSize minBodyRate) {
        public LimitsConfig {
            maxRequestLine = maxRequestLine == null ? DataSize.ofBytes(8192) : maxRequestLine;
            maxHeaderSize = maxHeaderSize == null ? DataSize.ofBytes(16384) : maxHeaderSize;
            maxHeaderCount = maxHeaderCount == null ? 100 : maxHeaderCount;
            maxBodySize = maxBodySize == null ? DataSize.ofBytes(2L << 30) : maxBodySize;
            headerReadTimeout = headerReadTimeout == null ? Duration.ofSeconds(10) : headerReadTimeout;
            keepAliveTimeout = keepAliveTimeout == null ? Duration.ofSeconds(75) : keepAliveTimeout;
            idleTimeout = idleTimeout == null ? Duration.ofSeconds(60) : idleTimeout;
            maxConnectionsPerClient = maxConnectionsPerClient == null ? 512 : maxConnectionsPerClient;
            maxConnections = maxConnections == null ? 0 : maxConnections;
            bufferRequestBody = bufferRequestBody == null ? DataSize.ofBytes(65536) : bufferRequestBody;
            sendTimeout = sendTimeout == null ? Duration.ofSeconds(30) : sendTimeout;
            maxBufferedMemory = maxBufferedMemory == null ? DataSize.ofBytes(0) : maxBufferedMemory;
            minBodyRate = minBodyRate == null ? DataSize.ofBytes(1024) : minBodyRate;
            if (maxRequestLine.bytes() < 256 || maxHeaderSize.bytes() < 1024 || maxHeaderCount < 8) {
                throw new IllegalArgumentException("limits too small to serve browsers (maxRequestLine >= 256, maxHeaderSize >= 1KiB, maxHeaderCount >= 8)");
            }
            if (maxConnectionsPerClient < 1) {
                throw new IllegalArgumentException("limits.maxConnectionsPerClient must be >= 1");
            }
            if (maxConnections < 0) {
                throw new IllegalArgumentException("limits.maxConnections must be >= 0 (0 = from the open-file limit)");
            }
            if (bufferRequestBody.bytes() > (64L << 20)) {
                throw new IllegalArgumentException("limits.bufferRequestBody must be at most 64MiB (bodies are held in memory)");
            }
            if (sendTimeout.isNegative() || sendTimeout.isZero()) {
                throw new IllegalArgumentException("limits.sendTimeout must be positive");
            }
        }

        /** The first eight limits; the others at their defaults. */
        public LimitsConfig(DataSize maxRequestLine, DataSize maxHeaderSize, Integer maxHeaderCount, DataSize maxBodySize,
                            Duration headerReadTimeout, Duration keepAliveTimeout, Duration idleTimeout,
                            Integer maxConnectionsPerClient) {
            this(maxRequestLine, maxHeaderSize, maxHeaderCount, maxBodySize, headerReadTimeout, keepAliveTimeout,
                    idleTimeout, maxConnectionsPerClient, null, null, null, null, null);
        }

        public static LimitsConfig defaults() {
            return new LimitsConfig(null, null, null, null, null, null, null, null);
        }

        public LimitsConfig withSendTimeout(Duration d) {
            return new LimitsConfig(maxRequestLine, maxHeaderSize, maxHeaderCount, maxBodySize, headerReadTimeout,
                    keepAliveTimeout, idleTimeout, maxConnectionsPerClient, maxConnections, bufferRequestBody, d, maxBufferedMemory, minBodyRate);
        }

        public LimitsConfig withBufferRequestBody(DataSize size) {
            return new LimitsConfig(maxRequestLine, maxHeaderSize, maxHeaderCount, maxBodySize, headerReadTimeout,
                    keepAliveTimeout, idleTimeout, maxConnectionsPerClient, maxConnections, size, sendTimeout, maxBufferedMemory, minBodyRate);
        }

        public LimitsConfig withIdleTimeout(Duration d) {
            return new LimitsConfig(maxRequestLine, maxHeaderSize, maxHeaderCount, maxBodySize, headerReadTimeout,
                    keepAliveTimeout, d, maxConnectionsPerClient, maxConnections, bufferRequestBody, sendTimeout, maxBufferedMemory, minBodyRate);
        }

        public LimitsConfig withMaxConnections(int perClient, int total) {
            return new LimitsConfig(maxRequestLine, maxHeaderSize, maxHeaderCount, maxBodySize, headerReadTimeout,
                    keepAliveTimeout, idleTimeout, perClient, total, bufferRequestBody, sendTimeout, maxBufferedMemory, minBodyRate);
        }

        public LimitsConfig withMinBodyRate(DataSize perSecond) {
            return new LimitsConfig(maxRequestLine, maxHeaderSize, maxHeaderCount, maxBodySize, headerReadTimeout,
                    keepAliveTimeout, idleTimeout, maxConnectionsPerClient, maxConnections, bufferRequestBody, sendTimeout,
                    maxBufferedMemory, perSecond);
        }

        public LimitsConfig withMaxBufferedMemory(DataSize size) {
            return new LimitsConfig(maxRequestLine, maxHeaderSize, maxHeaderCount, maxBodySize, headerReadTimeout,
                    keepAliveTimeout, idleTimeout, maxConnectionsPerClient, maxConnections, bufferRequestBody, sendTimeout, size, minBodyRate);
        }
    }

    /**
     * @param connectTimeout  time to open a connection to a backend
     * @param responseTimeout time from the request sent to the response headers, and the longest silence inside a response
     * @param idleTimeout     how long an unused pooled connection is kept
     * @param maxIdlePerBackend pooled connections kept per backend and event loop
     */
    public record UpstreamConfig(Duration connectTimeout, Duration responseTimeout, Duration idleTimeout, Integer maxIdlePerBackend,
                                 DataSize maxStatusLine, DataSize maxHeaderSize) {
        public UpstreamConfig {
            connectTimeout = connectTimeout == null ? Duration.ofSeconds(3) : connectTimeout;
            responseTimeout = responseTimeout == null ? Duration.ofSeconds(60) : responseTimeout;
            idleTimeout = idleTimeout == null ? Duration.ofSeconds(30) : idleTimeout;
            maxIdlePerBackend = maxIdlePerBackend == null ? 64 : maxIdlePerBackend;
            maxStatusLine = maxStatusLine == null ? DataSize.ofBytes(8192) : maxStatusLine;
            maxHeaderSize = maxHeaderSize == null ? DataSize.ofBytes(65536) : maxHeaderSize;
            if (maxIdlePerBackend < 0) {
                throw new IllegalArgumentException("upstream.maxIdlePerBackend must be >= 0");
            }
            if (maxStatusLine.bytes() < 64 || maxHeaderSize.bytes() < 1024) {
                throw new IllegalArgumentException("upstream.maxStatusLine must be >= 64 bytes and upstream.maxHeaderSize >= 1KiB");
            }
        }

        public UpstreamConfig(Duration connectTimeout, Duration responseTimeout, Duration idleTimeout, Integer maxIdlePerBackend) {
            this(connectTimeout, responseTimeout, idleTimeout, maxIdlePerBackend, null, null);
        }
    }

    /**
     * @param trustedProxies client networks (CIDR) whose X-Forwarded-* / Forwarded headers are believed; nobody else's are
     * @param via the name this gateway gives itself in {@code Via}
     */
    public record ForwardingConfig(List<String> trustedProxies, String via) {
        public ForwardingConfig {
            trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
            for (String cidr : trustedProxies) {
                Cidr.parse(cidr);
            }
            via = via == null || via.isBlank() ? "passerelle" : via;
        }
    }

    /**
     * Who may pass during maintenance (and read-only) to check the new server: client networks, or requests that
     * carry {@code opsHeader} with {@code opsSecret}.
     */
    public record MaintenanceConfig(List<String> allowNetworks, String opsHeader, String opsSecret) {
        public MaintenanceConfig {
            allowNetworks = allowNetworks == null ? List.of() : List.copyOf(allowNetworks);
            for (String cidr : allowNetworks) {
                Cidr.parse(cidr);
            }
            opsHeader = opsHeader == null || opsHeader.isBlank() ? "X-Passerelle-Ops" : opsHeader;
            opsSecret = opsSecret == null || opsSecret.isBlank() ? null : opsSecret;
        }
    }

    /** The default-page guard: the last line of defence against a backend that shows a web server's welcome page. */
    public record GuardConfig(Boolean enabled, List<String> fingerprints, DataSize scanBytes) {
        public static final List<String> BUILT_IN = List.of("Apache2 Debian Default Page", "Welcome to nginx!",
                "Apache2 Ubuntu Default Page", "Test Page for the Apache HTTP Server", "Test Page for the Nginx HTTP Server");

        public GuardConfig {
            enabled = enabled == null || enabled;
            fingerprints = fingerprints == null ? List.of() : List.copyOf(fingerprints);
            scanBytes = scanBytes == null ? DataSize.ofBytes(4096) : scanBytes;
        }
    }

    public record SeedConfig(Map<String, SeedGroup> groups, Map<String, SeedHost> hosts) {
        public SeedConfig {
            groups = groups == null ? Map.of() : Map.copyOf(groups);
            hosts = hosts == null ? Map.of() : Map.copyOf(hosts);
            for (Map.Entry<String, SeedHost> h : hosts.entrySet()) {
                if (!groups.containsKey(h.getValue().group())) {
                    throw new IllegalArgumentException("seed.hosts." + h.getKey() + ": group '" + h.getValue().group()
                            + "' is not defined under seed.groups");
                }
            }
        }
    }

    public record SeedGroup(List<HostPort> backends, List<HostPort> spares, String mode, String writes,
                            Integer retryAfterSeconds, Map<String, String> message, String profile) {
        public SeedGroup {
            backends = backends == null ? List.of() : List.copyOf(backends);
            spares = spares == null ? List.of() : List.copyOf(spares);
            mode = mode == null ? "open" : mode;
            writes = writes == null ? "reject" : writes;
            if (!List.of("open", "read-only", "maintenance").contains(mode)) {
                throw new IllegalArgumentException("mode must be open, read-only or maintenance, got '" + mode + "'");
            }
            if (!List.of("reject", "queue").contains(writes)) {
                throw new IllegalArgumentException("writes must be reject or queue, got '" + writes + "'");
            }
            retryAfterSeconds = retryAfterSeconds == null ? 300 : retryAfterSeconds;
            if (retryAfterSeconds < 0) {
                throw new IllegalArgumentException("retryAfterSeconds must be >= 0");
            }
            message = message == null ? Map.of() : Map.copyOf(message);
            profile = profile == null ? "piwigo" : profile;
        }
    }

    public record SeedHost(String group, String account) {
        public SeedHost {
            if (group == null || group.isBlank()) {
                throw new IllegalArgumentException("a host needs a group");
            }
            account = account == null ? "" : account;
        }
    }

    /**
     * Cutover verification: every host of the group is requested at {@code path} from each new backend, over each
     * address family it has, within {@code timeout}.
     */
    public record CutoverConfig(Duration timeout, String path) {
        public CutoverConfig {
            timeout = timeout == null ? Duration.ofSeconds(5) : timeout;
            path = path == null || path.isBlank() ? "/" : path;
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("cutover.path must start with /, got '" + path + "'");
            }
        }
    }
}
