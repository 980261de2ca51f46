package net.passerelle.gateway.ctl;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ctl --help}: its list of commands shows only the first line of each description, so that line is whole. */
class CtlHelpTest {

    @Test
    void everyCommandsFirstDescriptionLineIsAWholeSentence() {
        CommandLine ctl = new CommandLine(new CtlCommand());
        assertWhole(ctl);
        StringWriter out = new StringWriter();
        assertEquals(0, ctl.setOut(new PrintWriter(out, true)).execute("--help"));
        String migrate = out.toString().substring(out.toString().indexOf("  migrate "));
        assertTrue(migrate.replaceAll("\\s+", " ").contains("replay the queued writes"), out.toString());
    }

    private static void assertWhole(CommandLine parent) {
        parent.getSubcommands().forEach((name, sub) -> {
            String first = sub.getCommandSpec().usageMessage().description()[0];
            assertTrue(first.endsWith("."), sub.getCommandSpec().qualifiedName() + ": " + first);
            assertWhole(sub);
        });
    }
}
