//! Reference data: countries, HS codes, Korean regions, KSIC, and the derivation thresholds.
//!
//! The lists ship inside the binary (from `data/`, see each folder's SOURCE.md) and are written
//! to the database on first start; the database is the truth afterwards, because admins may
//! import newer lists. [`RefData`] is the in-memory copy every request validates against.

use crate::{Count, Result, Store, StoreError, all, exec, one};
use domain::facts::SizeRule;
use domain::{ExportStage, ExportStageTable, ReferenceCheck, SizeClassTable};
use sea_orm::{ConnectionTrait, FromQueryResult, TransactionTrait, Value};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

const COUNTRIES_CSV: &str = include_str!("../../../data/countries/countries.csv");
const HS_CSV: &str = include_str!("../../../data/hs/harmonized-system-2022.csv");
const HSK_CSV: &str = include_str!("../../../data/hs/hsk-2026-ko.csv");
const HS4_CSV: &str = include_str!("../../../data/hs/hs4-headings-ko-en.csv");
const HS_CHAPTERS_KO_CSV: &str = include_str!("../../../data/hs/hs-chapters-ko.csv");
const HS_SECTIONS_CSV: &str = include_str!("../../../data/hs/hs-sections-2022.csv");
const REGIONS_CSV: &str = include_str!("../../../data/regions/kr-regions.csv");
const KSIC_CSV: &str = include_str!("../../../data/ksic/ksic-sections-divisions.csv");
const STAGES_CSV: &str = include_str!("../../../data/thresholds/export-stages.csv");
const SIZES_CSV: &str = include_str!("../../../data/thresholds/sme-size.csv");

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Country {
    pub alpha2: String,
    pub alpha3: String,
    pub name_en: String,
    pub name_ko: String,
    pub region: String,
    pub currency: String,
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct HsEntry {
    pub code: String,
    pub level: i32,
    pub parent: Option<String>,
    pub name_en: String,
    pub name_ko: String,
}

/// One of the 21 HS sections: a run of chapters under one title.
#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct HsSection {
    /// Roman numeral, I–XXI.
    pub code: String,
    pub first_chapter: String,
    pub last_chapter: String,
    pub name_en: String,
    pub name_ko: String,
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Region {
    pub code: String,
    pub iso: String,
    pub name_ko: String,
    pub name_en: String,
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Ksic {
    pub code: String,
    pub level: String,
    pub parent: Option<String>,
    pub name_ko: String,
    pub name_en: String,
}

/// The kinds `globaldesk import` accepts for reference data.
pub const KINDS: [&str; 7] = ["countries", "hs", "hs-sections", "regions", "ksic", "export-stages", "sme-size"];

fn reader(text: &str) -> csv::Reader<&[u8]> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes())
}

/// Reads a CSV into maps keyed by header; every value is a plain string (so Namibia's `NA` stays).
fn rows(text: &str) -> Result<Vec<HashMap<String, String>>> {
    let mut r = reader(text);
    let headers: Vec<String> = r.headers().map_err(|e| StoreError::Invalid(e.to_string()))?.iter().map(str::to_string).collect();
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| StoreError::Invalid(e.to_string()))?;
        out.push(headers.iter().cloned().zip(rec.iter().map(str::to_string)).collect());
    }
    Ok(out)
}

fn col(row: &HashMap<String, String>, name: &str) -> Result<String> {
    row.get(name).cloned().ok_or_else(|| StoreError::Invalid(format!("missing column {name}")))
}

