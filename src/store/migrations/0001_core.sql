-- Core tables shared by every vertical. Forward-only; never edit an applied migration.
CREATE TABLE IF NOT EXISTS calls (
  id               uuid PRIMARY KEY,
  call_sid         text NOT NULL UNIQUE,
  vertical         text NOT NULL,
  manifest_version text NOT NULL,
  engine           text,
  direction        text NOT NULL DEFAULT 'inbound' CHECK (direction IN ('inbound', 'outbound')),
  from_number      text,
  to_number        text,
  status           text NOT NULL DEFAULT 'in_progress'
                   CHECK (status IN ('ringing', 'in_progress', 'completed', 'failed')),
  started_at       timestamptz NOT NULL DEFAULT now(),
  ended_at         timestamptz,
  end_reason       text,
  duration_ms      integer,
  trace_id         text,
  metadata         jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS calls_vertical_started_idx ON calls (vertical, started_at DESC);
CREATE INDEX IF NOT EXISTS calls_started_idx ON calls (started_at DESC);

CREATE TABLE IF NOT EXISTS transcript_items (
  id          bigserial PRIMARY KEY,
  call_id     uuid NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  seq         integer NOT NULL,
  role        text NOT NULL CHECK (role IN ('caller', 'assistant', 'system')),
  agent       text,
  item_id     text,
  text        text NOT NULL,
  -- offsets from the start of the call, in milliseconds
  started_ms  integer,
  ended_ms    integer,
  interrupted boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (call_id, seq)
);

CREATE TABLE IF NOT EXISTS tool_invocations (
  id              bigserial PRIMARY KEY,
  call_id         uuid NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  tool_call_id    text NOT NULL,
  tool_name       text NOT NULL,
  agent           text,
  idempotency_key text NOT NULL UNIQUE,
  arguments       jsonb,
  result          jsonb,
  status          text NOT NULL DEFAULT 'running'
                  CHECK (status IN ('running', 'ok', 'error', 'timeout', 'invalid_arguments', 'invalid_output', 'cancelled')),
  error_code      text,
  duration_ms     integer,
  started_at      timestamptz NOT NULL DEFAULT now(),
  ended_at        timestamptz
);
CREATE INDEX IF NOT EXISTS tool_invocations_call_idx ON tool_invocations (call_id);

CREATE TABLE IF NOT EXISTS handoffs (
  id          bigserial PRIMARY KEY,
  call_id     uuid NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  from_agent  text NOT NULL,
  to_agent    text NOT NULL,
  offset_ms   integer,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS handoffs_call_idx ON handoffs (call_id);

CREATE TABLE IF NOT EXISTS latency_samples (
  id          bigserial PRIMARY KEY,
  call_id     uuid NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  turn        integer,
  -- e.g. turn.speech_end_to_first_audio, model.first_delta, tool.duration, bargein.speech_started_to_clear
  metric      text NOT NULL,
  value_ms    double precision NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS latency_samples_call_idx ON latency_samples (call_id);

-- Written in the same transaction that finalises a call; a relay publishes it to BullMQ.
CREATE TABLE IF NOT EXISTS post_call_outbox (
  id          bigserial PRIMARY KEY,
  call_id     uuid NOT NULL UNIQUE REFERENCES calls (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  sent_at     timestamptz,
  attempts    integer NOT NULL DEFAULT 0,
  last_error  text
);
CREATE INDEX IF NOT EXISTS post_call_outbox_pending_idx ON post_call_outbox (created_at) WHERE sent_at IS NULL;
