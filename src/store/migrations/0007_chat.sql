-- How the caller reached the agent: a phone line, the console's WebRTC softphone, or typed chat.
-- Forward-only; never edit an applied migration.
ALTER TABLE calls ADD COLUMN IF NOT EXISTS channel text NOT NULL DEFAULT 'phone'
  CHECK (channel IN ('phone', 'webrtc', 'chat'));
-- Browser calls made before this column existed are known by their CallSid ("WR" + 32 hex digits).
UPDATE calls SET channel = 'webrtc' WHERE channel = 'phone' AND call_sid ~ '^WR[0-9a-f]{32}$';
