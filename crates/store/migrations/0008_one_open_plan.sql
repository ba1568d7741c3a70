-- A company has at most one open plan per playbook: the service checks it, and this index makes
-- it hold when two requests start the same plan at once. Older duplicates (possible before this
-- index) are closed first, keeping the earliest.

UPDATE plans SET status = 'closed'
WHERE status = 'open' AND id NOT IN (SELECT MIN(id) FROM plans WHERE status = 'open' GROUP BY company_id, playbook_id);

CREATE UNIQUE INDEX plans_one_open ON plans (company_id, playbook_id) WHERE status = 'open';
