//! Program catalog, eligibility and applications over the JSON API (written by the API work).
