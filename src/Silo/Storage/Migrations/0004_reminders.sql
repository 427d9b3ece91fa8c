-- Reminders for the AdoNetReminderTable provider.
--
-- Each silo owns a range of the grain hash ring and loads the reminders in it; grain_hash is the grain's
-- uniform hash stored as a signed integer, which is how Orleans compares the range ends too.
-- version is the reminder's ETag: unregistering names it, so a reminder re-registered meanwhile is not removed.
CREATE TABLE orleans_reminder
(
    service_id    text        COLLATE "C" NOT NULL,
    grain_id      text        COLLATE "C" NOT NULL,
    reminder_name text        COLLATE "C" NOT NULL,
    start_time    timestamptz NOT NULL,
    period_ms     bigint      NOT NULL,
    grain_hash    integer     NOT NULL,
    version       integer     NOT NULL,

    PRIMARY KEY (service_id, grain_id, reminder_name)
);

CREATE INDEX orleans_reminder_by_ring_position ON orleans_reminder (service_id, grain_hash);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('ReadReminderRowsKey', $query$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
       period_ms AS "Period", version AS "Version"
FROM orleans_reminder
WHERE service_id = @ServiceId AND grain_id = @GrainId
$query$),

('ReadReminderRowKey', $query$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
       period_ms AS "Period", version AS "Version"
FROM orleans_reminder
WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
$query$),

-- A ring range (@BeginHash, @EndHash] that does not wrap: Orleans picks this key when begin < end.
('ReadRangeRows1Key', $query$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
       period_ms AS "Period", version AS "Version"
FROM orleans_reminder
WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash
$query$),

-- A range that wraps past the top of the ring (begin >= end; begin = end is the whole ring).
('ReadRangeRows2Key', $query$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
       period_ms AS "Period", version AS "Version"
FROM orleans_reminder
WHERE service_id = @ServiceId AND (grain_hash > @BeginHash OR grain_hash <= @EndHash)
$query$),

-- Insert or replace; returns the new ETag.
('UpsertReminderRowKey', $query$
INSERT INTO orleans_reminder
    (service_id, grain_id, reminder_name, start_time, period_ms, grain_hash, version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 1)
ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
SET start_time = excluded.start_time,
    period_ms = excluded.period_ms,
    grain_hash = excluded.grain_hash,
    version = orleans_reminder.version + 1
RETURNING version AS "Version"
$query$),

-- Returns true when the reminder with that ETag was removed.
('DeleteReminderRowKey', $query$
WITH removed AS (
    DELETE FROM orleans_reminder
    WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName AND version = @Version
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM removed)
$query$),

('DeleteReminderRowsKey', $query$
DELETE FROM orleans_reminder WHERE service_id = @ServiceId
$query$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
