-- Passerelle store, version 2: the administrative state of backends (HAProxy's ready / drain / maint), shared by
-- the fleet. A backend without a row is ready. Keyed by the backend's address as the table writes it
-- ("10.0.0.21:80", "[2001:db8::21]:80"), so one state applies to every group that uses the backend.
CREATE TABLE backend_state (
    address    VARCHAR(300) NOT NULL,
    state      VARCHAR(16)  NOT NULL,
    updated_ms BIGINT       NOT NULL,
    PRIMARY KEY (address)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
