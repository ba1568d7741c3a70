//! Country playbooks as versions: drafts, review, publication.
