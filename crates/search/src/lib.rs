//! Full-text search over regulatory cases and knowledge-base entries (Korean and English).
//!
//! The index is a cache: it lives in RAM, is rebuilt from the database at start with one bulk
//! [`SearchIndex::upsert`], and kept fresh by further upserts and deletes. Access control is part
//! of every query: a document carries opaque visibility terms and only matches a caller who holds
//! at least one of them, so a hit list can never leak a row the caller may not see.

pub mod tokenizer;

use std::sync::{Mutex, MutexGuard};

use tantivy::collector::{Count, TopDocs};
use tantivy::columnar::Column;
use tantivy::indexer::IndexWriterOptions;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query as TQuery, TermQuery, TermSetQuery};
use tantivy::schema::{FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions};
use tantivy::store::Compressor;
use tantivy::{DocAddress, Index, IndexReader, IndexSettings, IndexWriter, Order, ReloadPolicy, Searcher, TantivyDocument, Term};

/// Both indexer and merger get one thread: the machine has two cores and serves requests too.
const WRITER_THREADS: usize = 1;
/// Per-thread arena; a full arena is flushed as a segment, so this bounds bulk-load memory.
const WRITER_MEMORY: usize = 50_000_000;
/// The title is indexed this many times before the body, so its tokens weigh double in BM25: a
/// case titled "할랄 인증" is about halal certification, one that mentions it once in a reply is
/// not. Repeating it costs nothing at query time; a boosted clause on a separate title field
/// added ~25% to every query (an optional union to seek for each match).
const TITLE_REPEAT: usize = 2;
/// Queries are typed by people; a pasted page would otherwise become hundreds of required terms.
const MAX_QUERY_TOKENS: usize = 32;

/// A searchable row: a case or a knowledge-base entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    /// Row id (`cases.id` or `kb_entries.id`); unique together with `kind`.
    pub id: i64,
    pub kind: DocKind,
    pub title: String,
    /// Description, replies, summaries: everything searchable besides the title.
    pub body: String,
    pub category: String,
    /// ISO alpha-2, matched exactly.
    pub country: String,
    /// HS codes (digits; other characters are ignored), matched by prefix.
    pub hs_codes: Vec<String>,
    pub status: String,
    /// Opaque terms such as "public", "company:12", "agency:3", matched exactly; a doc without
    /// any is never found.
    pub visible_to: Vec<String>,
    /// Unix seconds; the order when a query has no text.
    pub updated: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    Case,
    Kb,
}

impl DocKind {
    fn code(self) -> u64 {
        match self {
            DocKind::Case => 0,
            DocKind::Kb => 1,
        }
    }

    fn from_code(code: u64) -> DocKind {
        if code == 0 { DocKind::Case } else { DocKind::Kb }
    }

    fn label(self) -> &'static str {
        match self {
            DocKind::Case => "case",
            DocKind::Kb => "kb",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Query<'a> {
    /// Free text; every token must match. Empty (or only punctuation) matches all, newest first.
    pub text: &'a str,
    pub kind: DocKind,
    /// The caller's visibility terms; a doc matches if it shares any. Empty = no results.
    pub visible_to: &'a [String],
    /// Exact match; `Some("")` is treated as no filter, as an empty form field would send it.
    pub category: Option<&'a str>,
    pub country: Option<&'a str>,
    pub hs_prefix: Option<&'a str>,
    /// Any of these; empty = any status.
    pub statuses: &'a [&'a str],
    pub limit: usize,
    pub offset: usize,
}

/// One page of results: `total` counts all matches, `ids` is the page as (row id, score).
/// Scores are BM25 for text queries and 0.0 for recency-ordered (empty text) ones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hits {
    pub total: usize,
    pub ids: Vec<(i64, f32)>,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
}

