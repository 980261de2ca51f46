-- Passerelle store, version 4: TLS certificates ordered through ACME, shared by the fleet (one gateway orders a
-- name, every gateway serves it). Same conventions as V1 (BIGINT epoch-ms instants, primary keys everywhere,
-- normalised host names). Private keys are stored sealed by the gateways (AES-GCM with tls.acme.storeKey) or, when
-- no key is configured, plainly with a "plain:" prefix: the store never sees the sealing key.

-- The single row whose v changes with every certificate or challenge change: gateways poll it, as they poll
-- table_version for the routing table.
CREATE TABLE tls_version (
    id INT NOT NULL,
    v  BIGINT NOT NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO tls_version (id, v) VALUES (1, 0);

-- The ACME account of a directory (keyed by the SHA-256 of its URL, hex): its key pair and its URL.
CREATE TABLE tls_acme_account (
    directory_id VARCHAR(64)   NOT NULL,
    directory    VARCHAR(1000) NOT NULL,
    account_url  VARCHAR(1000) NULL,
    key_data     TEXT          NOT NULL,  -- sealed PKCS#8
    created_ms   BIGINT        NOT NULL,
    PRIMARY KEY (directory_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- One certificate per host name ordered on demand.
CREATE TABLE tls_certificate (
    host       VARCHAR(253)  NOT NULL,
    chain_pem  MEDIUMTEXT    NOT NULL,    -- leaf first
    key_data   TEXT          NOT NULL,    -- sealed PKCS#8
    issuer     VARCHAR(1000) NOT NULL,
    not_before BIGINT        NOT NULL,
    not_after  BIGINT        NOT NULL,
    updated_ms BIGINT        NOT NULL,
    PRIMARY KEY (host)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- HTTP-01 answers being validated, so that whichever gateway the ACME server reaches answers them.
CREATE TABLE tls_acme_challenge (
    token             VARCHAR(255)  NOT NULL,
    host              VARCHAR(253)  NOT NULL,
    key_authorization VARCHAR(1000) NOT NULL,
    expires_ms        BIGINT        NOT NULL,
    PRIMARY KEY (token)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Per host: who is ordering it (a lock with a holder and an expiry, so a crashed gateway's claim lapses), the
-- fleet-wide back-off after failures, and a renewal asked for by ops.
CREATE TABLE tls_order (
    host            VARCHAR(253)  NOT NULL,
    holder          VARCHAR(128)  NULL,
    lock_expires_ms BIGINT        NOT NULL,
    failures        INT           NOT NULL,
    next_attempt_ms BIGINT        NOT NULL,
    last_error      VARCHAR(1000) NULL,
    renew_requested INT           NOT NULL,
    PRIMARY KEY (host)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
