package net.passerelle.admin.store;

import net.passerelle.admin.model.AuditEntry;
import net.passerelle.admin.model.Backend;
import net.passerelle.admin.model.BackendState;
import net.passerelle.admin.model.FleetView;
import net.passerelle.admin.model.GatewayStatus;
import net.passerelle.admin.model.Group;
import net.passerelle.admin.model.HostMapping;
import net.passerelle.admin.model.Mode;
import net.passerelle.admin.model.RoutingState;
import net.passerelle.admin.model.Window;
import net.passerelle.admin.model.WritePolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every {@link Store} keeps, run against each database by a subclass. Every test gets a fresh,
 * empty database of its own.
 */
abstract class StoreContractTest {

    static final Instant T0 = Instant.parse("2026-11-22T07:30:00.123Z");

    /** Creates a fresh, empty database for one test and returns its JDBC URL. */
    protected abstract String createDatabase() throws Exception;

    /** Drops the database of {@link #createDatabase()}. */
    protected abstract void dropDatabase() throws Exception;

    protected abstract String user();

    protected abstract String password();

    /** Destroys the test's database under the open store, as a vanished or wiped server would. */
    protected abstract void destroyDatabaseUnderTheStore() throws Exception;

    /** A URL at which no database can be opened (nothing listens, or the path cannot be created). */
    protected abstract String unreachableUrl();

    /** A clock the test moves by hand. */
    static final class TestClock extends Clock {
        volatile Instant now = T0;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    protected final TestClock clock = new TestClock();
    protected String url;
    protected Store store;
    private final List<Store> opened = new ArrayList<>();

    @BeforeEach
    void openFreshStore() throws Exception {
        url = createDatabase();
        store = open();
    }

    @AfterEach
    void closeAndDrop() throws Exception {
        for (Store s : opened) {
            s.close();
        }
        dropDatabase();
    }

    protected Store open() {
        Store s = new JdbcStore(url, user(), password(), JdbcStore.Options.defaults().withClock(clock));
        opened.add(s);
        return s;
    }

    static Group group(String name, String... backends) {
        return Group.of(name, List.of(backends).stream().map(Backend::parse).toList());
    }

    // ---- migrations --------------------------------------------------------------------------------------

    @Test
    void backendStatesAreChangesOfTheTableSharedByTheFleet() {
        store.putGroup("ops", group("g", "10.0.0.1:80"));
        long v = store.version();
        assertEquals(v + 1, store.setBackendState("ops", "10.0.0.1:80", BackendState.DRAIN));
        assertEquals(Map.of("10.0.0.1:80", BackendState.DRAIN), store.load().backendStates());
        assertEquals(v + 1, store.setBackendState("ops", "10.0.0.1:80", BackendState.DRAIN), "the same state again is no change");
        assertEquals(v + 2, store.setBackendState("ops", "10.0.0.1:80", BackendState.READY));
        assertEquals(Map.of(), store.load().backendStates());
        assertThrows(NotFoundException.class, () -> store.setBackendState("ops", "10.9.9.9:80", BackendState.MAINT));
        assertThrows(IllegalArgumentException.class, () -> store.setBackendState("ops", "10.0.0.1:80", BackendState.parse("sleep")));
        assertEquals(v + 2, store.version(), "refused calls change nothing");
        AuditEntry last = store.audit(1).get(0);
        assertEquals("backend.state", last.action());
        assertEquals("10.0.0.1:80", last.target());
        assertEquals("{\"state\":\"drain\"}", last.before(), "the audit shows the wire names");
        assertEquals("{\"state\":\"ready\"}", last.after());
    }

    @Test
    void aFreshStoreIsMigratedAndEmptyAtVersionZero() {
        assertEquals(0, store.version());
        RoutingState state = store.load();
        assertEquals(0, state.version());
        assertTrue(state.groups().isEmpty());
        assertTrue(state.hosts().isEmpty());
        assertTrue(store.audit(10).isEmpty());
        assertTrue(store.gateways().isEmpty());
    }

