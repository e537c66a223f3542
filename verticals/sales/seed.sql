-- Fieldline demo data: field-service software for trades businesses. Idempotent.
INSERT INTO company (id, name, timezone, main_number, sales_email, demo_minutes, demo_min_notice_minutes,
                     demo_horizon_days, quote_valid_days, max_phone_discount_pct, trial_days)
VALUES (true, 'Fieldline', 'America/Denver', '+15550100600', 'sales@fieldline.example', 30, 240, 21, 30, 10.0, 14)
ON CONFLICT (id) DO NOTHING;

INSERT INTO products (code, kind, name, summary, unit, min_quantity, rank) VALUES
  ('starter', 'plan', 'Starter', 'Scheduling, dispatch, job notes and invoicing for small crews.', 'user', 1, 1),
  ('pro', 'plan', 'Pro', 'Everything in Starter plus online booking, QuickBooks sync, automated reminders and reporting.', 'user', 3, 2),
  ('enterprise', 'plan', 'Enterprise', 'Everything in Pro plus single sign-on, custom roles, API access and a dedicated success manager.', 'user', 25, 3),
  ('gps_tracking', 'addon', 'GPS fleet tracking', 'Live vehicle locations and route history, priced per vehicle.', 'vehicle', 1, 10),
  ('customer_portal', 'addon', 'Customer portal', 'A branded portal where customers see appointments, approve quotes and pay invoices.', 'account', 1, 11),
  ('advanced_reporting', 'addon', 'Advanced reporting', 'Custom dashboards, technician profitability and exports to your data warehouse.', 'user', 1, 12)
ON CONFLICT (code) DO NOTHING;

INSERT INTO features (code, name, description, keywords) VALUES
  ('scheduling', 'Drag-and-drop scheduling', 'A shared calendar of jobs and technicians with drag-and-drop rescheduling.', 'schedule calendar jobs booking dispatch board'),
  ('dispatch', 'Dispatch and mobile app', 'Technicians get jobs, directions, checklists and photos on the iOS and Android app, also offline.', 'mobile app phone ios android offline technician dispatch'),
  ('invoicing', 'Invoicing and payments', 'Create invoices on site and take card payments in the app.', 'invoice payment card pay billing'),
  ('online_booking', 'Online booking', 'Customers book jobs from your website into open slots.', 'website booking online widget customers book'),
  ('quickbooks_sync', 'QuickBooks sync', 'Two-way sync of customers, invoices and payments with QuickBooks Online and Desktop.', 'quickbooks accounting sync xero integration'),
  ('reminders', 'Automated reminders', 'Text and email reminders before each visit, with on-my-way messages.', 'sms text reminder email notification'),
  ('reporting', 'Standard reporting', 'Revenue, jobs and technician utilisation reports.', 'reports reporting dashboard analytics'),
  ('sso', 'Single sign-on', 'SAML single sign-on with Okta, Azure AD and Google.', 'sso saml okta azure login security'),
  ('api', 'Open API and webhooks', 'REST API and webhooks for custom integrations.', 'api webhook integration developer custom'),
  ('gps', 'GPS fleet tracking', 'Live vehicle map and route history.', 'gps fleet vehicle truck location tracking map'),
  ('portal', 'Customer portal', 'Customers approve quotes and pay invoices online.', 'portal customer approve quote pay online'),
  ('custom_dashboards', 'Custom dashboards', 'Build dashboards and export to a data warehouse.', 'custom dashboard warehouse export bi profitability')
ON CONFLICT (code) DO NOTHING;

INSERT INTO plan_features (plan_code, feature_code) VALUES
  ('starter', 'scheduling'), ('starter', 'dispatch'), ('starter', 'invoicing'),
  ('pro', 'scheduling'), ('pro', 'dispatch'), ('pro', 'invoicing'), ('pro', 'online_booking'),
  ('pro', 'quickbooks_sync'), ('pro', 'reminders'), ('pro', 'reporting'),
  ('enterprise', 'scheduling'), ('enterprise', 'dispatch'), ('enterprise', 'invoicing'), ('enterprise', 'online_booking'),
  ('enterprise', 'quickbooks_sync'), ('enterprise', 'reminders'), ('enterprise', 'reporting'), ('enterprise', 'sso'),
  ('enterprise', 'api')
ON CONFLICT (plan_code, feature_code) DO NOTHING;

INSERT INTO feature_addons (feature_code, addon_code) VALUES
  ('gps', 'gps_tracking'), ('portal', 'customer_portal'), ('custom_dashboards', 'advanced_reporting')
ON CONFLICT (feature_code) DO NOTHING;

