package net.passerelle.gateway.spool;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileStore;

/**
 * Admission of bytes to the spool: a group's quota, {@code spool.maxEntryBytes} and the disk's free-space floor.
 * A writer reserves before it writes (so a full quota or disk refuses the request instead of failing it half way),
 * and a reservation becomes committed bytes when its entry is acknowledged. The group's monitor guards its counters.
 */
final class SpoolQuotas {
    // under the spool's name, as before the split: operators filter and alert on that logger
    private static final Logger log = LoggerFactory.getLogger(Spool.class);

    private final SpoolSettings settings;
    private final FileStore fileStore;
    /** read from the file store at start, after each commit and every MiB written; reservations check against it */
    private volatile long usableSpace;

    SpoolQuotas(SpoolSettings settings, FileStore fileStore) {
        this.settings = settings;
        this.fileStore = fileStore;
    }

    /**
     * Admits a new entry whose head and announced body take {@code initial} bytes: reserves them and counts the
     * group's open writer (the replayer waits for those), or throws without changing anything.
     */
    void admit(GroupSpool g, long initial, long quota) {
        if (initial > settings.maxEntryBytes()) {
            throw new SpoolException(SpoolException.Reason.ENTRY_TOO_LARGE, "entry of " + initial
                    + " bytes exceeds spool.maxEntryBytes (" + settings.maxEntryBytes() + ")");
        }
        synchronized (g) {
            reserve(g, initial, quota);
            g.openWriters++;
        }
    }

    /** Reserves {@code bytes} of the group's quota and of the disk, or throws. */
    void reserve(GroupSpool g, long bytes, long quota) {
        synchronized (g) {
            if (g.committedBytes + g.reservedBytes + bytes > quota) {
                throw new SpoolException(SpoolException.Reason.GROUP_QUOTA, "spool quota of group " + g.name + " ("
                        + quota + " bytes) would be exceeded");
            }
            if (usableSpace - bytes < settings.minFreeBytes()) {
                throw new SpoolException(SpoolException.Reason.DISK_FULL, "spool disk has "
                        + usableSpace + " bytes usable, under the floor of " + settings.minFreeBytes() + " + " + bytes);
            }
            g.reservedBytes += bytes;
        }
    }

    void release(GroupSpool g, long reserved) {
        synchronized (g) {
            g.reservedBytes -= reserved;
        }
    }

    /** Called on the disk executor when a writer's file became a committed entry. */
    void committed(GroupSpool g, long reserved, Tracked t) {
        synchronized (g) {
            g.reservedBytes -= reserved;
            g.committedBytes += t.size;
            g.openWriters--;
            g.add(t);
            g.notifyAll();
        }
    }

    void writerClosed(GroupSpool g) {
        synchronized (g) {
            g.openWriters--;
            g.notifyAll();
        }
    }

    void refreshUsableSpace() {
        try {
            usableSpace = fileStore.getUsableSpace();
        } catch (IOException e) {
            usableSpace = 0;
            log.error("spool: cannot read the free space of {}: {}", settings.dir(), e.toString());
        }
    }
}
