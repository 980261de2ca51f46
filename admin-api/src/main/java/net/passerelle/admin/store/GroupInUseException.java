package net.passerelle.admin.store;

import java.util.List;

/** A group cannot be deleted while hosts are mapped to it. */
public class GroupInUseException extends ConflictException {
    private static final long serialVersionUID = 1L;

    private final String group;
    private final List<String> hosts;

    public GroupInUseException(String group, List<String> hosts) {
        super("group '" + group + "' is used by " + hosts.size() + " host(s): "
                + String.join(", ", hosts.size() > 10 ? hosts.subList(0, 10) : hosts) + (hosts.size() > 10 ? ", …" : ""));
        this.group = group;
        this.hosts = List.copyOf(hosts);
    }

    public String group() {
        return group;
    }

    /** The hosts that use the group (all of them), sorted. */
    public List<String> hosts() {
        return hosts;
    }
}