/// Parses a reference CSV of `kind` into table rows: (table, columns, rows of values).
/// (table, columns, rows) of a reference import.
type Parsed = (&'static str, &'static [&'static str], Vec<Vec<Value>>);

fn parse_kind(kind: &str, text: &str) -> Result<Parsed> {
    let s = |v: String| Value::from(v);
    match kind {
        "countries" => {
            let mut out = Vec::new();
            for r in rows(text)? {
                out.push(vec![
                    s(col(&r, "alpha2")?),
                    s(col(&r, "alpha3")?),
                    s(col(&r, "name_en")?),
                    s(col(&r, "name_ko")?),
                    s(col(&r, "m49_region")?),
                    s(col(&r, "currency_code")?),
                ]);
            }
            Ok(("countries", &["alpha2", "alpha3", "name_en", "name_ko", "region", "currency"], out))
        }
        "regions" => {
            let mut out = Vec::new();
            for r in rows(text)? {
                out.push(vec![s(col(&r, "code")?), s(col(&r, "iso")?), s(col(&r, "name_ko")?), s(col(&r, "name_en")?)]);
            }
            Ok(("regions", &["code", "iso", "name_ko", "name_en"], out))
        }
        "ksic" => {
            let mut out = Vec::new();
            for r in rows(text)? {
                let parent = col(&r, "parent")?;
                out.push(vec![
                    s(col(&r, "code")?),
                    s(col(&r, "level")?),
                    Value::from((!parent.is_empty()).then_some(parent)),
                    s(col(&r, "name_ko")?),
                    s(col(&r, "name_en")?),
                ]);
            }
            Ok(("ksic", &["code", "level", "parent", "name_ko", "name_en"], out))
        }
        "export-stages" => {
            let mut out = Vec::new();
            for r in rows(text)? {
                let min: i64 = col(&r, "min_usd")?.parse().map_err(|_| StoreError::Invalid("min_usd must be an integer".into()))?;
                out.push(vec![s(col(&r, "code")?), min.into(), s(col(&r, "name_ko")?), s(col(&r, "name_en")?), s(col(&r, "source")?)]);
            }
            Ok(("export_stages", &["code", "min_usd", "name_ko", "name_en", "source"], out))
        }
        "sme-size" => {
            let mut out = Vec::new();
            for r in rows(text)? {
                let n =
                    |c: &str| -> Result<i64> { col(&r, c)?.parse().map_err(|_| StoreError::Invalid(format!("{c} must be an integer"))) };
                out.push(vec![
                    s(col(&r, "ksic_section")?),
                    n("micro_employees_below")?.into(),
                    n("small_max_revenue_krw")?.into(),
                    n("medium_max_revenue_krw")?.into(),
                    s(col(&r, "source")?),
                ]);
            }
            Ok(("size_rules", &["ksic_section", "micro_employees_below", "small_max_revenue_krw", "medium_max_revenue_krw", "source"], out))
        }
        "hs" => Ok(("hs_codes", &["code", "level", "parent", "name_en", "name_ko"], hs_rows(text)?)),
        "hs-sections" => {
            let mut out = Vec::new();
            for r in rows(text)? {
                let chapter = |c: &str| -> Result<String> {
                    let v = col(&r, c)?;
                    (v.len() == 2 && v.chars().all(|c| c.is_ascii_digit()))
                        .then_some(v)
                        .ok_or_else(|| StoreError::Invalid(format!("{c} must be a two-digit chapter")))
                };
                out.push(vec![
                    s(col(&r, "section")?),
                    s(chapter("first_chapter")?),
                    s(chapter("last_chapter")?),
                    s(col(&r, "name_en")?),
                    s(col(&r, "name_ko")?),
                ]);
            }
            Ok(("hs_sections", &["code", "first_chapter", "last_chapter", "name_en", "name_ko"], out))
        }
        other => Err(StoreError::Invalid(format!("unknown reference kind {other}; expected one of {}", KINDS.join(", ")))),
    }
}

/// HS rows: the UN HS 2022 list (English) merged with the Korean HSK list. `text` may be either
/// file; the built-in seed passes the HS 2022 file and merges the Korean files shipped with it.
fn hs_rows(text: &str) -> Result<Vec<Vec<Value>>> {
    let mut entries: BTreeMap<String, (i32, Option<String>, String, String)> = BTreeMap::new();
    let first_line = text.trim_start_matches('\u{feff}').lines().next().unwrap_or("");
    let is_hsk = first_line.starts_with("hs10");
    if !is_hsk {
        for r in rows(text)? {
            let code = col(&r, "hscode")?;
            let level: i32 = col(&r, "level")?.parse().unwrap_or(0);
            if !matches!(level, 2 | 4 | 6) || !code.chars().all(|c| c.is_ascii_digit()) || code.chars().all(|c| c == '9') {
                continue; // the TOTAL row and the "not specified" 99/9999/999999 placeholders
            }
            let parent = col(&r, "parent")?;
            let parent = (level > 2).then_some(parent);
            entries.insert(code, (level, parent, col(&r, "description")?, String::new()));
        }
        for r in rows(HS4_CSV)? {
            if let Some(e) = entries.get_mut(&col(&r, "hs4")?) {
                e.3 = col(&r, "name_ko")?;
            }
        }
        for r in rows(HS_CHAPTERS_KO_CSV)? {
            if let Some(e) = entries.get_mut(&col(&r, "chapter")?) {
                e.3 = col(&r, "name_ko")?;
            }
        }
    }
    let hsk_text = if is_hsk { text } else { HSK_CSV };
    // Korean names for 6-digit subheadings: the deepest path element all their 10-digit lines share.
    let mut paths6: HashMap<String, Vec<Vec<String>>> = HashMap::new();
    for r in rows(hsk_text)? {
        let hs10 = col(&r, "hs10")?;
        let hs6 = col(&r, "hs6")?;
        let leaf = col(&r, "품목명")?;
        let path: Vec<String> = col(&r, "상위설명")?.split(" > ").map(|p| p.trim().to_string()).collect();
        let name_ko = if leaf == "기타" || leaf.chars().count() < 2 {
            format!("{} — {leaf}", path.last().cloned().unwrap_or_default())
        } else {
            leaf.clone()
        };
        paths6.entry(hs6.clone()).or_default().push(path.iter().cloned().chain([leaf]).collect());
        entries.insert(hs10, (10, Some(hs6), col(&r, "영문품목명")?, name_ko));
    }
    for (hs6, paths) in paths6 {
        let Some(e) = entries.get_mut(&hs6) else { continue };
        if !e.3.is_empty() {
            continue;
        }
        let mut common = paths[0].clone();
        for p in &paths[1..] {
            let n = common.iter().zip(p).take_while(|(a, b)| a == b).count();
            common.truncate(n);
        }
        if common.len() > 1 {
            e.3 = common.last().cloned().unwrap_or_default();
        }
    }
    Ok(entries
        .into_iter()
        .map(|(code, (level, parent, en, ko))| vec![code.into(), level.into(), Value::from(parent), en.into(), ko.into()])
        .collect())
}

/// Upserts rows in batches (one statement per 400 rows keeps both engines well under their
/// parameter limits).
async fn upsert(c: &impl ConnectionTrait, table: &str, cols: &[&str], rows: Vec<Vec<Value>>) -> Result<usize> {
    let n = rows.len();
    let key = cols[0];
    let updates: Vec<String> = cols[1..].iter().map(|c| format!("{c} = excluded.{c}")).collect();
    for chunk in rows.chunks(400) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
        let mut values = Vec::with_capacity(chunk.len() * cols.len());
        for (i, row) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for j in 0..cols.len() {
                if j > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("${}", values.len() + j + 1));
            }
            sql.push(')');
            values.extend(row.iter().cloned());
        }
        sql.push_str(&format!(" ON CONFLICT ({key}) DO UPDATE SET {}", updates.join(", ")));
        exec(c, &sql, values).await?;
    }
    Ok(n)
}

