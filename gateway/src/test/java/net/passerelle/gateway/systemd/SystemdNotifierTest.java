package net.passerelle.gateway.systemd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sd_notify datagrams to a real unix datagram socket, at a path and in the abstract namespace. */
class SystemdNotifierTest {
    @TempDir
    Path dir;

    @Test
    void readyWatchdogAndStoppingReachTheSocketAtAPath() throws Exception {
        try (NotifySocket socket = new NotifySocket(dir.resolve("notify").toString())) {
            SystemdNotifier n = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", socket.name(),
                    "WATCHDOG_USEC", "100000", "WATCHDOG_PID", String.valueOf(ProcessHandle.current().pid()))::get);
            try {
                assertTrue(n.enabled());
                n.ready("serving 2 hosts");
                assertEquals("READY=1\nSTATUS=serving 2 hosts", socket.next(5));
                n.startWatchdog(() -> true);
                assertEquals("WATCHDOG=1", socket.next(5));
                assertEquals("WATCHDOG=1", socket.next(5), "pinged again, every half of WATCHDOG_USEC");
                n.reloading();
                assertTrue(socket.await("RELOADING=1\nMONOTONIC_USEC=", 5).matches("RELOADING=1\nMONOTONIC_USEC=\\d+"));
                n.stopping();
                assertEquals("STOPPING=1\nSTATUS=draining", socket.await("STOPPING=1", 5));
            } finally {
                n.close();
            }
        }
    }

    @Test
    void theAbstractNamespaceIsWrittenWithAnAt() throws Exception {
        try (NotifySocket socket = new NotifySocket("@passerelle-test-" + UUID.randomUUID())) {
            try (SystemdNotifier n = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", socket.name())::get)) {
                n.ready("ok");
                assertEquals("READY=1\nSTATUS=ok", socket.next(5));
            }
        }
    }

    @Test
    void withoutNotifySocketNothingIsSent() {
        try (SystemdNotifier n = SystemdNotifier.fromEnvironment(Map.<String, String>of()::get)) {
            assertFalse(n.enabled());
            n.ready("ignored");
            n.startWatchdog(() -> true);
        }
    }
}
