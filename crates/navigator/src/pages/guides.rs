//! Country guides (public): how a Korean SME sets up in each market — the entity types, the
//! procedures in order with their authority, documents, typical days and dependencies, the
//! schedule they add up to (critical path), and the World Bank's historical "Starting a
//! business" figures beside them; and a side-by-side comparison of countries.
//!
//! The playbooks are the published versions (see `service::catalog`); the shipped ones are
//! illustrative and not yet verified, as every page says.

use crate::NavState;
use crate::service::{self, Published};
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::routing::get;
use domain::playbook::{self, Playbook};
use kit::error::PageError;
use kit::i18n::Tr;
use kit::layout::{Page, render};
use kit::session::Ctx;
use kit::today;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::OnceLock;

pub fn router() -> axum::Router<NavState> {
    axum::Router::new().route("/guides", get(list)).route("/guides/compare", get(compare)).route("/guides/{country}", get(country))
}

const OECD_RISK: &str = include_str!("../../../../data/country_risk/oecd-crc-historical-1999-2022.csv");

/// The OECD country risk classification (0 lowest, 7 highest) at its last date in our copy
/// (11 March 2022), by ISO alpha-3. High-income OECD and euro-area countries are not classified,
/// which is not the same as "0": they are absent here and shown as such.
fn oecd_risk() -> &'static BTreeMap<String, String> {
    static R: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    R.get_or_init(|| {
        let mut reader = csv::Reader::from_reader(OECD_RISK.as_bytes());
        reader
            .records()
            .flatten()
            .filter_map(|r| {
                let grade = r.get(r.len() - 1)?.trim();
                let iso = r.get(1)?;
                (grade.len() == 1 && grade.chars().all(|c| c.is_ascii_digit())).then(|| (iso.to_string(), grade.to_string()))
            })
            .collect()
    })
}

const DOING_BUSINESS: &str = include_str!("../../../../data/doing_business/starting-a-business-10-markets.csv");

/// The World Bank's "Starting a business" figures of one economy for its last year (2020).
#[derive(Clone, Debug, Default)]
pub struct DbFigures {
    pub year: String,
    pub procedures: Option<f64>,
    pub days: Option<f64>,
    pub cost_pct: Option<f64>,
    pub min_capital_pct: Option<f64>,
    pub score: Option<f64>,
}

/// The World Bank figures by ISO alpha-3 (as the World Bank codes economies), read once.
fn figures() -> &'static BTreeMap<String, DbFigures> {
    static F: OnceLock<BTreeMap<String, DbFigures>> = OnceLock::new();
    F.get_or_init(doing_business)
}