#[derive(Clone, Copy)]
struct Fields {
    /// "case:12" / "kb:7": the single term that deletes exactly one row.
    key: Field,
    /// Row id and kind as fast fields: hits are resolved without a stored-document lookup.
    id: Field,
    kind: Field,
    /// Title (×[`TITLE_REPEAT`]) and body in one field: every query token is one posting list
    /// to intersect. A per-token union of title and body fields cost twice as much.
    text: Field,
    category: Field,
    country: Field,
    hs: Field,
    status: Field,
    visible_to: Field,
    updated: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    // Nothing is STORED: results are ids read from fast fields, the database has the rest.
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(tokenizer::NAME).set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        key: b.add_text_field("key", STRING),
        id: b.add_i64_field("id", FAST),
        kind: b.add_u64_field("kind", INDEXED | FAST),
        text: b.add_text_field("text", text),
        category: b.add_text_field("category", STRING),
        country: b.add_text_field("country", STRING),
        hs: b.add_text_field("hs", STRING),
        status: b.add_text_field("status", STRING),
        visible_to: b.add_text_field("visible_to", STRING),
        updated: b.add_i64_field("updated", FAST),
    };
    (b.build(), fields)
}

fn key(kind: DocKind, id: i64) -> String {
    format!("{}:{id}", kind.label())
}

/// Visibility terms are indexed per kind ("case/company:12"), so one term-set filter checks both
/// kind and access: one leg fewer to intersect on every query than a separate kind filter.
fn scoped(kind: DocKind, term: &str) -> String {
    format!("{}/{term}", kind.label())
}

/// HS codes keep only their digits; every prefix is indexed so a prefix filter is one term.
fn hs_prefixes(code: &str) -> impl Iterator<Item = String> {
    let digits: String = code.chars().filter(char::is_ascii_digit).collect();
    (1..=digits.len()).map(move |n| digits[..n].to_owned())
}

/// Filters narrow the match set without changing the ranking.
fn filter(q: impl TQuery) -> (Occur, Box<dyn TQuery>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(Box::new(q), 0.0)))
}

/// The in-RAM index. `Send + Sync`: share it behind an `Arc`; searches run concurrently and
/// lock-free, writes are serialised by the writer's mutex.
pub struct SearchIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    analyzer: tantivy::tokenizer::TextAnalyzer,
}

impl SearchIndex {
    pub fn new_in_ram() -> Result<SearchIndex, SearchError> {
        let (schema, fields) = schema();
        let settings = IndexSettings {
            // The doc store is empty (nothing is stored), so compressing it is wasted work.
            docstore_compression: Compressor::None,
            docstore_compress_dedicated_thread: false,
            ..IndexSettings::default()
        };
        let index = Index::builder().schema(schema).settings(settings).create_in_ram()?;
        let analyzer = tokenizer::analyzer();
        index.tokenizers().register(tokenizer::NAME, analyzer.clone());
        let writer = index.writer_with_options(
            IndexWriterOptions::builder()
                .num_worker_threads(WRITER_THREADS)
                .num_merge_threads(1)
                .memory_budget_per_thread(WRITER_MEMORY)
                .build(),
        )?;
        // Commits reload explicitly (results must be visible when upsert returns); the watcher
        // additionally picks up segments merged in the background afterwards.
        let reader = index.reader_builder().reload_policy(ReloadPolicy::OnCommitWithDelay).try_into()?;
        Ok(SearchIndex { reader, writer: Mutex::new(writer), fields, analyzer })
    }

    /// Replaces each doc by (kind, id), then commits once and reloads, so the whole batch
    /// becomes visible atomically when this returns. On error nothing of the batch is kept.
    pub fn upsert(&self, docs: impl IntoIterator<Item = Doc>) -> Result<(), SearchError> {
        let mut writer = self.writer()?;
        let mut docs = docs.into_iter().peekable();
        if docs.peek().is_none() {
            return Ok(());
        }
        let written = docs.try_for_each(|doc| {
            // The delete only affects docs added before it, so a repeated id in one batch keeps
            // its last version.
            writer.delete_term(Term::from_field_text(self.fields.key, &key(doc.kind, doc.id)));
            writer.add_document(self.to_tantivy(&doc)).map(drop)
        });
        self.finish(&mut writer, written)
    }

