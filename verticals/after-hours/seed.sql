-- Beacon Plumbing & Heating demo data. Idempotent (fixed keys, ON CONFLICT DO NOTHING).
INSERT INTO business (id, name, timezone, main_number, emergency_number, gas_utility_name, gas_utility_number,
                      emergency_dispatch_fee_cents, page_callback_minutes, callback_slot_minutes,
                      callback_horizon_days, payment_url)
VALUES (true, 'Beacon Plumbing and Heating', 'America/Chicago', '+15550100400', '911', 'Northern Lights Gas',
        '+15550100490', 14900, 15, 15, 7, 'pay.beaconplumbing.example')
ON CONFLICT (id) DO NOTHING;

INSERT INTO hours (weekday, opens, closes) VALUES
  (1, '08:00', '17:00'), (2, '08:00', '17:00'), (3, '08:00', '17:00'), (4, '08:00', '17:00'),
  (5, '08:00', '17:00'), (6, '09:00', '13:00')
ON CONFLICT (weekday) DO NOTHING;

INSERT INTO services (code, name, description, after_hours_available) VALUES
  ('emergency_plumbing', 'Emergency plumbing', 'Burst or leaking pipes, overflowing fixtures, sewage backups and water heater leaks, day and night.', true),
  ('heating_repair', 'Furnace and boiler repair', 'No heat, furnace faults, boiler and radiator problems.', true),
  ('drain_cleaning', 'Drain cleaning', 'Clogged sinks, tubs, toilets and main lines.', false),
  ('water_heaters', 'Water heater repair and replacement', 'Tank and tankless water heaters, same-week installation.', false),
  ('cooling', 'Air conditioning', 'AC repair, tune-ups and installation.', false),
  ('maintenance_plan', 'Beacon Care maintenance plan', 'Yearly furnace and plumbing inspection, priority scheduling and no dispatch fee after hours.', false)
ON CONFLICT (code) DO NOTHING;

INSERT INTO service_area (postal_code, city) VALUES
  ('55401', 'Minneapolis'), ('55403', 'Minneapolis'), ('55404', 'Minneapolis'), ('55405', 'Minneapolis'),
  ('55406', 'Minneapolis'), ('55407', 'Minneapolis'), ('55408', 'Minneapolis'), ('55409', 'Minneapolis'),
  ('55410', 'Minneapolis'), ('55414', 'Minneapolis'), ('55416', 'St. Louis Park'), ('55419', 'Minneapolis'),
  ('55102', 'St. Paul'), ('55104', 'St. Paul'), ('55105', 'St. Paul')
ON CONFLICT (postal_code) DO NOTHING;

INSERT INTO faqs (topic, keywords, answer) VALUES
  ('after_hours_fee', 'fee cost charge price after hours emergency visit dispatch night weekend',
   'Emergency visits outside office hours carry a dispatch fee of 149 dollars on top of parts and labor. Beacon Care plan members pay no dispatch fee.'),
  ('payment_methods', 'pay payment card credit check cash financing methods',
   'We take all major credit cards, checks, and bank transfers. Invoices can be paid online; we can text you a secure payment link. Financing is available for replacements over 1,500 dollars.'),
  ('warranty', 'warranty guarantee repair parts labor come back',
   'Repairs carry a one-year warranty on parts and labor. Water heater and furnace installations carry the manufacturer warranty plus our two-year labor warranty.'),
  ('estimates', 'estimate quote free price replacement install installation',
   'Estimates for replacements and installations are free during office hours. Repair visits are quoted on site before any work starts.'),
  ('scheduling', 'appointment schedule book visit technician tomorrow when',
   'Regular appointments are booked by our office during business hours. After hours we can schedule a callback from the office for the next business day.'),
  ('gas_smell', 'gas smell leak rotten egg odor',
   'If you smell gas, leave the building now without using switches or phones inside, then call 911 and the gas utility from outside.'),
  ('frozen_pipes', 'frozen pipe freeze winter cold thaw',
   'If a pipe has frozen but not burst, open the faucet it feeds and warm the area gently with a hair dryer or space heater kept away from anything flammable. Never use an open flame. If it has burst, shut off the main water valve and call us.'),
  ('main_shutoff', 'shut off shutoff main valve water turn off stop',
   'The main water shut-off valve is usually where the water line enters the home, often in the basement near the water meter. Turn it clockwise until it stops.')
ON CONFLICT (topic) DO NOTHING;

INSERT INTO staff (id, name, role, phone, active) VALUES
  (1, 'Luis Ortega',     'technician', '+15550100411', true),
  (2, 'Hannah Berg',     'technician', '+15550100412', true),
  (3, 'Dev Patel',       'technician', '+15550100413', true),
  (4, 'Maggie Olson',    'dispatcher', '+15550100414', true),
  (5, 'Carl Jensen',     'supervisor', '+15550100415', true),
  (6, 'Nora Lindqvist',  'billing',    '+15550100416', true)
