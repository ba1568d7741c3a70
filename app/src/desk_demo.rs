//! Demo content for the regulatory desk: cases across countries, categories and states with
//! their timelines and clock pauses, and published knowledge-base entries, so that queues,
//! clocks and search look like a working office.
//!
//! Everything here is invented and says so: case titles carry "(예시)", knowledge-base entries
//! are flagged illustrative and their text says it describes no real decision. The same
//! generator fills 100,000 cases and a million events for the benchmarks (`globaldesk demo
//! --cases 100000`), inserting in bulk.

use crate::demo::Rng;
use desk::runtime::DeskConfig;
use store::{Store, TransactionTrait, Value};
use time::{Duration, OffsetDateTime};

/// (category, country, HS code, Korean title, Korean description, English gist for summaries)
const TEMPLATES: [(&str, &str, &str, &str, &str, &str); 16] = [
    (
        "technical_regulation",
        "ID",
        "3304",
        "인도네시아 할랄 인증 의무화로 화장품 통관 지연",
        "인도네시아 수입업체가 할랄 인증서 없이 통관이 보류되었다고 알려 왔습니다. 인증 절차와 소요 기간을 알고 싶습니다.",
        "Halal certification became mandatory for cosmetics entering Indonesia",
    ),
    (
        "technical_regulation",
        "VN",
        "8516",
        "베트남 전기제품 에너지 효율 라벨 시험 요구",
        "베트남 바이어가 에너지 효율 라벨 시험 성적서를 현지 시험기관에서 다시 받아야 한다고 합니다.",
        "Vietnam asked for local energy-efficiency label testing of electrical appliances",
    ),
    (
        "customs",
        "US",
        "8501",
        "미국 세관의 전동기 품목분류(HS) 이견",
        "미국 세관이 당사 소형 전동기를 다른 HS 코드로 분류하여 높은 관세를 부과했습니다.",
        "US customs classified small electric motors under a different heading",
    ),
    (
        "customs",
        "CN",
        "3926",
        "중국 통관 시 원산지 표시 방식 문제 제기",
        "중국 세관이 제품 포장의 원산지 표시가 규정과 다르다며 통관을 보류했습니다.",
        "Chinese customs held goods over the country-of-origin marking on packaging",
    ),
    (
        "tariff_origin",
        "IN",
        "8708",
        "인도 CEPA 원산지증명서 양식 반려",
        "인도 수입자가 한-인도 CEPA 원산지증명서의 기재 방식을 이유로 특혜관세 적용을 거부당했습니다.",
        "Preferential tariff under the Korea–India CEPA refused over the certificate of origin",
    ),
    (
        "tariff_origin",
        "VN",
        "6109",
        "베트남 RCEP 누적 원산지 인정 여부 문의",
        "RCEP 누적 규정을 적용한 원산지 판정을 베트남 세관이 인정하지 않습니다.",
        "Vietnam customs did not accept RCEP cumulation in an origin determination",
    ),
    (
        "establishment",
        "ID",
        "0000",
        "인도네시아 외국인투자법인(PT PMA) 설립 시 최소 자본금 문의",
        "현지 법인 설립 중 최소 투자금 요건 해석이 현지 컨설턴트마다 달라 확인이 필요합니다.",
        "Conflicting readings of the minimum investment for a foreign-owned company in Indonesia",
    ),
    (
        "establishment",
        "MX",
        "0000",
        "멕시코 현지 법인 설립 후 세무 등록 지연",
        "멕시코 법인 설립 후 세무 등록(RFC) 발급이 계속 지연되어 영업을 시작하지 못하고 있습니다.",
        "Tax registration of a new Mexican subsidiary kept being delayed",
    ),
    (
        "tax",
        "TH",
        "8471",
        "태국 지사 고정사업장(PE) 과세 문제",
        "태국 연락사무소가 고정사업장으로 간주되어 법인세가 부과될 수 있다는 통보를 받았습니다.",
        "A Thai representative office was told it may count as a permanent establishment",
    ),
    (
        "tax",
        "PL",
        "9403",
        "폴란드 부가가치세 환급 지연",
        "폴란드에서 납부한 부가가치세 환급이 1년 넘게 지연되고 있습니다.",
        "A VAT refund in Poland had been pending for over a year",
    ),
    (
        "payment_currency",
        "AE",
        "8418",
        "UAE 바이어 대금 미지급 및 신용장 하자 통보",
        "UAE 바이어가 신용장 서류 하자를 이유로 대금 지급을 거절했습니다.",
        "A UAE buyer refused payment citing discrepancies in letter-of-credit documents",
    ),
    (
        "payment_currency",
        "MX",
        "3004",
        "멕시코 페소 급변동으로 인한 계약 손실",
        "환율 급변으로 계약 금액 손실이 커져 환변동보험 등 지원을 문의합니다.",
        "Losses on a contract after a sharp move of the Mexican peso",
    ),
    (
        "domestic",
        "KR",
        "8507",
        "이차전지 수출 시 국내 전략물자 판정 지연",
        "수출 전 국내 전략물자 해당 여부 판정이 늦어져 선적 일정에 차질이 생겼습니다.",
        "A domestic strategic-goods classification delayed an export shipment of batteries",
    ),
    (
        "domestic",
        "KR",
        "3004",
        "의약품 수출용 국내 인허가 서류 중복 요구",
        "수출용 의약품에 대해 국내 기관이 같은 서류를 여러 번 요구합니다.",
        "Duplicate domestic paperwork for export-only medicines",
    ),
    (
        "technical_regulation",
        "SA",
        "8415",
        "사우디 SASO 인증 절차 변경으로 선적 보류",
        "사우디아라비아의 적합성 인증 절차가 바뀌어 기존 인증서로 선적이 보류되었습니다.",
        "A change in Saudi conformity certification held a shipment of air conditioners",
    ),
    (
        "other",
        "JP",
        "2106",
        "일본 건강기능식품 표시 규정 해석 문의",
        "일본 수입업체가 기능성 표시 문구가 현지 규정에 맞지 않는다고 합니다.",
        "Questions on Japanese labelling rules for functional foods",
    ),
];

