-- Seed data for the healthcare vertical (fictional clinic, people and numbers).
-- Idempotent: every insert is ON CONFLICT DO NOTHING, so running it again changes nothing.
-- Seeded appointments are placed relative to the day the seed first runs.

INSERT INTO clinic_settings (id, clinic_name, timezone, main_phone, emergency_number,
  min_booking_lead_minutes, booking_horizon_days, cancellation_notice_hours, late_cancellation_policy,
  refill_turnaround_hours, message_callback_hours, new_patient_policy)
VALUES (true, 'Maple Grove Family Health', 'America/New_York', '+15550100200', '911',
  60, 60, 24,
  'Please give at least 24 hours notice. Appointments cancelled with less notice may be charged a 25 dollar late-cancellation fee.',
  48, 24,
  'New patients are welcome. Please arrive 15 minutes early with a photo ID and your insurance card.')
ON CONFLICT DO NOTHING;

INSERT INTO locations (id, name, address, phone, parking) VALUES
  ('downtown', 'Downtown Clinic', '120 Maple Avenue, Suite 200, Springfield', '+15550100200', 'Free parking in the garage on Elm Street; bring your ticket to the front desk.'),
  ('northside', 'Northside Clinic', '4480 North Ridge Road, Springfield', '+15550100210', 'Free surface parking in front of the building.')
ON CONFLICT DO NOTHING;

INSERT INTO location_hours (location_id, weekday, opens_at, closes_at) VALUES
  ('downtown', 1, '08:00', '17:00'), ('downtown', 2, '08:00', '17:00'), ('downtown', 3, '08:00', '17:00'),
  ('downtown', 4, '08:00', '17:00'), ('downtown', 5, '08:00', '17:00'), ('downtown', 6, '09:00', '13:00'),
  ('northside', 1, '08:00', '18:00'), ('northside', 2, '08:00', '18:00'), ('northside', 3, '08:00', '18:00'),
  ('northside', 4, '08:00', '18:00'), ('northside', 5, '08:00', '14:00')
ON CONFLICT DO NOTHING;

INSERT INTO clinic_closures (location_id, closed_on, reason) VALUES
  (NULL, DATE '2026-12-25', 'Christmas Day'),
  (NULL, DATE '2027-01-01', 'New Year''s Day'),
  (NULL, DATE '2026-11-26', 'Thanksgiving')
ON CONFLICT DO NOTHING;

INSERT INTO departments (id, name, phone) VALUES
  ('front_desk', 'Front desk', '+15550100201'),
  ('nurse_line', 'Nurse line', '+15550100202'),
  ('billing', 'Billing office', '+15550100203'),
  ('records', 'Medical records', '+15550100204')
ON CONFLICT DO NOTHING;

INSERT INTO providers (id, full_name, title, specialty, location_id, slot_minutes, accepting_new_patients) VALUES
  ('dr-patel', 'Dr. Anita Patel', 'MD', 'family medicine', 'downtown', 30, true),
  ('dr-nguyen', 'Dr. Thomas Nguyen', 'MD', 'family medicine', 'northside', 30, false),
  ('np-kim', 'Grace Kim', 'Nurse Practitioner', 'family medicine', 'downtown', 20, true),
  ('dr-okafor', 'Dr. Chinwe Okafor', 'MD', 'pediatrics', 'northside', 30, true),
  ('dr-rossi', 'Dr. Marco Rossi', 'MD', 'dermatology', 'downtown', 30, true),
  ('dr-levine', 'Dr. Sarah Levine', 'MD', 'cardiology', 'downtown', 45, false)
ON CONFLICT DO NOTHING;

INSERT INTO provider_schedules (provider_id, weekday, starts_at, ends_at, location_id) VALUES
  ('dr-patel', 1, '08:30', '12:00', 'downtown'), ('dr-patel', 1, '13:00', '16:30', 'downtown'),
  ('dr-patel', 2, '08:30', '12:00', 'downtown'), ('dr-patel', 2, '13:00', '16:30', 'downtown'),
  ('dr-patel', 3, '08:30', '12:00', 'downtown'),
  ('dr-patel', 4, '08:30', '12:00', 'downtown'), ('dr-patel', 4, '13:00', '16:30', 'downtown'),
  ('dr-patel', 6, '09:00', '12:30', 'downtown'),
  ('dr-nguyen', 1, '08:00', '12:00', 'northside'), ('dr-nguyen', 2, '08:00', '12:00', 'northside'),
  ('dr-nguyen', 3, '13:00', '17:30', 'northside'), ('dr-nguyen', 4, '13:00', '17:30', 'northside'),
  ('dr-nguyen', 5, '08:00', '13:30', 'northside'),
  ('np-kim', 1, '09:00', '16:00', 'downtown'), ('np-kim', 3, '09:00', '16:00', 'downtown'),
  ('np-kim', 5, '09:00', '16:00', 'downtown'), ('np-kim', 6, '09:00', '12:40', 'downtown'),
  ('dr-okafor', 1, '08:00', '12:00', 'northside'), ('dr-okafor', 2, '08:00', '17:00', 'northside'),
  ('dr-okafor', 3, '08:00', '12:00', 'northside'), ('dr-okafor', 4, '08:00', '17:00', 'northside'),
  ('dr-rossi', 2, '09:00', '15:00', 'downtown'), ('dr-rossi', 4, '09:00', '15:00', 'downtown'),
  ('dr-levine', 1, '09:00', '15:00', 'downtown'), ('dr-levine', 3, '09:00', '15:00', 'downtown')
ON CONFLICT DO NOTHING;

