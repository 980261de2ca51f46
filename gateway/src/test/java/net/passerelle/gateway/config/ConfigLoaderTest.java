package net.passerelle.gateway.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    private final ConfigLoader loader = new ConfigLoader(Map.of("TOKEN", "t0k3n", "PORT", "9191")::get);

    /** The JDK's message for a missing or forbidden file is its path alone: the error must say what is wrong. */
    @Test
    void aFileThatCannotBeReadIsRefusedWithTheReason(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path missing = dir.resolve("missing.yml");
        ConfigException none = assertThrows(ConfigException.class, () -> loader.load(missing));
        assertEquals(missing + ": cannot read the configuration: no such file", none.getMessage());
        java.nio.file.Path latin1 = java.nio.file.Files.write(dir.resolve("latin1.yml"), new byte[] {'#', ' ', (byte) 0xe9, '\n'});
        ConfigException encoding = assertThrows(ConfigException.class, () -> loader.load(latin1));
        assertEquals(latin1 + ": cannot read the configuration: not UTF-8 text", encoding.getMessage());
        String denied = ConfigLoader.readProblem(new java.nio.file.AccessDeniedException("/etc/passerelle/passerelle.yml"));
        assertTrue(denied.startsWith("permission denied: user " + System.getProperty("user.name") + " cannot read it"), denied);
    }

    @Test
    void emptyFileGivesTheBuiltInDefaults() {
        GatewayConfig c = loader.parse("", "empty.yml");
        assertEquals(GatewayConfig.defaults(), c);
        assertEquals("0.0.0.0:8080", c.listeners().get(0).toString());
        assertEquals("[::]:8080", c.listeners().get(1).toString());
        assertEquals("127.0.0.1:9090", c.admin().listen().toString());
        assertEquals("jdbc:h2:file:./data/passerelle", c.store().url());
        assertEquals("./data/spool", c.spool().dir());
    }

    @Test
    void theSpecsExampleParses() {
        GatewayConfig c = loader.parse("""
                listeners:
                  - "0.0.0.0:8080"
                  - "[::]:8080"
                admin:
                  listen: "127.0.0.1:9090"
                  token: ${TOKEN}
                store:
                  url: "jdbc:h2:file:./data/passerelle"
                  user: ""
                  password: ""
                spool:
                  dir: "./data/spool"
                seed:
                  groups:
                    srv-12: { backends: ["127.0.0.1:8081"], spares: [] }
                    srv-13: { backends: ["127.0.0.1:8082"], mode: read-only, writes: reject, retryAfterSeconds: 420 }
                  hosts:
                    alice.gallery.example: { group: srv-12, account: alice }
                """, "spec.yml");
        assertEquals("t0k3n", c.admin().token());
        assertEquals("read-only", c.seed().groups().get("srv-13").mode());
        assertEquals(420, c.seed().groups().get("srv-13").retryAfterSeconds());
        assertEquals("srv-12", c.seed().hosts().get("alice.gallery.example").group());
    }

    @Test
    void theDocumentedExampleFileParses() {
        GatewayConfig c = ConfigLoader.withSystemEnvironment().load(Path.of("../deploy/passerelle.example.yml"));
        assertEquals(2, c.listeners().size());
        assertEquals(Duration.ofSeconds(10), c.limits().headerReadTimeout());
        assertEquals(2L << 30, c.limits().maxBodySize().bytes());
    }

    @Test
    void environmentIsExpandedWithDefaults() {
        GatewayConfig c = loader.parse("""
                admin:
                  listen: "127.0.0.1:${PORT}"
                  token: ${MISSING:-fallback}
                """, "env.yml");
        assertEquals(9191, c.admin().listen().port());
        assertEquals("fallback", c.admin().token());
    }

    /**
     * A fleet's gateway started without its environment file must not come up on an empty embedded store, serving
     * every host as unknown: store.url from an unset variable is refused, naming the line and the variable.
     */
    /** Two listeners on one address passed --check, then start-up failed on its own duplicate: refused, naming the line. */
    @Test
    void twoListenersOnOneAddressAreRefusedAtTheSecond() {
        ConfigException plain = assertThrows(ConfigException.class,
                () -> loader.parse("listeners:\n  - \"0.0.0.0:8080\"\n  - \"127.0.0.1:8080\"\n", "c.yml"));
        assertTrue(plain.getMessage().startsWith("c.yml:3: listeners[1]: 127.0.0.1:8080 is already listened on by"
                + " listeners[0] (0.0.0.0:8080)"), plain.getMessage());
        ConfigException admin = assertThrows(ConfigException.class,
                () -> loader.parse("listeners: [\"127.0.0.1:9090\"]\nadmin:\n  listen: \"127.0.0.1:9090\"\n", "c.yml"));
        assertTrue(admin.getMessage().startsWith("c.yml:3: admin.listen: 127.0.0.1:9090 is already listened on by"),
                admin.getMessage());
        ConfigException tls = assertThrows(ConfigException.class, () -> loader.parse(
                "listeners: [\"[::1]:8443\"]\ntls:\n  listeners: [\"[::]:8443\"]\n", "c.yml"));
        assertTrue(tls.getMessage().startsWith("c.yml:3: tls.listeners[0]: [::]:8443 is already listened on by"),
                tls.getMessage());
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> loader.parse(
                "listeners: [\"0.0.0.0:8080\", \"[::]:8080\", \"127.0.0.1:0\", \"127.0.0.1:0\"]\n"
                        + "admin:\n  enabled: false\n  listen: \"0.0.0.0:8080\"\n", "c.yml"),
                "the two families' wildcards, port 0 twice, and a disabled admin API do not clash");
    }

    @Test
    void aStoreUrlFromAnUnsetVariableIsRefusedNotDefaulted() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("listeners: [\"127.0.0.1:0\"]\nstore:\n  url: ${DB_URL}\n", "c.yml"));
        assertTrue(e.getMessage().startsWith("c.yml:3: store.url is ${DB_URL}, which is not set"), e.getMessage());
        assertEquals("jdbc:h2:file:./data/passerelle", loader.parse("store:\n  url: ${DB_URL:-}\n", "c.yml").store().url(),
                "an explicit empty default still means the key's default");
        ConfigLoader withUrl = new ConfigLoader(Map.of("DB_URL", "jdbc:mariadb://db1:3306/passerelle")::get);
        assertEquals("jdbc:mariadb://db1:3306/passerelle", withUrl.parse("store:\n  url: ${DB_URL}\n", "c.yml").store().url());
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> loader.parse("admin:\n  token: ${UNSET_TOKEN}\n", "c.yml"),
                "other keys keep the rule: unset means the key's default");
    }

    @Test
    void environmentValuesAreTakenWholeAfterParsing() {
        Map<String, String> env = Map.of("T_HASH", "abc #rest", "T_COLON", "key: value", "T_QUOTE", "it's \"quoted\"",
                "THREADS", "3", "ON", "false", "LEASE", "6s");
        ConfigLoader l = new ConfigLoader(env::get);
        GatewayConfig c = l.parse("""
                admin:
                  enabled: ${ON}
                  token: ${T_HASH}
                  tokens: { alice: "${T_COLON}", bot: '${T_QUOTE}' }
                server:
                  ioThreads: ${THREADS}
                store:
                  lease: ${LEASE}
                  pollInterval: ${UNSET:-250ms}
                spool:
                  maxEntryBytes: ${UNSET}
                """, "env.yml");
        assertEquals("abc #rest", c.admin().token(), "a # in a value is not a comment");
        assertEquals("key: value", c.admin().tokens().get("alice"), "a ': ' in a value is not a mapping");
        assertEquals("it's \"quoted\"", c.admin().tokens().get("bot"));
        assertEquals(false, c.admin().enabled());
        assertEquals(3, c.server().ioThreads());
        assertEquals(Duration.ofSeconds(6), c.store().lease());
        assertEquals(Duration.ofMillis(250), c.store().pollInterval());
        assertEquals(DataSize.parse("256MiB"), c.spool().maxEntryBytes(), "an unset variable gives the default");
        // Keys are not expanded, and a variable in a comment is nothing.
        assertEquals("x", l.parse("spool:\n  dir: x # ${T_COLON}\n", "c.yml").spool().dir());
    }

    @Test
    void aSecretIsNeverInAnErrorMessage() {
        Map<String, String> env = Map.of("SECRET", "hunter2-very-secret", "POLL", "hunter2-very-secret");
        ConfigLoader l = new ConfigLoader(env::get);
        for (String yaml : new String[] {
                "store:\n  pollInterval: ${POLL}\n",
                "server:\n  ioThreads: ${SECRET}\n",
                "admin:\n  listen: \"${SECRET}\"\n",
                "admin:\n  token: [hunter2-very-secret]\n",
                "admin:\n  tokens: { alice: { x: hunter2-very-secret } }\n",
                "store:\n  password: hunter2-very-secret: x\n",
                "store:\n  url: \"jdbc:postgresql://db/x?password=hunter2-very-secret\"\n",
                "maintenance:\n  opsSecret: 'hunter2-very-secret\n"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> l.parse(yaml, "s.yml"), yaml);
            assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
            assertTrue(e.getMessage().startsWith("s.yml:"), e.getMessage());
        }
        ConfigException fromEnv = assertThrows(ConfigException.class, () -> l.parse("store:\n  pollInterval: ${POLL}\n", "s.yml"));
        assertTrue(fromEnv.getMessage().contains("${POLL}"), "names the variable instead: " + fromEnv.getMessage());
        assertTrue(fromEnv.getMessage().startsWith("s.yml:2: bad value for 'store.pollInterval'"), fromEnv.getMessage());
    }

    @Test
    void anUnknownKeyIsReportedAtItsOwnLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("""
                listeners:
                  - "127.0.0.1:8080"
                admin:
                  listne: "127.0.0.1:9090"
                  token: x
                """, "c.yml"));
        assertTrue(e.getMessage().startsWith("c.yml:4: unknown key 'admin.listne'"), e.getMessage());
        ConfigException nested = assertThrows(ConfigException.class, () -> loader.parse("""
                store:
                  url: "jdbc:h2:file:./x"
                  leese:
                    a: 1
                """, "c.yml"));
        assertTrue(nested.getMessage().startsWith("c.yml:3: unknown key 'store.leese'"), nested.getMessage());
    }

    @Test
    void aRefusedSeedEntryIsReportedAtItsOwnLineNotAtTheNextSection() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("""
                seed:
                  groups:
                    g1: { backends: ["127.0.0.1:8081"] }
                  hosts:
                    a.example: { group: nope, account: a }
                    b.example: { group: g1, account: b }


                logging:
                  level: info
                """, "c.yml"));
        assertTrue(e.getMessage().startsWith("c.yml:5: "), e.getMessage());
        assertTrue(e.getMessage().contains("seed.hosts.a.example: group 'nope' is not defined"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown top-level key     | 'listners: []'                                   | c.yml:1: | unknown key 'listners'
            unknown nested key        | 'limits:\\n  maxBodySise: 1MiB'                   | c.yml:2: | unknown key 'limits.maxBodySise'
            bad duration              | 'limits:\\n  headerReadTimeout: soon'             | c.yml:2: | not a duration
            bad size                  | 'limits:\\n  maxBodySize: lots'                   | c.yml:2: | not a size
            bad address               | 'listeners:\\n  - "localhost"'                    | c.yml:2: | bad address
            string for a number       | 'limits:\\n  maxHeaderCount: many'                | c.yml:2: | limits.maxHeaderCount
            bad mode                  | 'seed:\\n  groups:\\n    g: { mode: readonly }'    | c.yml:3: | mode must be open, read-only or maintenance
            host of an unknown group  | 'seed:\\n  hosts:\\n    a.example: { group: nope }' | c.yml:3: | group 'nope' is not defined
            host group, block style   | 'seed:\\n  hosts:\\n    a.example:\\n      account: a\\n      group: nope\\nlogging: {}' | c.yml:5: | group 'nope' is not defined
            host without a group      | 'seed:\\n  hosts:\\n    a.example:\\n      account: a\\n\\n' | c.yml:3: | a host needs a group
            bad mode, block style     | 'seed:\\n  groups:\\n    g:\\n      mode: readonly\\n  hosts: {}' | c.yml:4: | mode must be open, read-only or maintenance
            refused value             | 'server:\\n  ioThreads: -1\\n  transport: auto\\n\\nlogging: {}' | c.yml:2: | server.ioThreads must be >= 0
            refused rise              | 'health:\\n  rise: 0\\n  fall: 2\\n\\nlogging: {}' | c.yml:2: | health.rise must be >= 1, got 0
            refused fall, 2nd line    | 'health:\\n  rise: 2\\n  fall: 0\\n\\nlogging: {}' | c.yml:3: | health.fall must be >= 1, got 0
            refused fast interval     | 'health:\\n  interval: 2s\\n  fastInterval: 1ms' | c.yml:3: | health.fastInterval must be at least 10ms
            too few header fields     | 'limits:\\n  maxHeaderSize: 16KiB\\n  maxHeaderCount: 2\\n  maxBodySize: 1MiB' | c.yml:3: | limits.maxHeaderCount must be at least 8 to serve browsers, got 2
            too short a request line  | 'limits:\\n  maxHeaderCount: 20\\n  maxRequestLine: 100' | c.yml:3: | limits.maxRequestLine must be at least 256
            bad root level            | 'logging:\\n  loggers: {}\\n  level: verbose' | c.yml:3: | logging.level must be one of trace
            bad logger level          | 'logging:\\n  level: info\\n  loggers:\\n    io.netty: warn\\n    net.passerelle: loud' | c.yml:5: | logging.loggers.net.passerelle must be one of
            no listeners              | 'logging: {}\\nlisteners: []\\nserver: {}' | c.yml:2: | listeners: at least one address is needed
            text for a whole number   | 'server: { ioThreads: lots }'                    | c.yml:1: | bad value for 'server.ioThreads': not a whole number: 'lots'
            fraction for a number     | 'server:\\n  ioThreads: 1.5'                     | c.yml:2: | bad value for 'server.ioThreads': not a whole number: '1.5'
            number out of range       | 'server:\\n  ioThreads: 99999999999'             | c.yml:2: | bad value for 'server.ioThreads': out of range (a whole number from -2147483648 to 2147483647 here)
            negative out of range     | 'limits:\\n  maxHeaderCount: -99999999999'       | c.yml:2: | bad value for 'limits.maxHeaderCount': out of range (a whole number from
            number for a boolean      | 'http2:\\n  enabled: 1'                          | c.yml:2: | bad value for 'http2.enabled': not true or false: '1'
            duplicate key             | 'spool:\\n  dir: a\\n  dir: b'                      | c.yml:3: | dir
            bad transport             | 'server:\\n  transport: kqueue'                   | c.yml:2: | server.transport must be auto, epoll, io_uring or nio
            not yaml                  | 'spool:\n  dir: a\n dir: b\n: ]'              | c.yml:   | not valid YAML
            """)
    void badConfigurationNamesTheLineAndTheKey(String name, String yaml, String where, String what) {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse(yaml.replace("\\n", "\n"), "c.yml"));
        assertTrue(e.getMessage().startsWith(where.trim()), name + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(what.trim()), name + ": " + e.getMessage());
    }

    @Test
    void sizesAndDurationsAcceptTheUsualUnits() {
        assertEquals(16384, DataSize.parse("16KiB").bytes());
        assertEquals(96L << 20, DataSize.parse("96MiB").bytes());
        assertEquals(1L << 30, DataSize.parse("1GiB").bytes());
        assertEquals(4096, DataSize.parse("4096").bytes());
        assertEquals(Duration.ofMillis(250), Durations.parse("250ms"));
        assertEquals(Duration.ofMinutes(5), Durations.parse("5m"));
    }
}