/// National rows only; the headline figure is the mean of the men's and women's indicators
/// (they are equal in these ten economies for most years).
fn doing_business() -> BTreeMap<String, DbFigures> {
    let mut out: BTreeMap<String, DbFigures> = BTreeMap::new();
    let mut sums: BTreeMap<(String, &'static str), (f64, f64)> = BTreeMap::new();
    let mut reader = csv::Reader::from_reader(DOING_BUSINESS.as_bytes());
    let headers = reader.headers().cloned().unwrap_or_default();
    let last_year = headers.iter().rfind(|h| h.len() == 4 && h.chars().all(|c| c.is_ascii_digit())).unwrap_or("2020").to_string();
    let col = headers.iter().position(|h| h == last_year).unwrap_or(0);
    for row in reader.records().flatten() {
        if !row.get(2).unwrap_or("").is_empty() {
            continue; // a city, not the economy
        }
        let code = row.get(1).unwrap_or("").to_string();
        let name = row.get(4).unwrap_or("");
        let Some(v) = row.get(col).and_then(|v| v.parse::<f64>().ok()) else { continue };
        let what = if name.contains("Procedures") {
            "procedures"
        } else if name.contains("Time") {
            "days"
        } else if name.contains("Cost") {
            "cost"
        } else if name.contains("Minimum capital") {
            "capital"
        } else if name.contains("Score") {
            "score"
        } else {
            continue;
        };
        let e = sums.entry((code.clone(), what)).or_default();
        e.0 += v;
        e.1 += 1.0;
        out.entry(code).or_insert_with(|| DbFigures { year: last_year.clone(), ..Default::default() });
    }
    for ((code, what), (sum, n)) in sums {
        let v = Some((sum / n * 100.0).round() / 100.0);
        let f = out.get_mut(&code).expect("inserted above");
        match what {
            "procedures" => f.procedures = v,
            "days" => f.days = v,
            "cost" => f.cost_pct = v,
            "capital" => f.min_capital_pct = v,
            _ => f.score = v,
        }
    }
    out
}

fn alpha3(state: &NavState, cc: &str) -> String {
    state.refs().country(cc).map(|c| c.alpha3.clone()).unwrap_or_default()
}

fn fmt_num(v: Option<f64>) -> String {
    v.map(|x| if x.fract() == 0.0 { format!("{x:.0}") } else { format!("{x}") }).unwrap_or_else(|| "—".into())
}

/// One market's headline: its main playbook's schedule and the historical figures.
pub struct MarketRow {
    pub code: String,
    pub name: String,
    pub entity_types: Vec<String>,
    pub steps: usize,
    pub total_days: i64,
    pub min_capital: String,
    pub db_year: String,
    pub db_procedures: String,
    pub db_days: String,
    pub db_cost: String,
    pub db_capital: String,
    /// OECD grade 0–7, or the "not classified" label.
    pub risk: String,
}

fn min_capital(t: &Tr, pb: &Playbook) -> String {
    match &pb.min_capital {
        Some(m) => {
            let exp = playbook::minor_unit_exponent(&m.currency);
            let major = m.amount / 10_i64.pow(exp);
            format!("{} {}", kit::i18n::group_digits(major), m.currency)
        }
        None => t.t("guide-no-min-capital"),
    }
}

fn market_row(state: &NavState, t: &Tr, cc: &str, list: &[&Arc<Published>]) -> MarketRow {
    let main = list.iter().map(|p| &*p.pb).find(|p| p.entity_type == "foreign_owned_company").or(list.first().map(|p| &*p.pb));
    let total = main.and_then(|p| playbook::schedule(&p.steps, &[], today(), today()).ok()).map(|s| s.total_days).unwrap_or(0);
    let db = figures().get(&alpha3(state, cc)).cloned().unwrap_or_default();
    MarketRow {
        code: cc.to_string(),
        name: kit::util::country_label(state, t, cc),
        entity_types: list.iter().map(|p| t.pick(&p.pb.name_ko, &p.pb.name_en).to_string()).collect(),
        steps: main.map(|p| p.steps.len()).unwrap_or(0),
        total_days: total,
        min_capital: main.map(|p| min_capital(t, p)).unwrap_or_default(),
        db_year: db.year.clone(),
        db_procedures: fmt_num(db.procedures),
        db_days: fmt_num(db.days),
        db_cost: fmt_num(db.cost_pct),
        db_capital: fmt_num(db.min_capital_pct),
        risk: oecd_risk().get(&alpha3(state, cc)).cloned().unwrap_or_else(|| t.t("guide-risk-none")),
    }
}

#[derive(Template)]
#[template(path = "guides.html")]
struct ListTemplate {
    p: Page,
    rows: Vec<MarketRow>,
}

async fn list(State(state): State<NavState>, ctx: Ctx) -> Result<Response, PageError> {
    let p = Page::new(&state, &ctx, "guides-title");
    let t = p.t;
    let cat = service::catalog(&state).await.map_err(|_| PageError(kit::error::PageErrorKind::Internal))?;
    let rows = cat.by_country().iter().map(|(cc, list)| market_row(&state, &t, cc, list)).collect();
    render(ListTemplate { p, rows })
}

/// A step's texts in the reader's language, as the guide and a plan both show them.
pub struct StepWords {
    pub title: String,
    pub detail: String,
    pub authority: String,
    pub channel: String,
    pub documents: Vec<String>,
}

pub fn step_words(t: &Tr, st: &playbook::Step) -> StepWords {
    StepWords {
        title: t.pick(&st.title_ko, &st.title_en).to_string(),
        detail: t.pick(&st.detail_ko, &st.detail_en).to_string(),
        authority: t.pick(&st.authority_ko, &st.authority_en).to_string(),
        channel: t.t(&format!("guide-channel-{}", st.channel.as_str())),
        documents: if t.is_ko() { st.documents_ko.clone() } else { st.documents_en.clone() },
    }
}

pub struct StepView {
    pub number: usize,
    pub key: String,
    pub w: StepWords,
    pub days: u32,
    pub start: i64,
    pub finish: i64,
    pub critical: bool,
    pub after: Vec<String>,
    pub source: String,
    pub verified: String,
    pub illustrative: bool,
    /// Position of the bar in the chart, in percent of the total.
    pub left: i64,
    pub width: i64,
}

pub struct PlaybookView {
    pub key: String,
    pub version: i64,
    pub published_on: String,
    pub name: String,
    pub summary: String,
    pub min_capital: String,
    pub foreign_ownership: String,
    pub visas: String,
    pub home_reporting: String,
    pub total_days: i64,
    pub steps: Vec<StepView>,
    pub sources: Vec<(String, String)>,
}

fn playbook_view(t: &Tr, pb: &Playbook) -> Option<PlaybookView> {
    let s = playbook::schedule(&pb.steps, &[], today(), today()).ok()?;
    let total = s.total_days.max(1);
    let steps = s
        .order
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let st = &pb.steps[i];
            let sc = &s.steps[i];
            StepView {
                number: n + 1,
                key: st.key.clone(),
                w: step_words(t, st),
                days: st.days,
                start: sc.earliest_start,
                finish: sc.earliest_finish,
                critical: sc.critical,
                after: st
                    .depends_on
                    .iter()
                    .filter_map(|k| pb.steps.iter().find(|x| &x.key == k))
                    .map(|x| t.pick(&x.title_ko, &x.title_en).to_string())
                    .collect(),
                source: st.source.clone(),
                verified: st.last_verified.map(|d| t.date(&d.to_string())).unwrap_or_else(|| t.t("guide-not-verified")),
                illustrative: st.illustrative,
                left: sc.earliest_start * 100 / total,
                width: ((sc.earliest_finish - sc.earliest_start) * 100 / total).max(1),
            }
        })
        .collect();
    Some(PlaybookView {
        key: pb.entity_type.clone(),
        version: 0,
        published_on: String::new(),
        name: t.pick(&pb.name_ko, &pb.name_en).to_string(),
        summary: t.pick(&pb.summary_ko, &pb.summary_en).to_string(),
        min_capital: min_capital(t, pb),
        foreign_ownership: t.pick(&pb.foreign_ownership_ko, &pb.foreign_ownership_en).to_string(),
        visas: t.pick(&pb.visas_ko, &pb.visas_en).to_string(),
        home_reporting: t.pick(&pb.home_reporting_ko, &pb.home_reporting_en).to_string(),
        total_days: s.total_days,
        steps,
        sources: pb.sources.iter().map(|s| (s.title.clone(), s.url.clone())).collect(),
    })
}