ON CONFLICT (id) DO NOTHING;

-- Tier 1: technicians overnight on weekdays and all weekend, the dispatcher in office hours.
-- Tier 2: the supervisor around the clock. Every minute of the week is covered by both tiers.
INSERT INTO on_call_rotation (id, tier, weekday, start_minute, end_minute, staff_id) VALUES
  (101, 1, 1, 0, 480, 3),   (102, 1, 1, 480, 1020, 4), (103, 1, 1, 1020, 1440, 1),
  (104, 1, 2, 0, 480, 1),   (105, 1, 2, 480, 1020, 4), (106, 1, 2, 1020, 1440, 2),
  (107, 1, 3, 0, 480, 2),   (108, 1, 3, 480, 1020, 4), (109, 1, 3, 1020, 1440, 3),
  (110, 1, 4, 0, 480, 3),   (111, 1, 4, 480, 1020, 4), (112, 1, 4, 1020, 1440, 1),
  (113, 1, 5, 0, 480, 1),   (114, 1, 5, 480, 1020, 4), (115, 1, 5, 1020, 1440, 2),
  (116, 1, 6, 0, 1440, 2),
  (117, 1, 7, 0, 1440, 3),
  (201, 2, 1, 0, 1440, 5), (202, 2, 2, 0, 1440, 5), (203, 2, 3, 0, 1440, 5), (204, 2, 4, 0, 1440, 5),
  (205, 2, 5, 0, 1440, 5), (206, 2, 6, 0, 1440, 5), (207, 2, 7, 0, 1440, 5)
ON CONFLICT (id) DO NOTHING;

INSERT INTO triage_categories (code, label, level, guidance) VALUES
  ('gas_smell', 'Smell of gas', 'life_safety',
   'Leave the building now. Do not flip switches, light anything or use a phone inside. From outside, call 911 and the gas utility.'),
  ('fire_or_smoke', 'Fire, smoke or burning smell from equipment', 'life_safety',
   'Get everyone out and call 911 now.'),
  ('carbon_monoxide_alarm', 'Carbon monoxide alarm sounding', 'life_safety',
   'Get everyone out into fresh air and call 911 now. Do not go back in until the fire department says it is safe.'),
  ('electrical_hazard', 'Sparking, exposed wiring, or water near electrical panels', 'life_safety',
   'Stay away from the water and the equipment. If it is safe, switch off power at the main breaker; call 911 if there is sparking or smoke.'),
  ('burst_pipe', 'Burst pipe or active flooding', 'urgent',
   'Shut off the main water valve if you can do so safely, and keep away from any electrical outlets near the water.'),
  ('sewage_backup', 'Sewage backing up into the home', 'urgent',
   'Stop using water in the home, keep people and pets away from the affected area.'),
  ('no_heat', 'No heat', 'urgent',
   'Keep interior doors open, use safe space heaters away from anything flammable, and let faucets drip to keep pipes from freezing.'),
  ('water_heater_leak', 'Water heater leaking', 'urgent',
   'Turn the cold water supply valve on top of the heater clockwise to close it and turn the heater''s thermostat to off or vacation.'),
  ('no_hot_water', 'No hot water', 'routine',
   'This can wait for the office; we can schedule a callback for the next business day.'),
  ('clogged_drain', 'Slow or clogged drain', 'routine',
   'Avoid using that fixture; a single clogged drain can wait for the office.'),
  ('cooling_problem', 'Air conditioning not cooling', 'routine',
   'Check the thermostat setting and the breaker; the office can book a visit.'),
  ('other', 'Something else', 'routine',
   'Take a message or schedule a callback for the office.')
ON CONFLICT (code) DO NOTHING;

INSERT INTO customers (id, account_number, name, phone, address, postal_code) VALUES
  (1, 40112, 'Erin Sandoval', '+15550100481', '3120 Bryant Avenue South, Minneapolis', '55408'),
  (2, 40187, 'Paul Hendricks', '+15550100482', '744 Grand Avenue, St. Paul', '55105'),
  (3, 40203, 'Amina Yusuf', '+15550100483', '2915 Garfield Avenue, Minneapolis', '55408')
ON CONFLICT (id) DO NOTHING;

INSERT INTO invoices (number, customer_id, description, issued_on, due_on, amount_cents, balance_cents, status) VALUES
  (20417, 1, 'Water heater replacement, 50 gallon', current_date - 20, current_date + 10, 184500, 184500, 'open'),
  (20388, 1, 'Drain cleaning, kitchen line', current_date - 60, current_date - 30, 22900, 0, 'paid'),
  (20452, 2, 'Emergency visit: burst pipe repair', current_date - 45, current_date - 15, 61800, 31800, 'open'),
  (20460, 3, 'Furnace repair: igniter and flame sensor', current_date - 12, current_date + 18, 38700, 38700, 'disputed')
ON CONFLICT (number) DO NOTHING;
