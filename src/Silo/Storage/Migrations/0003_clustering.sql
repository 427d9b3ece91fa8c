-- Cluster membership for the AdoNetClustering provider (silos) and its gateway list provider (clients).
--
-- Orleans' membership protocol versions the whole table: every insert or update of a silo row must name the
-- table version it read (@Version) and bumps it, atomically, or changes nothing. Each statement below first
-- locks the cluster's version row only if it still holds @Version (FOR UPDATE re-checks the row after a
-- concurrent change, so the loser of a race finds no row), then changes the silo row, then bumps the version
-- from the changed row, so a failed step leaves nothing behind. Orleans keys everything by @DeploymentId,
-- which is the ClusterId.
CREATE TABLE orleans_membership_version
(
    cluster_id text        COLLATE "C" NOT NULL PRIMARY KEY,
    version    integer     NOT NULL DEFAULT 0,
    changed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orleans_membership
(
    cluster_id      text        COLLATE "C" NOT NULL
        REFERENCES orleans_membership_version (cluster_id) ON DELETE CASCADE,
    address         text        NOT NULL,
    port            integer     NOT NULL,
    generation      integer     NOT NULL,
    silo_name       text        NOT NULL,
    host_name       text        NOT NULL,
    -- Orleans SiloStatus: 1 Created, 2 Joining, 3 Active, 4 ShuttingDown, 5 Stopping, 6 Dead
    status          integer     NOT NULL,
    proxy_port      integer     NOT NULL,
    -- "silo address,time|silo address,time", written and parsed by Orleans
    suspect_times   text,
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,

    PRIMARY KEY (cluster_id, address, port, generation)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
-- Returns true when this call created the cluster's version row.
('InsertMembershipVersionKey', $query$
WITH created AS (
    INSERT INTO orleans_membership_version (cluster_id) VALUES (@DeploymentId)
    ON CONFLICT (cluster_id) DO NOTHING
    RETURNING cluster_id
)
SELECT EXISTS (SELECT 1 FROM created)
$query$),

-- Returns true when the silo row was added and the table version bumped; false when the version was stale or
-- the silo is already there.
('InsertMembershipKey', $query$
WITH expected_version AS (
    SELECT cluster_id FROM orleans_membership_version
    WHERE cluster_id = @DeploymentId AND version = @Version
    FOR UPDATE
), inserted AS (
    INSERT INTO orleans_membership
        (cluster_id, address, port, generation, silo_name, host_name, status, proxy_port, start_time, i_am_alive_time)
    SELECT cluster_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime
    FROM expected_version
    ON CONFLICT (cluster_id, address, port, generation) DO NOTHING
    RETURNING cluster_id
), bumped AS (
    UPDATE orleans_membership_version v
    SET version = v.version + 1, changed_at = now()
    FROM inserted
    WHERE v.cluster_id = inserted.cluster_id
    RETURNING v.cluster_id
)
SELECT EXISTS (SELECT 1 FROM bumped)
$query$),

-- Returns true when the silo row was updated and the table version bumped; false when the version was stale or
-- the silo is unknown.
('UpdateMembershipKey', $query$
WITH expected_version AS (
    SELECT cluster_id FROM orleans_membership_version
    WHERE cluster_id = @DeploymentId AND version = @Version
    FOR UPDATE
), updated AS (
    UPDATE orleans_membership m
    SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_time = @IAmAliveTime
    FROM expected_version
    WHERE m.cluster_id = expected_version.cluster_id
      AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
    RETURNING m.cluster_id
), bumped AS (
    UPDATE orleans_membership_version v
    SET version = v.version + 1, changed_at = now()
    FROM updated
    WHERE v.cluster_id = updated.cluster_id
    RETURNING v.cluster_id
)
SELECT EXISTS (SELECT 1 FROM bumped)
$query$),

-- The liveness heartbeat: a plain in-place update, deliberately outside the table version.
('UpdateIAmAlivetimeKey', $query$
UPDATE orleans_membership
SET i_am_alive_time = @IAmAliveTime
WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
$query$),

-- Both reads return the version row even when no silo matches (silo columns NULL then): Orleans takes the
-- table version from the first row and treats a NULL StartTime as "no entry". One statement reads both
-- atomically.
('MembershipReadRowKey', $query$
SELECT v.version AS "Version",
       m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
       m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
       m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime"
FROM orleans_membership_version v
LEFT JOIN orleans_membership m
       ON m.cluster_id = v.cluster_id AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
WHERE v.cluster_id = @DeploymentId
$query$),

('MembershipReadAllKey', $query$
SELECT v.version AS "Version",
       m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
       m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
       m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime"
FROM orleans_membership_version v
LEFT JOIN orleans_membership m ON m.cluster_id = v.cluster_id
WHERE v.cluster_id = @DeploymentId
$query$),

-- Clients find gateways here: silos in @Status (Orleans passes Active) that accept clients.
('GatewaysQueryKey', $query$
SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
FROM orleans_membership
WHERE cluster_id = @DeploymentId AND status = @Status AND proxy_port > 0
$query$),

-- Removes the whole cluster: its version row, and its silo rows by cascade.
('DeleteMembershipTableEntriesKey', $query$
DELETE FROM orleans_membership_version WHERE cluster_id = @DeploymentId
$query$),

-- Removes silos declared dead whose last heartbeat is older than @IAmAliveTime.
('CleanupDefunctSiloEntriesKey', $query$
DELETE FROM orleans_membership
WHERE cluster_id = @DeploymentId AND status = 6 AND i_am_alive_time < @IAmAliveTime
$query$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
