//! The shipped country playbooks, loaded as published version 1 when a database has none.
