-- Harborview Realty demo data. Idempotent: every row has a fixed key and ON CONFLICT DO NOTHING,
-- so `switchboard seed real-estate` can run any number of times.
INSERT INTO office (id, name, timezone, address, main_number, email, tour_minutes, min_notice_minutes,
                    booking_horizon_days, property_tax_rate_pct, insurance_rate_pct,
                    lender_partner_name, lender_partner_number)
VALUES (true, 'Harborview Realty', 'America/Los_Angeles', '1420 Northeast Broadway, Portland, Oregon 97232',
        '+15550100300', 'hello@harborviewrealty.example', 30, 120, 30, 1.050, 0.350,
        'Columbia Home Lending', '+15550100390')
ON CONFLICT (id) DO NOTHING;

INSERT INTO hours (kind, weekday, opens, closes) VALUES
  ('office', 1, '09:00', '18:00'), ('office', 2, '09:00', '18:00'), ('office', 3, '09:00', '18:00'),
  ('office', 4, '09:00', '18:00'), ('office', 5, '09:00', '18:00'), ('office', 6, '10:00', '16:00'),
  ('showings', 1, '10:00', '18:00'), ('showings', 2, '10:00', '18:00'), ('showings', 3, '10:00', '18:00'),
  ('showings', 4, '10:00', '18:00'), ('showings', 5, '10:00', '18:00'), ('showings', 6, '10:00', '16:00'),
  ('showings', 7, '12:00', '16:00')
ON CONFLICT (kind, weekday) DO NOTHING;

INSERT INTO policies (topic, summary) VALUES
  ('tours', 'Tours last 30 minutes and are led by one of our agents. Please bring a photo ID. Up to four people can join one tour. Please give us at least two hours notice to book, and cancel as early as you can.'),
  ('rental_application', 'Rental applications are online at harborviewrealty.example/apply. The fee is 45 dollars per adult, non-refundable. We look for income of about two and a half times the rent and run a credit and rental history check. Decisions usually take two business days.'),
  ('security_deposit', 'The security deposit is one month of rent, due when the lease is signed, together with the first month. It is returned within 30 days of move-out, less any documented damage.'),
  ('pets', 'Pets are allowed only where the listing says so. Where allowed: up to two pets, a 300 dollar refundable pet deposit and 35 dollars a month pet rent per pet. Service and assistance animals are always welcome and are never charged.'),
  ('offers', 'Offers are written and submitted by the buyer''s agent. Sellers usually respond within the deadline written into the offer, often 24 to 72 hours. We can only share the status of an offer with the buyer who made it, after checking the offer number and last name.'),
  ('selling', 'Our listing agents give a free market analysis and consultation. Our commission is agreed in the listing agreement; the agent will go through it at the consultation.'),
  ('maintenance', 'Tenants report repairs by phone or at harborviewrealty.example/repairs. Emergencies such as flooding, no heat in winter, or a sewage backup are sent to the property manager on duty right away. For fire, smoke, or the smell of gas, leave the home and call 911 first.'),
  ('fair_housing', 'Harborview Realty follows fair housing law. We do not steer buyers or renters toward or away from any area based on who lives there, and we do not describe neighborhoods by their demographics.')
ON CONFLICT (topic) DO NOTHING;

INSERT INTO team_members (id, name, role, phone, email, on_duty) VALUES
  (1, 'Dana Whitfield', 'broker',           '+15550100310', 'dana@harborviewrealty.example', true),
  (2, 'Marcus Lee',     'buyer_agent',      '+15550100311', 'marcus@harborviewrealty.example', true),
  (3, 'Priya Raman',    'listing_agent',    '+15550100312', 'priya@harborviewrealty.example', true),
  (4, 'Sofia Alvarez',  'rental_agent',     '+15550100313', 'sofia@harborviewrealty.example', true),
  (5, 'Tom Becker',     'property_manager', '+15550100314', 'tom@harborviewrealty.example', true),
  (6, 'Grace Kim',      'buyer_agent',      '+15550100315', 'grace@harborviewrealty.example', false)
ON CONFLICT (id) DO NOTHING;

INSERT INTO listings (id, kind, status, property_type, address, unit, neighborhood, city, postal_code, bedrooms,
                      bathrooms, square_feet, price_cents, monthly_rent_cents, hoa_monthly_cents, pets_allowed,
                      parking, year_built, available_on, headline, features, listing_agent_id, listed_on)
