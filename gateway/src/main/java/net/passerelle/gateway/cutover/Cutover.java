package net.passerelle.gateway.cutover;

import net.passerelle.gateway.routing.Backend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Moves a group to new backends: verifies them ({@link CutoverVerifier}) unless asked not to, then applies the
 * switch through {@link Apply} (the store's atomic {@code setBackends}, which bumps the table version that every
 * gateway picks up). Nothing is applied when verification fails. Rolling back is a cutover to the old backends.
 *
 * <p>What happens on the data plane after the switch: the next table routes every new request to the new backends;
 * requests already forwarded finish on the old ones (each exchange holds its backend); idle pooled connections to
 * backends no longer in the table are closed by {@code HealthRegistry.track}.
 */
public final class Cutover {
    private static final Logger log = LoggerFactory.getLogger(Cutover.class);

    /** The switch itself; runs on the verifier's executor, never on a Netty loop, and may block (JDBC). */
    @FunctionalInterface
    public interface Apply {
        void apply(String group, List<String> backends, List<String> spares) throws Exception;
    }

    /**
     * @param hosts           the group's host names
     * @param currentBackends the group's backends now
     * @param path            what to request when verifying ({@code /} by default)
     */
    public record Request(String group, Collection<String> hosts, List<Backend> currentBackends, List<String> backends,
                          List<String> spares, boolean verify, String path) {
        public Request {
            hosts = List.copyOf(hosts);
            currentBackends = List.copyOf(currentBackends);
            backends = List.copyOf(backends);
            spares = spares == null ? List.of() : List.copyOf(spares);
            if (backends.isEmpty()) {
                throw new IllegalArgumentException("a cutover needs at least one backend");
            }
        }
    }

    /**
     * @param switched   whether the switch was applied
     * @param switchedAt when the store committed it (null when not switched)
     * @param report     the verification report (null when verification was skipped)
     */
    public record Result(boolean switched, Instant switchedAt, CutoverReport report) {
    }

    private final CutoverVerifier verifier;
    private final Clock clock;

    public Cutover(CutoverVerifier verifier, Clock clock) {
        this.verifier = verifier;
        this.clock = clock;
    }

    /**
     * Verifies the new backends and spares for every host of the group, then applies. A failed verification
     * completes normally with {@code switched == false} and the report (the API's 409); a failure of {@code apply}
     * completes exceptionally.
     */
    public CompletableFuture<Result> run(Request request, Apply apply) {
        CompletableFuture<CutoverReport> verified;
        if (request.verify()) {
            List<String> all = new ArrayList<>(request.backends());
            all.addAll(request.spares());
            verified = verifier.verify(request.hosts(), request.currentBackends(), all, request.path());
        } else {
            verified = CompletableFuture.completedFuture(null);
        }
        return verified.thenApplyAsync(report -> {
            if (report != null && !report.ok()) {
                log.warn("cutover of group {} to {} refused: {}", request.group(), request.backends(), report.problems());
                return new Result(false, null, report);
            }
            try {
                apply.apply(request.group(), request.backends(), request.spares());
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
            Instant at = clock.instant();
            log.info("group {} switched to backends {} spares {} at {}{}", request.group(), request.backends(),
                    request.spares(), at, report == null ? " (not verified)" : "");
            return new Result(true, at, report);
        }, verifier.executor());
    }
}
