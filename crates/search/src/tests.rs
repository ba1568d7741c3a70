use super::*;

fn doc(id: i64, title: &str, body: &str) -> Doc {
    Doc {
        id,
        kind: DocKind::Case,
        title: title.into(),
        body: body.into(),
        category: "customs".into(),
        country: "ID".into(),
        hs_codes: vec!["850110".into()],
        status: "in_progress".into(),
        visible_to: vec!["public".into()],
        updated: id,
    }
}

fn terms(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn query<'a>(text: &'a str, vis: &'a [String]) -> Query<'a> {
    Query {
        text,
        kind: DocKind::Case,
        visible_to: vis,
        category: None,
        country: None,
        hs_prefix: None,
        statuses: &[],
        limit: 10,
        offset: 0,
    }
}

fn ids(hits: &Hits) -> Vec<i64> {
    let mut ids: Vec<i64> = hits.ids.iter().map(|(id, _)| *id).collect();
    ids.sort_unstable();
    ids
}

fn index(docs: Vec<Doc>) -> SearchIndex {
    let idx = SearchIndex::new_in_ram().unwrap();
    idx.upsert(docs).unwrap();
    idx
}

#[test]
fn shareable() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SearchIndex>();
}

#[test]
fn korean_substring() {
    let idx = index(vec![
        doc(1, "인도네시아 할랄 인증 절차", "수입 통관 전에 할랄인증서가 필요합니다"),
        doc(2, "베트남 위생 허가", "식품 수출 시 위생 인증을 받아야 합니다"),
        doc(3, "할랄 식품 라벨", "무슬림 소비자 대상 라벨 표기"),
    ]);
    let vis = terms(&["public"]);
    let hits = idx.search(&query("할랄 인증", &vis)).unwrap();
    assert_eq!(ids(&hits), [1]);
    // A compound written without spaces matches through its bigrams...
    assert_eq!(ids(&idx.search(&query("할랄인증서", &vis)).unwrap()), [1]);
    // ...but AND semantics means a particle in the query ("증을") must occur in the doc too.
    assert!(idx.search(&query("할랄인증을", &vis)).unwrap().ids.is_empty());
    assert_eq!(ids(&idx.search(&query("인증", &vis)).unwrap()), [1, 2]);
    assert_eq!(ids(&idx.search(&query("할랄", &vis)).unwrap()), [1, 3]);
}

#[test]
fn title_outranks_body() {
    let idx = index(vec![
        doc(1, "통관 서류 안내", "원산지 증명서와 할랄 인증 사본을 첨부"),
        doc(2, "할랄 인증 갱신", "원산지 증명서와 통관 서류 사본을 첨부"),
    ]);
    let vis = terms(&["public"]);
    let hits = idx.search(&query("할랄 인증", &vis)).unwrap();
    assert_eq!(hits.ids[0].0, 2);
    assert!(hits.ids[0].1 > hits.ids[1].1);
}

#[test]
fn english_case_insensitive() {
    let idx = index(vec![doc(1, "CE Marking for the EU", "Machinery directive"), doc(2, "FDA registration", "food")]);
    let vis = terms(&["public"]);
    assert_eq!(ids(&idx.search(&query("ce marking", &vis)).unwrap()), [1]);
    assert_eq!(ids(&idx.search(&query("MACHINERY", &vis)).unwrap()), [1]);
    assert_eq!(ids(&idx.search(&query("fda Registration", &vis)).unwrap()), [2]);
    assert!(idx.search(&query("ce fda", &vis)).unwrap().ids.is_empty(), "AND semantics");
}

#[test]
fn visibility() {
    let mut private = doc(1, "수출 바우처", "company one");
    private.visible_to = terms(&["company:1", "agency:3"]);
    let idx = index(vec![private, doc(2, "수출 바우처 공고", "public")]);
    let search = |vis: &[&str]| ids(&idx.search(&query("수출 바우처", &terms(vis))).unwrap());
    assert_eq!(search(&["company:1"]), [1]);
    assert_eq!(search(&["company:2"]), Vec::<i64>::new());
    assert_eq!(search(&["company:2", "public"]), [2]);
    assert_eq!(search(&["agency:3"]), [1]);
    assert_eq!(search(&["agency:3", "public"]), [1, 2]);
    assert_eq!(search(&[]), Vec::<i64>::new());
    // Empty text too: visibility is not a property of the text query.
    assert_eq!(ids(&idx.search(&query("", &terms(&["company:2"]))).unwrap()), Vec::<i64>::new());
    let suggested = idx.suggest("수출", &terms(&["company:2", "public"]), 10).unwrap();
    assert_eq!(suggested.iter().map(|s| s.1).collect::<Vec<_>>(), [2]);
}