    @Test
    void openingAgainKeepsSchemaAndData() {
        store.putGroup("ops", group("srv-12", "127.0.0.1:8081"));
        store.putHost("ops", new HostMapping("alice.gallery.example", "srv-12", "alice"));
        RoutingState before = store.load();
        store.close();
        opened.remove(store);

        Store again = open();
        assertEquals(before, again.load());
        assertEquals(2, again.version());
        Store third = open(); // a second instance on the same database, migrations already applied
        assertEquals(before, third.load());
    }

    // ---- groups ------------------------------------------------------------------------------------------

    @Test
    void groupsAreCreatedReadUpdatedAndDeleted() {
        Group g = new Group("srv-12", List.of(Backend.parse("10.0.0.12:8080"), Backend.parse("[2001:db8::12]:8080")),
                List.of(Backend.parse("spare-12.internal:80")), Mode.OPEN, WritePolicy.QUEUE, 420,
                Map.of("en", "Moving house", "fr", "Déménagement en cours"), "piwigo", null);
        assertEquals(1, store.putGroup("ops", g));
        assertEquals(g, store.group("srv-12").orElseThrow());
        assertEquals(List.of(g), store.groups());

        Group moved = g.withBackends(List.of(Backend.parse("10.0.0.13:8080")), List.of());
        assertEquals(2, store.putGroup("ops", moved));
        assertEquals(moved, store.group("srv-12").orElseThrow());

        store.putGroup("ops", group("a_b", "127.0.0.1:1"));
        store.putGroup("ops", group("aab", "127.0.0.1:2"));
        assertEquals(List.of("a_b", "aab", "srv-12"), store.groups().stream().map(Group::name).toList(),
                "groups come sorted by name, the same on every database");

        assertEquals(5, store.deleteGroup("ops", "srv-12"));
        assertTrue(store.group("srv-12").isEmpty());
        NotFoundException missing = assertThrows(NotFoundException.class, () -> store.deleteGroup("ops", "srv-12"));
        assertEquals("group", missing.kind());
        assertEquals(5, store.version());
    }

    @Test
    void setBackendsReplacesBackendsAndKeepsModeAndWindow() {
        Window w = new Window(T0, T0.plusSeconds(3600), Mode.READ_ONLY, WritePolicy.QUEUE);
        store.putGroup("ops", group("srv-12", "127.0.0.1:8081").withWindow(w));
        store.setMode("ops", "srv-12", Mode.READ_ONLY, null, null, null);
        long v = store.setBackends("ops", "srv-12", List.of(Backend.parse("[::1]:8082")), List.of(Backend.parse("127.0.0.1:8083")));
        Group g = store.group("srv-12").orElseThrow();
        assertEquals(List.of(new Backend("::1", 8082)), g.backends());
        assertEquals(List.of(new Backend("127.0.0.1", 8083)), g.spares());
        assertEquals(Mode.READ_ONLY, g.mode());
        assertEquals(w, g.window());
        assertEquals(3, v);
        assertThrows(NotFoundException.class, () -> store.setBackends("ops", "nope", List.of(), List.of()));
    }

    // ---- versions ----------------------------------------------------------------------------------------

    @Test
    void everyMutationBumpsTheVersionByOneAndReadsAndNoOpsDoNot() {
        long v = store.version();
        assertEquals(v + 1, store.putGroup("ops", group("g1", "127.0.0.1:8081")));
        assertEquals(v + 2, store.putHost("ops", new HostMapping("a.example", "g1", "a")));
        assertEquals(v + 3, store.setMode("ops", "g1", Mode.READ_ONLY, WritePolicy.REJECT, 60, Map.of()));
        assertEquals(v + 4, store.setWindow("ops", "g1", new Window(T0, T0.plusSeconds(60), Mode.MAINTENANCE, null)));
        assertEquals(v + 5, store.clearWindow("ops", "g1"));
        assertEquals(v + 6, store.setBackends("ops", "g1", List.of(Backend.parse("127.0.0.1:9")), List.of()));
        assertEquals(v + 7, store.deleteHost("ops", "a.example"));
        assertEquals(v + 8, store.deleteGroup("ops", "g1"));
        assertEquals(v + 8, store.version());

        store.putGroup("ops", group("g2", "127.0.0.1:8081"));
        long after = store.version();
        store.load();
        store.groups();
        store.group("g2");
        store.hosts(null);
        store.audit(100);
        store.gateways();
        store.heartbeat("gw-1", after, "x");
        assertEquals(after, store.version(), "reads and heartbeats do not change the version");

        int audits = store.audit(1000).size();
        assertEquals(after, store.putGroup("ops", group("g2", "127.0.0.1:8081")), "an identical put changes nothing");
        assertEquals(after, store.setMode("ops", "g2", Mode.OPEN, null, null, null));
        assertEquals(after, store.clearWindow("ops", "g2"));
        assertEquals(audits, store.audit(1000).size(), "and writes no audit entry");
    }