/// Imports one reference list from CSV text, all or nothing. Returns the number of rows.
pub async fn import(store: &Store, kind: &str, text: &str) -> Result<usize> {
    let (table, cols, rows) = parse_kind(kind, text)?;
    if rows.is_empty() {
        return Err(StoreError::Invalid("the file has no rows".into()));
    }
    let tx = store.db.begin().await?;
    let n = upsert(&tx, table, cols, rows).await?;
    exec(&tx, "UPDATE reference_version SET version = version + 1 WHERE id = 1", vec![]).await?;
    crate::changes::publish(&tx, crate::changes::Topic::ReferenceData, 0).await?;
    tx.commit().await?;
    Ok(n)
}

/// The reference-data version: nodes compare it with the one they loaded and reload on change.
pub async fn version(store: &Store) -> Result<i64> {
    #[derive(FromQueryResult)]
    struct V {
        version: i64,
    }
    let v: Option<V> = one(&store.db, "SELECT version FROM reference_version WHERE id = 1", vec![]).await?;
    Ok(v.map(|v| v.version).unwrap_or(0))
}

/// Loads the shipped lists into an empty database. Idempotent: tables with rows are left alone.
pub async fn seed_builtin(store: &Store) -> Result<()> {
    let builtin: [(&str, &str, &str); 7] = [
        ("countries", "countries", COUNTRIES_CSV),
        ("hs-sections", "hs_sections", HS_SECTIONS_CSV),
        ("regions", "regions", REGIONS_CSV),
        ("ksic", "ksic", KSIC_CSV),
        ("export-stages", "export_stages", STAGES_CSV),
        ("sme-size", "size_rules", SIZES_CSV),
        ("hs", "hs_codes", HS_CSV),
    ];
    for (kind, table, text) in builtin {
        let n: Option<Count> = one(&store.db, &format!("SELECT COUNT(*) AS n FROM {table}"), vec![]).await?;
        if n.map(|c| c.n).unwrap_or(0) == 0 {
            let rows = import(store, kind, text).await?;
            tracing::info!(kind, rows, "seeded reference data");
        }
    }
    // Databases seeded before the chapters had Korean names get them, once.
    let unnamed: Option<Count> = one(&store.db, "SELECT COUNT(*) AS n FROM hs_codes WHERE level = 2 AND name_ko = ''", vec![]).await?;
    if unnamed.map(|c| c.n).unwrap_or(0) > 1 {
        let tx = store.db.begin().await?;
        for r in rows(HS_CHAPTERS_KO_CSV)? {
            exec(
                &tx,
                "UPDATE hs_codes SET name_ko = $1 WHERE code = $2 AND name_ko = ''",
                vec![col(&r, "name_ko")?.into(), col(&r, "chapter")?.into()],
            )
            .await?;
        }
        exec(&tx, "UPDATE reference_version SET version = version + 1 WHERE id = 1", vec![]).await?;
        crate::changes::publish(&tx, crate::changes::Topic::ReferenceData, 0).await?;
        tx.commit().await?;
        tracing::info!("added Korean names to the HS chapters");
    }
    Ok(())
}

