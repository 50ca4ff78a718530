//! The index: one tantivy document per searchable thing (an item as published, an item as
//! its working copy, a 業務一覧 row, a council opinion with its answer), the bigram
//! tokenizer of [`crate::text`], and facets for every filter. Documents are replaced by
//! group (a plan, a ward's directory, a ward's council), so re-indexing a plan never
//! leaves a deleted item behind. The index is a cache of the database: it can be thrown
//! away and rebuilt, and its commit carries how far in the change log it has read.

use crate::query::{phrase_tokens, Term as QTerm, UserQuery};
use crate::text::tokens;
use std::path::Path;
use std::sync::Mutex;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query, RegexQuery,
    TermQuery,
};
use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value,
    STORED, STRING,
};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument};

/// Bumped when the schema or the tokenizer changes: an index of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 3;
const TOKENIZER: &str = "kusei_ja";

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    Open(String),
    #[error("search index document: {0}")]
    Corrupt(String),
}

/// Who may find a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Published: everyone.
    Public,
    /// A working copy: staff who may read its unit's drafts.
    Working,
}

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    Item,
    /// A 業務一覧 row: a division or section with its duties.
    Duty,
    /// A council opinion with its answer.
    Opinion,
}

impl DocKind {
    pub fn code(self) -> &'static str {
        match self {
            DocKind::Item => "item",
            DocKind::Duty => "duty",
            DocKind::Opinion => "opinion",
        }
    }
}

/// One searchable document, as the application builds it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SearchDoc {
    /// The group it is replaced with (`plan:12`, `directory:3`, `council:3`).
    pub group: String,
    /// Unique: `p:{node}` (published item), `w:{node}` (working copy), `d:{unit}`, ….
    pub key: String,
    pub kind: DocKind,
    pub audience: Audience,
    pub plan_id: Option<i64>,
    pub node_id: Option<i64>,
    pub municipality_id: i64,
    /// The plan's unit (the ward), or the ward of a directory row or an opinion.
    pub unit_id: i64,
    /// 担当.
    pub owner_id: Option<i64>,
    /// Every fiscal year the document covers (a plan's period).
    pub years: Vec<i32>,
    pub family: Option<String>,
    pub level: Option<String>,
    /// The stated judgment's code (`unknown` where none was stated).
    pub judgment: Option<String>,
    pub number: Option<String>,
    pub title: String,
    pub body: String,
    /// Where it is read (a path of the site).
    pub url: String,
    /// The plan's title, the unit's name: shown with the result.
    pub context: String,
    /// A published document whose working copy says something else (or is gone): staff
    /// who read the working copy find that instead. A working copy the same as its
    /// published version is not indexed at all (staff then find the published one).
    #[serde(default)]
    pub shadowed: bool,
}

/// The filters of a search; `None` is "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub municipality: Option<i64>,
    pub unit: Option<i64>,
    /// A fiscal year or a span (inclusive).
    pub years: Option<(i32, i32)>,
    pub family: Option<String>,
    pub level: Option<String>,
    pub judgment: Option<String>,
    pub owner: Option<i64>,
    pub kind: Option<DocKind>,
}

/// Whose search it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// Published documents only.
    Public,
    /// The working copies of these units instead of their published versions, and the
    /// published documents of every other unit.
    Staff { units: Vec<i64> },
}

/// One result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub score: f32,
    pub doc: SearchDoc,
}

/// Counts per value of each filter, over every document the query finds.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Facets {
    pub municipality: Vec<(String, u64)>,
    pub unit: Vec<(String, u64)>,
    pub fiscal_year: Vec<(String, u64)>,
    pub family: Vec<(String, u64)>,
    pub level: Vec<(String, u64)>,
    pub judgment: Vec<(String, u64)>,
    pub owner: Vec<(String, u64)>,
    pub kind: Vec<(String, u64)>,
}

/// A page of results.
#[derive(Debug, Clone, Default)]
pub struct Results {
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: Facets,
}

