//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

/// `shared/seeds` found next to the repository root (walking up from the crate).
pub fn seeds_dir() -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .map(|a| a.join("shared").join("seeds"))
        .find(|p| p.is_dir())
}

/// The seed whose file name starts with `prefix` ("000_" …).
pub fn seed(prefix: &str) -> Option<(String, Vec<u8>)> {
    let dir = seeds_dir()?;
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    let path = entries.into_iter().find(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(prefix))
    })?;
    let name = path.file_name()?.to_str()?.to_string();
    Some((name, std::fs::read(&path).ok()?))
}

/// All seeds (name, bytes), sorted.
pub fn all_seeds() -> Vec<(String, Vec<u8>)> {
    ["000_", "001_", "002_", "003_", "004_"]
        .iter()
        .filter_map(|p| seed(p))
        .collect()
}

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixtures_dir().join(name))
        .unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

pub fn all_fixtures() -> Vec<(String, String)> {
    let mut v: Vec<_> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    v.sort();
    v.into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_str().unwrap().to_string();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// Prints the skip notice; returns true when seeds are missing.
pub fn skip_without_seeds() -> bool {
    if seeds_dir().is_none() {
        println!("skipped: ../shared/seeds not found");
        return true;
    }
    false
}

/// NFKC, whitespace removed.
pub fn key(s: &str) -> String {
    s.nfkc().filter(|c| !c.is_whitespace()).collect()
}

/// Every string value in a JSON document.
pub fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// The recognised form labels that the importer consumes rather than keeps as text.
/// Kept small and explicit: anything else in a line must appear in the output.
pub const FORM_LABELS: &[&str] = &[
    // reform item sheets
    "取組項目",
    "当年度の取組実績及び目標の達成状況",
    "取組の方針・目標内容",
    "当年度の取組内容",
    "取組内容の実施見込み",
    "目標の達成見込み",
    "課題と改善策",
    "左記が",
    "の場合は必須",
    "実施できない見込み",
    "実施見込み",
    "達成できない見込み",
    "達成見込み",
    "目標未達成",
    "目標達成",
    "中間振り返り",
    "自己評価",
    "年度評価",
    "直前評価",
    "最終評価",
    "計画",
    // table header cells
    "担当名",
    "電話番号",
    "ファックス番号",
    "主な業務内容",
    "FAX",
    // management sheet: "戦略4-1の具体的取組" names the next level
    "の具体的取組",
];

/// Characters that separate fragments (brackets, bullets, option markers, markdown).
fn is_separator(c: char) -> bool {
    matches!(
        c,
        '【' | '】'
            | '「'
            | '」'
            | '『'
            | '』'
            | '《'
            | '》'
            | '('
            | ')'
            | '（'
            | '）'
            | ':'
            | '：'
            | '・'
            | '※'
            | '☐'
            | '☑'
            | '■'
            | '□'
            | '○'
            | '☆'
            | '★'
            | '#'
            | '|'
            | '\t'
            | '<'
            | '>'
            | '\u{1}'
    ) || ('\u{2460}'..='\u{2473}').contains(&c)
}

/// Independent (simple) markup stripping for the coverage check.
pub fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let looks_tag = after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/');
        match (looks_tag, after.find('>')) {
            (true, Some(j)) => {
                out.push(' ');
                rest = &after[j + 1..];
            }
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&nbsp;", " ")
}

/// The text fragments of a source line that must be found in the output.
pub fn fragments(raw: &str) -> Vec<String> {
    let t = raw.trim();
    if t.is_empty()
        || t.chars()
            .all(|c| matches!(c, '-' | '|' | ':' | ' ' | '\t' | '='))
    {
        return Vec::new();
    }
    let mut text = strip_tags(raw);
    // the review's roman option numbers (i) (ii)
    for l in ["(iii)", "(ii)", "(i)", "（iii）", "（ii）", "（i）"] {
        text = text.replace(l, "\u{1}");
    }
    // separators first (NFKC would turn ① into 1), then normalise
    let separated: String = text
        .chars()
        .map(|c| if is_separator(c) { '\u{1}' } else { c })
        .collect();
    let mut k = key(&separated);
    for label in FORM_LABELS {
        k = k.replace(&key(label), "\u{1}");
    }
    k.split('\u{1}')
        .map(|f| {
            f.trim_matches(|c: char| c == '-' || c == '.' || c == '、')
                .to_string()
        })
        .filter(|f| f.chars().count() >= 2)
        .collect()
}

/// Fragments of `text` that are not in the output of `doc`.
pub fn missing_fragments(text: &str, doc: &kusei_import::ParsedDocument) -> Vec<(usize, String)> {
    let mut all = Vec::new();
    strings(&doc.to_json(), &mut all);
    // a node's heading line is written as level + number + title ("経営課題4", "【4-1-1 …】")
    for n in &doc.nodes {
        let num = n.number.clone().unwrap_or_default();
        all.push(format!("{}{}{}", n.level, num, n.title));
        all.push(format!("{}{}", num, n.title));
        all.push(format!("第{}{}{}", num, n.level, n.title)); // 第1章 …
    }
    for n in &doc.notes {
        all.push(format!("{}{}", n.label.clone().unwrap_or_default(), n.text)); // 注1 …
    }
    let hay = key(&all.join("\u{1}"));
    let mut missing = Vec::new();
    for (i, line) in text.lines().enumerate() {
        for f in fragments(line) {
            if !hay.contains(&f) {
                missing.push((i + 1, f));
            }
        }
    }
    missing
}
