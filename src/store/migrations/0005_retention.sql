-- Retention (issue 18): what a purge removed from a call, kind → when. The call row itself
-- (times, end reason, vertical, version) is metadata and is never purged.
ALTER TABLE calls ADD COLUMN IF NOT EXISTS purged jsonb NOT NULL DEFAULT '{}'::jsonb;
CREATE INDEX IF NOT EXISTS calls_vertical_ended_idx ON calls (vertical, ended_at) WHERE ended_at IS NOT NULL;
