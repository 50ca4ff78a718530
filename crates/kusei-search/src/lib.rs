//! Japanese full-text search for Kusei. Pure parts first: [`text`] folds text the way a
//! reader means it (full-width/half-width, Kangxi radicals, old forms) and cuts it into
//! overlapping bigrams with positions; [`query`] reads what a user types (words that must
//! all appear, "phrases", -exclusions); [`snippet`] finds the words in the stored text and
//! marks them. [`index`] is the tantivy index these feed (IO at the edge).

pub mod index;
pub mod query;
pub mod snippet;
pub mod text;

pub use index::{
    Audience, DocKind, Facets, Filters, Hit, IndexError, Progress, Results, SearchDoc, SearchIndex,
    Visibility,
};
pub use query::{parse, QueryError, Term as QueryTerm, UserQuery};
