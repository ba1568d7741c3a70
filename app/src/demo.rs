//! Demo accounts, agencies and companies.
//!
//! Agency names are public facts. Every demo company is invented and says so in its name
//! ("예시기업 … / Demo Co. …"); their figures are generated, not observed.

use domain::{Brn, CompanyInput, Role};
use store::Store;
use store::TransactionTrait;
use store::companies::Actor;

/// The real agencies a Korean deployment starts with (code, Korean name, English name, kind).
pub const AGENCIES: [(&str, &str, &str, &str); 6] = [
    ("MSS", "중소벤처기업부 규제애로 전담창구", "Ministry of SMEs and Startups — regulatory issue desk", "ministry"),
    ("KOTRA", "대한무역투자진흥공사", "Korea Trade-Investment Promotion Agency (KOTRA)", "trade_promotion"),
    ("KOSME", "중소벤처기업진흥공단", "Korea SMEs and Startups Agency (KOSME)", "sme_agency"),
    ("KSURE", "한국무역보험공사", "Korea Trade Insurance Corporation (K-SURE)", "export_insurer"),
    ("BUSAN", "부산지방중소벤처기업청", "Busan Regional Office of SMEs and Startups", "regional_office"),
    ("KCS", "관세청", "Korea Customs Service", "customs"),
];

/// (e-mail, display name, role, agency code, what to print)
const ACCOUNTS: [(&str, &str, Role, Option<&str>, &str); 11] = [
    ("company@demo.test", "김수출 (데모)", Role::CompanyMember, None, "company member — 예시기업 부산정밀"),
    ("officer@demo.test", "이담당 (데모)", Role::Officer, Some("MSS"), "officer — MSS regulatory desk"),
    ("kotra@demo.test", "박무역 (데모)", Role::Officer, Some("KOTRA"), "officer — KOTRA"),
    ("kosme@demo.test", "최진흥 (데모)", Role::Officer, Some("KOSME"), "officer — KOSME"),
    ("ksure@demo.test", "정보험 (데모)", Role::Officer, Some("KSURE"), "officer — K-SURE"),
    ("busan@demo.test", "한부산 (데모)", Role::Officer, Some("BUSAN"), "officer — Busan regional office"),
    ("customs@demo.test", "윤관세 (데모)", Role::Officer, Some("KCS"), "officer — Korea Customs Service"),
    ("agency-admin@demo.test", "오관리 (데모)", Role::AgencyAdmin, Some("MSS"), "agency admin — MSS"),
    ("admin@demo.test", "관리자 (데모)", Role::PlatformAdmin, None, "platform admin"),
    ("analyst@demo.test", "서분석 (데모)", Role::Analyst, None, "policy analyst"),
    ("expert@demo.test", "Rina Hartono (데모)", Role::Expert, None, "local expert — illustrative Jakarta law firm"),
];

pub fn password() -> String {
    std::env::var("GLOBALDESK_DEMO_PASSWORD").ok().filter(|p| !p.is_empty()).unwrap_or_else(|| "globaldesk-demo".to_string())
}

pub async fn ensure_agencies(store: &Store) -> Result<(), crate::AnyError> {
    for (code, ko, en, kind) in AGENCIES {
        if store::agencies::by_code(&store.db, code).await?.is_none() {
            store::agencies::create(&store.db, code, ko, en, kind).await?;
        }
    }
    Ok(())
}

pub async fn add_user(
    store: &Store,
    email: &str,
    name: &str,
    role: &str,
    agency: Option<&str>,
    password: &str,
) -> Result<i64, crate::AnyError> {
    ensure_agencies(store).await?;
    let role = Role::parse(role).ok_or(format!("unknown role {role}"))?;
    let email = domain::text::email("email", email).map_err(|_| "invalid e-mail address")?;
    domain::text::new_password("password", password).map_err(|_| "the password needs at least 10 characters")?;
    let agency_id = match agency {
        Some(code) => Some(store::agencies::by_code(&store.db, code).await?.ok_or(format!("unknown agency {code}"))?.id),
        None if role.needs_agency() => return Err("this role needs --agency".into()),
        None => None,
    };
    let hash = kit::auth::hash_password(password);
    let id = store::users::create(
        &store.db,
        store::users::NewUser {
            email: &email,
            password_hash: &hash,
            display_name: name,
            role,
            agency_id,
            company_id: None,
            locale: "ko",
            email_confirmed: true,
            confirm_token_hash: None,
        },
    )
    .await?;
    store::audit::record(&store.db, None, "cli", "user.create", &format!("user:{id}"), "", role.as_str()).await?;
    Ok(id)
}

/// Creates the demo accounts that do not exist yet; returns what to print.
pub async fn seed_accounts(store: &Store, password: &str) -> Result<Vec<(&'static str, &'static str)>, crate::AnyError> {
    ensure_agencies(store).await?;
    let mut hash: Option<String> = None;
    for (email, name, role, agency, _) in ACCOUNTS {
        if store::users::by_email(&store.db, email).await?.is_some() {
            continue;
        }
        let agency_id = match agency {
            Some(code) => store::agencies::by_code(&store.db, code).await?.map(|a| a.id),
            None => None,
        };
        // One hash for all demo accounts: they share the password, and hashing is slow by design.
        let h = hash.get_or_insert_with(|| kit::auth::hash_password(password)).clone();
        let id = store::users::create(
            &store.db,
            store::users::NewUser {
                email,
                password_hash: &h,
                display_name: name,
                role,
                agency_id,
                company_id: None,
                locale: "ko",
                email_confirmed: true,
                confirm_token_hash: None,
            },
        )
        .await?;
        if role == Role::CompanyMember {
            let company_id = demo_company(store, id).await?;
            store::users::set_company(&store.db, id, company_id).await?;
        }
    }
    Ok(ACCOUNTS.iter().map(|a| (a.0, a.4)).collect())
}