    @Test
    void loadIsConsistentWithItsVersion() {
        store.putGroup("ops", group("g1", "127.0.0.1:8081"));
        store.putHost("ops", new HostMapping("a.example", "g1", "a"));
        RoutingState state = store.load();
        assertEquals(2, state.version());
        assertEquals(List.of("g1"), state.groups().stream().map(Group::name).toList());
        assertEquals(List.of(new HostMapping("a.example", "g1", "a")), state.hosts());
        assertEquals(state.group("g1"), store.group("g1"));
    }

    // ---- audit -------------------------------------------------------------------------------------------

    @Test
    void mutationsAreAuditedWithBeforeAndAfterNewestFirst() {
        store.putGroup("alice@ops", group("srv-12", "127.0.0.1:8081"));
        clock.now = T0.plusSeconds(10);
        store.setMode("bob@ops", "srv-12", Mode.READ_ONLY, WritePolicy.QUEUE, 420, Map.of("fr", "Migration en cours"));
        clock.now = T0.plusSeconds(20);
        store.putHost("bob@ops", new HostMapping("alice.gallery.example", "srv-12", "alice"));
        store.deleteHost("carol@ops", "alice.gallery.example");

        List<AuditEntry> audit = store.audit(10);
        assertEquals(List.of("host.delete", "host.create", "group.mode", "group.create"),
                audit.stream().map(AuditEntry::action).toList());
        assertEquals(List.of(4L, 3L, 2L, 1L), audit.stream().map(AuditEntry::version).toList());
        assertEquals(List.of("carol@ops", "bob@ops", "bob@ops", "alice@ops"), audit.stream().map(AuditEntry::actor).toList());

        AuditEntry create = audit.get(3);
        assertEquals("srv-12", create.target());
        assertNull(create.before());
        assertTrue(create.after().contains("\"127.0.0.1:8081\""), create.after());
        assertTrue(create.after().contains("\"open\""), create.after());
        assertEquals(T0, create.at());

        AuditEntry mode = audit.get(2);
        assertTrue(mode.before().contains("\"open\""), mode.before());
        assertTrue(mode.after().contains("\"read-only\""), mode.after());
        assertTrue(mode.after().contains("\"queue\""), mode.after());
        assertTrue(mode.after().contains("Migration en cours"), mode.after());
        assertEquals(T0.plusSeconds(10), mode.at());

        AuditEntry delete = audit.get(0);
        assertEquals("alice.gallery.example", delete.target());
        assertTrue(delete.before().contains("\"alice\""), delete.before());
        assertNull(delete.after());

        assertEquals(2, store.audit(2).size());
        assertEquals("host.delete", store.audit(1).get(0).action());
        assertThrows(IllegalArgumentException.class, () -> store.audit(0));
    }

    @Test
    void refusedAndInvalidChangesChangeNothing() {
        store.putGroup("ops", group("g1", "127.0.0.1:8081"));
        RoutingState before = store.load();
        int audits = store.audit(100).size();

        assertThrows(NotFoundException.class, () -> store.putHost("ops", new HostMapping("a.example", "nope", "a")));
        assertThrows(NotFoundException.class, () -> store.setMode("ops", "nope", Mode.READ_ONLY, null, null, null));
        assertThrows(NotFoundException.class, () -> store.setWindow("ops", "nope", new Window(T0, T0.plusSeconds(1), Mode.OPEN, null)));
        assertThrows(NotFoundException.class, () -> store.clearWindow("ops", "nope"));
        assertThrows(NotFoundException.class, () -> store.deleteHost("ops", "a.example"));
        assertThrows(NotFoundException.class, () -> store.deleteHost("ops", "not a host"));
        assertThrows(IllegalArgumentException.class, () -> store.setMode("ops", "g1", Mode.READ_ONLY, null, -1, null));
        assertThrows(IllegalArgumentException.class, () -> store.setMode("ops", "g1", Mode.READ_ONLY, null, null, Map.of("not a tag!", "x")));
        assertThrows(IllegalArgumentException.class, () -> store.putGroup(" ", group("g2")));

        assertEquals(before, store.load());
        assertEquals(audits, store.audit(100).size());
    }

