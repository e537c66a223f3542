-- Salon domain tables (schema v_salon unless the manifest says otherwise). Forward-only.
-- btree_gist lets one exclusion constraint say "a stylist is never double-booked".
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;

-- Business facts the agents read through tools (never from their prompts).
CREATE TABLE IF NOT EXISTS settings (
  key   text PRIMARY KEY,
  value text NOT NULL
);

-- When the salon is open, by weekday (0 = Sunday … 6 = Saturday), in the salon's local time.
CREATE TABLE IF NOT EXISTS opening_hours (
  weekday smallint NOT NULL CHECK (weekday BETWEEN 0 AND 6),
  opens   time NOT NULL,
  closes  time NOT NULL CHECK (closes > opens),
  PRIMARY KEY (weekday, opens)
);

CREATE TABLE IF NOT EXISTS services (
  id           text PRIMARY KEY,
  name         text NOT NULL UNIQUE,
  description  text NOT NULL,
  duration_min integer NOT NULL CHECK (duration_min BETWEEN 5 AND 480),
  price_cents  integer NOT NULL CHECK (price_cents >= 0),
  active       boolean NOT NULL DEFAULT true
);

CREATE TABLE IF NOT EXISTS stylists (
  id     text PRIMARY KEY,
  name   text NOT NULL UNIQUE,
  bio    text NOT NULL DEFAULT '',
  active boolean NOT NULL DEFAULT true
);

CREATE TABLE IF NOT EXISTS stylist_services (
  stylist_id text NOT NULL REFERENCES stylists (id) ON DELETE CASCADE,
  service_id text NOT NULL REFERENCES services (id) ON DELETE CASCADE,
  PRIMARY KEY (stylist_id, service_id)
);

-- A stylist's shifts in local time; several rows per weekday allow a split shift.
CREATE TABLE IF NOT EXISTS working_hours (
  stylist_id text NOT NULL REFERENCES stylists (id) ON DELETE CASCADE,
  weekday    smallint NOT NULL CHECK (weekday BETWEEN 0 AND 6),
  starts_at  time NOT NULL,
  ends_at    time NOT NULL CHECK (ends_at > starts_at),
  PRIMARY KEY (stylist_id, weekday, starts_at)
);

-- Holidays, training days, sick days.
CREATE TABLE IF NOT EXISTS time_off (
  id         bigserial PRIMARY KEY,
  stylist_id text NOT NULL REFERENCES stylists (id) ON DELETE CASCADE,
  starts_at  timestamptz NOT NULL,
  ends_at    timestamptz NOT NULL CHECK (ends_at > starts_at),
  reason     text
);
CREATE INDEX IF NOT EXISTS time_off_stylist_idx ON time_off (stylist_id, starts_at);

CREATE TABLE IF NOT EXISTS customers (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name       text NOT NULL,
  -- E.164, normalised by the tools
  phone      text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS appointments (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- short code read to callers ("your reference is K 7 Q 2 M 9")
  reference   text NOT NULL UNIQUE,
  customer_id uuid NOT NULL REFERENCES customers (id),
  stylist_id  text NOT NULL REFERENCES stylists (id),
  service_id  text NOT NULL REFERENCES services (id),
  starts_at   timestamptz NOT NULL,
  ends_at     timestamptz NOT NULL,
  status      text NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'cancelled', 'completed', 'no_show')),
  notes       text,
  -- the call that booked it and the tool call's idempotency key: a retried booking finds its row
  call_id     text,
  booking_key text UNIQUE,
  cancel_reason text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at),
  -- The database, not the tool, refuses a double booking, whoever races for the slot.
  CONSTRAINT appointments_no_double_booking
    EXCLUDE USING gist (stylist_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (status <> 'cancelled')
);
CREATE INDEX IF NOT EXISTS appointments_customer_idx ON appointments (customer_id, starts_at);
CREATE INDEX IF NOT EXISTS appointments_starts_idx ON appointments (starts_at);
