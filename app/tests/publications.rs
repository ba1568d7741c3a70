//! Every write publishes what the nodes' copies listen to.
//!
//! Each node keeps copies of data in memory (see `kit::registry`) and learns of changes only
//! from the change log (`store::changes`). A write that changes a table some copy reads, without
//! publishing the copy's topic in the log, leaves every other node (and this one's kept pages)
//! showing the old data — silently. This module makes that loud in every integration test:
//!
//! - the test template database gets triggers that note, row by row, which watched table was
//!   written and which topic that table belongs to ([`WATCHES`]);
//! - every state-changing request of every test goes through [`check`], which compares the
//!   topics written with the topics the request published, and answers 500 with the missing
//!   topics instead of the page when one is missing, so the test that made the request fails.
//!
//! `GLOBALDESK_PUBLICATION_COVERAGE=FILE` appends each checked request ("METHOD /path/{n}") to
//! FILE, to see which state-changing routes the suite reaches.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use store::Store;
use store::changes::Topic;

/// A watched table: which writes to it (`INSERT`, `UPDATE`, `UPDATE OF col, …`, `DELETE`), an
/// optional row condition, and the topic the copies built from it listen to.
pub struct Watch {
    pub table: &'static str,
    pub on: &'static str,
    pub when: Option<&'static str>,
    pub topic: Topic,
}

const fn all(table: &'static str, topic: Topic) -> [Watch; 3] {
    [
        Watch { table, on: "INSERT", when: None, topic },
        Watch { table, on: "UPDATE", when: None, topic },
        Watch { table, on: "DELETE", when: None, topic },
    ]
}

/// What the node-local copies read, table by table (see each room's `CacheSpec`s).
pub fn watches() -> Vec<Watch> {
    let mut w: Vec<Watch> = Vec::new();
    for t in ["cases", "case_products", "case_events", "case_pauses", "case_attachments", "case_referrals", "case_links", "case_followups"]
    {
        w.extend(all(t, Topic::Case));
    }
    w.extend(all("kb_entries", Topic::Summary));
    for t in ["plans", "plan_steps", "plan_notes", "plan_files", "plan_updates", "consultations"] {
        w.extend(all(t, Topic::Plan));
    }
    // Only publication changes what nodes keep; drafts are read from the database.
    w.push(Watch { table: "playbook_versions", on: "UPDATE OF status", when: Some("NEW.status = 'published'"), topic: Topic::Playbook });
    w.push(Watch { table: "program_versions", on: "UPDATE OF status", when: Some("NEW.status = 'published'"), topic: Topic::Programs });
    w.extend(all("saved_filters", Topic::SavedFilter));
    w.extend(all("agencies", Topic::Staff));
    // The directory lists each agency's officers and administrators by name and address
    // (`store::users::staff_of_agency`); sign-in counters and other roles are not in it.
    w.push(Watch {
        table: "users",
        on: "INSERT",
        when: Some("NEW.agency_id IS NOT NULL AND NEW.role IN ('officer', 'agency_admin')"),
        topic: Topic::Staff,
    });
    w.push(Watch {
        table: "users",
        on: "UPDATE OF role, agency_id, active, display_name, email",
        when: Some(
            "(OLD.agency_id IS NOT NULL AND OLD.role IN ('officer', 'agency_admin')) \
             OR (NEW.agency_id IS NOT NULL AND NEW.role IN ('officer', 'agency_admin'))",
        ),
        topic: Topic::Staff,
    });
    for t in ["companies", "company_products", "company_countries"] {
        w.extend(all(t, Topic::Company));
    }
    for t in ["company_facts", "awards"] {
        w.extend(all(t, Topic::CompanyFacts));
    }
    for t in ["routing_rules", "sla_targets", "holidays"] {
        w.extend(all(t, Topic::DeskSettings));
    }
    for t in ["countries", "hs_codes", "hs_sections", "regions", "ksic", "export_stages", "size_rules"] {
        w.extend(all(t, Topic::ReferenceData));
    }
    w
}