/// The demo member's company: an invented Busan manufacturer of smartphone parts.
async fn demo_company(store: &Store, user_id: i64) -> Result<i64, crate::AnyError> {
    let input = CompanyInput {
        brn: Brn::from_prefix([6, 0, 2, 8, 1, 0, 0, 0, 1]).formatted(),
        name_ko: "예시기업 부산정밀 (데모)".into(),
        name_en: "Demo Co. Busan Precision".into(),
        region: "26".into(),
        ksic: "26".into(),
        founded_on: "2016-05-02".into(),
        employees: "42".into(),
        revenue_krw: "6800000000".into(),
        exports_usd: "40000".into(),
        products: vec!["8517.79".into(), "8517130000".into()],
        export_countries: vec!["VN".into()],
        target_countries: vec!["ID".into(), "US".into()],
    };
    let refs = store::reference::RefData::load(store).await?;
    let today = kit::today();
    let p = input.parse(&refs, today).map_err(|e| format!("demo company invalid: {e}"))?;
    let actor = Actor { user_id: Some(user_id), label: "demo seed".into() };
    let tx = store.db.begin().await?;
    let id = store::companies::create(&tx, &p, &refs.facts(&p, today), &actor).await?;
    store::companies::set_consent(&tx, id, Some(user_id), &kit::Config::default().terms_version, true, &actor).await?;
    tx.commit().await?;
    Ok(id)
}

/// splitmix64: a tiny deterministic generator, so every demo database has the same companies.
pub(crate) struct Rng(pub(crate) u64);
impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const MARKETS: [&str; 20] =
    ["VN", "US", "CN", "JP", "ID", "IN", "TH", "MX", "PL", "AE", "DE", "MY", "PH", "TW", "AU", "SG", "CA", "GB", "SA", "TR"];

/// Tops the database up to `total` demo companies (generated, illustrative).
pub async fn seed_companies(store: &Store, total: usize, progress: bool) -> Result<usize, crate::AnyError> {
    let have = store::companies::count(&store.db).await? as usize;
    if have >= total {
        return Ok(have);
    }
    let refs = store::reference::RefData::load(store).await?;
    let headings: Vec<&str> = refs.hs.iter().filter(|h| h.level == 4).map(|h| h.code.as_str()).collect();
    let divisions: Vec<&str> = refs.ksic.iter().filter(|k| k.level == "division").map(|k| k.code.as_str()).collect();
    let regions: Vec<&str> = refs.regions.iter().map(|r| r.code.as_str()).collect();
    let today = kit::today();
    let actor = Actor { user_id: None, label: "demo seed".into() };
    let terms = kit::Config::default().terms_version;
    let mut rng = Rng(0x5EED_0000 + have as u64);
    let mut n = have;
    while n < total {
        let tx = store.db.begin().await?;
        let end = (n + 1000).min(total);
        for i in n..end {
            let serial = i + 1;
            let mut prefix = [0u8; 9];
            // Prefix 9xx: a range we keep for invented companies in demo data.
            let digits = format!("9{:08}", serial);
            for (k, ch) in digits.bytes().enumerate() {
                prefix[k] = ch - b'0';
            }
            // Exports spread over every stage, most companies small.
            let exports = match rng.below(10) {
                0..=2 => 0,
                3..=5 => rng.below(100_000),
                6..=7 => 100_000 + rng.below(900_000),
                8 => 1_000_000 + rng.below(4_000_000),
                _ => 5_000_000 + rng.below(50_000_000),
            };
            let ksic = *rng.pick(&divisions);
            let input = CompanyInput {
                brn: Brn::from_prefix(prefix).formatted(),
                name_ko: format!("예시기업 {serial:06}"),
                name_en: format!("Demo Co. {serial:06}"),
                region: rng.pick(&regions).to_string(),
                ksic: ksic.to_string(),
                founded_on: format!("{}-{:02}-{:02}", 1985 + rng.below(40), 1 + rng.below(12), 1 + rng.below(28)),
                employees: (1 + rng.below(300)).to_string(),
                revenue_krw: (100_000_000 + rng.below(90_000_000_000)).to_string(),
                exports_usd: exports.to_string(),
                products: (0..1 + rng.below(3)).map(|_| rng.pick(&headings).to_string()).collect(),
                export_countries: if exports > 0 {
                    (0..1 + rng.below(3)).map(|_| rng.pick(&MARKETS).to_string()).collect()
                } else {
                    vec![]
                },
                target_countries: (0..rng.below(3)).map(|_| rng.pick(&MARKETS).to_string()).collect(),
            };
            let p = input.parse(&refs, today).map_err(|e| format!("demo company {serial} invalid: {e}"))?;
            let id = store::companies::create(&tx, &p, &refs.facts(&p, today), &actor).await?;
            if rng.below(100) < 85 {
                store::companies::set_consent(&tx, id, None, &terms, true, &actor).await?;
            }
        }
        tx.commit().await?;
        n = end;
        if progress {
            eprint!("\r{}", import::bar(n - have, total - have));
        }
    }
    if progress {
        eprintln!();
    }
    Ok(n)
}

use crate::import;
