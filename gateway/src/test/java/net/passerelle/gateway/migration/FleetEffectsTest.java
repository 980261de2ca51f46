package net.passerelle.gateway.migration;

import net.passerelle.admin.api.FleetConfirmer;
import net.passerelle.admin.model.Backend;
import net.passerelle.admin.model.Group;
import net.passerelle.admin.model.Migration;
import net.passerelle.admin.model.MigrationState;
import net.passerelle.admin.model.WritePolicy;
import net.passerelle.admin.store.JdbcStore;
import net.passerelle.admin.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The replaying step's view of the fleet's spools, from the heartbeats in a real store. */
class FleetEffectsTest {
    @TempDir
    Path dir;
    private Store store;
    private FleetConfirmer confirmer;

    @BeforeEach
    void open() {
        store = new JdbcStore("jdbc:h2:file:" + dir.resolve("store"), "", "");
        store.putGroup("ops", Group.of("srv-12", List.of(Backend.parse("10.0.0.1:80"))));
        confirmer = new FleetConfirmer(() -> store, Duration.ofSeconds(1), Duration.ofSeconds(3));
    }

    @AfterEach
    void close() {
        confirmer.close();
        store.close();
    }

    @Test
    void liveGatewaysAreWaitedForAndGoneOnesNamed() {
        Instant since = Instant.now().minusSeconds(60);
        Migration m = new Migration("mig-1", "srv-12", MigrationState.REPLAYING, WritePolicy.QUEUE,
                new Migration.Placement(List.of("10.0.0.1:80"), null), new Migration.Placement(List.of("10.0.0.9:80"), null),
                null, null, null, since, since, since, null, null, null, null, null, true, List.of());
        store.renewLease("gw-a", 1, "listeners=[] spool-waiting=srv-12:9", Duration.ofSeconds(30)); // this process
        store.renewLease("gw-b", 1, "listeners=[] spool-waiting=srv-13:1,srv-12:2", Duration.ofSeconds(30));
        store.renewLease("gw-c", 1, "listeners=[] spool-waiting=srv-12:4", Duration.ofSeconds(30));
        store.releaseLease("gw-c"); // stopped (or killed and its lease ran out) with writes on its disk
        store.renewLease("gw-d", 1, "listeners=[]", Duration.ofSeconds(30));
        FleetEffects effects = new FleetEffects(() -> store, confirmer, null, null, "/", null, null, "gw-a");
        ReplayProgress p = effects.replay(m);
        assertEquals(Map.of("gw-b", 2), p.elsewhere());
        assertEquals(Map.of("gw-c", 4), p.unreachable());
        assertEquals(2, p.waitingInFleet(), "this gateway's own count comes from its spool, not its heartbeat");
        store.renewLease("gw-b", 1, "listeners=[]", Duration.ofSeconds(30));
        assertEquals(0, effects.replay(m).waitingInFleet());
    }
}