/// Everything a request needs to validate and display codes, held in memory.
#[derive(Debug, Default)]
pub struct RefData {
    /// The `reference_version` this copy was loaded at.
    pub version: i64,
    pub countries: Vec<Country>,
    country_idx: HashMap<String, usize>,
    pub hs: Vec<HsEntry>,
    hs_idx: HashMap<String, usize>,
    /// Lower-cased "code name_en name_ko" per HS entry, for word search.
    hs_search: Vec<String>,
    pub hs_sections: Vec<HsSection>,
    pub regions: Vec<Region>,
    pub ksic: Vec<Ksic>,
    pub stages: ExportStageTable,
    pub stage_sources: HashMap<String, String>,
    pub sizes: SizeClassTable,
}

impl RefData {
    pub async fn load(store: &Store) -> Result<RefData> {
        let db = &store.db;
        // Read the version first: an import racing with this load leads to one more reload.
        let version = version(store).await?;
        let countries: Vec<Country> =
            all(db, "SELECT alpha2, alpha3, name_en, name_ko, region, currency FROM countries ORDER BY name_en", vec![]).await?;
        let hs: Vec<HsEntry> = all(db, "SELECT code, level, parent, name_en, name_ko FROM hs_codes ORDER BY code", vec![]).await?;
        let hs_sections: Vec<HsSection> =
            all(db, "SELECT code, first_chapter, last_chapter, name_en, name_ko FROM hs_sections ORDER BY first_chapter", vec![]).await?;
        let regions: Vec<Region> = all(db, "SELECT code, iso, name_ko, name_en FROM regions ORDER BY code", vec![]).await?;
        let ksic: Vec<Ksic> = all(db, "SELECT code, level, parent, name_ko, name_en FROM ksic ORDER BY code", vec![]).await?;
        #[derive(FromQueryResult)]
        struct StageRow {
            code: String,
            min_usd: i64,
            name_ko: String,
            name_en: String,
            source: String,
        }
        let stage_rows: Vec<StageRow> = all(db, "SELECT code, min_usd, name_ko, name_en, source FROM export_stages", vec![]).await?;
        let stage_sources = stage_rows.iter().map(|s| (s.code.clone(), s.source.clone())).collect();
        let stages = ExportStageTable::new(
            stage_rows
                .into_iter()
                .map(|s| ExportStage { code: s.code, name_ko: s.name_ko, name_en: s.name_en, min_usd: s.min_usd })
                .collect(),
        )
        .map_err(StoreError::Invalid)?;
        #[derive(FromQueryResult)]
        struct SizeRow {
            ksic_section: String,
            micro_employees_below: i64,
            small_max_revenue_krw: i64,
            medium_max_revenue_krw: i64,
        }
        let size_rows: Vec<SizeRow> =
            all(db, "SELECT ksic_section, micro_employees_below, small_max_revenue_krw, medium_max_revenue_krw FROM size_rules", vec![])
                .await?;
        let sizes = SizeClassTable::new(
            size_rows
                .into_iter()
                .map(|r| SizeRule {
                    ksic_section: r.ksic_section,
                    micro_employees_below: r.micro_employees_below,
                    small_max_revenue_krw: r.small_max_revenue_krw,
                    medium_max_revenue_krw: r.medium_max_revenue_krw,
                })
                .collect(),
        )
        .map_err(StoreError::Invalid)?;
        let country_idx = countries.iter().enumerate().map(|(i, c)| (c.alpha2.clone(), i)).collect();
        let hs_idx = hs.iter().enumerate().map(|(i, h)| (h.code.clone(), i)).collect();
        let hs_search = hs.iter().map(|h| format!("{} {} {}", h.code, h.name_en, h.name_ko).to_lowercase()).collect();
        Ok(RefData { version, countries, country_idx, hs, hs_idx, hs_search, hs_sections, regions, ksic, stages, stage_sources, sizes })
    }