    @Test
    void aGroupInUseCannotBeDeleted() {
        store.putGroup("ops", group("srv-12", "127.0.0.1:8081"));
        store.putHost("ops", new HostMapping("b.example", "srv-12", "b"));
        store.putHost("ops", new HostMapping("a.example", "srv-12", "a"));
        long v = store.version();

        GroupInUseException e = assertThrows(GroupInUseException.class, () -> store.deleteGroup("ops", "srv-12"));
        assertEquals(List.of("a.example", "b.example"), e.hosts());
        assertTrue(e instanceof ConflictException);
        assertEquals(v, store.version());
        assertTrue(store.group("srv-12").isPresent());

        store.deleteHost("ops", "a.example");
        store.putHost("ops", new HostMapping("b.example", "srv-12", "b2"));
        assertThrows(GroupInUseException.class, () -> store.deleteGroup("ops", "srv-12"));
        store.deleteHost("ops", "b.example");
        store.deleteGroup("ops", "srv-12");
        assertTrue(store.groups().isEmpty());
    }

    // ---- hosts -------------------------------------------------------------------------------------------

    @Test
    void hostsAreNormalisedOnPutAndLookedUpNormalised() {
        store.putGroup("ops", group("srv-12", "127.0.0.1:8081"));
        store.putGroup("ops", group("srv-13", "127.0.0.1:8082"));
        store.putHost("ops", new HostMapping("Alice.Gallery.EXAMPLE.", "srv-12", "alice"));
        store.putHost("ops", new HostMapping("bücher.example", "srv-13", "bob"));
        store.putHost("ops", new HostMapping("photos.alice.org", "srv-12", "alice"));

        assertEquals(List.of("alice.gallery.example", "photos.alice.org", "xn--bcher-kva.example"),
                store.hosts(null).stream().map(HostMapping::host).toList());
        assertEquals(List.of("alice.gallery.example", "photos.alice.org"),
                store.hosts("srv-12").stream().map(HostMapping::host).toList());
        assertEquals(List.of(new HostMapping("xn--bcher-kva.example", "srv-13", "bob")), store.hosts("srv-13"));
        assertTrue(store.hosts("nope").isEmpty());

        assertEquals("alice", store.host("ALICE.gallery.example:8080").orElseThrow().account());
        assertEquals("bob", store.host("BÜCHER.example.").orElseThrow().account());
        assertTrue(store.host("under_score.example").isEmpty());

        long v = store.putHost("ops", new HostMapping("ALICE.GALLERY.EXAMPLE", "srv-13", "alice"));
        assertEquals("srv-13", store.host("alice.gallery.example").orElseThrow().group());
        assertEquals("host.update", store.audit(1).get(0).action());
        assertEquals(v, store.putHost("ops", new HostMapping("alice.gallery.example", "srv-13", "alice")));

        store.deleteHost("ops", "Photos.Alice.Org.");
        assertTrue(store.host("photos.alice.org").isEmpty());
    }

    // ---- modes and windows -------------------------------------------------------------------------------

    @Test
    void setModeChangesModeAndKeepsWhatIsNotGiven() {
        store.putGroup("ops", group("srv-12", "127.0.0.1:8081"));
        store.setMode("ops", "srv-12", Mode.READ_ONLY, WritePolicy.QUEUE, 420, Map.of("en", "Moving", "fr", "Déménagement"));
        Group g = store.group("srv-12").orElseThrow();
        assertEquals(Mode.READ_ONLY, g.mode());
        assertEquals(WritePolicy.QUEUE, g.writes());
        assertEquals(420, g.retryAfterSeconds());
        assertEquals(Map.of("en", "Moving", "fr", "Déménagement"), g.message());

        store.setMode("ops", "srv-12", Mode.MAINTENANCE, null, null, null);
        g = store.group("srv-12").orElseThrow();
        assertEquals(Mode.MAINTENANCE, g.mode());
        assertEquals(WritePolicy.QUEUE, g.writes());
        assertEquals(420, g.retryAfterSeconds());
        assertEquals("Déménagement", g.message().get("fr"));

        store.setMode("ops", "srv-12", Mode.OPEN, WritePolicy.REJECT, 0, Map.of());
        g = store.group("srv-12").orElseThrow();
        assertEquals(Mode.OPEN, g.mode());
        assertEquals(0, g.retryAfterSeconds());
        assertTrue(g.message().isEmpty());
    }

