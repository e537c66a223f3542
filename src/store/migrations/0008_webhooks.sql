-- Post-call webhooks. Forward-only; never edit an applied migration.

-- The outbox of call events (call.started, call.ended, call.analyzed, transfer.*), written in the
-- transaction (or at the moment) the event happens, only for verticals with a webhook that hears
-- it. A relay fans each row out to the vertical's matching webhooks as BullMQ jobs and marks it
-- sent. `data` holds metadata only (ids, times, reasons, scores); content a webhook opts into
-- (numbers, transcript, summary) is read at delivery time, so retention applies to it.
CREATE TABLE IF NOT EXISTS webhook_events (
  id          bigserial PRIMARY KEY,
  event_id    uuid NOT NULL UNIQUE,
  call_id     uuid NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  vertical    text NOT NULL,
  type        text NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  data        jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  sent_at     timestamptz,
  attempts    integer NOT NULL DEFAULT 0,
  last_error  text
);
CREATE INDEX IF NOT EXISTS webhook_events_pending_idx ON webhook_events (created_at) WHERE sent_at IS NULL;
CREATE INDEX IF NOT EXISTS webhook_events_call_idx ON webhook_events (call_id);

-- The outcome of each (event, webhook) delivery: 'delivered' ones are skipped when an event is
-- published again (a replay); 'failed' ones are the dead letters `switchboard jobs failed` lists
-- when there is no Redis, and they outlive the queue's own failed set.
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  job_id       text PRIMARY KEY,
  event_id     uuid NOT NULL REFERENCES webhook_events (event_id) ON DELETE CASCADE,
  subscription text NOT NULL,
  status       text NOT NULL CHECK (status IN ('delivered', 'failed')),
  attempts     integer NOT NULL DEFAULT 0,
  last_error   text,
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_failed_idx ON webhook_deliveries (updated_at DESC) WHERE status = 'failed';