/// How a demo case ends up: (status, waiting on, share out of 100).
const OUTCOMES: [(&str, &str, u64); 10] = [
    ("submitted", "desk", 14),
    ("triaged", "desk", 12),
    ("in_progress", "desk", 18),
    ("in_progress", "company", 10),
    ("in_progress", "foreign_government", 8),
    ("in_progress", "agency", 6),
    ("resolved_full", "desk", 16),
    ("resolved_partial", "desk", 6),
    ("closed_not_barrier", "desk", 5),
    ("closed_withdrawn", "desk", 5),
];

/// A timeline entry as generated: when, kind, actor, actor's agency, from, to, body, internal.
type DemoEvent<'a> = (OffsetDateTime, &'a str, Option<i64>, Option<i64>, Option<String>, Option<String>, String, bool);

fn iso(t: OffsetDateTime) -> String {
    store::iso(t)
}

/// Tops the database up to `total` demo cases (and some knowledge-base entries). Returns the
/// number of cases now present.
pub async fn seed_cases(store: &Store, total: usize) -> Result<usize, crate::AnyError> {
    let db = &store.db;
    let have = store::cases::count_all(db).await? as usize;
    if have >= total {
        return Ok(have);
    }
    let cfg = DeskConfig::load(store).await?;
    let companies = store::cases::consented_company_ids(db).await?;
    if companies.is_empty() {
        return Err("no companies: seed the demo companies first".into());
    }
    let agencies = store::agencies::list(db).await?;
    let mut staff: Vec<(i64, Vec<i64>)> = Vec::new();
    for a in &agencies {
        let ids: Vec<i64> = store::users::staff_of_agency(db, a.id).await?.into_iter().map(|u| u.id).collect();
        staff.push((a.id, ids));
    }
    let demo_company = store::users::by_email(db, "company@demo.test").await?.and_then(|u| u.company_id.map(|c| (u.id, c)));
    let mut rng = Rng(0x5eed_0de5_c0de + have as u64);
    let now = OffsetDateTime::now_utc();
    let first_id = have as i64 + 1;
    let mut case_rows = Vec::new();
    let mut product_rows = Vec::new();
    let mut event_rows = Vec::new();
    let mut pause_rows = Vec::new();
    let progress = total - have > 5000;
    for n in 0..(total - have) {
        let id = first_id + n as i64;
        let (category, country, hs, title, description, _) = *rng.pick(&TEMPLATES);
        // The demo company member's own cases are the first few, so its list is never empty.
        let (company_id, created_by) = match demo_company {
            Some((uid, cid)) if n < 4 && have == 0 => (cid, Some(uid)),
            _ => (*rng.pick(&companies), None),
        };
        let mut roll = rng.below(100);
        let (status, waiting) = OUTCOMES
            .iter()
            .find(|o| {
                if roll < o.2 {
                    true
                } else {
                    roll -= o.2;
                    false
                }
            })
            .map(|o| (o.0, o.1))
            .unwrap_or(("submitted", "desk"));
        // Open cases are recent (a working office clears its queue); finished ones go back further.
        let finished = status.starts_with("resolved") || status.starts_with("closed");
        let age_days = 1 + rng.below(if finished { 120 } else { 35 }) as i64;
        let created = now - Duration::days(age_days) - Duration::minutes(rng.below(600) as i64);
        let submitted = created + Duration::minutes(20);
        let submitted_kst = kit::util::kst_date(&iso(submitted)).expect("valid timestamp");
        let priority = *rng.pick(&["normal", "normal", "normal", "high", "urgent", "low"]);
        let agency_id = cfg.route(category, country, &[hs.to_string()]).unwrap_or(agencies[0].id);
        let officers = staff.iter().find(|s| s.0 == agency_id).map(|s| s.1.clone()).unwrap_or_default();
        let officer = officers.first().copied();
        let assignee = if status == "submitted" || rng.below(4) == 0 { None } else { officer };
        let mut events: Vec<DemoEvent> = vec![
            (created, "created", created_by, None, None, None, String::new(), false),
            (submitted, "submitted", created_by, None, Some("draft".into()), Some("submitted".into()), String::new(), false),
            (submitted, "routed", None, Some(agency_id), None, Some(agency_id.to_string()), String::new(), false),
        ];
        let step = |k: i64| submitted + Duration::hours(6 + k * (age_days * 24 / 6).max(1));
        let mut first_response = None;
        let mut paused_bd = 0;
        let mut paused_since = None;
        let mut resolved_at = None;
        if status != "submitted" {
            events.push((
                step(1),
                "status",
                officer,
                Some(agency_id),
                Some("submitted".into()),
                Some("triaged".into()),
                String::new(),
                false,
            ));
            first_response = Some(step(1));
        }
        if status != "submitted" && status != "triaged" {
            events.push((
                step(2),
                "status",
                officer,
                Some(agency_id),
                Some("triaged".into()),
                Some("in_progress".into()),
                String::new(),
                false,
            ));
            events.push((step(2), "reply", officer, Some(agency_id), None, None, "(예시) 담당 부처와 현지 공관에 확인을 요청했습니다. / (Illustrative) We asked the ministry in charge and the local embassy.".into(), false));
            // Half of the worked cases waited on the company for a while, and got the clock back.
            if rng.below(2) == 0 {
                let from = step(3);
                let to = step(4);
                events.push((from, "request", officer, Some(agency_id), None, None, "(예시) 수입 신고서와 시험 성적서를 보내 주십시오. / (Illustrative) Please send the import declaration and the test report.".into(), false));
                events.push((
                    to,
                    "answer",
                    created_by,
                    None,
                    None,
                    None,
                    "(예시) 요청하신 서류를 첨부합니다. / (Illustrative) Attached are the documents.".into(),
                    false,
                ));
                let (f, t) = (kit::util::kst_date(&iso(from)).unwrap(), kit::util::kst_date(&iso(to)).unwrap());
                pause_rows.push(vec![Value::from(id), "company".into(), f.to_string().into(), Some(t.to_string()).into()]);
                paused_bd += cfg.calendar.business_days_between(f, t);
            }
            events.push((
                step(4),
                "note",
                officer,
                Some(agency_id),
                None,
                None,
                "(예시) 관련 규정 개정안 검토 중. / (Illustrative) Reviewing the draft amendment.".into(),
                true,
            ));
            // A working case is mostly conversation: a few more exchanges with the company.
            for k in 0..rng.below(8) as i64 {
                let at = step(4) + Duration::minutes(30 * (k + 1));
                if k % 2 == 0 {
                    events.push((
                        at,
                        "reply",
                        officer,
                        Some(agency_id),
                        None,
                        None,
                        "(예시) 진행 상황을 안내드립니다. / (Illustrative) A progress update.".into(),
                        false,
                    ));
                } else {
                    events.push((
                        at,
                        "message",
                        created_by,
                        None,
                        None,
                        None,
                        "(예시) 확인 감사합니다. / (Illustrative) Thank you.".into(),
                        false,
                    ));
                }
            }
        }
        if matches!(waiting, "company" | "foreign_government") && status == "in_progress" {
            let from = step(5).min(now - Duration::hours(1));
            let kind = if waiting == "company" { "request" } else { "waiting" };
            events.push((
                from,
                kind,
                officer,
                Some(agency_id),
                Some("desk".into()),
                Some(waiting.into()),
                if kind == "request" {
                    "(예시) 추가 자료를 요청합니다. / (Illustrative) Further documents needed.".into()
                } else {
                    String::new()
                },
                false,
            ));
            let f = kit::util::kst_date(&iso(from)).unwrap();
            pause_rows.push(vec![Value::from(id), waiting.into(), f.to_string().into(), Option::<String>::None.into()]);
            paused_since = Some(f.to_string());
        }
        if status.starts_with("resolved") || status.starts_with("closed") {
            let at = step(5).min(now - Duration::hours(1));
            let from = if status == "closed_withdrawn" { "submitted" } else { "in_progress" };
            let actor = if status == "closed_withdrawn" { created_by } else { officer };
            events.push((
                at,
                "status",
                actor,
                if status == "closed_withdrawn" { None } else { Some(agency_id) },
                Some(from.into()),
                Some(status.into()),
                "(예시) 처리 결과를 안내드립니다. / (Illustrative) Outcome explained.".into(),
                false,
            ));
            resolved_at = Some(at);
        }
        let target = cfg.target(priority, category);
        let due = cfg.calendar.add_business_days(submitted_kst, target.resolution_days + paused_bd).to_string();
        let first_due = cfg.calendar.add_business_days(submitted_kst, target.first_response_days).to_string();
        let updated = events.iter().map(|e| e.0).max().unwrap_or(created);
        let impact = (rng.below(50) as i64 + 1) * 10_000_000;
        case_rows.push(vec![
            Value::from(id),
            company_id.into(),
            created_by.into(),
            category.into(),
            country.into(),
            format!("(예시) {title}").into(),
            description.into(),
            Some(impact).into(),
            Option::<String>::None.into(),
            status.into(),
            waiting.into(),
            priority.into(),
            Some(agency_id).into(),
            assignee.into(),
            Some(iso(submitted)).into(),
            first_response.map(iso).into(),
            resolved_at.map(iso).into(),
            Some(due).into(),
            Some(first_due).into(),
            paused_bd.into(),
            paused_since.into(),
            iso(created).into(),
            iso(updated).into(),
        ]);
        if hs != "0000" {
            product_rows.push(vec![Value::from(id), hs.into()]);
        }
        for (at, kind, actor, agency, from, to, body, internal) in events {
            event_rows.push(vec![
                Value::from(id),
                kind.into(),
                actor.into(),
                agency.into(),
                iso(at).into(),
                from.into(),
                to.into(),
                body.into(),
                internal.into(),
            ]);
        }
        // Write in batches so 100,000 cases do not sit in memory as SQL values all at once.
        if case_rows.len() >= 5000 {
            flush(store, &mut case_rows, &mut product_rows, &mut event_rows, &mut pause_rows).await?;
            if progress {
                eprintln!("  {} / {} cases", n + 1, total - have);
            }
        }
    }
    flush(store, &mut case_rows, &mut product_rows, &mut event_rows, &mut pause_rows).await?;
    store::sync_identity(db, "cases").await?;
    seed_kb(store, &agencies, &staff).await?;
    Ok(total)
}

