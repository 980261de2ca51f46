package net.passerelle.gateway.migration;

import net.passerelle.admin.api.FleetConfirmer;
import net.passerelle.admin.model.Migration;
import net.passerelle.gateway.cutover.CutoverReport;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** Effects a test steers: confirmations, verifications and replay progress answer what the test says, when it says. */
final class FakeEffects implements MigrationEffects {
    volatile Function<Long, CompletableFuture<FleetConfirmer.Confirmation>> confirm = v -> CompletableFuture.completedFuture(
            new FleetConfirmer.Confirmation(v, 1, 1, List.of(), List.of(), true));
    volatile Function<Migration, CompletableFuture<CutoverReport>> verify = m -> CompletableFuture.completedFuture(report(true));
    volatile ReplayProgress replay = new ReplayProgress(0, 0, 0, Map.of());
    final AtomicInteger verifications = new AtomicInteger();
    final AtomicInteger confirmations = new AtomicInteger();

    static CutoverReport report(boolean ok) {
        return new CutoverReport(ok, "/", Instant.now(), 1, Map.of(),
                ok ? List.of() : List.of("host alice.gallery.example, backend new:80, address [::1]:80: default page: Welcome to nginx!"));
    }

    @Override
    public CompletableFuture<FleetConfirmer.Confirmation> confirm(long version) {
        confirmations.incrementAndGet();
        return confirm.apply(version);
    }

    @Override
    public CompletableFuture<CutoverReport> verify(Migration m) {
        verifications.incrementAndGet();
        return verify.apply(m);
    }

    @Override
    public ReplayProgress replay(Migration m) {
        return replay;
    }
}
