-- Passerelle store, version 7: since when a group is read-only, for its notices.

-- read_only_since: when the group's standing mode last became read-only (epoch ms, the writer's clock), kept while it
-- stays read-only (a change of its write policy or message is not a new read-only time), NULL when it is not
-- read-only. Set by every writer of the mode in the same transaction (ops' PUT, the migration's steps, the seed).
-- Groups that were read-only before V7 keep NULL: the time is unknown, and the notices then say nothing of it.
ALTER TABLE account_group ADD COLUMN read_only_since BIGINT NULL;