#[derive(Debug, Clone, Copy)]
struct Fields {
    group: Field,
    key: Field,
    title: Field,
    /// The title and the body: what every word is looked for in.
    text: Field,
    facet: Field,
    data: Field,
}

/// The tokenizer of [`crate::text::tokens`], for tantivy.
#[derive(Clone, Default)]
struct JaTokenizer;

struct JaTokenStream {
    tokens: Vec<Token>,
    at: usize,
}

impl Tokenizer for JaTokenizer {
    type TokenStream<'a> = JaTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> JaTokenStream {
        let tokens = tokens(text)
            .into_iter()
            .map(|t| Token {
                offset_from: t.from,
                offset_to: t.to,
                position: t.position,
                text: t.text,
                position_length: 1,
            })
            .collect();
        JaTokenStream { tokens, at: 0 }
    }
}

impl TokenStream for JaTokenStream {
    fn advance(&mut self) -> bool {
        self.at += 1;
        self.at <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.at - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.at - 1]
    }
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        group: b.add_text_field("group", STRING),
        key: b.add_text_field("key", STRING),
        title: b.add_text_field("title", text.clone()),
        text: b.add_text_field("text", text),
        facet: b.add_facet_field("f", FacetOptions::default()),
        data: b.add_text_field("data", STORED),
    };
    (b.build(), fields)
}

fn facet(kind: &str, value: impl ToString) -> Facet {
    Facet::from_path([kind.to_string(), value.to_string()])
}

/// The index (in a directory, or in memory) with one writer.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<Option<IndexWriter<TantivyDocument>>>,
    fields: Fields,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").finish_non_exhaustive()
    }
}

/// What a commit records: the schema it was built with and how far it has read.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Progress {
    pub schema: u32,
    /// Every change-log row up to here is in the index.
    pub watermark: i64,
    /// Change-log rows above the watermark already read (they committed out of order).
    #[serde(default)]
    pub seen: Vec<i64>,
}

impl SearchIndex {
    /// Opens the index in `dir` (created when absent; rebuilt empty when its schema is
    /// another version), or in memory when `dir` is `None`.
    pub fn open(dir: Option<&Path>) -> Result<SearchIndex, IndexError> {
        let (schema, fields) = schema();
        let index = match dir {
            None => Index::create_in_ram(schema),
            Some(d) => {
                std::fs::create_dir_all(d)
                    .map_err(|e| IndexError::Open(format!("{}: {e}", d.display())))?;
                let mmap = tantivy::directory::MmapDirectory::open(d)
                    .map_err(|e| IndexError::Open(format!("{}: {e}", d.display())))?;
                let existing = Index::open_or_create(mmap, schema.clone())
                    .ok()
                    .filter(|i| i.schema() == schema);
                match existing {
                    Some(i) => i,
                    None => {
                        // Another schema: the index is a cache, start it again.
                        std::fs::remove_dir_all(d)
                            .map_err(|e| IndexError::Open(format!("{}: {e}", d.display())))?;
                        std::fs::create_dir_all(d)
                            .map_err(|e| IndexError::Open(format!("{}: {e}", d.display())))?;
                        Index::create_in_dir(d, schema)?
                    }
                }
            }
        };
        index.tokenizers().register(TOKENIZER, JaTokenizer);
        // Segments are searched in parallel, one thread per core.
        let mut index = index;
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        index.set_multithread_executor(cores.clamp(1, 8))?;
        let writer = index.writer_with_num_threads(1, 50_000_000)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let me = SearchIndex {
            index,
            reader,
            writer: Mutex::new(Some(writer)),
            fields,
        };
        Ok(me)
    }

    /// How far the index has read; `None` when it was never committed, or was built by
    /// another version of the documents (then it is built again).
    pub fn progress(&self) -> Result<Option<Progress>, IndexError> {
        let meta = self.index.load_metas()?;
        Ok(meta
            .payload
            .and_then(|p| serde_json::from_str::<Progress>(&p).ok())
            .filter(|p| p.schema == SCHEMA_VERSION))
    }