#[test]
fn filters() {
    let mut a = doc(1, "인증 문의", "");
    a.category = "certification".into();
    a.country = "VN".into();
    a.hs_codes = vec!["3304.99".into()];
    a.status = "closed".into();
    let b = doc(2, "인증 문의", ""); // customs, ID, 850110, in_progress
    let idx = index(vec![a, b]);
    let vis = terms(&["public"]);
    let with = |f: &dyn Fn(&mut Query)| {
        let mut q = query("인증", &vis);
        f(&mut q);
        ids(&idx.search(&q).unwrap())
    };
    assert_eq!(with(&|q| q.category = Some("customs")), [2]);
    assert_eq!(with(&|q| q.category = Some("")), [1, 2]);
    assert_eq!(with(&|q| q.country = Some("VN")), [1]);
    assert_eq!(with(&|q| q.hs_prefix = Some("8501")), [2]);
    assert_eq!(with(&|q| q.hs_prefix = Some("85")), [2]);
    assert_eq!(with(&|q| q.hs_prefix = Some("850110")), [2]);
    assert_eq!(with(&|q| q.hs_prefix = Some("8502")), Vec::<i64>::new());
    assert_eq!(with(&|q| q.hs_prefix = Some("3304.9")), [1]);
    assert_eq!(with(&|q| q.statuses = &["closed"]), [1]);
    assert_eq!(with(&|q| q.statuses = &["closed", "in_progress"]), [1, 2]);
    assert_eq!(with(&|q| q.statuses = &["new"]), Vec::<i64>::new());
    assert_eq!(with(&|q| q.kind = DocKind::Kb), Vec::<i64>::new());
    assert_eq!(
        with(&|q| {
            q.text = "";
            q.country = Some("ID");
            q.statuses = &["in_progress"];
        }),
        [2]
    );
}

#[test]
fn upsert_replaces_and_delete_removes() {
    let idx = index(vec![doc(1, "할랄 인증", ""), doc(2, "할랄 인증", "")]);
    let vis = terms(&["public"]);
    idx.upsert([doc(1, "할랄 인증 수정본", "")]).unwrap();
    // The same id twice in one batch keeps the last version only.
    idx.upsert([doc(2, "옛 제목", ""), doc(2, "위생 허가", "")]).unwrap();
    assert_eq!(ids(&idx.search(&query("할랄 인증", &vis)).unwrap()), [1]);
    assert_eq!(ids(&idx.search(&query("수정본", &vis)).unwrap()), [1]);
    assert_eq!(ids(&idx.search(&query("위생", &vis)).unwrap()), [2]);
    assert!(idx.search(&query("옛 제목", &vis)).unwrap().ids.is_empty());
    assert_eq!(idx.len(DocKind::Case), 2);

    // Same id, other kind: a separate document.
    let mut kb = doc(1, "할랄 인증 가이드", "");
    kb.kind = DocKind::Kb;
    idx.upsert([kb]).unwrap();
    assert_eq!((idx.len(DocKind::Case), idx.len(DocKind::Kb)), (2, 1));

    idx.delete(DocKind::Case, 1).unwrap();
    assert!(idx.search(&query("할랄", &vis)).unwrap().ids.is_empty());
    assert_eq!((idx.len(DocKind::Case), idx.len(DocKind::Kb)), (1, 1));
    let suggested = idx.suggest("할랄 인증", &vis, 5).unwrap();
    assert_eq!(suggested.iter().map(|s| (s.0, s.1)).collect::<Vec<_>>(), [(DocKind::Kb, 1)]);
    idx.delete(DocKind::Case, 99).unwrap(); // absent: no error
}

#[test]
fn paging_and_recency() {
    let idx = index((1..=25).map(|i| doc(i, "수출 지원 사업", "")).collect());
    let vis = terms(&["public"]);
    let mut q = query("", &vis);
    q.limit = 10;
    q.offset = 20;
    let hits = idx.search(&q).unwrap();
    assert_eq!(hits.total, 25);
    // Empty text: newest first (updated = id here).
    assert_eq!(hits.ids, [(5, 0.0), (4, 0.0), (3, 0.0), (2, 0.0), (1, 0.0)]);
    q.text = "지원 사업";
    q.offset = 0;
    let first = idx.search(&q).unwrap();
    q.offset = 10;
    let second = idx.search(&q).unwrap();
    assert_eq!((first.total, first.ids.len(), second.ids.len()), (25, 10, 10));
    assert!(ids(&first).iter().all(|id| !ids(&second).contains(id)));
    q.limit = 0;
    assert_eq!(idx.search(&q).unwrap(), Hits { total: 25, ids: vec![] });
}

#[test]
fn suggest_or_semantics() {
    let mut kb = doc(10, "미국 FDA 식품 등록 가이드", "");
    kb.kind = DocKind::Kb;
    let idx = index(vec![doc(1, "FDA 등록 대행", "미국 수출"), doc(2, "EU 화장품 등록", ""), kb, doc(3, "무관한 사건", "")]);
    let got = idx.suggest("미국 FDA 등록 절차", &terms(&["public"]), 10).unwrap();
    let found: Vec<(DocKind, i64)> = got.iter().map(|s| (s.0, s.1)).collect();
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(!found.contains(&(DocKind::Case, 3)));
    // The doc sharing only "등록" ranks last.
    assert_eq!(found[2], (DocKind::Case, 2));
    assert!(idx.suggest("", &terms(&["public"]), 10).unwrap().is_empty());
}

#[test]
fn punctuation_only_text_matches_all() {
    let idx = index(vec![doc(1, "a", ""), doc(2, "b", "")]);
    let hits = idx.search(&query(" -!? ", &terms(&["public"]))).unwrap();
    assert_eq!(hits.total, 2);
}
