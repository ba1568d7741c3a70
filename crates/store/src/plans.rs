//! Companies' plans for setting up abroad: the checklist, notes, evidence and playbook updates.
