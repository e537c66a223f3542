-- Analysis revisions, the success rubric and retention (issue 18; owned by src/analysis).
-- call_analysis stays the current analysis of each call; every write is also kept here, so a
-- re-run (`switchboard analysis rerun`) adds a revision instead of losing the earlier result.
ALTER TABLE call_analysis ADD COLUMN IF NOT EXISTS success jsonb;
-- set when retention purged the analysis' free text (summary, free-text fields, criterion reasons)
ALTER TABLE call_analysis ADD COLUMN IF NOT EXISTS purged_at timestamptz;

CREATE TABLE IF NOT EXISTS call_analysis_revisions (
  call_id          uuid NOT NULL,
  revision         integer NOT NULL,
  summary          text NOT NULL,
  sentiment_label  text NOT NULL,
  sentiment_score  double precision NOT NULL,
  intent           text NOT NULL,
  lead_score       integer NOT NULL,
  lead_reasons     jsonb NOT NULL DEFAULT '[]'::jsonb,
  fields           jsonb NOT NULL DEFAULT '{}'::jsonb,
  analyser         text NOT NULL,
  is_short         boolean NOT NULL DEFAULT false,
  model            text,
  success          jsonb,
  -- why this revision was written: the post-call job, or an operator's re-run
  origin           text NOT NULL DEFAULT 'job',
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (call_id, revision)
);

INSERT INTO call_analysis_revisions (call_id, revision, summary, sentiment_label, sentiment_score, intent, lead_score,
                                     lead_reasons, fields, analyser, is_short, model, created_at)
SELECT call_id, revision, summary, sentiment_label, sentiment_score, intent, lead_score,
       lead_reasons, fields, analyser, is_short, model, updated_at
  FROM call_analysis
ON CONFLICT (call_id, revision) DO NOTHING;
