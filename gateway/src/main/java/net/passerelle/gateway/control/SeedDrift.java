package net.passerelle.gateway.control;

import net.passerelle.admin.model.Group;
import net.passerelle.admin.model.HostMapping;
import net.passerelle.admin.model.RoutingState;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where the configuration's {@code seed} and the store disagree. The seed only creates what it never created
 * before, so once ops have changed a group through the API (or deleted it), an edited seed changes nothing: said
 * once at start, one line per difference, instead of being ignored without a word.
 */
final class SeedDrift {
    private SeedDrift() {
    }

    /** One line per difference ({@code seed.groups.srv-12.mode: the file says read-only, the store has open}). */
    static List<String> differences(List<Group> seedGroups, List<HostMapping> seedHosts, RoutingState store) {
        List<String> out = new ArrayList<>();
        for (Group seeded : seedGroups) {
            Optional<Group> stored = store.groups().stream().filter(g -> g.name().equals(seeded.name())).findFirst();
            String key = "seed.groups." + seeded.name();
            if (stored.isEmpty()) {
                out.add(key + ": not in the store (deleted through the API after it was seeded)");
                continue;
            }
            Group g = stored.get();
            compare(out, key + ".backends", seeded, g, x -> x.backends().toString());
            compare(out, key + ".spares", seeded, g, x -> x.spares().toString());
            compare(out, key + ".mode", seeded, g, x -> x.mode().wireName());
            compare(out, key + ".writes", seeded, g, x -> x.writes().wireName());
            compare(out, key + ".retryAfterSeconds", seeded, g, x -> String.valueOf(x.retryAfterSeconds()));
            compare(out, key + ".message", seeded, g, x -> String.valueOf(new java.util.TreeMap<>(x.message())));
            compare(out, key + ".profile", seeded, g, Group::profile);
        }
        for (HostMapping seeded : seedHosts) {
            Optional<HostMapping> stored = store.hosts().stream().filter(h -> h.host().equals(seeded.host())).findFirst();
            String key = "seed.hosts." + seeded.host();
            if (stored.isEmpty()) {
                out.add(key + ": not in the store (deleted through the API after it was seeded)");
                continue;
            }
            compare(out, key + ".group", seeded, stored.get(), HostMapping::group);
            compare(out, key + ".account", seeded, stored.get(), HostMapping::account);
        }
        return out;
    }

    private static <T> void compare(List<String> out, String key, T file, T store, Function<T, String> field) {
        String a = field.apply(file);
        String b = field.apply(store);
        if (!Objects.equals(a, b)) {
            out.add(key + ": the file says " + a + ", the store has " + b);
        }
    }
}