    /// Runs `f` with the writer (one at a time).
    fn with_writer<T>(
        &self,
        f: impl FnOnce(&mut IndexWriter<TantivyDocument>) -> Result<T, IndexError>,
    ) -> Result<T, IndexError> {
        let mut guard = match self.writer.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        match guard.as_mut() {
            Some(w) => f(w),
            None => Err(IndexError::Open(
                "the index writer is being replaced".into(),
            )),
        }
    }

    /// Waits for the merges of segments running in the background to end (after a
    /// rebuild: searches are fastest on few segments), then opens the writer again.
    pub fn settle(&self) -> Result<(), IndexError> {
        let mut guard = match self.writer.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(w) = guard.take() {
            w.wait_merging_threads()?;
        }
        *guard = Some(self.index.writer_with_num_threads(1, 50_000_000)?);
        drop(guard);
        self.reader.reload()?;
        Ok(())
    }

    /// Removes every document (before a rebuild); takes effect at the next commit.
    pub fn clear(&self) -> Result<(), IndexError> {
        self.with_writer(|w| Ok(w.delete_all_documents().map(|_| ())?))
    }

    /// Replaces a group's documents with these (none: the group is removed).
    pub fn replace(&self, group: &str, docs: &[SearchDoc]) -> Result<(), IndexError> {
        let docs: Vec<TantivyDocument> = docs
            .iter()
            .map(|d| self.document(d))
            .collect::<Result<_, _>>()?;
        self.with_writer(|w| {
            w.delete_term(tantivy::Term::from_field_text(self.fields.group, group));
            for d in docs {
                w.add_document(d)?;
            }
            Ok(())
        })
    }

    /// Removes one document (an item deleted from its plan); at the next commit.
    pub fn remove_key(&self, key: &str) -> Result<(), IndexError> {
        self.with_writer(|w| {
            w.delete_term(tantivy::Term::from_field_text(self.fields.key, key));
            Ok(())
        })
    }