OVERRIDING SYSTEM VALUE VALUES
  (1001, 'sale', 'active', 'house', '4417 Northeast Alberta Street', NULL, 'Alberta Arts', 'Portland', '97218', 3, 2.0, 1640, 67500000, NULL, 0, true,
   'detached garage', 1926, NULL, 'Craftsman bungalow with a renovated kitchen', 'original built-ins, gas range, fenced back yard, finished basement', 3, current_date - 41),
  (1002, 'sale', 'active', 'condo', '1200 Northwest Marshall Street', '804', 'Pearl District', 'Portland', '97209', 2, 2.0, 1105, 54900000, NULL, 61500, false,
   'one deeded garage space', 2008, NULL, 'Eighth-floor corner condo with river views', 'floor-to-ceiling windows, in-unit laundry, doorman, gym', 3, current_date - 23),
  (1003, 'sale', 'pending', 'house', '7625 Southeast 17th Avenue', NULL, 'Sellwood', 'Portland', '97202', 4, 2.5, 2310, 89000000, NULL, 0, true,
   'two-car garage', 1912, NULL, 'Restored Victorian near the riverfront', 'wraparound porch, primary suite, new roof 2022', 3, current_date - 62),
  (1004, 'sale', 'active', 'townhouse', '3518 Southeast Hawthorne Boulevard', NULL, 'Hawthorne', 'Portland', '97214', 3, 2.5, 1580, 61500000, NULL, 12000, true,
   'one-car garage', 2017, NULL, 'Modern townhouse steps from Hawthorne shops', 'rooftop deck, EV charger, heat pump', 3, current_date - 11),
  (1005, 'sale', 'active', 'house', '2906 Northeast Glisan Street', NULL, 'Laurelhurst', 'Portland', '97232', 5, 3.5, 3420, 124500000, NULL, 0, true,
   'two-car garage', 1922, NULL, 'Laurelhurst Colonial on a double lot', 'library, chef''s kitchen, guest suite over garage', 3, current_date - 28),
  (1006, 'sale', 'active', 'house', '8811 North Lombard Street', NULL, 'St. Johns', 'Portland', '97203', 2, 1.0, 980, 42900000, NULL, 0, true,
   'street parking', 1948, NULL, 'St. Johns starter home with a big garden', 'new windows, raised beds, detached studio', 3, current_date - 7),
  (1007, 'sale', 'active', 'condo', '1500 Southwest 11th Avenue', '1402', 'Downtown', 'Portland', '97201', 1, 1.0, 720, 37500000, NULL, 48000, true,
   'one garage space', 2006, NULL, 'Downtown one-bedroom near the park blocks', 'quartz counters, balcony, bike room', 3, current_date - 15),
  (1008, 'sale', 'sold', 'house', '5230 Northeast 33rd Avenue', NULL, 'Alberta Arts', 'Portland', '97211', 3, 1.5, 1490, 63000000, NULL, 0, true,
   'driveway', 1931, NULL, 'Sold: Tudor cottage', 'arched doorways, updated bath', 3, current_date - 103),
  (1101, 'rental', 'active', 'apartment', '2350 Northwest Savier Street', '3B', 'Northwest', 'Portland', '97210', 1, 1.0, 650, NULL, 185000, 0, true,
   'street parking', 1964, current_date + 19, 'Bright one-bedroom near Northwest 23rd', 'hardwood floors, shared laundry, cats and small dogs welcome', 4, current_date - 11),
  (1102, 'rental', 'active', 'apartment', '1120 Southeast Division Street', '210', 'Division', 'Portland', '97202', 2, 2.0, 980, NULL, 245000, 0, false,
   'one assigned space', 2019, current_date + 33, 'Two-bedroom, two-bath in a newer building', 'in-unit laundry, dishwasher, air conditioning, no pets', 4, current_date - 9),
  (1103, 'rental', 'active', 'house', '6012 North Greeley Avenue', NULL, 'Arbor Lodge', 'Portland', '97217', 3, 2.0, 1450, NULL, 325000, 0, true,
   'driveway', 1939, current_date + 50, 'Three-bedroom house with a fenced yard', 'washer and dryer, gas fireplace, dogs welcome', 4, current_date - 2),
  (1104, 'rental', 'active', 'condo', '1200 Northwest Marshall Street', '512', 'Pearl District', 'Portland', '97209', 0, 1.0, 520, NULL, 165000, 0, false,
   'none', 2008, current_date + 19, 'Pearl District studio with a doorman', 'gym, roof deck, utilities partly included', 4, current_date),
  (1105, 'rental', 'leased', 'townhouse', '4120 Southeast Woodstock Boulevard', NULL, 'Woodstock', 'Portland', '97206', 3, 2.5, 1520, NULL, 310000, 0, true,
   'garage', 2015, NULL, 'Leased: Woodstock townhouse', 'garage, patio', 4, current_date - 315),
  (1106, 'rental', 'leased', 'apartment', '1120 Southeast Division Street', '305', 'Division', 'Portland', '97202', 1, 1.0, 700, NULL, 195000, 0, false,
   'street parking', 2019, NULL, 'Leased: Division one-bedroom', 'in-unit laundry', 4, current_date - 407)