INSERT INTO insurance_plans (id, payer, plan_name, accepted, primary_copay_cents, specialist_copay_cents, notes) VALUES
  ('aetna-choice-ppo', 'Aetna', 'Choice POS II / PPO', true, 2500, 5000, NULL),
  ('bcbs-blue-hmo', 'Blue Cross Blue Shield', 'Blue Advantage HMO', true, 2000, 4000, 'Specialist visits need a referral from the primary care provider.'),
  ('united-choice-plus', 'UnitedHealthcare', 'Choice Plus', true, 3000, 6000, NULL),
  ('cigna-open-access', 'Cigna', 'Open Access Plus', true, 2500, 5000, NULL),
  ('medicare-part-b', 'Medicare', 'Original Medicare Part B', true, 0, 0, 'The standard Part B deductible and 20 percent coinsurance apply.'),
  ('medicaid-state', 'State Medicaid', 'Medicaid', true, 0, 0, NULL),
  ('humana-gold-hmo', 'Humana', 'Gold Plus HMO', false, NULL, NULL, 'Out of network: visits are self-pay or need an out-of-network claim.'),
  ('kaiser-hmo', 'Kaiser Permanente', 'HMO', false, NULL, NULL, 'Kaiser HMO members must use Kaiser facilities.')
ON CONFLICT DO NOTHING;

INSERT INTO patients (id, first_name, last_name, date_of_birth, phone, email, insurance_plan_id,
  insurance_member_id, coverage_ends_on, primary_provider_id) VALUES
  (1001, 'Maria', 'Garcia', DATE '1985-04-12', '+15550142201', 'maria.garcia@example.com', 'aetna-choice-ppo', 'W123456789', NULL, 'dr-patel'),
  (1002, 'James', 'Whitaker', DATE '1972-11-03', '+15550142202', NULL, 'bcbs-blue-hmo', 'XBH448812', NULL, 'dr-nguyen'),
  (1003, 'Aisha', 'Rahman', DATE '2016-06-21', '+15550142203', NULL, 'medicaid-state', 'MCD7781230', NULL, 'dr-okafor'),
  (1004, 'Robert', 'Chen', DATE '1958-01-30', '+15550142204', 'rchen@example.com', 'medicare-part-b', '1EG4TE5MK73', NULL, 'dr-levine'),
  (1005, 'Emily', 'Carter', DATE '1990-09-15', '+15550142205', NULL, 'united-choice-plus', 'UHC99120034', DATE '2024-12-31', 'np-kim'),
  (1006, 'Daniel', 'Brooks', DATE '1968-07-04', NULL, NULL, 'humana-gold-hmo', 'H55120987', NULL, 'dr-patel'),
  (1007, 'Maria', 'Garcia', DATE '1992-02-02', '+15550142207', NULL, NULL, NULL, NULL, 'np-kim')
ON CONFLICT DO NOTHING;

-- Upcoming appointments: weekday slots one to two weeks after the seed first runs.
WITH base AS (
  SELECT (now() AT TIME ZONE 'America/New_York')::date AS today
), days AS (
  SELECT today + ((2 - extract(dow FROM today)::int + 7) % 7) + 7 AS next_tue,
         today + ((4 - extract(dow FROM today)::int + 7) % 7) + 7 AS next_thu,
         today + ((1 - extract(dow FROM today)::int + 7) % 7) + 7 AS next_mon
  FROM base
)
INSERT INTO appointments (id, patient_id, provider_id, location_id, starts_at, ends_at, reason, status)
SELECT v.id, v.patient_id, v.provider_id, v.location_id,
       (v.day + v.at) AT TIME ZONE 'America/New_York',
       (v.day + v.at + make_interval(mins => v.mins)) AT TIME ZONE 'America/New_York',
       v.reason, 'booked'
FROM days, LATERAL (VALUES
  (1001::bigint, 1001::bigint, 'dr-patel', 'downtown', days.next_tue, time '10:00', 30, 'Annual physical'),
  (1002, 1002, 'dr-nguyen', 'northside', days.next_mon, time '09:00', 30, 'Diabetes follow-up'),
  (1003, 1004, 'dr-levine', 'downtown', days.next_mon, time '11:15', 45, 'Cardiology follow-up'),
  (1004, 1003, 'dr-okafor', 'northside', days.next_thu, time '15:30', 30, 'Well-child visit')
) AS v(id, patient_id, provider_id, location_id, day, at, mins, reason)
ON CONFLICT DO NOTHING;

INSERT INTO prescriptions (id, patient_id, prescriber_id, medication, dosage, refills_remaining, controlled, active, last_filled_on, pharmacy) VALUES
  (1001, 1001, 'dr-patel', 'lisinopril', '10 mg once daily', 3, false, true, DATE '2026-10-01', 'Springfield Pharmacy on Main Street'),
  (1002, 1001, 'dr-patel', 'atorvastatin', '20 mg once daily', 0, false, true, DATE '2026-09-15', 'Springfield Pharmacy on Main Street'),
  (1003, 1002, 'dr-nguyen', 'metformin', '500 mg twice daily', 2, false, true, DATE '2026-10-20', 'CareMart Pharmacy, North Ridge'),
  (1004, 1004, 'dr-levine', 'warfarin', '5 mg once daily', 1, false, true, DATE '2026-10-28', NULL),
  (1005, 1004, 'dr-patel', 'alprazolam', '0.5 mg as needed', 1, true, true, DATE '2026-10-05', NULL),
  (1006, 1005, 'np-kim', 'sertraline', '50 mg once daily', 5, false, false, DATE '2025-02-01', NULL)
ON CONFLICT DO NOTHING;
