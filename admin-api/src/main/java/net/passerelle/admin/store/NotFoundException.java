package net.passerelle.admin.store;

/** The named group or host does not exist (the API answers {@code 404}, or {@code 422} for a reference in a body). */
public class NotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String kind;
    private final String name;

    /**
     * @param kind {@code group} or {@code host}
     * @param name the name that was looked up
     */
    public NotFoundException(String kind, String name) {
        super(kind + " '" + name + "' does not exist");
        this.kind = kind;
        this.name = name;
    }

    /** {@code group} or {@code host}. */
    public String kind() {
        return kind;
    }

    public String name() {
        return name;
    }
}
