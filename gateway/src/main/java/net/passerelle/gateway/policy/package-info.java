/**
 * Write classification (product spec, "Data plane" item 3): is a request a read, a write, or refused?
 *
 * <p>Entry points: {@link net.passerelle.gateway.policy.ClassifierProfiles} (built from the {@code classification:}
 * section, {@link net.passerelle.gateway.config.ClassificationConfig}) hands out
 * {@link net.passerelle.gateway.policy.WriteClassifier}s by profile name. {@code classify(head)} answers a
 * {@link net.passerelle.gateway.policy.Decided} constant, or {@link net.passerelle.gateway.policy.NeedsBody} when the
 * class depends on a form field of the body (Piwigo's {@code ws.php} {@code method}); the caller then feeds the body
 * chunks to a {@link net.passerelle.gateway.policy.BodyPeek}, holding them back from the backend until it answers
 * (at most {@code bodyPeekLimitBytes}, 4 KiB by default, are ever looked at or copied).
 *
 * <p>Order of decision: {@code TRACE}/{@code CONNECT} are refused; a method-override header
 * ({@code X-HTTP-Method-Override}, {@code X-HTTP-Method}, {@code X-Method-Override}) makes a write; then the
 * profile's rules, first match wins (a user profile's own rules, then those of the profiles it extends); then the
 * built-in base: {@code http} (GET, HEAD, OPTIONS read; all else write) or {@code piwigo}
 * ({@link net.passerelle.gateway.policy.PiwigoProfile}). When in doubt, the answer is WRITE.
 */
package net.passerelle.gateway.policy;
