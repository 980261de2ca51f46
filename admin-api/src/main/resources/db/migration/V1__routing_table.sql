-- Passerelle store, version 1: the routing table, its version, the audit log and the fleet's heartbeats.
--
-- Written for both MariaDB 10.11 (InnoDB, Galera) and H2 2.x in MODE=MariaDB;DATABASE_TO_LOWER=TRUE.
-- Conventions:
--   * every table has a primary key (Galera requires it);
--   * instants are BIGINT milliseconds since the epoch, UTC: no time-zone conversion by driver or server,
--     no TIMESTAMP 2038 limit, identical on both databases;
--   * names are stored normalised (lower-case ASCII), so collations never matter for equality;
--   * no auto-increment value is relied upon for ordering or contiguity (Galera interleaves them).

-- The single row whose v is the version of the whole routing table. Every mutation locks it first
-- (SELECT ... FOR UPDATE) and increments it in the same transaction; on Galera, two mutations on different
-- nodes both write this row, so certification lets only one of them commit.
CREATE TABLE table_version (
    id INT NOT NULL,
    v  BIGINT NOT NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO table_version (id, v) VALUES (1, 0);

-- Account groups. The window_* columns are all null or all set.
CREATE TABLE account_group (
    name                VARCHAR(63) NOT NULL,
    mode                VARCHAR(16) NOT NULL,  -- open | read-only | maintenance
    writes              VARCHAR(16) NOT NULL,  -- reject | queue
    retry_after_seconds INT NOT NULL,
    message             TEXT NULL,             -- JSON object, language tag -> text; null when none
    profile             VARCHAR(63) NOT NULL,
    window_start        BIGINT NULL,           -- epoch ms, UTC, inclusive
    window_end          BIGINT NULL,           -- epoch ms, UTC, exclusive
    window_mode         VARCHAR(16) NULL,
    window_writes       VARCHAR(16) NULL,
    PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Backends and spares of a group, in order.
CREATE TABLE group_backend (
    group_name VARCHAR(63) NOT NULL,
    role       VARCHAR(8) NOT NULL,            -- backend | spare
    pos        INT NOT NULL,                   -- 0-based order within the role
    address    VARCHAR(300) NOT NULL,          -- host:port, [ipv6]:port
    PRIMARY KEY (group_name, role, pos),
    CONSTRAINT fk_group_backend_group FOREIGN KEY (group_name) REFERENCES account_group (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Host names (normalised: lower case, punycode, no trailing dot, no port) and the account they reach.
CREATE TABLE host_mapping (
    host       VARCHAR(253) NOT NULL,
    group_name VARCHAR(63) NOT NULL,
    account    VARCHAR(255) NOT NULL,
    PRIMARY KEY (host),
    CONSTRAINT fk_host_mapping_group FOREIGN KEY (group_name) REFERENCES account_group (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Every change, with the table version it produced. Newest first is ORDER BY version DESC, id DESC.
CREATE TABLE audit_log (
    id          BIGINT NOT NULL AUTO_INCREMENT,
    version     BIGINT NOT NULL,
    at_ms       BIGINT NOT NULL,
    actor       VARCHAR(255) NOT NULL,
    action      VARCHAR(64) NOT NULL,
    target      VARCHAR(253) NOT NULL,
    before_json TEXT NULL,
    after_json  TEXT NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE INDEX ix_audit_log_version ON audit_log (version, id);

-- Gateways' heartbeats: which table version each has in force.
CREATE TABLE gateway_status (
    gateway_id      VARCHAR(128) NOT NULL,
    applied_version BIGINT NOT NULL,
    heartbeat_ms    BIGINT NOT NULL,
    info            VARCHAR(1000) NULL,
    PRIMARY KEY (gateway_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- What the configuration's seed has already written once (kind: group | host), so that the seed never
-- re-creates what ops deleted through the API.
CREATE TABLE seed_history (
    kind      VARCHAR(8) NOT NULL,
    name      VARCHAR(253) NOT NULL,
    seeded_ms BIGINT NOT NULL,
    PRIMARY KEY (kind, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
