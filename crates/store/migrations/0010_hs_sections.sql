-- The 21 sections of the HS 2022 nomenclature, each a run of chapters, with Korean and English
-- titles (the shipped list is in data/hs/hs-sections-2022.csv).

CREATE TABLE hs_sections (
    code TEXT PRIMARY KEY,
    first_chapter TEXT NOT NULL,
    last_chapter TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    name_ko TEXT NOT NULL DEFAULT ''
);
