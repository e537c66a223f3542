-- Routing the operator changes at run time, read by every gateway (a few seconds' poll, plus a
-- Redis nudge when REDIS_URL is set). Forward-only; never edit an applied migration.

-- A number's assignment overrides the manifests' `numbers` (which stay the defaults).
CREATE TABLE IF NOT EXISTS phone_numbers (
  number      text PRIMARY KEY CHECK (number ~ '^\+[1-9][0-9]{6,14}$'),
  vertical    text NOT NULL,
  assigned_at timestamptz NOT NULL DEFAULT now()
);

-- At most one candidate version per vertical. `files` is the candidate folder as it was
-- validated (relative path → text), so every gateway compiles the same bytes without sharing a
-- filesystem; `version` is what they must compile it to. `state` 'promoted' serves the candidate
-- to every new call while the vertical's deployed version is still `base_version`.
CREATE TABLE IF NOT EXISTS canaries (
  vertical     text PRIMARY KEY,
  version      text NOT NULL,
  base_version text NOT NULL,
  source_dir   text NOT NULL,
  files        jsonb NOT NULL,
  percent      double precision NOT NULL CHECK (percent >= 0 AND percent <= 100),
  number       text CHECK (number IS NULL OR number ~ '^\+[1-9][0-9]{6,14}$'),
  state        text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'promoted')),
  started_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