    @Test
    void windowsPersistAsUtcInstants() {
        store.putGroup("ops", group("srv-12", "127.0.0.1:8081"));
        Instant start = Instant.parse("2026-11-22T08:00:00Z");
        Instant end = Instant.parse("2026-11-22T12:05:00.250Z");
        Window w = new Window(start, end, Mode.READ_ONLY, WritePolicy.QUEUE);
        store.setWindow("ops", "srv-12", w);

        Group g = store.load().group("srv-12").orElseThrow();
        assertEquals(w, g.window());
        assertEquals(Mode.OPEN, g.effectiveMode(start.minusMillis(1)));
        assertEquals(Mode.READ_ONLY, g.effectiveMode(start));
        assertEquals(WritePolicy.QUEUE, g.effectiveWrites(start.plusSeconds(60)));
        assertEquals(Mode.OPEN, g.effectiveMode(end));

        // Sub-millisecond precision is not kept; the stored value is what a later put compares with.
        Window fine = new Window(start.plusNanos(1_500_000), end, Mode.MAINTENANCE, WritePolicy.REJECT);
        long v = store.setWindow("ops", "srv-12", fine);
        assertEquals(start.plusMillis(1), store.group("srv-12").orElseThrow().window().start());
        assertEquals(v, store.setWindow("ops", "srv-12", fine), "the same window again is a no-op");

        assertEquals(v + 1, store.clearWindow("ops", "srv-12"));
        assertNull(store.group("srv-12").orElseThrow().window());
        assertEquals("group.window.clear", store.audit(1).get(0).action());
        assertEquals(v + 1, store.clearWindow("ops", "srv-12"));
    }

    // ---- seed --------------------------------------------------------------------------------------------

    @Test
    void seedCreatesWhatIsMissingOnceAndNeverOverwrites() {
        List<Group> groups = List.of(group("srv-12", "127.0.0.1:8081"),
                group("srv-13", "127.0.0.1:8082").withMode(Mode.READ_ONLY, WritePolicy.REJECT, 420, Map.of()));
        List<HostMapping> hosts = List.of(new HostMapping("alice.gallery.example", "srv-12", "alice"));

        assertEquals(1, store.seed(groups, hosts), "one seed is one version");
        RoutingState seeded = store.load();
        assertEquals(2, seeded.groups().size());
        assertEquals(Mode.READ_ONLY, seeded.group("srv-13").orElseThrow().mode());
        assertEquals(hosts, seeded.hosts());
        List<AuditEntry> audit = store.audit(10);
        assertEquals(3, audit.size());
        assertTrue(audit.stream().allMatch(a -> a.actor().equals(Store.SEED_ACTOR) && a.version() == 1));

        assertEquals(1, store.seed(groups, hosts), "seeding again changes nothing");
        assertEquals(seeded, store.load());
        assertEquals(3, store.audit(10).size());

        // Ops change things through the API; the seed at the next start leaves them alone.
        store.setMode("ops", "srv-13", Mode.OPEN, null, null, null);
        store.deleteHost("ops", "alice.gallery.example");
        store.putHost("ops", new HostMapping("bob.gallery.example", "srv-12", "bob"));
        RoutingState changed = store.load();
        List<HostMapping> moreHosts = List.of(new HostMapping("alice.gallery.example", "srv-12", "alice"),
                new HostMapping("bob.gallery.example", "srv-13", "robert"));
        assertEquals(changed.version(), store.seed(groups, moreHosts));
        assertEquals(changed, store.load());

        // What is new in the seed is created.
        long v = store.seed(List.of(group("srv-14", "127.0.0.1:8084")),
                List.of(new HostMapping("carol.gallery.example", "srv-14", "carol")));
        assertEquals(changed.version() + 1, v);
        assertEquals("srv-14", store.host("carol.gallery.example").orElseThrow().group());
    }

