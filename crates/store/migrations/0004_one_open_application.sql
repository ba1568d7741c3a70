-- At most one open application per company and program, also under concurrent requests
-- (the check in `applications::create` gives the clear message; this makes it hold).
CREATE UNIQUE INDEX applications_one_open ON applications (company_id, program_id)
    WHERE status IN ('draft', 'submitted', 'under_review', 'approved');
