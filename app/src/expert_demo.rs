//! Illustrative local experts for the demo: invented firms in the navigator's ten markets,
//! flagged `illustrative` so every page marks them, with e-mail addresses on the reserved
//! `.test` domain. No name here is a real firm or person. Most are verified by KOTRA or the
//! MSS desk; a few wait for review and one is suspended, so every state can be seen.

use store::experts::ExpertFields;
use store::{Store, TransactionTrait};

/// (country, kind, Korean name, English name, city, specialties, languages, fee min, fee max,
/// status, verifying agency code)
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    i64,
    &'static str,
    &'static str,
);

const EXPERTS: [Row; 20] = [
    // The first is the Jakarta firm of the demo account expert@demo.test.
    (
        "ID",
        "law_firm",
        "예시 누산타라 법률사무소",
        "Nusantara Example Law Office",
        "Jakarta",
        "establishment licensing labour",
        "id en ko",
        120,
        250,
        "verified",
        "KOTRA",
    ),
    (
        "ID",
        "accountant",
        "예시 자바 회계사무소",
        "Java Example Accounting",
        "Surabaya",
        "tax accounting",
        "id en",
        60,
        140,
        "verified",
        "MSS",
    ),
    (
        "VN",
        "consultant",
        "예시 사이공 진출컨설팅",
        "Saigon Example Market Entry",
        "Ho Chi Minh City",
        "establishment licensing real_estate",
        "vi en ko",
        80,
        180,
        "verified",
        "KOTRA",
    ),
    (
        "VN",
        "accountant",
        "예시 하노이 세무회계",
        "Hanoi Example Tax & Accounts",
        "Hanoi",
        "tax accounting customs",
        "vi en",
        50,
        120,
        "submitted",
        "",
    ),
    (
        "US",
        "law_firm",
        "예시 허드슨 법률그룹",
        "Hudson Example Legal Group",
        "New York",
        "establishment ip labour visas",
        "en ko",
        300,
        650,
        "verified",
        "KOTRA",
    ),
    ("US", "accountant", "예시 퍼시픽 회계", "Pacific Example CPA", "Los Angeles", "tax accounting", "en es", 180, 400, "verified", "MSS"),
    (
        "CN",
        "consultant",
        "예시 황푸 비즈니스자문",
        "Huangpu Example Advisory",
        "Shanghai",
        "establishment licensing customs",
        "zh en ko",
        100,
        220,
        "verified",
        "KOTRA",
    ),
    (
        "CN",
        "law_firm",
        "예시 선전 지식재산 법률사무소",
        "Shenzhen Example IP Law",
        "Shenzhen",
        "ip establishment",
        "zh en",
        150,
        320,
        "suspended",
        "KOTRA",
    ),
    ("JP", "notary", "예시 도쿄 공증사무소", "Tokyo Example Notary Office", "Tokyo", "establishment", "ja en", 90, 150, "verified", "MSS"),
    (
        "JP",
        "accountant",
        "예시 오사카 세리사사무소",
        "Osaka Example Tax Accountants",
        "Osaka",
        "tax accounting labour",
        "ja ko",
        110,
        200,
        "verified",
        "KOTRA",
    ),
    (
        "IN",
        "law_firm",
        "예시 데칸 법률사무소",
        "Deccan Example Associates",
        "Bengaluru",
        "establishment tax labour licensing",
        "en hi",
        70,
        160,
        "verified",
        "KOTRA",
    ),
    (
        "IN",
        "consultant",
        "예시 야무나 진출지원",
        "Yamuna Example Entry Services",
        "New Delhi",
        "customs licensing real_estate",
        "en hi ko",
        60,
        130,
        "submitted",
        "",
    ),
    (
        "TH",
        "law_firm",
        "예시 차오프라야 법률사무소",
        "Chao Phraya Example Legal",
        "Bangkok",
        "establishment licensing visas",
        "th en",
        90,
        200,
        "verified",
        "MSS",
    ),
    (
        "TH",
        "accountant",
        "예시 시암 회계",
        "Siam Example Accounting",
        "Bangkok",
        "tax accounting",
        "th en ko",
        50,
        110,
        "verified",
        "KOTRA",
    ),
    (
        "MX",
        "law_firm",
        "예시 아나우악 법률사무소",
        "Anahuac Example Abogados",
        "Mexico City",
        "establishment labour customs",
        "es en",
        120,
        260,
        "verified",
        "KOTRA",
    ),
    (
        "MX",
        "notary",
        "예시 몬테레이 공증",
        "Monterrey Example Notaria",
        "Monterrey",
        "establishment real_estate",
        "es",
        100,
        180,
        "verified",
        "MSS",
    ),
    (
        "PL",
        "consultant",
        "예시 비스와 비즈니스자문",
        "Vistula Example Advisory",
        "Warsaw",
        "establishment tax licensing",
        "pl en ko",
        90,
        190,
        "verified",
        "KOTRA",
    ),
    (
        "PL",
        "accountant",
        "예시 브로츠와프 회계",
        "Wroclaw Example Accounting",
        "Wroclaw",
        "accounting tax labour",
        "pl en",
        60,
        130,
        "suspended",
        "MSS",
    ),
    (
        "AE",
        "consultant",
        "예시 걸프 프리존 자문",
        "Gulf Example Free Zone Advisors",
        "Dubai",
        "establishment licensing visas",
        "ar en ko",
        150,
        350,
        "verified",
        "KOTRA",
    ),
    (
        "AE",
        "law_firm",
        "예시 아부다비 법률사무소",
        "Abu Dhabi Example Counsel",
        "Abu Dhabi",
        "establishment ip real_estate",
        "ar en",
        200,
        450,
        "submitted",
        "",
    ),
];

