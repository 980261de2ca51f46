package net.passerelle.gateway.policy;

/** A verdict reached from the head alone. There are exactly three instances; compare with {@code ==} if you like. */
public final class Decided implements HeadVerdict {
    public static final Decided READ = new Decided(RequestClass.READ);
    public static final Decided WRITE = new Decided(RequestClass.WRITE);
    public static final Decided REFUSED = new Decided(RequestClass.REFUSED);

    private final RequestClass requestClass;

    private Decided(RequestClass requestClass) {
        this.requestClass = requestClass;
    }

    public RequestClass requestClass() {
        return requestClass;
    }

    public static Decided of(RequestClass c) {
        return switch (c) {
            case READ -> READ;
            case WRITE -> WRITE;
            case REFUSED -> REFUSED;
        };
    }

    @Override
    public String toString() {
        return "Decided[" + requestClass + "]";
    }
}
