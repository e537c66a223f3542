-- Seed data for the it-helpdesk vertical (fictional company, people and numbers).
-- Idempotent: every insert is ON CONFLICT DO NOTHING. Knowledge articles are not seeded here:
-- they are indexed from knowledge/*.md by reindexKnowledge() (on seed, at start-up, and lazily by
-- it_search_knowledge whenever an article file changed).
--
-- Demo helpdesk PINs (stored only as salted SHA-256): E10234 Jordan Miles 482913,
-- E10001 Patricia Owens 730155, E10457 Samira Haddad 265804, E10589 Leo Park 119407,
-- E10612 Grace Okonkwo 908142, E10777 Tom Becker 555019. Nina Alvarez (E10820) has no PIN set.

INSERT INTO desk_settings (id, company_name, timezone, reset_link_base, reset_link_minutes, max_resets_per_day, tier2_callback_hours)
VALUES (true, 'Bluefin Logistics', 'America/Chicago', 'https://passwords.bluefin.example/r/', 15, 3, 4)
ON CONFLICT DO NOTHING;

INSERT INTO support_queues (id, name, phone) VALUES
  ('tier2', 'Tier 2 support', '+15550100501'),
  ('security', 'Security operations', '+15550100502')
ON CONFLICT DO NOTHING;

INSERT INTO support_queue_hours (queue_id, weekday, opens_at, closes_at) VALUES
  ('tier2', 1, '07:00', '19:00'), ('tier2', 2, '07:00', '19:00'), ('tier2', 3, '07:00', '19:00'),
  ('tier2', 4, '07:00', '19:00'), ('tier2', 5, '07:00', '19:00'),
  ('security', 0, '00:00', '23:59:59'), ('security', 1, '00:00', '23:59:59'), ('security', 2, '00:00', '23:59:59'),
  ('security', 3, '00:00', '23:59:59'), ('security', 4, '00:00', '23:59:59'), ('security', 5, '00:00', '23:59:59'),
  ('security', 6, '00:00', '23:59:59')
ON CONFLICT DO NOTHING;

INSERT INTO employees (id, full_name, email, department, title, manager_id, mobile_phone, pin_salt, pin_hash, employment_status) VALUES
  ('E10001', 'Patricia Owens', 'patricia.owens@bluefin.example', 'Finance', 'Finance Director', NULL, '+15550155001',
   '88edf89cee89bc3f', '19cf43d31e62ca0227e14f0f8661351a1fbadce1de9d683ad8f9810edb17d54b', 'active'),
  ('E10234', 'Jordan Miles', 'jordan.miles@bluefin.example', 'Finance', 'Accounts Payable Clerk', 'E10001', '+15550155234',
   'be89aa1e88ebd36f', '8666e48ee8ea1316342c6038d95e1e56f498c6af8bfb98b1a41aea16933b1b62', 'active'),
  ('E10457', 'Samira Haddad', 'samira.haddad@bluefin.example', 'Operations', 'Logistics Coordinator', NULL, '+15550155457',
   '48556d1b586f54b0', '8a30b068c79f629927680438470600c2799326eb7ee1047e01e91b6cf2b6b641', 'active'),
  ('E10589', 'Leo Park', 'leo.park@bluefin.example', 'Sales', 'Account Executive', NULL, NULL,
   'abd28f35721f046b', '190995e9adf512347d48202929bf24792d16445e93db8d2cfa2a60f76895e0bf', 'active'),
  ('E10612', 'Grace Okonkwo', 'grace.okonkwo@bluefin.example', 'IT', 'Systems Administrator', NULL, '+15550155612',
   '0e15a26ce81df04f', '2345fd66531328de72cd76a3b75b53feaf81794c45d9b931b4a8ac20302a1f87', 'active'),
  ('E10777', 'Tom Becker', 'tom.becker@bluefin.example', 'Warehouse', 'Shift Supervisor', NULL, '+15550155777',
   '8c829eae66c741a6', '2b01f36abb97351df50cffaec9f4dd0062ce27bd4e2d0f5e4d3b56316cef80be', 'terminated'),
  ('E10820', 'Nina Alvarez', 'nina.alvarez@bluefin.example', 'HR', 'HR Generalist', NULL, '+15550155820', NULL, NULL, 'active')
ON CONFLICT DO NOTHING;

INSERT INTO accounts (employee_id, system, status, privileged, failed_logins, locked_at) VALUES
  ('E10001', 'directory', 'active', true, 0, NULL),
  ('E10001', 'email', 'active', false, 0, NULL),
  ('E10001', 'erp', 'active', true, 0, NULL),
  ('E10234', 'directory', 'locked', false, 10, TIMESTAMPTZ '2026-11-23 14:05:00+00'),
  ('E10234', 'email', 'active', false, 0, NULL),
  ('E10234', 'vpn', 'active', false, 0, NULL),
  ('E10234', 'erp', 'active', false, 0, NULL),
  ('E10457', 'directory', 'active', false, 2, NULL),
  ('E10457', 'email', 'active', false, 0, NULL),
  ('E10457', 'vpn', 'locked', false, 10, TIMESTAMPTZ '2026-11-23 16:40:00+00'),
  ('E10589', 'directory', 'active', false, 0, NULL),
  ('E10589', 'email', 'active', false, 0, NULL),
  ('E10612', 'directory', 'active', true, 0, NULL),
  ('E10612', 'vpn', 'active', true, 0, NULL),
  ('E10777', 'directory', 'disabled', false, 0, NULL),
  ('E10777', 'email', 'disabled', false, 0, NULL),
  ('E10820', 'directory', 'active', false, 0, NULL)
ON CONFLICT DO NOTHING;

INSERT INTO devices (asset_tag, employee_id, kind, model, os, serial_number, purchased_on, warranty_ends_on, last_check_in, encrypted, compliance, status) VALUES
  ('LT-20411', 'E10234', 'laptop', 'Dell Latitude 7440', 'Windows 11 23H2', 'DL7440-8H2K9Q3', DATE '2024-03-18', DATE '2027-03-31', TIMESTAMPTZ '2026-11-23 15:10:00+00', true, 'compliant', 'in_use'),
  ('PH-30112', 'E10234', 'phone', 'iPhone 14', 'iOS 18.6', 'F2LXK9QJ0D', DATE '2023-10-02', DATE '2025-10-02', TIMESTAMPTZ '2026-11-23 18:00:00+00', true, 'compliant', 'in_use'),
  ('LT-20388', 'E10457', 'laptop', 'Lenovo ThinkPad T14 Gen 3', 'Windows 11 22H2', 'PF3T14-77XQ21', DATE '2022-11-08', DATE '2025-11-30', TIMESTAMPTZ '2026-10-02 12:00:00+00', true, 'noncompliant', 'in_use'),
  ('LT-19876', 'E10589', 'laptop', 'MacBook Pro 14 M3', 'macOS 15.1', 'C02MBP14M3X9', DATE '2024-01-22', DATE '2027-01-22', TIMESTAMPTZ '2026-11-22 21:30:00+00', true, 'compliant', 'in_use'),
  ('LT-20102', 'E10612', 'laptop', 'Dell Precision 5680', 'Windows 11 23H2', 'DP5680-2Q9W1L', DATE '2024-06-03', DATE '2027-06-03', TIMESTAMPTZ '2026-11-23 19:45:00+00', true, 'compliant', 'in_use'),
  ('DT-40012', NULL, 'desktop', 'Dell OptiPlex 7010', 'Windows 11 23H2', 'DO7010-5T8Y2M', DATE '2023-05-15', DATE '2026-05-15', NULL, true, 'unknown', 'spare')
ON CONFLICT DO NOTHING;

INSERT INTO services (id, name, status, message, eta) VALUES
  ('email', 'Email and calendar', 'operational', NULL, NULL),
  ('vpn', 'VPN (GlobalProtect)', 'degraded', 'Some remote users see the VPN drop every few minutes. The network team is replacing a faulty gateway.', NULL),
  ('sso', 'Single sign-on', 'operational', NULL, NULL),
  ('wifi', 'Office Wi-Fi', 'operational', NULL, NULL),
  ('erp', 'ERP (finance and orders)', 'maintenance', 'Planned maintenance on Saturday from 6 AM to 10 AM Central; the ERP is read-only during that window.', NULL),
  ('printing', 'Printing', 'operational', NULL, NULL),
  ('teams', 'Microsoft Teams', 'operational', NULL, NULL),
  ('file-shares', 'File shares', 'operational', NULL, NULL)
ON CONFLICT DO NOTHING;

INSERT INTO tickets (id, employee_id, summary, description, category, priority, status, tier, asset_tag, created_at, updated_at, resolved_at) VALUES
  (10001, 'E10234', 'Second monitor flickers at desk 4.12', 'The left monitor on the WD22 dock flickers every few minutes.', 'hardware', 'medium', 'in_progress', 1, 'LT-20411',
   TIMESTAMPTZ '2026-11-18 15:00:00+00', TIMESTAMPTZ '2026-11-19 10:00:00+00', NULL),
  (10002, 'E10457', 'Request Visio licence', 'Needs Visio for warehouse layout diagrams; manager approval pending.', 'software', 'low', 'waiting_on_caller', 1, NULL,
   TIMESTAMPTZ '2026-11-10 14:00:00+00', TIMESTAMPTZ '2026-11-12 09:30:00+00', NULL),
  (10003, 'E10589', 'Outlook not syncing on laptop', 'Resolved by re-creating the Outlook profile.', 'email', 'medium', 'resolved', 1, 'LT-19876',
   TIMESTAMPTZ '2026-11-03 13:00:00+00', TIMESTAMPTZ '2026-11-03 15:00:00+00', TIMESTAMPTZ '2026-11-03 15:00:00+00')
ON CONFLICT DO NOTHING;

INSERT INTO ticket_notes (id, ticket_id, author, body, created_at) VALUES
  (1, 10001, 'service_desk', 'Swapped the DisplayPort cable; still flickering. Replacement monitor ordered.', TIMESTAMPTZ '2026-11-19 10:00:00+00'),
  (2, 10002, 'service_desk', 'Waiting for the manager to approve the licence cost.', TIMESTAMPTZ '2026-11-12 09:30:00+00')
ON CONFLICT DO NOTHING;