    @Test
    void aSeedWithAHostOfAnUnknownGroupWritesNothing() {
        List<Group> groups = List.of(group("srv-12", "127.0.0.1:8081"));
        List<HostMapping> hosts = List.of(new HostMapping("alice.gallery.example", "srv-12", "alice"),
                new HostMapping("bob.gallery.example", "srv-99", "bob"));
        NotFoundException e = assertThrows(NotFoundException.class, () -> store.seed(groups, hosts));
        assertEquals("srv-99", e.name());
        assertEquals(0, store.version());
        assertTrue(store.groups().isEmpty());
        assertEquals(1, store.seed(groups, hosts.subList(0, 1)), "the seed history was rolled back too");
    }

    // ---- fleet -------------------------------------------------------------------------------------------

    @Test
    void heartbeatsRecordTheAppliedVersion() {
        store.heartbeat("gw-b", 0, "10.0.0.2");
        store.heartbeat("gw-a", 0, null);
        clock.now = T0.plusSeconds(1);
        store.heartbeat("gw-a", 7, "10.0.0.1 v0.1.0");

        List<GatewayStatus> gateways = store.gateways();
        assertEquals(List.of(new GatewayStatus("gw-a", 7, T0.plusSeconds(1), "10.0.0.1 v0.1.0"),
                new GatewayStatus("gw-b", 0, T0, "10.0.0.2")), gateways);
        assertTrue(gateways.get(0).hasApplied(7));
        assertFalse(gateways.get(1).isLive(T0.plusSeconds(10), Duration.ofSeconds(5)));
        assertEquals(0, store.version());

        assertTrue(store.forgetGateway("gw-b"));
        assertFalse(store.forgetGateway("gw-b"));
        assertEquals(List.of("gw-a"), store.gateways().stream().map(GatewayStatus::gatewayId).toList());
        assertThrows(IllegalArgumentException.class, () -> store.heartbeat("", 1, null));

        Store other = open();
        other.heartbeat("gw-c", 3, null);
        assertEquals(2, store.gateways().size(), "heartbeats from another instance are visible");
    }

