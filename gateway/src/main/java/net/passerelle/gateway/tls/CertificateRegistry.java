package net.passerelle.gateway.tls;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every certificate the gateway serves, from every source, and the index handshakes select from.
 *
 * <p>Sources ({@link CertificateDirectory}, the ACME store poller) replace their certificates whole or one by one;
 * each change builds a new immutable {@link CertificateIndex} and releases the contexts no longer served. A
 * handshake ({@link #select}) takes its own reference on the context it gets, so a context released by a reload
 * lives on until the connections that use it close: open connections are never cut by a reload.
 */
public final class CertificateRegistry implements AutoCloseable {
    private final String defaultName;
    private final Map<ServedCertificate.Source, Map<String, ServedCertificate>> bySource =
            new EnumMap<>(ServedCertificate.Source.class);
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile CertificateIndex index = CertificateIndex.EMPTY;

    /** @param defaultName {@code tls.defaultCertificate}, or null: handshakes without SNI are then refused */
    public CertificateRegistry(String defaultName) {
        this.defaultName = defaultName;
    }

    /**
     * The certificate for {@code sniName} (normalised), or for a handshake without SNI when it is null, with a
     * reference taken for the caller, who gives it back with {@link #release}; null when none serves it.
     */
    public ServedCertificate select(String sniName) {
        for (;;) {
            CertificateIndex current = index;
            ServedCertificate c = sniName == null ? current.fallback() : current.select(sniName);
            if (c == null || c.tryRetain()) {
                return c;
            }
            // Released by a concurrent reload after this index was read: the next index no longer holds it.
        }
    }

    /** True when a handshake without SNI gets a certificate now (no reference taken). */
    public boolean servesWithoutSni() {
        return index.fallback() != null;
    }

    /**
     * The certificate a handshake for {@code normalizedHost} gets now, or null. No reference is taken: for its id and
     * source, never for a handshake.
     */
    public ServedCertificate peek(String normalizedHost) {
        return index.select(normalizedHost);
    }

    /**
     * True when a certificate of {@code tls.certificates.dir} names {@code normalizedHost} itself (not by a wildcard):
     * it wins over ACME, so a certificate ordered for the host would never be served.
     */
    public boolean fileNames(String normalizedHost) {
        ServedCertificate served = index.select(normalizedHost);
        return served != null && served.source() == ServedCertificate.Source.FILE
                && served.names().names().contains(normalizedHost);
    }

    /** True when a certificate covers {@code normalizedHost} (no reference taken). */
    public boolean covers(String normalizedHost) {
        return index.select(normalizedHost) != null;
    }

    /** Gives back a reference taken by {@link #select}. */
    public static void release(ServedCertificate certificate) {
        certificate.release();
    }

    /** Replaces every certificate of {@code source}; the registry owns the new ones from now on. */
    public void replaceAll(ServedCertificate.Source source, Map<String, ServedCertificate> certificates) {
        List<ServedCertificate> retired;
        synchronized (this) {
            Map<String, ServedCertificate> old = bySource.put(source, new HashMap<>(certificates));
            retired = retired(old, certificates);
            rebuild();
        }
        retired.forEach(ServedCertificate::release);
        listeners.forEach(Runnable::run);
    }

    /** Adds or replaces one certificate of {@code source}, keyed by its id. */
    public void put(ServedCertificate certificate) {
        ServedCertificate old;
        synchronized (this) {
            old = bySource.computeIfAbsent(certificate.source(), s -> new HashMap<>()).put(certificate.id(), certificate);
            rebuild();
        }
        if (old != null && old != certificate) {
            old.release();
        }
        listeners.forEach(Runnable::run);
    }

    /** The certificates of one source, by id (no references taken: for listing, not for handshakes). */
    public synchronized Map<String, ServedCertificate> of(ServedCertificate.Source source) {
        return Map.copyOf(bySource.getOrDefault(source, Map.of()));
    }

    /** Every certificate served (no references taken). */
    public synchronized List<ServedCertificate> all() {
        List<ServedCertificate> out = new ArrayList<>();
        bySource.values().forEach(m -> out.addAll(m.values()));
        return out;
    }

    /** Called after every change, on the changing thread. */
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    private void rebuild() {
        index = new CertificateIndex(allUnlocked(), defaultName);
    }

    private List<ServedCertificate> allUnlocked() {
        List<ServedCertificate> out = new ArrayList<>();
        bySource.values().forEach(m -> out.addAll(m.values()));
        return out;
    }

    private static List<ServedCertificate> retired(Map<String, ServedCertificate> old, Map<String, ServedCertificate> kept) {
        if (old == null) {
            return List.of();
        }
        Set<ServedCertificate> keep = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        keep.addAll(kept.values());
        return old.values().stream().filter(c -> !keep.contains(c)).toList();
    }

    @Override
    public void close() {
        List<ServedCertificate> all;
        synchronized (this) {
            all = allUnlocked();
            bySource.clear();
            index = CertificateIndex.EMPTY;
        }
        all.forEach(ServedCertificate::release);
    }
}