    pub fn country(&self, alpha2: &str) -> Option<&Country> {
        self.country_idx.get(alpha2).map(|&i| &self.countries[i])
    }
    pub fn hs(&self, code: &str) -> Option<&HsEntry> {
        self.hs_idx.get(code).map(|&i| &self.hs[i])
    }
    /// The section an HS or HSK code belongs to, by its chapter (its first two digits).
    pub fn hs_section(&self, code: &str) -> Option<&HsSection> {
        let chapter = code.get(..2)?;
        self.hs_sections.iter().find(|s| s.first_chapter.as_str() <= chapter && chapter <= s.last_chapter.as_str())
    }
    pub fn region(&self, code: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.code == code)
    }
    pub fn ksic_entry(&self, code: &str) -> Option<&Ksic> {
        self.ksic.iter().find(|k| k.code == code)
    }
    /// The section letter a KSIC code belongs to (a division's parent, or the section itself).
    pub fn ksic_section(&self, code: &str) -> String {
        match self.ksic_entry(code) {
            Some(k) if k.level == "division" => k.parent.clone().unwrap_or_default(),
            Some(k) => k.code.clone(),
            None => String::new(),
        }
    }

    /// The facts derived from a profile with the thresholds in force, in the form storage keeps.
    pub fn facts(&self, p: &domain::CompanyProfile, today: time::Date) -> crate::companies::Facts {
        let ksic_section = self.ksic_section(p.ksic.as_str());
        let d = p.derive(today, &self.sizes, &self.stages, &ksic_section);
        crate::companies::Facts { ksic_section, export_stage: d.export_stage, size_class: d.size_class.as_str().to_string() }
    }

    /// Autocomplete over HS codes: digits match code prefixes, words match English or Korean
    /// names (every word must appear). Broader codes come first.
    pub fn suggest_hs(&self, query: &str, limit: usize) -> Vec<&HsEntry> {
        let q = query.trim().to_lowercase();
        if q.is_empty() {
            return Vec::new();
        }
        let digits: String = q.chars().filter(|c| !matches!(c, '.' | ' ' | '-')).collect();
        let mut hits: Vec<&HsEntry> = if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
            let start = self.hs.partition_point(|h| h.code.as_str() < digits.as_str());
            self.hs[start..].iter().take_while(|h| h.code.starts_with(&digits)).collect()
        } else {
            let words: Vec<&str> = q.split_whitespace().collect();
            self.hs_search.iter().enumerate().filter(|(_, text)| words.iter().all(|w| text.contains(w))).map(|(i, _)| &self.hs[i]).collect()
        };
        hits.sort_by_key(|h| (h.level, h.code.clone()));
        hits.truncate(limit);
        hits
    }

    /// Countries whose code or name (either language) contains the query.
    pub fn suggest_countries(&self, query: &str, limit: usize) -> Vec<&Country> {
        let q = query.trim().to_lowercase();
        self.countries
            .iter()
            .filter(|c| c.alpha2.to_lowercase() == q || c.name_en.to_lowercase().contains(&q) || c.name_ko.contains(&q))
            .take(limit)
            .collect()
    }
}