    pub fn delete(&self, kind: DocKind, id: i64) -> Result<(), SearchError> {
        let mut writer = self.writer()?;
        writer.delete_term(Term::from_field_text(self.fields.key, &key(kind, id)));
        self.finish(&mut writer, Ok(()))
    }

    pub fn search(&self, q: &Query) -> Result<Hits, SearchError> {
        if q.visible_to.is_empty() {
            return Ok(Hits::default());
        }
        let f = self.fields;
        let mut clauses = vec![self.access(&[q.kind], q.visible_to)];
        let exact = [(f.category, q.category), (f.country, q.country), (f.hs, q.hs_prefix)];
        for (field, value) in exact {
            if let Some(v) = value.filter(|v| !v.is_empty()) {
                let v = if field == f.hs { v.chars().filter(char::is_ascii_digit).collect() } else { v.to_owned() };
                clauses.push(filter(TermQuery::new(Term::from_field_text(field, &v), IndexRecordOption::Basic)));
            }
        }
        if !q.statuses.is_empty() {
            clauses.push(filter(TermSetQuery::new(q.statuses.iter().map(|s| Term::from_field_text(f.status, s)))));
        }
        let tokens = self.tokens(q.text);
        clauses.extend(self.text_clauses(&tokens, Occur::Must));
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        if q.limit == 0 {
            return Ok(Hits { total: searcher.search(&query, &Count)?, ids: Vec::new() });
        }
        let range = q.offset..q.offset.saturating_add(q.limit);
        let (total, page): (usize, Vec<(f32, DocAddress)>) = if tokens.is_empty() {
            let newest = TopDocs::for_doc_range(range).order_by_fast_field::<i64>("updated", Order::Desc);
            let (total, page) = searcher.search(&query, &(Count, newest))?;
            (total, page.into_iter().map(|(_, a)| (0.0, a)).collect())
        } else {
            searcher.search(&query, &(Count, TopDocs::for_doc_range(range).order_by_score()))?
        };
        let ids = resolve(&searcher, page.iter().map(|&(_, a)| a))?;
        Ok(Hits { total, ids: ids.into_iter().zip(page).map(|((_, id), (score, _))| (id, score)).collect() })
    }

    /// "Similar cases" while a title is being typed: both kinds, any token may match (BM25
    /// ranks the docs sharing more of them first), title boosted.
    pub fn suggest(&self, text: &str, visible_to: &[String], limit: usize) -> Result<Vec<(DocKind, i64, f32)>, SearchError> {
        let tokens = self.tokens(text);
        if tokens.is_empty() || visible_to.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let mut clauses = vec![self.access(&[DocKind::Case, DocKind::Kb], visible_to)];
        clauses.extend(self.text_clauses(&tokens, Occur::Should));
        // One flat union (any token in the text) instead of nested ones: cheaper to seek.
        let query = BooleanQuery::with_minimum_required_clauses(clauses, 1);
        let searcher = self.reader.searcher();
        let page = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let ids = resolve(&searcher, page.iter().map(|&(_, a)| a))?;
        Ok(ids.into_iter().zip(page).map(|((kind, id), (score, _))| (kind, id, score)).collect())
    }

    /// Number of live docs of a kind (0 if the index cannot be read, which does not happen in RAM).
    pub fn len(&self, kind: DocKind) -> usize {
        let query = TermQuery::new(Term::from_field_u64(self.fields.kind, kind.code()), IndexRecordOption::Basic);
        self.reader.searcher().search(&query, &Count).unwrap_or(0)
    }

    pub fn is_empty(&self, kind: DocKind) -> bool {
        self.len(kind) == 0
    }

    /// Matches the docs of these kinds that share a term with `visible_to`.
    fn access(&self, kinds: &[DocKind], visible_to: &[String]) -> (Occur, Box<dyn TQuery>) {
        let terms =
            kinds.iter().flat_map(|&k| visible_to.iter().map(move |v| Term::from_field_text(self.fields.visible_to, &scoped(k, v))));
        filter(TermSetQuery::new(terms))
    }