    @Test
    void leasesAreStampedAndJudgedByTheStoresOwnClock() {
        FleetView before = store.fleet();
        store.renewLease("gw-a", 3, "10.0.0.1", Duration.ofSeconds(30));
        FleetView view = store.fleet();
        GatewayStatus a = view.gateways().get(0);
        assertTrue(a.leased());
        assertEquals(Duration.ofSeconds(30), a.lease());
        assertEquals(3, a.appliedVersion());
        assertFalse(view.storeNow().isBefore(before.storeNow()));
        assertFalse(a.leaseUntil().isBefore(before.storeNow().plusSeconds(30)), "stamped after the first reading");
        assertFalse(a.leaseUntil().isAfter(view.storeNow().plusSeconds(30)), "stamped before the second reading");
        assertTrue(a.leaseValidAt(view.storeNow()));
        assertFalse(a.leaseValidAt(a.leaseUntil()));
        // The database's clock, not the test's fixed clock (which only stamps audit entries and old heartbeats).
        assertTrue(Math.abs(view.storeNow().toEpochMilli() - System.currentTimeMillis()) < 60_000, view.storeNow().toString());
        assertEquals(a.leaseUntil(), store.gateways().get(0).leaseUntil());

        store.releaseLease("gw-a");
        GatewayStatus released = store.fleet().gateways().get(0);
        assertTrue(released.released());
        assertFalse(released.leaseValidAt(view.storeNow()));
        store.releaseLease("gw-unknown");
        store.heartbeat("gw-a", 4, null);
        assertFalse(store.gateways().get(0).leased(), "a heartbeat without a lease is an older gateway's");
        assertThrows(IllegalArgumentException.class, () -> store.renewLease("gw-a", 4, null, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> store.renewLease(" ", 4, null, Duration.ofSeconds(1)));
        assertEquals(0, store.version(), "leases are not changes of the table");
    }

    /**
     * With the default gateway id ({@code <host>-<pid>}) every restart is a new gateway: stopped ones are forgotten
     * once quiet for long enough, judged by the store's clock, so the list does not grow with every deploy.
     */
    @Test
    @Timeout(30)
    void stoppedGatewaysAreForgottenOnceQuietForLongEnough() {
        store.renewLease("gw-stopped", 1, null, Duration.ofSeconds(30));
        store.releaseLease("gw-stopped");
        store.renewLease("gw-live", 1, null, Duration.ofSeconds(30));
        store.heartbeat("gw-unleased", 1, null);
        Instant lastHeard = store.fleet().gateways().stream().filter(g -> g.gatewayId().equals("gw-stopped"))
                .findFirst().orElseThrow().heartbeat();
        while (!store.fleet().storeNow().isAfter(lastHeard)) {
            Thread.onSpinWait(); // the store's clock must pass the last heartbeat's millisecond, for ZERO below
        }

        assertEquals(List.of(), store.forgetStoppedGateways(Duration.ofDays(7)), "stopped, but not for long");
        assertEquals(List.of("gw-stopped"), store.forgetStoppedGateways(Duration.ZERO));
        assertEquals(List.of("gw-live", "gw-unleased"), store.gateways().stream().map(GatewayStatus::gatewayId).toList(),
                "a gateway whose lease is valid, and one older than leases, are kept");
        assertEquals(0, store.version(), "forgetting gateways is not a change of the table");

        store.renewLease("gw-stopped", 2, null, Duration.ofSeconds(30));
        assertEquals(3, store.gateways().size(), "a forgotten gateway that comes back is listed again");
    }

    // ---- concurrency -------------------------------------------------------------------------------------

    @Test
    @Timeout(120)
    void concurrentMutationsFromTwoInstancesLoseNoUpdate() throws Exception {
        store.putGroup("ops", group("g", "127.0.0.1:8081"));
        long start = store.version();
        Store other = open();
        int perThread = 50;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Store s : List.of(store, other)) {
                String who = s == store ? "one" : "two";
                int base = s == store ? 1000 : 2000; // distinct values, so that no change is a no-op
                futures.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        // Alternate between a change to the shared group and a host of one's own.
                        if (i % 2 == 0) {
                            s.setMode(who, "g", i % 4 == 0 ? Mode.READ_ONLY : Mode.OPEN, null, base + i, null);
                        } else {
                            s.putHost(who, new HostMapping(who + "-" + i + ".example", "g", who));
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) {
                f.get(100, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(start + 2L * perThread, store.version());
        assertEquals(start + 2L * perThread, other.version());
        List<AuditEntry> audit = store.audit(1000);
        assertEquals(1 + 2 * perThread, audit.size());
        assertEquals(audit.size(), audit.stream().map(AuditEntry::version).distinct().count(),
                "each mutation produced a version of its own");
        assertEquals(perThread, store.hosts("g").size());
    }

    // ---- failures ----------------------------------------------------------------------------------------

    @Test
    @Timeout(30)
    void anUnreachableStoreFailsFast() {
        JdbcStore.Options quick = JdbcStore.Options.defaults()
                .withConnectionTimeout(Duration.ofMillis(500))
                .withInitializationFailTimeout(Duration.ofMillis(500));
        long t0 = System.nanoTime();
        StoreException e = assertThrows(StoreException.class, () -> new JdbcStore(unreachableUrl(), user(), password(), quick).close());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < 10_000, "took " + ms + " ms");
        assertNotNull(e.getMessage());
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }

    @Test
    void aStoreThatLosesItsDatabaseThrowsStoreException() throws Exception {
        store.putGroup("ops", group("g1", "127.0.0.1:8081"));
        destroyDatabaseUnderTheStore();
        assertThrows(StoreException.class, () -> store.version());
        assertThrows(StoreException.class, () -> store.load());
        assertThrows(StoreException.class, () -> store.putGroup("ops", group("g2", "127.0.0.1:8082")));
        assertThrows(StoreException.class, () -> store.heartbeat("gw", 1, null));
    }

    @Test
    void unsupportedUrlsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new JdbcStore("jdbc:postgresql://localhost/x", "", ""));
    }
}
