-- Passerelle store, version 6: what a migration must give back when it opens its group again.

-- standing_writes: the group's own write policy (reject | queue) just before the migration set it read-only with the
-- migration's policy; NULL until then. Written in the transaction that takes the group read-only, and only if still
-- NULL, so that a driver resuming the step (the group already carries the migration's policy) cannot overwrite it;
-- read back in the transaction that opens the group (the open step, or an abort), which restores it.
ALTER TABLE migration ADD COLUMN standing_writes VARCHAR(16) NULL;