    fn text_clauses(&self, tokens: &[String], occur: Occur) -> Vec<(Occur, Box<dyn TQuery>)> {
        let field = self.fields.text;
        let term = |t: &str| TermQuery::new(Term::from_field_text(field, t), IndexRecordOption::WithFreqs);
        tokens.iter().map(|t| -> (Occur, Box<dyn TQuery>) { (occur, Box::new(term(t))) }).collect()
    }

    /// Query text through the index's own analyzer, deduplicated (a repeated bigram would only
    /// double its weight), capped at [`MAX_QUERY_TOKENS`].
    fn tokens(&self, text: &str) -> Vec<String> {
        let mut analyzer = self.analyzer.clone();
        let mut stream = analyzer.token_stream(text);
        let mut out: Vec<String> = Vec::new();
        while let Some(t) = stream.next() {
            if out.len() == MAX_QUERY_TOKENS {
                break;
            }
            if !out.contains(&t.text) {
                out.push(t.text.clone());
            }
        }
        out
    }

    fn to_tantivy(&self, d: &Doc) -> TantivyDocument {
        let f = self.fields;
        let mut t = TantivyDocument::new();
        t.add_text(f.key, key(d.kind, d.id));
        t.add_i64(f.id, d.id);
        t.add_u64(f.kind, d.kind.code());
        // Separate values: positions leave a gap between them, so phrases do not span them.
        for _ in 0..TITLE_REPEAT {
            t.add_text(f.text, &d.title);
        }
        t.add_text(f.text, &d.body);
        t.add_text(f.category, &d.category);
        t.add_text(f.country, &d.country);
        t.add_text(f.status, &d.status);
        for prefix in d.hs_codes.iter().flat_map(|c| hs_prefixes(c)) {
            t.add_text(f.hs, prefix);
        }
        for v in &d.visible_to {
            t.add_text(f.visible_to, scoped(d.kind, v));
        }
        t.add_i64(f.updated, d.updated);
        t
    }

    /// The writer, recovered if a previous holder panicked (e.g. inside the caller's iterator):
    /// whatever it had added without committing is rolled back, never committed by the next call.
    fn writer(&self) -> Result<MutexGuard<'_, IndexWriter>, SearchError> {
        match self.writer.lock() {
            Ok(w) => Ok(w),
            Err(poisoned) => {
                let mut w = poisoned.into_inner();
                w.rollback()?;
                self.writer.clear_poison();
                Ok(w)
            }
        }
    }

    /// Commit and make visible, or roll back so a failed batch is not committed by a later call.
    fn finish(&self, writer: &mut IndexWriter, written: tantivy::Result<()>) -> Result<(), SearchError> {
        match written.and_then(|()| writer.commit().map(drop)) {
            Ok(()) => Ok(self.reader.reload()?),
            Err(e) => {
                // The original error is the one worth reporting.
                let _ = writer.rollback();
                Err(e.into())
            }
        }
    }
}

/// Reads (kind, id) of hits from the fast fields, opening each segment's columns once.
fn resolve(searcher: &Searcher, addrs: impl Iterator<Item = DocAddress>) -> Result<Vec<(DocKind, i64)>, SearchError> {
    let mut columns: Vec<Option<(Column<u64>, Column<i64>)>> = vec![None; searcher.segment_readers().len()];
    addrs
        .map(|a| {
            let slot = &mut columns[a.segment_ord as usize];
            if slot.is_none() {
                let ff = searcher.segment_reader(a.segment_ord).fast_fields();
                *slot = Some((ff.u64("kind")?, ff.i64("id")?));
            }
            let (kind, id) = slot.as_ref().expect("filled above");
            // Every doc is written with both values; a missing one would be a schema bug.
            Ok((DocKind::from_code(kind.first(a.doc_id).unwrap_or(0)), id.first(a.doc_id).unwrap_or(0)))
        })
        .collect()
}

#[cfg(test)]
mod tests;