async fn flush(
    store: &Store,
    cases: &mut Vec<Vec<Value>>,
    products: &mut Vec<Vec<Value>>,
    events: &mut Vec<Vec<Value>>,
    pauses: &mut Vec<Vec<Value>>,
) -> Result<(), crate::AnyError> {
    let tx = store.db.begin().await?;
    store::bulk_insert(
        &tx,
        "cases",
        &[
            "id",
            "company_id",
            "created_by",
            "category",
            "country",
            "title",
            "description",
            "impact_krw",
            "deadline",
            "status",
            "waiting_on",
            "priority",
            "agency_id",
            "assignee_id",
            "submitted_at",
            "first_response_at",
            "resolved_at",
            "due_on",
            "first_response_due_on",
            "paused_business_days",
            "paused_since",
            "created_at",
            "updated_at",
        ],
        std::mem::take(cases),
    )
    .await?;
    store::bulk_insert(&tx, "case_products", &["case_id", "hs_code"], std::mem::take(products)).await?;
    store::bulk_insert(
        &tx,
        "case_events",
        &["case_id", "kind", "actor_id", "actor_agency_id", "at", "from_value", "to_value", "body", "internal"],
        std::mem::take(events),
    )
    .await?;
    store::bulk_insert(&tx, "case_pauses", &["case_id", "waiting_on", "started_on", "ended_on"], std::mem::take(pauses)).await?;
    tx.commit().await?;
    Ok(())
}