/// Seeds the illustrative experts once: does nothing (returns 0) when any expert exists.
pub async fn seed_experts(store: &Store) -> Result<usize, crate::AnyError> {
    if store::experts::count(&store.db).await? > 0 {
        return Ok(0);
    }
    let tx = store.db.begin().await?;
    let demo_user = store::users::by_email(&tx, "expert@demo.test").await?;
    let mut n = 0;
    for (i, (country, kind, name_ko, name_en, city, specialties, languages, fee_min, fee_max, status, agency)) in
        EXPERTS.into_iter().enumerate()
    {
        let slug: String = name_en.to_ascii_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).take(24).collect();
        let fields = ExpertFields {
            country: country.into(),
            kind: kind.into(),
            name_ko: name_ko.into(),
            name_en: format!("{name_en} (Illustrative)"),
            city: city.into(),
            specialties: specialties.into(),
            languages: languages.into(),
            fee_min_usd: Some(fee_min),
            fee_max_usd: Some(fee_max),
            contact_email: format!("desk@{slug}.example.test"),
            description_ko: format!("시연용 가상 사무소입니다. {city}에서 한국 중소기업의 현지 진출을 돕는 것으로 설정되어 있습니다."),
            description_en: format!("An invented firm for the demo, set in {city} and described as helping Korean SMEs set up locally."),
            // Every other listing declares something, so both displays can be seen.
            coi_declaration: if i % 2 == 0 {
                "예시: 대한민국 정부기관과 고용·자문 관계 없음. / Illustrative: no employment or advisory ties to Korean agencies.".into()
            } else {
                String::new()
            },
        };
        // The demo expert account gets the Jakarta listing; without that account, none is linked.
        let user_id =
            if i == 0 && demo_user.as_ref().is_some_and(|u| u.role == "expert") { demo_user.as_ref().map(|u| u.id) } else { None };
        let id = store::experts::insert(&tx, &fields, user_id, true).await?;
        if status != "submitted" {
            let verifier = store::agencies::by_code(&tx, agency).await?;
            let officer = match &verifier {
                Some(a) => store::users::staff_of_agency(&tx, a.id).await?.into_iter().next().map(|u| u.id),
                None => None,
            };
            if let Some(officer) = officer {
                store::experts::set_status(&tx, id, 1, "submitted", "verified", "", Some((verifier.as_ref().map(|a| a.id), officer)))
                    .await?;
                if status == "suspended" {
                    store::experts::set_status(
                        &tx,
                        id,
                        2,
                        "verified",
                        "suspended",
                        "예시: 자격 갱신 서류 확인 중 / Illustrative: licence renewal being checked",
                        None,
                    )
                    .await?;
                } else if i % 3 == 0 {
                    // Some verified listings are endorsed by the other agency too.
                    let other = if agency == "KOTRA" { "MSS" } else { "KOTRA" };
                    if let Some(a) = store::agencies::by_code(&tx, other).await? {
                        store::experts::endorse(&tx, id, 2, a.id).await?;
                    }
                }
            }
        }
        n += 1;
    }
    tx.commit().await?;
    Ok(n)
}
