//! What a user types in the search box, read as a query: every word must appear (AND);
//! `"…"` keeps a phrase whole even with spaces; `-word` excludes. A word is folded as the
//! index folds text and matched as a phrase of its bigrams at consecutive positions, so
//! 区政会議 never matches a text that only has 区政 and 会議 apart.

use crate::text::{fold, runs};

/// The longest query read (characters) and the most words in it.
pub const MAX_CHARS: usize = 200;
pub const MAX_TERMS: usize = 12;

/// One word or phrase: its folded runs (a phrase of several runs keeps their order, with
/// one separator between neighbours).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// As the user typed it (for messages).
    pub typed: String,
    pub runs: Vec<String>,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserQuery {
    pub must: Vec<Term>,
    pub not: Vec<Term>,
}

impl UserQuery {
    pub fn is_empty(&self) -> bool {
        self.must.is_empty()
    }
}

/// Why a query cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("the query is {0} characters long; at most {MAX_CHARS} are read")]
    TooLong(usize),
    #[error("the query has {0} words; at most {MAX_TERMS} are read")]
    TooManyTerms(usize),
    #[error("the query only excludes words; give at least one word to find")]
    OnlyExclusions,
}

impl QueryError {
    /// The message in Japanese (the search page speaks its page's language).
    pub fn ja(&self) -> String {
        match self {
            QueryError::TooLong(n) => {
                format!("検索語が長すぎます（{n}文字）。{MAX_CHARS}文字以内にしてください。")
            }
            QueryError::TooManyTerms(n) => {
                format!("検索語が多すぎます（{n}語）。{MAX_TERMS}語以内にしてください。")
            }
            QueryError::OnlyExclusions => {
                "除外する語（-で始まる語）だけでは検索できません。探す語を入れてください。"
                    .to_string()
            }
        }
    }
}

/// Reads a query. An empty query (or one of separators only) is an empty `UserQuery`.
pub fn parse(input: &str) -> Result<UserQuery, QueryError> {
    let chars = input.chars().count();
    if chars > MAX_CHARS {
        return Err(QueryError::TooLong(chars));
    }
    // Full-width spaces and quotes fold to ASCII first (NFKC), so 「　」 and ＂ work.
    let folded_input = fold(input);
    let mut q = UserQuery::default();
    let mut rest = folded_input.as_str();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let (negated, body) = match rest.strip_prefix('-') {
            Some(b) if !b.starts_with(char::is_whitespace) && !b.is_empty() => (true, b),
            _ => (false, rest),
        };
        let (word, after) = if let Some(b) = body.strip_prefix('"') {
            match b.find('"') {
                Some(end) => (&b[..end], &b[end + 1..]),
                None => (b, ""),
            }
        } else {
            let end = body.find(char::is_whitespace).unwrap_or(body.len());
            (&body[..end], &body[end..])
        };
        rest = after;
        let r = runs(word);
        if r.is_empty() {
            continue;
        }
        let term = Term {
            typed: word.to_string(),
            runs: r,
        };
        if negated {
            q.not.push(term);
        } else {
            q.must.push(term);
        }
    }
    let n = q.must.len() + q.not.len();
    if n > MAX_TERMS {
        return Err(QueryError::TooManyTerms(n));
    }
    if q.must.is_empty() && !q.not.is_empty() {
        return Err(QueryError::OnlyExclusions);
    }
    Ok(q)
}

/// A term as index tokens with their offsets in the phrase (see `text::tokens`): bigrams
/// that cover every character of each run (every other one, and the last: コミュニティ is
/// コミ·ュニ·ティ at 0, 2, 4 — the same text, as exactly, for fewer position lists), and
/// the last character of each run but the last (it ends its run in the text too). A single
/// one-character word is `None`: it is found by prefix.
pub fn phrase_tokens(term: &Term) -> Option<Vec<(usize, String)>> {
    if term.runs.len() == 1 && term.runs[0].chars().count() == 1 {
        return None;
    }
    let mut out = Vec::new();
    let mut offset = 0;
    let last = term.runs.len() - 1;
    for (j, run) in term.runs.iter().enumerate() {
        let chars: Vec<char> = run.chars().collect();
        let pairs = chars.len().saturating_sub(1);
        for k in (0..pairs).filter(|k| k % 2 == 0 || *k + 1 == pairs) {
            out.push((offset + k, chars[k..k + 2].iter().collect()));
        }
        if j < last || chars.len() == 1 {
            out.push((offset + chars.len() - 1, chars[chars.len() - 1].to_string()));
        }
        offset += chars.len() + 1;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(q: &UserQuery) -> Vec<Vec<String>> {
        q.must.iter().map(|t| t.runs.clone()).collect()
    }

    #[test]
    fn words_phrases_and_exclusions() {
        let q = parse("防災　子育て \"窓口 待ち時間\" -訓練").unwrap();
        assert_eq!(
            words(&q),
            [
                vec!["防災".to_string()],
                vec!["子育て".to_string()],
                vec!["窓口".to_string(), "待ち時間".to_string()]
            ]
        );
        assert_eq!(q.not[0].runs, ["訓練"]);
        assert!(parse("  ").unwrap().is_empty());
        assert!(parse("・、").unwrap().is_empty());
        assert_eq!(parse("-防災"), Err(QueryError::OnlyExclusions));
        assert!(matches!(
            parse(&"あ".repeat(201)),
            Err(QueryError::TooLong(201))
        ));
    }

    #[test]
    fn the_query_folds_as_the_index_does() {
        let q = parse("ＩＣＴ 區民").unwrap();
        assert_eq!(
            words(&q),
            [vec!["ict".to_string()], vec!["区民".to_string()]]
        );
    }

    #[test]
    fn phrase_tokens_line_up_with_the_text_tokens() {
        // The same text tokenised and as a query: every query token at its offset.
        let text = crate::text::tokens("窓口、待ち時間");
        let q = parse("\"窓口 待ち時間\"").unwrap();
        let toks = phrase_tokens(&q.must[0]).unwrap();
        let base = text[0].position;
        for (off, t) in toks {
            assert!(
                text.iter().any(|x| x.text == t && x.position == base + off),
                "{t} at {off}"
            );
        }
        assert_eq!(phrase_tokens(&parse("市").unwrap().must[0]), None);
        let covering: Vec<(usize, String)> =
            phrase_tokens(&parse("コミュニティ").unwrap().must[0]).unwrap();
        assert_eq!(
            covering,
            [
                (0, "コミ".to_string()),
                (2, "ュニ".to_string()),
                (4, "ティ".to_string())
            ]
        );
        let odd = phrase_tokens(&parse("防災訓練").unwrap().must[0]).unwrap();
        assert_eq!(odd, [(0, "防災".to_string()), (2, "訓練".to_string())]);
        let three = phrase_tokens(&parse("子育て").unwrap().must[0]).unwrap();
        assert_eq!(three, [(0, "子育".to_string()), (1, "育て".to_string())]);
    }
}
