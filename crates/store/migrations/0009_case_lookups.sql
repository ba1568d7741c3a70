-- The case page reads a case's follow-ups and knowledge-base summaries by case; without these
-- indexes each read scans the whole table, which grows with every resolved case.

CREATE INDEX case_followups_case ON case_followups (case_id, due_on);
CREATE INDEX kb_entries_case ON kb_entries (case_id);