/// Adds the bookkeeping table and the triggers (once, on the template database).
pub async fn install(store: &Store) {
    let pg = store.db.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
    let id = if pg { "BIGSERIAL PRIMARY KEY" } else { "INTEGER PRIMARY KEY AUTOINCREMENT" };
    store.execute_unprepared(&format!("CREATE TABLE gd_touched (id {id}, tbl TEXT NOT NULL, topic TEXT NOT NULL)")).await.unwrap();
    if pg {
        store
            .execute_unprepared(
                "CREATE FUNCTION gd_touch() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN INSERT INTO gd_touched (tbl, topic) VALUES (TG_TABLE_NAME, TG_ARGV[0]); RETURN NULL; END $$",
            )
            .await
            .unwrap();
    }
    for (n, w) in watches().iter().enumerate() {
        let when = w.when.map(|c| format!("WHEN ({c})")).unwrap_or_default();
        let topic = w.topic.as_str();
        let sql = if pg {
            format!("CREATE TRIGGER gd_touch_{n} AFTER {} ON {} FOR EACH ROW {when} EXECUTE FUNCTION gd_touch('{topic}')", w.on, w.table)
        } else {
            format!(
                "CREATE TRIGGER gd_touch_{n} AFTER {} ON {} FOR EACH ROW {when} BEGIN INSERT INTO gd_touched (tbl, topic) VALUES ('{}', '{topic}'); END",
                w.on, w.table, w.table
            )
        };
        store.execute_unprepared(&sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

#[derive(sea_orm::FromQueryResult)]
struct Touched {
    n: Option<i64>,
}

#[derive(sea_orm::FromQueryResult)]
struct TopicRow {
    topic: String,
}

async fn touched_mark(store: &Store) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let b = store.db.get_database_backend();
    let row = store.db.query_one_raw(Statement::from_string(b, "SELECT MAX(id) AS n FROM gd_touched")).await.unwrap();
    row.map(|r| <Touched as sea_orm::FromQueryResult>::from_query_result(&r, "").unwrap().n.unwrap_or(0)).unwrap_or(0)
}

async fn touched_since(store: &Store, mark: i64) -> Vec<Topic> {
    use sea_orm::{ConnectionTrait, Statement};
    let b = store.db.get_database_backend();
    let rows = store
        .db
        .query_all_raw(Statement::from_sql_and_values(b, "SELECT DISTINCT topic FROM gd_touched WHERE id > $1", [mark.into()]))
        .await
        .unwrap();
    rows.iter()
        .filter_map(|r| <TopicRow as sea_orm::FromQueryResult>::from_query_result(r, "").ok())
        .filter_map(|t| Topic::parse(&t.topic))
        .collect()
}

/// The middleware: see the module comment.
pub async fn check(State(store): State<Store>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    if matches!(method, axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS) {
        return next.run(req).await;
    }
    let path = req.uri().path().to_string();
    let touched_before = touched_mark(&store).await;
    let log_before = store::changes::last(&store.db).await.unwrap();
    let res = next.run(req).await;
    let touched = touched_since(&store, touched_before).await;
    let published: Vec<Topic> = store::changes::since(&store.db, log_before).await.unwrap().into_iter().filter_map(|c| c.topic).collect();
    if let Ok(file) = std::env::var("GLOBALDESK_PUBLICATION_COVERAGE") {
        use std::io::Write;
        let shape: String = path
            .split('/')
            .map(|s| if s.chars().all(|c| c.is_ascii_digit()) && !s.is_empty() { "{n}" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(file) {
            let _ = writeln!(f, "{method} {shape} {}", res.status().as_u16());
        }
    }
    let missing: Vec<&str> = touched.iter().filter(|t| !published.contains(t)).map(|t| t.as_str()).collect();
    if missing.is_empty() {
        return res;
    }
    let msg = format!("{method} {path} changed data of topic(s) {missing:?} without publishing them to the change log");
    eprintln!("{msg}");
    (axum::http::StatusCode::INTERNAL_SERVER_ERROR, msg).into_response()
}
