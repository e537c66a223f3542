-- Demo data for Luna Hair Studio. Idempotent: run it as often as you like.
INSERT INTO settings (key, value) VALUES
  ('name', 'Luna Hair Studio'),
  ('timezone', 'America/New_York'),
  ('address', '214 Maple Avenue, Springfield'),
  ('phone', '+15550100100'),
  ('parking', 'Free parking behind the building; enter from Oak Street.'),
  ('cancellation_policy', 'Please cancel or reschedule at least 24 hours ahead; late cancellations may be charged half the service price.'),
  ('payment', 'We take cards, cash and contactless payments.'),
  ('slot_minutes', '15')
ON CONFLICT (key) DO NOTHING;

INSERT INTO opening_hours (weekday, opens, closes) VALUES
  (2, '09:00', '18:00'), (3, '09:00', '18:00'), (4, '09:00', '20:00'),
  (5, '09:00', '20:00'), (6, '08:00', '16:00')
ON CONFLICT DO NOTHING;

INSERT INTO services (id, name, description, duration_min, price_cents) VALUES
  ('womens-cut', 'Women''s cut and style', 'Consultation, wash, cut and blow-dry finish.', 60, 6500),
  ('mens-cut', 'Men''s cut', 'Wash, clipper or scissor cut and style.', 30, 3500),
  ('kids-cut', 'Kids'' cut', 'For children under 12.', 30, 2500),
  ('blow-dry', 'Blow-dry', 'Wash and blow-dry styling.', 45, 4500),
  ('beard-trim', 'Beard trim', 'Shape and tidy with hot towel.', 20, 2000),
  ('full-color', 'Full color', 'Single-process color from roots to ends, with blow-dry.', 120, 14000),
  ('highlights', 'Highlights', 'Partial or full foil highlights, with toner and blow-dry.', 150, 18000)
ON CONFLICT (id) DO NOTHING;

INSERT INTO stylists (id, name, bio) VALUES
  ('maya', 'Maya', 'Senior stylist; color and highlights specialist.'),
  ('jordan', 'Jordan', 'Precision cuts for everyone, including kids and beards.'),
  ('priya', 'Priya', 'Color, blow-dries and long-hair cuts.'),
  ('sam', 'Sam', 'Barbering: men''s cuts and beard work; Saturdays only.')
ON CONFLICT (id) DO NOTHING;

INSERT INTO stylist_services (stylist_id, service_id) VALUES
  ('maya', 'womens-cut'), ('maya', 'blow-dry'), ('maya', 'full-color'), ('maya', 'highlights'),
  ('jordan', 'womens-cut'), ('jordan', 'mens-cut'), ('jordan', 'kids-cut'), ('jordan', 'beard-trim'),
  ('priya', 'womens-cut'), ('priya', 'blow-dry'), ('priya', 'full-color'), ('priya', 'highlights'),
  ('sam', 'mens-cut'), ('sam', 'beard-trim'), ('sam', 'kids-cut')
ON CONFLICT DO NOTHING;

INSERT INTO working_hours (stylist_id, weekday, starts_at, ends_at) VALUES
  ('maya', 2, '09:00', '17:00'), ('maya', 3, '09:00', '17:00'), ('maya', 4, '12:00', '20:00'), ('maya', 5, '12:00', '20:00'),
  ('jordan', 2, '10:00', '18:00'), ('jordan', 3, '10:00', '18:00'), ('jordan', 4, '09:00', '13:00'), ('jordan', 4, '14:00', '18:00'),
  ('jordan', 6, '08:00', '16:00'),
  ('priya', 3, '09:00', '18:00'), ('priya', 4, '09:00', '17:00'), ('priya', 5, '09:00', '17:00'), ('priya', 6, '08:00', '14:00'),
  ('sam', 6, '08:00', '16:00')
ON CONFLICT DO NOTHING;

-- A regular with an upcoming appointment, for finding, moving and cancelling one
-- (scenario salon/change-of-mind). Dates in 2030 so it stays upcoming.
INSERT INTO customers (name, phone) VALUES ('David Park', '+15550106611') ON CONFLICT (phone) DO NOTHING;
INSERT INTO appointments (reference, customer_id, stylist_id, service_id, starts_at, ends_at)
  SELECT 'K7Q2M9', c.id, 'jordan', 'mens-cut', '2030-06-05T15:00:00Z', '2030-06-05T15:30:00Z'
    FROM customers c WHERE c.phone = '+15550106611'
ON CONFLICT (reference) DO NOTHING;
