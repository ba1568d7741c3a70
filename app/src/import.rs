//! `globaldesk import companies FILE`: every row validated like the profile form; the valid
//! rows loaded and the rest reported, or nothing loaded (`--all-or-nothing`).

use domain::CompanyInput;
use kit::i18n::{Lang, Tr};
use store::Store;
use store::TransactionTrait;
use store::companies::Actor;

pub struct Report {
    pub loaded: usize,
    pub failed: usize,
    pub errors: Vec<String>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for e in &self.errors {
            writeln!(f, "{e}")?;
        }
        write!(f, "{} loaded, {} refused", self.loaded, self.failed)
    }
}

/// A text progress bar: `[#####-----] 50% 500/1000`.
pub fn bar(done: usize, total: usize) -> String {
    let pct = (done * 100).checked_div(total).unwrap_or(100);
    let filled = pct / 5;
    format!("[{}{}] {pct:>3}% {done}/{total}", "#".repeat(filled), "-".repeat(20 - filled))
}

/// Lists in a CSV cell are separated by spaces, semicolons or `|`.
fn list(cell: &str) -> Vec<String> {
    cell.split([' ', ';', '|']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

pub async fn companies(store: &Store, text: &str, all_or_nothing: bool) -> Result<Report, crate::AnyError> {
    let refs = store::reference::RefData::load(store).await?;
    let today = kit::today();
    // Operators read the report in English; the messages are the ones the API gives.
    let t = Tr::new(Lang::En);
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers = reader.headers()?.clone();
    let col =
        |rec: &csv::StringRecord, name: &str| headers.iter().position(|h| h == name).and_then(|i| rec.get(i)).unwrap_or("").to_string();
    let mut valid = Vec::new();
    let mut report = Report { loaded: 0, failed: 0, errors: Vec::new() };
    let mut seen = std::collections::HashSet::new();
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2; // the header is line 1
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                report.failed += 1;
                report.errors.push(format!("line {line}: unreadable row: {e}"));
                continue;
            }
        };
        let input = CompanyInput {
            brn: col(&rec, "brn"),
            name_ko: col(&rec, "name_ko"),
            name_en: col(&rec, "name_en"),
            region: col(&rec, "region"),
            ksic: col(&rec, "ksic"),
            founded_on: col(&rec, "founded_on"),
            employees: col(&rec, "employees"),
            revenue_krw: col(&rec, "revenue_krw"),
            exports_usd: col(&rec, "exports_usd"),
            products: list(&col(&rec, "products")),
            export_countries: list(&col(&rec, "export_countries")),
            target_countries: list(&col(&rec, "target_countries")),
        };
        match input.parse(&refs, today) {
            Ok(p) => {
                let brn = p.brn.digits();
                if !seen.insert(brn.clone()) || store::companies::id_by_brn(&store.db, &brn).await?.is_some() {
                    report.failed += 1;
                    report.errors.push(format!("line {line}: brn: {}", t.t("err-brn-taken")));
                } else {
                    valid.push((line, p));
                }
            }
            Err(errs) => {
                report.failed += 1;
                let msgs: Vec<String> = errs.0.iter().map(|e| format!("{}: {}", e.field, t.field_error(e))).collect();
                report.errors.push(format!("line {line}: {}", msgs.join("; ")));
            }
        }
    }
    if all_or_nothing && report.failed > 0 {
        return Ok(report);
    }
    let actor = Actor { user_id: None, label: "import".into() };
    let total = valid.len();
    // One transaction per 500 rows keeps memory flat; with --all-or-nothing the rows were all
    // valid above, and a failure here (a race on a BRN) still stops the import with an error.
    for (chunk_no, chunk) in valid.chunks(500).enumerate() {
        let tx = store.db.begin().await?;
        for (_line, p) in chunk {
            store::companies::create(&tx, p, &refs.facts(p, today), &actor).await?;
        }
        tx.commit().await?;
        report.loaded += chunk.len();
        eprint!("\r{}", bar((chunk_no * 500 + chunk.len()).min(total), total));
    }
    if total > 0 {
        eprintln!();
    }
    Ok(report)
}
