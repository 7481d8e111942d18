-- BeyondNll.Cluster on PostgreSQL: the tables behind Orleans' ADO.NET providers for membership,
-- grain state and reminders, and the queries those providers read from the table OrleansQuery
-- (they know no SQL of their own: they run "SELECT QueryKey, QueryText FROM OrleansQuery" and
-- then the text stored under each key, with the parameters and result columns they document).
--
-- The project's own schema, written to that contract. Applied as one transaction, by every silo
-- at start-up and by `bnll db init`; running it again changes nothing but the query texts, which
-- it brings up to date. PostgreSQL 11 or later.

SET LOCAL client_min_messages = warning;

-- Two silos starting together must not both create the tables: the second waits for the first.
SELECT pg_advisory_xact_lock(hashtext('bnll.schema'));

CREATE TABLE IF NOT EXISTS orleansquery
(
    querykey  varchar(64) PRIMARY KEY,
    querytext text        NOT NULL
);

-- Membership: one version row per cluster (its number is the table's ETag; every change to a
-- silo's row moves it on by one, atomically) and one row per silo incarnation.
CREATE TABLE IF NOT EXISTS bnll_membership_version
(
    deployment_id text        PRIMARY KEY,
    version       integer     NOT NULL DEFAULT 0,
    changed_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS bnll_membership
(
    deployment_id   text        NOT NULL REFERENCES bnll_membership_version (deployment_id) ON DELETE CASCADE,
    address         text        NOT NULL,
    port            integer     NOT NULL,
    generation      integer     NOT NULL,
    silo_name       text,
    host_name       text,
    status          integer     NOT NULL,
    proxy_port      integer,
    suspect_times   text,
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

-- A silo's row under the column names the membership provider reads.
CREATE OR REPLACE VIEW bnll_membership_entries AS
SELECT deployment_id,
       address AS "Address", port AS "Port", generation AS "Generation",
       silo_name AS "SiloName", host_name AS "HostName", status AS "Status",
       proxy_port AS "ProxyPort", suspect_times AS "SuspectTimes",
       start_time AS "StartTime", i_am_alive_time AS "IAmAliveTime"
FROM bnll_membership;

-- Grain state: one row per grain and state type; version is the ETag, payload NULL once cleared.
-- A grain is named by its type and its key's parts (two integers and an optional string);
-- the hashes only narrow the search.
CREATE TABLE IF NOT EXISTS bnll_grain_state
(
    service_id      text        NOT NULL,
    grain_type_hash integer     NOT NULL,
    grain_type      text        NOT NULL,
    grain_id_hash   integer     NOT NULL,
    grain_id_n0     bigint      NOT NULL,
    grain_id_n1     bigint      NOT NULL,
    grain_id_string text,
    payload         bytea,
    version         integer     NOT NULL,
    modified_at     timestamptz NOT NULL DEFAULT now()
);

-- One row per grain; a missing string part and an empty one are different keys.
CREATE UNIQUE INDEX IF NOT EXISTS bnll_grain_state_key ON bnll_grain_state
    (service_id, grain_type, grain_id_n0, grain_id_n1, (grain_id_string IS NULL), (coalesce(grain_id_string, '')));

CREATE INDEX IF NOT EXISTS bnll_grain_state_hashes ON bnll_grain_state (service_id, grain_id_hash, grain_type_hash);

-- Reminders: one row per grain and reminder name; grain_hash places it on the silos' hash ring.
CREATE TABLE IF NOT EXISTS bnll_reminders
(
    service_id    text        NOT NULL,
    grain_id      text        NOT NULL,
    reminder_name text        NOT NULL,
    grain_hash    integer     NOT NULL,
    start_time    timestamptz NOT NULL,
    period_ms     bigint      NOT NULL,
    version       integer     NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);

CREATE INDEX IF NOT EXISTS bnll_reminders_ring ON bnll_reminders (service_id, grain_hash);

-- A reminder under the column names the reminder provider reads.
CREATE OR REPLACE VIEW bnll_reminder_entries AS
SELECT service_id, grain_hash,
       grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
       period_ms AS "Period", version AS "Version"
FROM bnll_reminders;

-- The queries. Parameters (@Name) and result column names ("Name") are the providers' contract.
CREATE TEMPORARY TABLE bnll_queries (querykey varchar(64), querytext text) ON COMMIT DROP;

INSERT INTO bnll_queries (querykey, querytext) VALUES

-- Membership ---------------------------------------------------------------------------------
-- The cluster's version row, if it has none yet; whether this call made it.
('InsertMembershipVersionKey', $q$
WITH made AS (
    INSERT INTO bnll_membership_version (deployment_id) VALUES (@DeploymentId)
    ON CONFLICT (deployment_id) DO NOTHING
    RETURNING 1)
SELECT count(*) > 0 FROM made;
$q$),

-- Every silo of the cluster, each row carrying the table's version; one row with the version
-- alone (and no StartTime) when no silo has joined yet.
('MembershipReadAllKey', $q$
SELECT v.version AS "Version", e.*
FROM bnll_membership_version v
LEFT JOIN bnll_membership_entries e ON e.deployment_id = v.deployment_id
WHERE v.deployment_id = @DeploymentId;
$q$),

-- One silo, in the same shape.
('MembershipReadRowKey', $q$
SELECT v.version AS "Version", e.*
FROM bnll_membership_version v
LEFT JOIN bnll_membership_entries e ON e.deployment_id = v.deployment_id
    AND e."Address" = @Address AND e."Port" = @Port AND e."Generation" = @Generation
WHERE v.deployment_id = @DeploymentId;
$q$),

-- A new silo's row, only if the table is still at the version the caller read (@Version);
-- the version moves on with it. The version row is locked first, so two silos racing cannot
-- both pass the check.
('InsertMembershipKey', $q$
WITH expected AS (
    SELECT deployment_id FROM bnll_membership_version
    WHERE deployment_id = @DeploymentId AND version = @Version
    FOR UPDATE),
added AS (
    INSERT INTO bnll_membership (deployment_id, address, port, generation, silo_name, host_name,
                                 status, proxy_port, start_time, i_am_alive_time)
    SELECT deployment_id, @Address, @Port, @Generation, @SiloName, @HostName,
           @Status, @ProxyPort, @StartTime, @IAmAliveTime
    FROM expected
    ON CONFLICT DO NOTHING
    RETURNING deployment_id),
moved AS (
    UPDATE bnll_membership_version SET version = version + 1, changed_at = now()
    WHERE deployment_id IN (SELECT deployment_id FROM added)
    RETURNING 1)
SELECT count(*) > 0 FROM moved;
$q$),

-- A silo's status, suspicions and liveness, on the same version check.
('UpdateMembershipKey', $q$
WITH expected AS (
    SELECT deployment_id FROM bnll_membership_version
    WHERE deployment_id = @DeploymentId AND version = @Version
    FOR UPDATE),
changed AS (
    UPDATE bnll_membership m
    SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_time = @IAmAliveTime
    FROM expected
    WHERE m.deployment_id = expected.deployment_id
      AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
    RETURNING m.deployment_id),
moved AS (
    UPDATE bnll_membership_version SET version = version + 1, changed_at = now()
    WHERE deployment_id IN (SELECT deployment_id FROM changed)
    RETURNING 1)
SELECT count(*) > 0 FROM moved;
$q$),

-- A silo's heartbeat: no version check, no new version.
('UpdateIAmAlivetimeKey', $q$
UPDATE bnll_membership SET i_am_alive_time = @IAmAliveTime
WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation;
$q$),

-- Gateways for clients that find the cluster through the database: active silos with a gateway.
('GatewaysQueryKey', $q$
SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
FROM bnll_membership
WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0;
$q$),

-- The whole cluster's membership (its silos go with the version row).
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM bnll_membership_version WHERE deployment_id = @DeploymentId;
$q$),

-- Dead silos (status 6) not heard from since @IAmAliveTime.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM bnll_membership
WHERE deployment_id = @DeploymentId AND status = 6 AND i_am_alive_time < @IAmAliveTime;
$q$),

-- Grain state -------------------------------------------------------------------------------
('ReadFromStorageKey', $q$
SELECT payload AS "PayloadBinary", version AS "Version"
FROM bnll_grain_state
WHERE service_id = @ServiceId AND grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash
  AND grain_type = @GrainTypeString AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
  AND grain_id_string IS NOT DISTINCT FROM @GrainIdExtensionString;
$q$),

-- A write names the version it read (@GrainStateVersion; none for a grain never stored) and
-- succeeds only if that is still the stored one, returning the new version; otherwise no row,
-- which the provider reports as an ETag conflict.
('WriteToStorageKey', $q$
WITH updated AS (
    UPDATE bnll_grain_state
    SET payload = @PayloadBinary, version = version + 1, modified_at = now()
    WHERE @GrainStateVersion IS NOT NULL AND version = @GrainStateVersion
      AND service_id = @ServiceId AND grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash
      AND grain_type = @GrainTypeString AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
      AND grain_id_string IS NOT DISTINCT FROM @GrainIdExtensionString
    RETURNING version),
inserted AS (
    INSERT INTO bnll_grain_state (service_id, grain_type_hash, grain_type, grain_id_hash,
                                  grain_id_n0, grain_id_n1, grain_id_string, payload, version)
    SELECT @ServiceId, @GrainTypeHash, @GrainTypeString, @GrainIdHash,
           @GrainIdN0, @GrainIdN1, @GrainIdExtensionString, @PayloadBinary, 1
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version)
SELECT version AS "NewGrainStateVersion" FROM updated
UNION ALL
SELECT version FROM inserted;
$q$),

-- Clearing keeps the row (its version goes on) and drops the payload.
('ClearStorageKey', $q$
UPDATE bnll_grain_state
SET payload = NULL, version = version + 1, modified_at = now()
WHERE version = @GrainStateVersion
  AND service_id = @ServiceId AND grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash
  AND grain_type = @GrainTypeString AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
  AND grain_id_string IS NOT DISTINCT FROM @GrainIdExtensionString
RETURNING version;
$q$),

-- Or, with DeleteStateOnClear, the row goes; the version after it is returned, as for a clear.
('DeleteStorageKey', $q$
DELETE FROM bnll_grain_state
WHERE version = @GrainStateVersion
  AND service_id = @ServiceId AND grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash
  AND grain_type = @GrainTypeString AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
  AND grain_id_string IS NOT DISTINCT FROM @GrainIdExtensionString
RETURNING version + 1;
$q$),

-- Reminders ---------------------------------------------------------------------------------
('ReadReminderRowsKey', $q$
SELECT "GrainId", "ReminderName", "StartTime", "Period", "Version" FROM bnll_reminder_entries
WHERE service_id = @ServiceId AND "GrainId" = @GrainId;
$q$),

-- A range of the ring that does not wrap: (@BeginHash, @EndHash].
('ReadRangeRows1Key', $q$
SELECT "GrainId", "ReminderName", "StartTime", "Period", "Version" FROM bnll_reminder_entries
WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash;
$q$),

-- A range that wraps around the end of the ring.
('ReadRangeRows2Key', $q$
SELECT "GrainId", "ReminderName", "StartTime", "Period", "Version" FROM bnll_reminder_entries
WHERE service_id = @ServiceId AND (grain_hash > @BeginHash OR grain_hash <= @EndHash);
$q$),

('ReadReminderRowKey', $q$
SELECT "GrainId", "ReminderName", "StartTime", "Period", "Version" FROM bnll_reminder_entries
WHERE service_id = @ServiceId AND "GrainId" = @GrainId AND "ReminderName" = @ReminderName;
$q$),

-- Insert or replace; the new version is the reminder's ETag.
('UpsertReminderRowKey', $q$
INSERT INTO bnll_reminders (service_id, grain_id, reminder_name, grain_hash, start_time, period_ms, version)
VALUES (@ServiceId, @GrainId, @ReminderName, @GrainHash, @StartTime, @Period, 0)
ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
SET grain_hash = excluded.grain_hash, start_time = excluded.start_time, period_ms = excluded.period_ms,
    version = bnll_reminders.version + 1
RETURNING version AS "Version";
$q$),

-- Only the version the caller holds; whether a row went.
('DeleteReminderRowKey', $q$
WITH gone AS (
    DELETE FROM bnll_reminders
    WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
      AND version = @Version
    RETURNING 1)
SELECT count(*) > 0 FROM gone;
$q$),

('DeleteReminderRowsKey', $q$
DELETE FROM bnll_reminders WHERE service_id = @ServiceId;
$q$);

INSERT INTO orleansquery (querykey, querytext)
SELECT querykey, btrim(querytext, E' \n') FROM bnll_queries
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;