impl ReferenceCheck for RefData {
    fn hs_exists(&self, code: &str) -> bool {
        self.hs_idx.contains_key(code)
    }
    fn country_exists(&self, alpha2: &str) -> bool {
        self.country_idx.contains_key(alpha2)
    }
    fn region_exists(&self, code: &str) -> bool {
        self.region(code).is_some()
    }
    fn ksic_exists(&self, code: &str) -> bool {
        self.ksic_entry(code).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_hs_list_merges_english_and_korean() {
        let rows = hs_rows(HS_CSV).unwrap();
        let find = |code: &str| rows.iter().find(|r| r[0] == Value::from(code.to_string())).cloned();
        let heading = find("8517").expect("heading 8517");
        assert!(matches!(&heading[4], Value::String(Some(s)) if s.contains("전화기")));
        let hsk = find("8517130000").expect("HSK line for smartphones");
        assert_eq!(hsk[4], Value::from("스마트폰".to_string()));
        assert!(find("9999").is_none() && find("TOTAL").is_none());
        assert!(rows.len() > 17_000, "{} rows", rows.len());
        // Chapters have Korean titles too (all 96 real ones; 99 is not a tariff chapter).
        let chapters: Vec<_> = rows.iter().filter(|r| r[1] == Value::from(2)).collect();
        assert_eq!(chapters.len(), 96);
        assert!(chapters.iter().all(|r| matches!(&r[4], Value::String(Some(s)) if !s.is_empty())));
        assert!(matches!(&find("85").unwrap()[4], Value::String(Some(s)) if s.starts_with("전기기기와 그 부분품")));
    }

    #[test]
    fn hs_sections_cover_every_chapter_once() {
        let (table, _, rows) = parse_kind("hs-sections", HS_SECTIONS_CSV).unwrap();
        assert_eq!((table, rows.len()), ("hs_sections", 21));
        let text = |v: &Value| match v {
            Value::String(Some(s)) => s.to_string(),
            _ => String::new(),
        };
        // Consecutive runs from 01 to 97, each section with both titles.
        let mut next = 1;
        for r in &rows {
            let (first, last): (u32, u32) = (text(&r[1]).parse().unwrap(), text(&r[2]).parse().unwrap());
            assert_eq!(first, next, "section {} starts where the last one ended", text(&r[0]));
            assert!(last >= first);
            assert!(!text(&r[3]).is_empty() && !text(&r[4]).is_empty());
            next = last + 1;
        }
        assert_eq!(next, 98);
        assert!(text(&rows[2][4]).contains("미생물성"), "section III in its HS 2022 wording");
        assert!(matches!(
            parse_kind("hs-sections", "section,first_chapter,last_chapter,name_en,name_ko\nI,1,5,x,y\n"),
            Err(StoreError::Invalid(_))
        ));
    }

    #[test]
    fn countries_keep_namibia() {
        let (_, _, rows) = parse_kind("countries", COUNTRIES_CSV).unwrap();
        assert!(rows.iter().any(|r| r[0] == Value::from("NA".to_string())));
        assert_eq!(rows.len(), 249);
    }

    #[test]
    fn unknown_kind_is_refused() {
        assert!(matches!(parse_kind("planets", "a\n1"), Err(StoreError::Invalid(_))));
    }
}
