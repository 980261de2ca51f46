package net.passerelle.admin.store;

import net.passerelle.admin.model.Backend;
import net.passerelle.admin.model.Group;
import net.passerelle.admin.model.HostMapping;

import java.util.List;

/**
 * The child process of {@link H2StoreCrashTest}: registers hosts one after another in the embedded store and prints
 * {@code ACK <host>} once each call has returned, which is when the admin API would answer 200. It never stops by
 * itself: the test kills it.
 */
public final class StoreStorm {
    private StoreStorm() {
    }

    public static void main(String[] args) {
        JdbcStore store = new JdbcStore(args[0], "", "");
        store.putGroup("ops", Group.of("g", List.of(Backend.parse("10.0.0.1:80"))));
        for (int i = 0; ; i++) {
            String host = "h" + i + ".example";
            store.putHost("ops", new HostMapping(host, "g", "a" + i));
            System.out.println("ACK " + host);
            System.out.flush();
        }
    }
}