    fn document(&self, d: &SearchDoc) -> Result<TantivyDocument, IndexError> {
        let f = self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.group, &d.group);
        doc.add_text(f.key, &d.key);
        doc.add_text(f.title, &d.title);
        // The ward's name and the plan's title are searched too (北区 防災).
        doc.add_text(f.text, format!("{}\n{}\n{}", d.title, d.body, d.context));
        if d.shadowed {
            doc.add_facet(f.facet, facet("s", 1));
        }
        let audience = match d.audience {
            Audience::Public => "public",
            Audience::Working => "working",
        };
        doc.add_facet(f.facet, facet("a", audience));
        doc.add_facet(f.facet, facet("k", d.kind.code()));
        doc.add_facet(f.facet, facet("m", d.municipality_id));
        doc.add_facet(f.facet, facet("u", d.unit_id));
        if let Some(o) = d.owner_id {
            doc.add_facet(f.facet, facet("o", o));
        }
        for y in &d.years {
            doc.add_facet(f.facet, facet("y", y));
        }
        if let Some(v) = &d.family {
            doc.add_facet(f.facet, facet("fam", v));
        }
        if let Some(v) = &d.level {
            doc.add_facet(f.facet, facet("lv", v));
        }
        if let Some(v) = &d.judgment {
            doc.add_facet(f.facet, facet("j", v));
        }
        let data = serde_json::to_string(d).map_err(|e| IndexError::Corrupt(e.to_string()))?;
        doc.add_text(f.data, data);
        Ok(doc)
    }

    /// Makes what was replaced visible to searches, recording the progress.
    pub fn commit(&self, progress: &Progress) -> Result<(), IndexError> {
        let payload =
            serde_json::to_string(progress).map_err(|e| IndexError::Corrupt(e.to_string()))?;
        self.with_writer(|w| {
            let mut prepared = w.prepare_commit()?;
            prepared.set_payload(&payload);
            prepared.commit()?;
            Ok(())
        })?;
        self.reader.reload()?;
        Ok(())
    }

    /// The document of a key (a plain indexed lookup: what benches compare searches to).
    pub fn by_key(&self, key: &str) -> Result<Option<SearchDoc>, IndexError> {
        let searcher = self.reader.searcher();
        let q = TermQuery::new(
            tantivy::Term::from_field_text(self.fields.key, key),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
        match top.first() {
            None => Ok(None),
            Some((_, addr)) => {
                let doc: TantivyDocument = searcher.doc(*addr)?;
                self.data_of(&doc).map(Some)
            }
        }
    }

    fn data_of(&self, doc: &TantivyDocument) -> Result<SearchDoc, IndexError> {
        let data = doc
            .get_first(self.fields.data)
            .and_then(|v| v.as_str().map(str::to_string))
            .ok_or_else(|| IndexError::Corrupt("a document without its data".into()))?;
        serde_json::from_str(&data).map_err(|e| IndexError::Corrupt(e.to_string()))
    }

    /// How many documents the index holds (as of the last commit).
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn term_query(&self, field: Field, f: &Facet) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            tantivy::Term::from_facet(field, f),
            IndexRecordOption::Basic,
        ))
    }

    fn filter(&self, f: Facet) -> (Occur, Box<dyn Query>) {
        (
            Occur::Must,
            Box::new(ConstScoreQuery::new(
                self.term_query(self.fields.facet, &f),
                0.0,
            )),
        )
    }

    /// A word in one field: the phrase of its bigrams, or a one-character prefix.
    fn word_in(&self, field: Field, t: &QTerm) -> Box<dyn Query> {
        match phrase_tokens(t) {
            None => {
                let c = &t.runs[0];
                match RegexQuery::from_pattern(&format!("{}.?", regex_escape(c)), field) {
                    Ok(q) => Box::new(q),
                    Err(_) => Box::new(EmptyQuery),
                }
            }
            Some(toks) if toks.len() == 1 => Box::new(TermQuery::new(
                tantivy::Term::from_field_text(field, &toks[0].1),
                IndexRecordOption::WithFreqs,
            )),
            Some(toks) => Box::new(PhraseQuery::new_with_offset(
                toks.into_iter()
                    .map(|(o, s)| (o, tantivy::Term::from_field_text(field, &s)))
                    .collect(),
            )),
        }
    }

    fn word(&self, t: &QTerm) -> Box<dyn Query> {
        self.word_in(self.fields.text, t)
    }

    /// Scores more where the word is in the title (only read for documents found).
    fn in_title(&self, t: &QTerm) -> (Occur, Box<dyn Query>) {
        (
            Occur::Should,
            Box::new(BoostQuery::new(self.word_in(self.fields.title, t), 2.0)),
        )
    }

    fn visibility(&self, v: &Visibility) -> Vec<(Occur, Box<dyn Query>)> {
        let f = self.fields.facet;
        let working = || self.term_query(f, &facet("a", "working"));
        match v {
            // Working copies are few (those that differ from their published version):
            // excluding them is cheaper than requiring every public document.
            Visibility::Public => vec![(Occur::MustNot, working())],
            Visibility::Staff { units } => {
                let mine = || -> Box<dyn Query> {
                    Box::new(BooleanQuery::new(
                        units
                            .iter()
                            .map(|u| (Occur::Should, self.term_query(f, &facet("u", u))))
                            .collect(),
                    ))
                };
                // (a working copy of mine) or (a published document, unless it is mine
                // and its working copy says otherwise).
                let own_working =
                    BooleanQuery::new(vec![(Occur::Must, working()), (Occur::Must, mine())]);
                let replaced = BooleanQuery::new(vec![
                    (Occur::Must, mine()),
                    (Occur::Must, self.term_query(f, &facet("s", 1))),
                ]);
                let published = BooleanQuery::new(vec![
                    (
                        Occur::Must,
                        Box::new(tantivy::query::AllQuery) as Box<dyn Query>,
                    ),
                    (Occur::MustNot, working()),
                    (Occur::MustNot, Box::new(replaced)),
                ]);
                let either = BooleanQuery::new(vec![
                    (Occur::Should, Box::new(own_working) as Box<dyn Query>),
                    (Occur::Should, Box::new(published)),
                ]);
                vec![(
                    Occur::Must,
                    Box::new(ConstScoreQuery::new(Box::new(either), 0.0)),
                )]
            }
        }
    }

    /// Finds the documents the query matches under the filters, best first: `limit` of
    /// them from `offset`, the total, and the facet counts.
    pub fn search(
        &self,
        q: &UserQuery,
        filters: &Filters,
        visibility: &Visibility,
        offset: usize,
        limit: usize,
    ) -> Result<Results, IndexError> {
        if q.is_empty() {
            return Ok(Results::default());
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for t in &q.must {
            clauses.push((Occur::Must, self.word(t)));
            clauses.push(self.in_title(t));
        }
        for t in &q.not {
            clauses.push((Occur::MustNot, self.word(t)));
        }
        clauses.extend(self.visibility(visibility));
        if let Some(m) = filters.municipality {
            clauses.push(self.filter(facet("m", m)));
        }
        if let Some(u) = filters.unit {
            clauses.push(self.filter(facet("u", u)));
        }
        if let Some(o) = filters.owner {
            clauses.push(self.filter(facet("o", o)));
        }
        if let Some(v) = &filters.family {
            clauses.push(self.filter(facet("fam", v)));
        }
        if let Some(v) = &filters.level {
            clauses.push(self.filter(facet("lv", v)));
        }
        if let Some(v) = &filters.judgment {
            clauses.push(self.filter(facet("j", v)));
        }
        if let Some(k) = filters.kind {
            clauses.push(self.filter(facet("k", k.code())));
        }
        if let Some((from, to)) = filters.years {
            let (from, to) = (from.min(to), from.max(to).min(from.min(to) + 100));
            let years = (from..=to)
                .map(|y| {
                    (
                        Occur::Should,
                        self.term_query(self.fields.facet, &facet("y", y)),
                    )
                })
                .collect();
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(
                    Box::new(BooleanQuery::new(years)),
                    0.0,
                )),
            ));
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let mut fc = FacetCollector::for_field("f");
        for k in ["/m", "/u", "/y", "/fam", "/lv", "/j", "/o", "/k"] {
            fc.add_facet(k);
        }
        let top = TopDocs::with_limit(limit.max(1))
            .and_offset(offset)
            .order_by_score();
        // Two passes: the best `limit` alone (tantivy skips blocks that cannot reach them),
        // then the count and the facets without scoring.
        let top = searcher.search(&query, &top)?;
        let (total, counts) = searcher.search(&query, &(Count, fc))?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr)?;
            hits.push(Hit {
                score,
                doc: self.data_of(&doc)?,
            });
        }
        let of = |k: &str| -> Vec<(String, u64)> {
            counts
                .get(k)
                .map(|(f, n)| {
                    let s = f
                        .to_path()
                        .last()
                        .map(|s| (*s).to_string())
                        .unwrap_or_default();
                    (s, n)
                })
                .collect()
        };
        let facets = Facets {
            municipality: of("/m"),
            unit: of("/u"),
            fiscal_year: of("/y"),
            family: of("/fam"),
            level: of("/lv"),
            judgment: of("/j"),
            owner: of("/o"),
            kind: of("/k"),
        };
        Ok(Results {
            total,
            hits,
            facets,
        })
    }
}

fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !c.is_alphanumeric() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse;

    fn doc(group: &str, audience: Audience, unit: i64, title: &str, body: &str) -> SearchDoc {
        SearchDoc {
            group: group.into(),
            key: format!("{group}:{title}"),
            kind: DocKind::Item,
            audience,
            plan_id: Some(1),
            node_id: Some(1),
            municipality_id: 1,
            unit_id: unit,
            owner_id: None,
            years: vec![2025],
            family: Some("reform_items".into()),
            level: Some("取組項目".into()),
            judgment: Some("unknown".into()),
            number: None,
            title: title.into(),
            body: body.into(),
            url: "/x".into(),
            context: String::new(),
            shadowed: false,
        }
    }

    fn titles(idx: &SearchIndex, q: &str, v: &Visibility) -> Vec<String> {
        let mut t: Vec<String> = idx
            .search(&parse(q).unwrap(), &Filters::default(), v, 0, 50)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.doc.title)
            .collect();
        t.sort();
        t
    }

    #[test]
    fn two_characters_phrases_and_no_match_across_positions() {
        let idx = SearchIndex::open(None).unwrap();
        idx.replace(
            "plan:1",
            &[
                doc(
                    "plan:1",
                    Audience::Public,
                    1,
                    "区政会議の運営",
                    "委員の意見を聴く",
                ),
                doc("plan:1", Audience::Public, 1, "区政の課題", "会議室の予約"),
                doc("plan:1", Audience::Public, 1, "防災訓練", "區民の参加"),
            ],
        )
        .unwrap();
        idx.commit(&Progress::default()).unwrap();
        let p = Visibility::Public;
        assert_eq!(titles(&idx, "区政会議", &p), ["区政会議の運営"]);
        assert_eq!(
            titles(&idx, "区民", &p),
            ["防災訓練"],
            "old form 區 folds to 区"
        );
        assert_eq!(titles(&idx, "防災", &p), ["防災訓練"]);
        assert_eq!(titles(&idx, "区政 会議", &p).len(), 2, "AND of two words");
        assert!(titles(&idx, "区政会議室", &p).is_empty());
        assert!(titles(&idx, "存在しない語", &p).is_empty());
        assert_eq!(titles(&idx, "区政 -会議", &p), Vec::<String>::new());
        let first = idx
            .search(&parse("会議").unwrap(), &Filters::default(), &p, 0, 5)
            .unwrap();
        assert_eq!(
            first.hits[0].doc.title, "区政会議の運営",
            "a title counts more"
        );
        assert_eq!(titles(&idx, "区政 -会議室", &p), ["区政会議の運営"]);
    }

    #[test]
    fn drafts_are_found_by_their_unit_only() {
        let idx = SearchIndex::open(None).unwrap();
        let mut shadowed = doc("plan:1", Audience::Public, 1, "公表版", "窓口の案内");
        shadowed.shadowed = true;
        idx.replace(
            "plan:1",
            &[
                shadowed,
                doc(
                    "plan:1",
                    Audience::Working,
                    1,
                    "作業中",
                    "窓口の案内と下書き語",
                ),
                doc(
                    "plan:1",
                    Audience::Public,
                    1,
                    "変わらない項目",
                    "窓口の時間",
                ),
            ],
        )
        .unwrap();
        idx.commit(&Progress::default()).unwrap();
        let staff = |u: i64| Visibility::Staff { units: vec![u] };
        assert!(titles(&idx, "下書き語", &Visibility::Public).is_empty());
        assert!(titles(&idx, "下書き語", &staff(2)).is_empty());
        assert_eq!(titles(&idx, "下書き語", &staff(1)), ["作業中"]);
        // Staff of the unit find the working copy instead of the published version, and
        // an unchanged item (no working document) as published.
        assert_eq!(
            titles(&idx, "窓口", &staff(1)),
            ["作業中", "変わらない項目"]
        );
        assert_eq!(
            titles(&idx, "窓口", &staff(2)),
            ["公表版", "変わらない項目"]
        );
        assert_eq!(
            titles(&idx, "窓口", &Visibility::Public),
            ["公表版", "変わらない項目"]
        );
        // Replacing a group removes what it held.
        idx.replace("plan:1", &[]).unwrap();
        idx.commit(&Progress::default()).unwrap();
        assert!(titles(&idx, "窓口", &Visibility::Public).is_empty());
    }
}
