package net.passerelle.gateway;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.JMException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;

/**
 * Gives back to the system the C heap that start-up used and freed. Opening the store (H2, Flyway), loading some
 * eight thousand classes and compiling them leave glibc's malloc arenas holding about 20 MiB that nothing uses
 * any more, and glibc keeps it unless asked: measured on the default launch, RSS 161 → 140 MiB. The JVM's
 * {@code System.trim_native_heap} command asks (malloc_trim); called once when the gateway has started, through
 * the platform's diagnostic-command MBean, so no launch flag is needed. The default launch ({@code deploy/jvm.options})
 * trims on a schedule instead ({@code -XX:TrimNativeHeapInterval}), and then this one-off is skipped: the MBean
 * server it needs would load some 150 JMX classes that stay resident for the life of the gateway.
 */
final class NativeHeap {
    private static final Logger log = LoggerFactory.getLogger(NativeHeap.class);

    private NativeHeap() {
    }

    /** Trims now; a JVM without the command (not HotSpot on glibc, or older than 17.0.9) is left as it is. */
    static void trim() {
        if (trimmedOnSchedule()) {
            log.debug("native heap: trimmed on the JVM's schedule (-XX:TrimNativeHeapInterval)");
            return;
        }
        try {
            Object said = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "systemTrimNativeHeap",
                    new Object[]{null}, new String[]{String[].class.getName()});
            log.debug("native heap trimmed after start-up: {}", String.valueOf(said).trim());
        } catch (JMException | RuntimeException e) {
            log.debug("native heap not trimmed (the JVM has no System.trim_native_heap): {}", e.toString());
        }
    }

    private static boolean trimmedOnSchedule() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-XX:TrimNativeHeapInterval=") && !a.endsWith("=0"));
    }
}
