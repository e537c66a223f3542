-- Warm transfers, messages taken for a person who could not answer, and call recordings made
-- with the caller's consent (issue 18). Forward-only; never edit an applied migration.

-- The call's recording, as Twilio reported it when it was started (dual channel). A recording
-- Twilio refused leaves status 'refused' and its error code; a caller who objected, 'stopped'.
ALTER TABLE calls ADD COLUMN IF NOT EXISTS recording_sid    text;
ALTER TABLE calls ADD COLUMN IF NOT EXISTS recording_url    text;
ALTER TABLE calls ADD COLUMN IF NOT EXISTS recording_status text
  CHECK (recording_status IS NULL OR recording_status IN ('recording', 'stopped', 'refused'));
ALTER TABLE calls ADD COLUMN IF NOT EXISTS recording_error  text;

-- One row per transfer attempt; `events` is the ordered list of transitions
-- ([{ "type": "transfer.started", "atMs": 0 }, ...], offsets from the attempt's start).
CREATE TABLE IF NOT EXISTS call_transfers (
  id           uuid PRIMARY KEY,
  call_id      uuid NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  mode         text NOT NULL CHECK (mode IN ('cold', 'warm')),
  state        text NOT NULL DEFAULT 'started'
               CHECK (state IN ('started', 'answered', 'bridged', 'failed')),
  failure      text,
  leg_sid      text,
  events       jsonb NOT NULL DEFAULT '[]'::jsonb,
  started_at   timestamptz NOT NULL DEFAULT now(),
  ended_at     timestamptz
);
CREATE INDEX IF NOT EXISTS call_transfers_call_idx ON call_transfers (call_id);

-- A message taken by the agent (take_message); the business is told by SMS.
CREATE TABLE IF NOT EXISTS call_messages (
  id               bigserial PRIMARY KEY,
  call_id          uuid NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  vertical         text NOT NULL,
  idempotency_key  text NOT NULL UNIQUE,
  caller_name      text NOT NULL,
  callback_number  text,
  message          text NOT NULL,
  sms_status       text NOT NULL DEFAULT 'pending'
                   CHECK (sms_status IN ('pending', 'sent', 'failed', 'no_recipient')),
  sms_sid          text,
  sms_error        text,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS call_messages_call_idx ON call_messages (call_id);
