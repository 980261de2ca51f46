-- Passerelle store, version 5: migrations, the morning of a server move run as one state machine by the fleet.
-- Same conventions as V1 (BIGINT epoch-ms instants, primary keys everywhere, no auto-increment relied upon).

-- One row per migration. active_group is the group's name while the migration is not finished and NULL after:
-- its UNIQUE constraint is what keeps one active migration per group, checked by the database inside the
-- inserting transaction (both MariaDB and H2 let any number of rows hold NULL in a unique column), so two
-- processes creating a migration for the same group at once cannot both succeed.
-- lock_owner / lock_until_ms: the admin process driving it, until when by the database's clock; a lock whose time
-- has passed may be taken by any other process (it died, or froze).
CREATE TABLE migration (
    id                    VARCHAR(64)   NOT NULL,
    group_name            VARCHAR(63)   NOT NULL,
    active_group          VARCHAR(63)   NULL,
    state                 VARCHAR(24)   NOT NULL,
    writes                VARCHAR(16)   NOT NULL,
    from_json             TEXT          NOT NULL,  -- {"backends": [...], "spares": [...]}
    to_json               TEXT          NOT NULL,
    max_read_only_seconds INT           NULL,
    start_ms              BIGINT        NULL,
    verify_path           VARCHAR(1000) NULL,
    created_ms            BIGINT        NOT NULL,
    updated_ms            BIGINT        NOT NULL,
    read_only_since_ms    BIGINT        NULL,
    overrun_ms            BIGINT        NULL,
    report_json           MEDIUMTEXT    NULL,
    spool_json            TEXT          NULL,
    lock_owner            VARCHAR(128)  NULL,
    lock_until_ms         BIGINT        NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_migration_active_group UNIQUE (active_group)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE INDEX ix_migration_group ON migration (group_name, created_ms);

-- The steps a migration went through, in order (seq from 0); the steps still planned are not stored.
CREATE TABLE migration_step (
    migration_id VARCHAR(64)   NOT NULL,
    seq          INT           NOT NULL,
    step         VARCHAR(24)   NOT NULL,
    status       VARCHAR(16)   NOT NULL,  -- running | done | failed | skipped
    started_ms   BIGINT        NULL,
    ended_ms     BIGINT        NULL,
    outcome      VARCHAR(1000) NULL,
    PRIMARY KEY (migration_id, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
