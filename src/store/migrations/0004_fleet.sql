-- A fleet of gateways on one database (issue 15). Forward-only; never edit an applied migration.

-- Which instance prepared a call (answered its webhook) and which one serves it now. A stream
-- that lands on another instance claims the call atomically (owner = prepared_by → owner = me);
-- an instance that stops heart-beating has its unfinished calls finalised by another.
ALTER TABLE calls ADD COLUMN IF NOT EXISTS prepared_by text;
ALTER TABLE calls ADD COLUMN IF NOT EXISTS owner text;
CREATE INDEX IF NOT EXISTS calls_owner_live_idx ON calls (owner) WHERE ended_at IS NULL;

-- Every gateway and worker, with a heartbeat written on the database's clock (no clock skew
-- between machines decides who is lost). `info` holds versions per vertical and live calls.
CREATE TABLE IF NOT EXISTS instances (
  id           text PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('gateway', 'worker')),
  started_at   timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  stopped_at   timestamptz,
  info         jsonb NOT NULL DEFAULT '{}'::jsonb
);