#[derive(Template)]
#[template(path = "guide.html")]
struct CountryTemplate {
    p: Page,
    market: MarketRow,
    playbooks: Vec<PlaybookView>,
}

async fn country(State(state): State<NavState>, ctx: Ctx, Path(cc): Path<String>) -> Result<Response, PageError> {
    let cc = cc.to_ascii_uppercase();
    let cat = service::catalog(&state).await.map_err(|_| PageError(kit::error::PageErrorKind::Internal))?;
    let list = cat.of_country(&cc);
    if list.is_empty() {
        return Err(PageError::not_found());
    }
    let mut p = Page::new(&state, &ctx, "");
    let t = p.t;
    let market = market_row(&state, &t, &cc, &list);
    p.title = t.ta("guide-title", &market.name);
    let playbooks = list
        .iter()
        .filter_map(|p| {
            let mut v = playbook_view(&t, &p.pb)?;
            v.version = p.version;
            v.published_on = t.date(p.published_at.get(..10).unwrap_or(""));
            v.key = p.pb.entity_type.clone();
            Some(v)
        })
        .collect();
    render(CountryTemplate { p, market, playbooks })
}

#[derive(Template)]
#[template(path = "guides_compare.html")]
struct CompareTemplate {
    p: Page,
    rows: Vec<MarketRow>,
    options: Vec<(String, String, bool)>,
}

/// Side by side: `?c=ID&c=VN&c=US` (the form's check boxes) or `?c=ID,VN`; all ten when empty.
async fn compare(State(state): State<NavState>, ctx: Ctx, RawQuery(raw): RawQuery) -> Result<Response, PageError> {
    let p = Page::new(&state, &ctx, "guides-compare-title");
    let t = p.t;
    let wanted: Vec<String> = raw
        .unwrap_or_default()
        .split('&')
        .filter_map(|kv| kv.strip_prefix("c="))
        .flat_map(|v| v.split("%2C").flat_map(|x| x.split(',')).map(|s| s.trim().to_ascii_uppercase()).collect::<Vec<_>>())
        .filter(|s| s.len() == 2)
        .collect();
    let cat = service::catalog(&state).await.map_err(|_| PageError(kit::error::PageErrorKind::Internal))?;
    let by_country = cat.by_country();
    let rows = by_country
        .iter()
        .filter(|(cc, _)| wanted.is_empty() || wanted.iter().any(|w| w == *cc))
        .map(|(cc, list)| market_row(&state, &t, cc, list))
        .collect();
    let options =
        by_country.keys().map(|cc| (cc.to_string(), kit::util::country_label(&state, &t, cc), wanted.iter().any(|w| w == cc))).collect();
    render(CompareTemplate { p, rows, options })
}
