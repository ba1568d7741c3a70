-- A counter bumped by every reference-data import, so that running nodes reload their copy.
CREATE TABLE reference_version (
    id INTEGER PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO reference_version (id, version) VALUES (1, 1);
