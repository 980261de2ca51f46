package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * What every {@code ctl} subcommand shares: the connection of the enclosing {@link CtlCommand}, the output streams
 * picocli was given, {@code --json}, the progress line, and the mapping of failures to {@link Exit} codes.
 */
abstract class CtlSubcommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** Runs the command; returns its exit code. */
    abstract int run(AdminClient client) throws Exception;

    @Override
    public final Integer call() throws Exception {
        try {
            return run(ctl().client());
        } catch (CtlException e) {
            err().println("passerelle ctl: " + e.getMessage());
            err().flush();
            return e.exitCode();
        }
    }

    final CtlCommand ctl() {
        CommandSpec s = spec;
        while (s != null && !(s.userObject() instanceof CtlCommand)) {
            s = s.parent();
        }
        if (s == null) {
            throw new IllegalStateException(getClass().getSimpleName() + " runs under 'ctl' only");
        }
        return (CtlCommand) s.userObject();
    }

    final PrintWriter out() {
        return spec.commandLine().getOut();
    }

    final PrintWriter err() {
        return spec.commandLine().getErr();
    }

    final boolean json() {
        return ctl().json;
    }

    /** A call that waits for the fleet, with the progress line while it waits. */
    final AdminClient.Answer waitForFleet(AdminClient client, String method, String path, Object body, String what) throws Exception {
        try (AutoCloseable ignored = Progress.start(ctl().showProgress(), err(), what)) {
            return client.call(method, path, body);
        }
    }

    /**
     * Prints a failed answer (the JSON as is with {@code --json}, else its error line on standard error) and returns
     * its exit code; returns -1 for a success, which the caller renders.
     */
    final int failed(AdminClient.Answer a, boolean fleetWait) {
        if (a.status() >= 200 && a.status() < 300) {
            return -1;
        }
        if (json()) {
            out().println(a.body());
            out().flush();
        } else {
            err().println("passerelle ctl: " + a.errorLine());
            err().flush();
        }
        return Exit.of(a.status(), fleetWait);
    }

    /**
     * What a read prints when it is not a table: a failure (its exit code), or the raw JSON with {@code --json} (the
     * answer's exit code); -1 when the caller renders its table.
     */
    final int unlessTable(AdminClient.Answer a) {
        int code = failed(a, false);
        if (code >= 0) {
            return code;
        }
        return json() ? printJson(a, false) : -1;
    }

    /** The raw JSON with {@code --json}. */
    final int printJson(AdminClient.Answer a, boolean fleetWait) {
        out().println(a.body());
        out().flush();
        return Exit.of(a.status(), fleetWait);
    }

    /** "applied by 2 of 2 gateways (version 7)", or the laggards of a 202. */
    static String confirmation(JsonNode j) {
        String s = "applied by " + j.path("applied").asInt() + " of " + j.path("gateways").asInt() + " live gateway(s)";
        if (j.has("version")) {
            s += ", table version " + j.path("version").asLong();
        }
        if (j.has("laggards")) {
            s += "; NOT confirmed by: " + String.join(", ", texts(j.path("laggards")));
        }
        return s;
    }

    static java.util.List<String> texts(JsonNode array) {
        java.util.List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** A JSON text or null as a cell. */
    static String text(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? null : n.asText();
    }
}
