-- Passerelle store, version 3: gateways hold leases.
--
-- A gateway renews its lease with every heartbeat: lease_until_ms = the database's clock at the renewal plus
-- lease_ms (the gateway's store.lease). The admin API judges leases by the same database clock, so the fleet's
-- clocks need not agree with each other. A gateway that stops releases its lease (lease_until_ms = 0).
-- Rows whose lease_until_ms is null come from gateways older than this version: they are judged by the age of
-- their heartbeat as before (admin.gatewayTtl).
ALTER TABLE gateway_status ADD COLUMN lease_ms BIGINT NULL;
ALTER TABLE gateway_status ADD COLUMN lease_until_ms BIGINT NULL;
