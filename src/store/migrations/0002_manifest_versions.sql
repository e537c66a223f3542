-- What post-call analysis needs of each compiled manifest version (its id, name and analysis
-- section, as JSON), so a call is analysed with the version it ran on: after a reload, and in a
-- worker that never compiled that version. Written by every process that compiles a version; a
-- version is a content hash, so a row never changes once written. Forward-only; never edit.
CREATE TABLE IF NOT EXISTS manifest_versions (
  vertical   text NOT NULL,
  version    text NOT NULL,
  manifest   jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (vertical, version)
);
