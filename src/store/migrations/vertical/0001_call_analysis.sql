-- Post-call analysis, one row per call, in every vertical's schema (owned by src/analysis).
-- No foreign key to calls: a vertical may keep its schema in a database of its own.
CREATE TABLE IF NOT EXISTS call_analysis (
  call_id          uuid PRIMARY KEY,
  summary          text NOT NULL,
  sentiment_label  text NOT NULL CHECK (sentiment_label IN ('positive', 'neutral', 'negative')),
  sentiment_score  double precision NOT NULL CHECK (sentiment_score BETWEEN -1 AND 1),
  intent           text NOT NULL,
  lead_score       integer NOT NULL CHECK (lead_score BETWEEN 0 AND 100),
  -- [{ "reason": "...", "points": 20 }, ...]: the rubric rules that fired
  lead_reasons     jsonb NOT NULL DEFAULT '[]'::jsonb,
  -- the manifest's vertical-specific fields (analysis.fields)
  fields           jsonb NOT NULL DEFAULT '{}'::jsonb,
  analyser         text NOT NULL CHECK (analyser IN ('heuristic', 'openai')),
  -- fewer caller turns than analysis.minCallerTurns: a short record, not a full analysis
  is_short         boolean NOT NULL DEFAULT false,
  model            text,
  -- 1 when written; a re-run of the job updates the row and bumps it
  revision         integer NOT NULL DEFAULT 1,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS call_analysis_lead_idx ON call_analysis (lead_score DESC, created_at DESC);
CREATE INDEX IF NOT EXISTS call_analysis_intent_idx ON call_analysis (intent);
