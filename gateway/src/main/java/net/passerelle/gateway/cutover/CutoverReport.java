package net.passerelle.gateway.cutover;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What cutover verification found, as a tree of plain records that serialises to JSON as is:
 * host → new backend → address → {@link Check}, with the current backend's answer per host as the reference.
 *
 * @param ok        every check passed
 * @param path      the path requested
 * @param checkedAt when verification started
 * @param tookMillis how long it took
 * @param hosts     per host name of the group
 * @param problems  one line per failed check ("host …, backend …, address …: reason"), for logs and error details
 */
public record CutoverReport(boolean ok, String path, Instant checkedAt, long tookMillis, Map<String, HostReport> hosts,
                            List<String> problems) {

    /**
     * @param current  the current backend's answer for this host (the reference), or null when the group has none
     * @param backends new backend (as given) → address checked ({@code 127.0.0.1:8081}, {@code [::1]:8081}) → check
     */
    public record HostReport(Reference current, Map<String, Map<String, Check>> backends) {
    }

    /**
     * @param usable whether titles and status classes are compared with it (it answered, without 5xx or a default page)
     * @param note   why it is not usable, or null
     */
    public record Reference(String backend, String address, Integer status, String title, boolean usable, String note) {
    }

    /**
     * @param status  HTTP status, or null when no response came
     * @param title   the page's {@code <title>}, or null
     * @param verdict {@code ok} or {@code fail}
     * @param reason  what decided the verdict
     */
    public record Check(Integer status, String title, String verdict, String reason) {
        public boolean ok() {
            return "ok".equals(verdict);
        }
    }
}
