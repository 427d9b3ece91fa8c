-- Grain state for the AdoNetGrainStorage provider (ChannelGrains' "channel" store and the stream PubSub store).
--
-- One row per (service, grain type, grain id). The payload is whatever the configured grain storage serializer
-- produced; ChannelGrains uses System.Text.Json, so convert_from(payload, 'UTF8')::jsonb reads it.
-- version is the ETag Orleans hands back on the next write: a write or clear succeeds only when it names the
-- current version, which makes concurrent writers (e.g. a duplicate activation) fail instead of overwriting.
-- A cleared state stays as a row with a NULL payload, so versions never restart and a stale ETag can never
-- match again.
CREATE TABLE orleans_grain_state
(
    grain_id_hash integer     NOT NULL,
    grain_id_n0   bigint      NOT NULL,
    grain_id_n1   bigint      NOT NULL,
    grain_type    text        COLLATE "C" NOT NULL,
    -- the string key, or the key extension of an integer/GUID key; NULL when there is none
    grain_id_ext  text        COLLATE "C",
    service_id    text        COLLATE "C" NOT NULL,
    payload       bytea,
    version       integer     NOT NULL,
    modified_at   timestamptz NOT NULL DEFAULT now(),

    -- The most selective columns lead so index comparisons usually end at the first (integer) column.
    -- NULLS NOT DISTINCT (PostgreSQL 15+) makes "no key extension" a single identity, not many.
    CONSTRAINT orleans_grain_state_identity
        UNIQUE NULLS NOT DISTINCT (grain_id_hash, grain_id_n0, grain_id_n1, grain_type, service_id, grain_id_ext)
);

-- Parameters (all providers pass the same set): @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash (unused
-- here), @GrainTypeString, @GrainIdExtensionString, @ServiceId; writes and clears add @GrainStateVersion (NULL
-- when the grain never saw a stored version) and writes add @PayloadBinary.

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
-- Read: at most one row with the payload and its version. No row means "never written".
('ReadFromStorageKey', $query$
SELECT payload AS "PayloadBinary", version AS "Version"
FROM orleans_grain_state
WHERE grain_id_hash = @GrainIdHash
  AND grain_id_n0 = @GrainIdN0
  AND grain_id_n1 = @GrainIdN1
  AND grain_type = @GrainTypeString
  AND service_id = @ServiceId
  AND (grain_id_ext = @GrainIdExtensionString OR (grain_id_ext IS NULL AND @GrainIdExtensionString IS NULL))
$query$),

-- Write: with no expected version, insert version 1 unless the row exists; with one, update only that version.
-- Returns the new version, or no row on a conflict, which the provider turns into InconsistentStateException.
('WriteToStorageKey', $query$
WITH inserted AS (
    INSERT INTO orleans_grain_state
        (grain_id_hash, grain_id_n0, grain_id_n1, grain_type, grain_id_ext, service_id, payload, version)
    SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeString, @GrainIdExtensionString, @ServiceId, @PayloadBinary, 1
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT ON CONSTRAINT orleans_grain_state_identity DO NOTHING
    RETURNING version
), updated AS (
    UPDATE orleans_grain_state
    SET payload = @PayloadBinary, version = version + 1, modified_at = now()
    WHERE @GrainStateVersion IS NOT NULL
      AND version = @GrainStateVersion
      AND grain_id_hash = @GrainIdHash
      AND grain_id_n0 = @GrainIdN0
      AND grain_id_n1 = @GrainIdN1
      AND grain_type = @GrainTypeString
      AND service_id = @ServiceId
      AND (grain_id_ext = @GrainIdExtensionString OR (grain_id_ext IS NULL AND @GrainIdExtensionString IS NULL))
    RETURNING version
)
SELECT version AS "NewGrainStateVersion" FROM inserted
UNION ALL
SELECT version FROM updated
$query$),

-- Clear: drop the payload of the expected version and bump the version (a tombstone). Returns the new version,
-- or no row on a conflict. DeleteStorageKey is deliberately absent: deleting rows would restart versions at 1.
('ClearStorageKey', $query$
UPDATE orleans_grain_state
SET payload = NULL, version = version + 1, modified_at = now()
WHERE version = @GrainStateVersion
  AND grain_id_hash = @GrainIdHash
  AND grain_id_n0 = @GrainIdN0
  AND grain_id_n1 = @GrainIdN1
  AND grain_type = @GrainTypeString
  AND service_id = @ServiceId
  AND (grain_id_ext = @GrainIdExtensionString OR (grain_id_ext IS NULL AND @GrainIdExtensionString IS NULL))
RETURNING version AS "NewGrainStateVersion"
$query$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
