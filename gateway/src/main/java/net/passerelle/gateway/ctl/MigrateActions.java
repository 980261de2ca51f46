package net.passerelle.gateway.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ctl migrate continue|abort|follow [ID|GROUP]}: steer a migration in progress (the only one when no argument
 * names it), then follow its steps like the command that created it.
 */
final class MigrateActions {
    private MigrateActions() {
    }

    /** What the three share: the migration named, the call, the following. */
    abstract static class OnMigration extends CtlSubcommand {
        @Parameters(arity = "0..1", paramLabel = "ID|GROUP",
                description = "a migration id, or a group (its migration in progress); default: the only one in progress")
        String target;

        @Option(names = "--no-follow", description = "return once the API accepted it, without following the steps")
        boolean noFollow;

        /** The call to make ({@code continue}, {@code abort}), or null to follow only. */
        abstract String action();

        @Override
        int run(AdminClient client) {
            JsonNode before = MigrationTarget.resolve(client, target, false);
            String id = before.path("id").asText();
            if (action() != null) {
                AdminClient.Answer a = client.call("POST", "v1/migrations/" + AdminClient.seg(id) + "/" + action(), null);
                int code = failed(a, false);
                if (code >= 0) {
                    return code;
                }
                out().println(json() ? a.body() : id + ": " + action() + " accepted, " + a.json().path("state").asText());
                out().flush();
                if (noFollow) {
                    return Exit.APPLIED;
                }
            }
            boolean abort = "abort".equals(action());
            MigrationFollower follower = new MigrationFollower(client, out(), json(), action() == null ? null : before, ctl().again());
            JsonNode last = follower.follow(id, follower.stopAt(abort ? MigrationText.FINAL : MigrateCommand.STOPS));
            return json() ? MigrationEnd.exitCode(last, abort) : new MigrationEnd(out(), ctl().again()).explain(last, abort);
        }
    }

    @Command(name = "continue", mixinStandardHelpOptions = true,
            description = "The data is copied (awaiting-copy), or the new backends are fixed (verification-failed): verify them,"
                    + " cut over, open, replay; follows the steps.")
    static final class Continue extends OnMigration {
        @Override
        String action() {
            return "continue";
        }
    }

    @Command(name = "abort", mixinStandardHelpOptions = true,
            description = "Give up before the cutover: the group opens on its old backends and its queued writes replay there.")
    static final class Abort extends OnMigration {
        @Override
        String action() {
            return "abort";
        }
    }

    @Command(name = "follow", mixinStandardHelpOptions = true,
            description = "Follow a migration's steps as they happen, up to where the operator acts, or its end.")
    static final class Follow extends OnMigration {
        @Override
        String action() {
            return null;
        }
    }
}