-- Monthly list prices per unit; annual terms are about 15% less.
INSERT INTO price_book (id, product_code, billing_term, min_quantity, max_quantity, unit_price_cents) VALUES
  (1, 'starter', 'monthly', 1, 9, 2900),   (2, 'starter', 'monthly', 10, NULL, 2600),
  (3, 'starter', 'annual', 1, 9, 2500),    (4, 'starter', 'annual', 10, NULL, 2200),
  (5, 'pro', 'monthly', 3, 24, 5900),      (6, 'pro', 'monthly', 25, 99, 5300),   (7, 'pro', 'monthly', 100, NULL, 4900),
  (8, 'pro', 'annual', 3, 24, 4900),       (9, 'pro', 'annual', 25, 99, 4500),    (10, 'pro', 'annual', 100, NULL, 4200),
  (11, 'enterprise', 'monthly', 25, 199, 9900), (12, 'enterprise', 'monthly', 200, NULL, 8900),
  (13, 'enterprise', 'annual', 25, 199, 8400),  (14, 'enterprise', 'annual', 200, NULL, 7600),
  (15, 'gps_tracking', 'monthly', 1, NULL, 1500), (16, 'gps_tracking', 'annual', 1, NULL, 1300),
  (17, 'customer_portal', 'monthly', 1, 1, 9900), (18, 'customer_portal', 'annual', 1, 1, 8400),
  (19, 'advanced_reporting', 'monthly', 1, NULL, 1000), (20, 'advanced_reporting', 'annual', 1, NULL, 800)
ON CONFLICT (id) DO NOTHING;

INSERT INTO sales_reps (id, name, role, phone, email, on_duty) VALUES
  (1, 'Jamie Ortiz',    'account_executive',  '+15550100611', 'jamie@fieldline.example', true),
  (2, 'Morgan Reeves',  'account_executive',  '+15550100612', 'morgan@fieldline.example', true),
  (3, 'Sam Whitaker',   'solutions_engineer', '+15550100613', 'sam@fieldline.example', true),
  (4, 'Alicia Grant',   'sales_manager',      '+15550100614', 'alicia@fieldline.example', true)
ON CONFLICT (id) DO NOTHING;

INSERT INTO demo_availability (rep_id, weekday, opens, closes) VALUES
  (1, 1, '09:00', '16:00'), (1, 2, '09:00', '16:00'), (1, 3, '09:00', '16:00'), (1, 4, '09:00', '16:00'), (1, 5, '09:00', '12:00'),
  (2, 1, '10:00', '17:00'), (2, 2, '10:00', '17:00'), (2, 3, '13:00', '17:00'), (2, 4, '10:00', '17:00'), (2, 5, '10:00', '15:00')
ON CONFLICT (rep_id, weekday) DO NOTHING;

INSERT INTO objection_responses (code, keywords, response, proof_point, follow_up_question) VALUES
  ('price', 'expensive price cost cheaper budget afford too much pricey',
   'Most teams pay for Fieldline from the time it saves in the office and the jobs it stops falling through the cracks. The annual plan is about 15 percent less than monthly, and the free trial lets you check the numbers before you pay anything.',
   'Northstar Heating, a 12-technician shop, cut office scheduling time by 9 hours a week in their first month.',
   'What does scheduling and invoicing cost you in office hours each week today?'),
  ('competitor', 'jobber servicetitan housecall competitor already use other tool alternative compare',
   'Teams usually switch to us for the offline mobile app, the two-way QuickBooks sync, and month-to-month terms. We import your customers and job history for free.',
   'Brightwater Plumbing moved 4,000 customer records over a weekend with our free import.',
   'What is the one thing your current tool does not do well for you?'),
  ('timing', 'not now later busy season next year timing bad time',
   'That makes sense. Many teams set up during a slower month so they are ready for the busy season; setup usually takes about a week with our onboarding team.',
   'Our onboarding team gets a typical 10-person crew live in five business days.',
   'When does your slower season usually start?'),
  ('security', 'security data safe privacy compliance soc gdpr breach',
   'Your data is encrypted in transit and at rest, we are SOC 2 Type II audited every year, and Enterprise adds single sign-on and custom roles.',
   'Our SOC 2 Type II report is available under NDA from your account executive.',
   'Does your company have a security review you need us to fill in?'),
  ('contract', 'contract lock locked commitment cancel long term annual',
   'Monthly plans can be cancelled any time with no fee. Annual plans are the discount option, paid yearly.',
   'About two thirds of our customers start monthly and move to annual after the first quarter.',
   'Would starting month to month make this easier to try?'),
  ('need_approval', 'boss owner partner approval decide think about it talk to',
   'Of course. I can send a written quote you can share, or we can book a short demo and include them so they can ask their own questions.',
   'Most owners decide after a 30-minute demo with their office manager on the call.',
   'Would it help to include them in a demo?')
ON CONFLICT (code) DO NOTHING;