ON CONFLICT (id) DO NOTHING;

INSERT INTO leads (id, name, phone, email, intent, timeline, budget_min_cents, budget_max_cents, pre_approved,
                   areas, bedrooms_min, score, grade, assigned_agent_id)
OVERRIDING SYSTEM VALUE VALUES
  (6001, 'Jordan Price', '+15550100380', 'jordan.price@example.com', 'buy', '1_3_months', 50000000, 70000000, true,
   'Alberta Arts, Hawthorne', 3, 80, 'hot', 2)
ON CONFLICT (id) DO NOTHING;

INSERT INTO offers (id, listing_id, buyer_last_name, buyer_agent_id, amount_cents, status, counter_amount_cents,
                    submitted_on, respond_by, next_step) VALUES
  (3101, 1003, 'Nakamura', 2, 87500000, 'accepted', NULL, current_date - 10, current_date - 8,
   'Inspection period runs for ten days; your agent will schedule the inspection.'),
  (3102, 1001, 'Okafor', 2, 65000000, 'countered', 66800000, current_date - 2, current_date + 1,
   'The seller countered; talk to your agent about whether to accept, counter, or walk away.'),
  (3103, 1002, 'Bergstrom', 6, 53000000, 'under_review', NULL, current_date - 1, current_date + 2,
   'The seller is reviewing; expect an answer by the respond-by date.'),
  (3104, 1005, 'Castillo', 2, 115000000, 'rejected', NULL, current_date - 23, current_date - 21,
   'The seller declined. Your agent can talk about a new offer.')
ON CONFLICT (id) DO NOTHING;

INSERT INTO leases (id, listing_id, tenant_name, tenant_phone, starts_on, ends_on) VALUES
  (901, 1105, 'Alex Morgan', '+15550100381', current_date - 284, current_date + 445),
  (902, 1106, 'Riley Chen',  '+15550100382', current_date - 376, current_date + 353)
ON CONFLICT (id) DO NOTHING;

INSERT INTO comparable_sales (id, address, neighborhood, city, property_type, bedrooms, square_feet, sold_price_cents, sold_on) VALUES
  (1, '5230 Northeast 33rd Avenue',      'Alberta Arts', 'Portland', 'house', 3, 1490, 63000000, current_date - 55),
  (2, '4811 Northeast 29th Avenue',      'Alberta Arts', 'Portland', 'house', 3, 1720, 70500000, current_date - 105),
  (3, '1925 Northeast Killingsworth St', 'Alberta Arts', 'Portland', 'house', 2, 1180, 51500000, current_date - 216),
  (4, '5507 Northeast 24th Avenue',      'Alberta Arts', 'Portland', 'house', 4, 2050, 81000000, current_date - 148),
  (5, '3712 Southeast Yamhill Street',   'Hawthorne',    'Portland', 'house', 3, 1610, 68500000, current_date - 74),
  (6, '2236 Southeast 41st Avenue',      'Hawthorne',    'Portland', 'house', 2, 1240, 56000000, current_date - 192),
  (7, '4005 Southeast Main Street',      'Hawthorne',    'Portland', 'house', 4, 2200, 87500000, current_date - 37),
  (8, '1300 Northwest Lovejoy Street',   'Pearl District', 'Portland', 'condo', 2, 1150, 56500000, current_date - 71),
  (9, '1010 Northwest Johnson Street',   'Pearl District', 'Portland', 'condo', 1, 780, 41000000, current_date - 142),
  (10, '1133 Northwest 11th Avenue',     'Pearl District', 'Portland', 'condo', 2, 1040, 50500000, current_date - 241),
  (11, '8120 Southeast 13th Avenue',     'Sellwood',     'Portland', 'house', 3, 1800, 74000000, current_date - 122),
  (12, '7306 Southeast 21st Avenue',     'Sellwood',     'Portland', 'house', 4, 2400, 92000000, current_date - 48)
ON CONFLICT (id) DO NOTHING;

INSERT INTO mortgage_rates (product, term_years, rate_pct, apr_pct, min_down_payment_pct, as_of) VALUES
  ('30_year_fixed', 30, 6.625, 6.710, 5.0, current_date - 3),
  ('15_year_fixed', 15, 5.875, 5.990, 5.0, current_date - 3),
  ('7_1_arm',       30, 6.125, 6.580, 10.0, current_date - 3),
  ('fha_30_year',   30, 6.250, 7.050, 3.5, current_date - 3)
ON CONFLICT (product) DO NOTHING;
