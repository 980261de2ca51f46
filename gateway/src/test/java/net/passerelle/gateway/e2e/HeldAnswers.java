package net.passerelle.gateway.e2e;

import io.netty.channel.ChannelHandlerContext;
import net.passerelle.gateway.testing.StubBackend;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A backend's answers held back until the test lets them go: a request it matches is received (and recorded by the
 * {@link StubBackend}) but answered only at {@link #open()}; once open, every request is answered at once. This is
 * how a test keeps a gateway inside a step that waits for a backend (a verification, a replay) for as long as it
 * needs to, without timing anything. A held answer to a connection that closed meanwhile (its gateway was killed)
 * is written to nothing and released by Netty.
 */
final class HeldAnswers implements StubBackend.Responder {
    private final StubBackend.Responder answer;
    private final Predicate<StubBackend.Seen> held;
    /** The answers held so far, guarded by this. */
    private final List<Runnable> waiting = new ArrayList<>();
    private int count;
    private boolean open;

    HeldAnswers(StubBackend.Responder answer, Predicate<StubBackend.Seen> held) {
        this.answer = answer;
        this.held = held;
    }

    @Override
    public void respond(ChannelHandlerContext ctx, StubBackend.Seen request) {
        synchronized (this) {
            if (!open && held.test(request)) {
                count++;
                waiting.add(() -> ctx.executor().execute(() -> answer.respond(ctx, request)));
                return;
            }
        }
        answer.respond(ctx, request);
    }

    /** How many requests have been held back so far, answered since or not. */
    synchronized int held() {
        return count;
    }

    /** Answers what was held, and from now on every request at once. */
    void open() {
        List<Runnable> release;
        synchronized (this) {
            open = true;
            release = List.copyOf(waiting);
            waiting.clear();
        }
        release.forEach(Runnable::run);
    }
}
