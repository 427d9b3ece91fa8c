-- Grain state of the "channel" store, written by PostgresGrainStorage (group commit): many grains' writes go to
-- the database as one statement, so one commit (and one WAL flush) acknowledges all of them.
--
-- One row per (service, grain, state name); grain_id is the Orleans GrainId as text ("dealer/acme/d-1"), so a
-- row names its grain. payload is the ChannelStateSerializer output (a format byte, then Orleans binary).
-- version is the ETag: a write names the version it read, and succeeds only if that is still the stored one.
-- Rows are never deleted: a cleared state keeps its row with a NULL payload, so versions never restart and a
-- stale ETag can never match again.
CREATE TABLE channel_grain_state
(
    service_id  text        COLLATE "C" NOT NULL,
    grain_id    text        COLLATE "C" NOT NULL,
    state_name  text        COLLATE "C" NOT NULL,
    payload     bytea,
    version     integer     NOT NULL CHECK (version > 0),
    modified_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, grain_id, state_name)
);
