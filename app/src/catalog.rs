//! The program catalog's content: the demo catalog shipped in `data/programs/catalog.yaml`
//! (illustrative; see its SOURCE.md) and the importer for public notices in the shape of the
//! national business-support portal's API (Bizinfo), kept as received and marked "eligibility
//! not yet encoded" until an officer writes rules.

use serde::Deserialize;
use store::Store;
use store::TransactionTrait;
use store::programs::{self, ProgramFields};

const CATALOG_YAML: &str = include_str!("../../data/programs/catalog.yaml");

#[derive(Deserialize)]
struct Entry {
    key: String,
    agency: String,
    family: String,
    category: String,
    title_ko: String,
    title_en: String,
    summary_ko: String,
    summary_en: String,
    benefit_krw: Option<i64>,
    copay_pct: Option<i64>,
    apply_from: Option<String>,
    apply_to: Option<String>,
    effective_from: String,
    effective_to: Option<String>,
    #[serde(default)]
    target_stages: Vec<String>,
    #[serde(default)]
    documents_ko: Vec<String>,
    #[serde(default)]
    documents_en: Vec<String>,
    url: String,
    capacity: Option<i64>,
    #[serde(default)]
    illustrative: bool,
    rule: Option<String>,
    #[serde(default)]
    tests: Vec<serde_json::Value>,
}

/// Loads the demo catalog (programs that already exist are left alone). Returns how many
/// programs were added.
pub async fn seed_demo_catalog(store: &Store) -> Result<usize, crate::AnyError> {
    let entries: Vec<Entry> = serde_norway::from_str(CATALOG_YAML)?;
    let lang = catalog::matching::lang();
    let mut added = 0;
    for e in entries {
        if programs::program_by_key(&store.db, &e.key).await?.is_some() {
            continue;
        }
        let agency = store::agencies::by_code(&store.db, &e.agency).await?.ok_or(format!("unknown agency {}", e.agency))?;
        let rule = match &e.rule {
            Some(text) => Some(rules::parse(text, lang).map_err(|err| format!("{}: {err}", e.key))?),
            None => None,
        };
        let fields = ProgramFields {
            title_ko: e.title_ko,
            title_en: e.title_en,
            summary_ko: e.summary_ko,
            summary_en: e.summary_en,
            benefit_krw: e.benefit_krw,
            copay_pct: e.copay_pct,
            apply_from: e.apply_from,
            apply_to: e.apply_to,
            effective_from: e.effective_from,
            effective_to: e.effective_to,
            target_stages: e.target_stages,
            documents_ko: e.documents_ko,
            documents_en: e.documents_en,
            url: e.url,
            capacity: e.capacity,
            illustrative: e.illustrative,
            rule_text: rule.as_ref().map(rules::Rule::to_text),
            rule_json: rule.as_ref().map(|r| r.to_json().to_string()),
            source_json: None,
        };
        let tx = store.db.begin().await?;
        let id = programs::create_program(&tx, &e.key, agency.id, &e.family, &e.category, "catalog").await?;
        let p = programs::program(&tx, id).await?.ok_or("program vanished")?;
        programs::insert_version(&tx, &p, "published", &fields, None).await?;
        for t in &e.tests {
            let name = t.get("name").and_then(|n| n.as_str()).unwrap_or("test");
            programs::add_test(&tx, id, name, &t.to_string(), None).await?;
        }
        tx.commit().await?;
        added += 1;
    }
    Ok(added)
}

/// What an import did.
#[derive(Debug, Default)]
pub struct BizinfoReport {
    pub added: usize,
    pub skipped: usize,
    pub errors: Vec<String>,
}

impl std::fmt::Display for BizinfoReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{} notices imported, {} already present, {} refused", self.added, self.skipped, self.errors.len())?;
        for e in &self.errors {
            writeln!(f, "  {e}")?;
        }
        Ok(())
    }
}

/// The executing agencies the platform knows, by the names notices use.
const AGENCY_NAMES: [(&str, &str); 6] = [
    ("대한무역투자진흥공사", "KOTRA"),
    ("중소벤처기업진흥공단", "KOSME"),
    ("한국무역보험공사", "KSURE"),
    ("관세청", "KCS"),
    ("부산", "BUSAN"),
    ("중소벤처기업부", "MSS"),
];

/// A category from the notice's own words; the officer corrects it when encoding the rules.
fn category_of(text: &str) -> &'static str {
    const WORDS: [(&str, &str); 11] = [
        ("바우처", "export_voucher"),
        ("전시", "exhibitions"),
        ("인증", "certification"),
        ("보험", "trade_insurance"),
        ("자금", "finance"),
        ("융자", "finance"),
        ("법인", "establishment_abroad"),
        ("교육", "training"),
        ("물류", "logistics"),
        ("온라인", "ecommerce"),
        ("법률", "legal_consulting"),
    ];
    WORDS.iter().find(|(w, _)| text.contains(w)).map(|(_, c)| *c).unwrap_or("overseas_marketing")
}

/// "20261102 ~ 20261218" → ("2026-11-02", "2026-12-18").
fn window(s: &str) -> (Option<String>, Option<String>) {
    let iso = |d: &str| {
        let d = d.trim();
        (d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit())).then(|| format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..]))
    };
    let mut parts = s.split('~');
    (parts.next().and_then(iso), parts.next().and_then(iso))
}

