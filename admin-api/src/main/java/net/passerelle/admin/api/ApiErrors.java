package net.passerelle.admin.api;

import net.passerelle.admin.store.ActiveMigrationException;
import net.passerelle.admin.store.ConflictException;
import net.passerelle.admin.store.GroupInUseException;
import net.passerelle.admin.store.NotFoundException;
import net.passerelle.admin.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/** The one mapping from exceptions to the API's JSON errors. */
final class ApiErrors {
    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

    private ApiErrors() {
    }

    static ApiException toApiException(Throwable t) {
        if (t instanceof ApiException e) {
            return e;
        }
        if (t instanceof GroupInUseException e) {
            return new ApiException(409, "group in use", e.getMessage(), Map.of("hosts", e.hosts()));
        }
        if (t instanceof ActiveMigrationException e) {
            return new ApiException(409, "migration in progress", e.getMessage(), Map.of("migration", e.migrationId()));
        }
        if (t instanceof ConflictException e) {
            return new ApiException(409, "conflict", e.getMessage());
        }
        if (t instanceof NotFoundException e) {
            return new ApiException(404, "not found", e.getMessage());
        }
        if (t instanceof IllegalArgumentException e) {
            return new ApiException(400, "bad value", e.getMessage());
        }
        if (t instanceof StoreException e) {
            log.warn("admin API: store unavailable: {}", e.getMessage());
            return new ApiException(503, "store unavailable", e.getMessage());
        }
        log.error("admin API: unexpected failure", t);
        return new ApiException(500, "internal error", t.getClass().getSimpleName());
    }
}