/// Published, illustrative knowledge-base entries (one per template), unless some exist.
async fn seed_kb(store: &Store, agencies: &[store::agencies::Agency], staff: &[(i64, Vec<i64>)]) -> Result<(), crate::AnyError> {
    let db = &store.db;
    if !store::kb::by_status(db, "published", 1).await?.is_empty() {
        return Ok(());
    }
    let cfg = DeskConfig::load(store).await?;
    let tx = db.begin().await?;
    for (category, country, hs, title, _, gist) in TEMPLATES {
        let agency = cfg.route(category, country, &[hs.to_string()]).unwrap_or(agencies[0].id);
        let Some(author) = staff.iter().find(|s| s.0 == agency).and_then(|s| s.1.first().copied()) else { continue };
        let fields = store::kb::EntryFields {
            category: category.into(),
            country: country.into(),
            hs_codes: if hs == "0000" { Vec::new() } else { vec![hs.to_string()] },
            title_ko: format!("(예시) {title}"),
            title_en: format!("(Illustrative) {gist}"),
            summary_ko: format!(
                "이 항목은 데모용 예시이며 실제 사례나 결정을 설명하지 않습니다.\n\n상황: {title}.\n대응: 담당 기관이 현지 규정을 확인하고 필요한 서류와 절차를 안내했습니다."
            ),
            summary_en: format!(
                "This entry is an illustrative demo and describes no real case or decision.\n\nSituation: {gist}.\nResponse: the agency in charge checked the local rule and explained the documents and steps needed."
            ),
        };
        let id = store::kb::insert(&tx, None, agency, author, &fields, true).await?;
        store::kb::set_status(&tx, id, 1, "draft", "pending", None, "").await?;
        store::kb::set_status(&tx, id, 2, "pending", "published", None, "").await?;
    }
    tx.commit().await?;
    Ok(())
}