/// Imports notices (`{"jsonArray": [...]}` or a bare list). Each becomes a published program
/// with its text unaltered and no rule; notices already imported are skipped.
pub async fn import_bizinfo(store: &Store, text: &str) -> Result<BizinfoReport, crate::AnyError> {
    let v: serde_json::Value = serde_json::from_str(text)?;
    let items =
        v.get("jsonArray").and_then(|a| a.as_array()).or_else(|| v.as_array()).ok_or("expected {\"jsonArray\": [...]} or a list")?;
    let mut report = BizinfoReport::default();
    for (i, item) in items.iter().enumerate() {
        let s = |k: &str| item.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        let (id, title) = (s("pblancId"), s("pblancNm"));
        if id.is_empty() || title.is_empty() {
            report.errors.push(format!("item {}: pblancId and pblancNm are required", i + 1));
            continue;
        }
        let key = format!("bizinfo-{}", id.to_lowercase().replace('_', "-"));
        if programs::program_by_key(&store.db, &key).await?.is_some() {
            report.skipped += 1;
            continue;
        }
        let agency_name = format!("{} {}", s("excInsttNm"), s("jrsdInsttNm"));
        let code = AGENCY_NAMES.iter().find(|(n, _)| agency_name.contains(n)).map(|(_, c)| *c).unwrap_or("MSS");
        let agency = store::agencies::by_code(&store.db, code).await?.ok_or(format!("agency {code} missing; run the demo or add it"))?;
        let (apply_from, apply_to) = window(&s("reqstBeginEndDe"));
        let created = s("creatPnttm");
        let effective_from =
            apply_from.clone().or_else(|| created.get(..10).map(str::to_string)).unwrap_or_else(|| store::now_iso()[..10].to_string());
        let category = category_of(&format!("{title} {} {}", s("hashtags"), s("bsnsSumryCn")));
        let summary = s("bsnsSumryCn");
        let fields = ProgramFields {
            // Notices come in Korean only; the English fields say so rather than guess a translation.
            title_en: title.clone(),
            title_ko: title,
            summary_en: summary.clone(),
            summary_ko: summary,
            apply_from,
            apply_to: apply_to.clone(),
            effective_from,
            effective_to: apply_to,
            // Only web addresses become links (a `javascript:` one would run in our pages).
            url: Some(s("pblancUrl")).filter(|u| u.starts_with("https://") || u.starts_with("http://")).unwrap_or_default(),
            source_json: Some(item.to_string()),
            ..ProgramFields::default()
        };
        let tx = store.db.begin().await?;
        let pid = programs::create_program(
            &tx,
            &key,
            agency.id,
            &format!("bizinfo-{}", id.to_lowercase().replace('_', "-")),
            category,
            "bizinfo",
        )
        .await?;
        let p = programs::program(&tx, pid).await?.ok_or("program vanished")?;
        programs::insert_version(&tx, &p, "published", &fields, None).await?;
        tx.commit().await?;
        report.added += 1;
    }
    Ok(report)
}

/// Tops the catalog up to `total` programs with synthetic ones for load tests: named
/// "예시 사업 NNNN / Illustrative program NNNN", marked illustrative, rules from the research
/// benchmark's 20 shapes (`rules::synthetic`), spread over the demo agencies.
pub async fn seed_synthetic_programs(store: &Store, total: usize) -> Result<usize, crate::AnyError> {
    let have = programs::count_programs(&store.db).await? as usize;
    let lang = catalog::matching::lang();
    let agencies = store::agencies::list(&store.db).await?;
    if agencies.is_empty() {
        return Err("no agencies: seed the demo accounts first".into());
    }
    let mut n = have;
    while n < total {
        let tx = store.db.begin().await?;
        for i in n..(n + 200).min(total) {
            let k = i - have;
            let rule = rules::parse(&rules::synthetic::shape(k % 20, (k / 20) as u64), lang)?;
            let agency = &agencies[k % agencies.len()];
            let category = programs::CATEGORIES[k % programs::CATEGORIES.len()];
            let key = format!("synthetic-{:05}", i + 1);
            let fields = ProgramFields {
                title_ko: format!("예시 사업 {:05}", i + 1),
                title_en: format!("Illustrative program {:05}", i + 1),
                summary_ko: "부하 시험용으로 생성한 가상의 사업입니다. 실제 사업이 아닙니다.".into(),
                summary_en: "A generated program for load tests. Not a real program.".into(),
                effective_from: "2026-01-01".into(),
                effective_to: Some("2027-12-31".into()),
                illustrative: true,
                rule_text: Some(rule.to_text()),
                rule_json: Some(rule.to_json().to_string()),
                ..ProgramFields::default()
            };
            let id = programs::create_program(&tx, &key, agency.id, &format!("synthetic-{}", k % 50), category, "synthetic").await?;
            let p = programs::program(&tx, id).await?.ok_or("program vanished")?;
            programs::insert_version(&tx, &p, "published", &fields, None).await?;
        }
        tx.commit().await?;
        n = (n + 200).min(total);
    }
    Ok(n)
}
