//! Nothing is lost: every non-blank line of every seed and fixture ends up in the
//! output (a node title/section/target/milestone, a directory entry, a note or a
//! diagnostic). A line's text is split into cells/paragraphs/fragments (markup, cell
//! separators and the explicit FORM_LABELS removed) and each fragment must occur in
//! the document's JSON strings.

// Test code: panicking on unexpected input is the point (clippy.toml allows it in #[test]
// functions; this extends it to the helpers of this test crate).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;

fn check(name: &str, text: &str) {
    let doc = kusei_import::parse_text(name, text);
    assert_ne!(
        doc.family,
        kusei_import::Family::Unknown,
        "{name}: not recognised"
    );
    let missing = missing_fragments(text, &doc);
    assert!(
        missing.is_empty(),
        "{name}: text not found in the output: {missing:#?}"
    );
}

#[test]
fn every_fixture_line_is_kept() {
    let fixtures = all_fixtures();
    assert!(fixtures.len() >= 4);
    for (name, text) in fixtures {
        check(&name, &text);
    }
}

#[test]
fn every_seed_line_is_kept() {
    if skip_without_seeds() {
        return;
    }
    let seeds = all_seeds();
    assert_eq!(seeds.len(), 5);
    for (name, bytes) in seeds {
        let (text, _) = kusei_import::decode(&bytes).unwrap();
        check(&name, &text);
    }
}

/// The check itself can fail: drop one node's sections and its text is reported missing.
#[test]
fn coverage_check_detects_dropped_text() {
    let text = fixture("reform_items.txt");
    let mut doc = kusei_import::parse_text("reform_items.txt", &text);
    assert!(missing_fragments(&text, &doc).is_empty());
    doc.nodes[0].sections.clear();
    doc.nodes[0].targets.clear();
    let missing = missing_fragments(&text, &doc);
    assert!(
        missing
            .iter()
            .any(|(_, f)| f.contains("繁忙期の窓口混雑を解消")),
        "{missing:?}"
    );
    // a form label alone is not required in the output
    assert!(
        fragments("中間振り返り\t取組内容の実施見込み\t(i)実施見込み (ii)実施できない見込み")
            .is_empty()
    );
}
