//! Family `management_sheet`: 経営課題N (title on the next line) with labelled sections
//! (めざすべき将来像, 現状・データ, 分析, 課題), 【戦略N-M】 (title on the same or the next
//! line) with めざす成果 → 《めざす状態》《成果目標》 (targets) and 戦略, then
//! "戦略N-Mの具体的取組" introducing 【N-M-K title】 initiatives with bullet texts and
//! cross-references (※再掲2-1-2). A section directory (…の業務一覧: unit, sub-unit,
//! phone, fax, duties) may follow.

use crate::common::{add_targets, append_para, collect_references, Builder};
use crate::model::{DirectoryRowRead, LineText, Note, Section, Severity};
use crate::text::{
    fold_char, is_rule_line, join_continuation, key, normalize, strip_key_prefix, strip_markdown,
    Line,
};

/// Section headings of management sheets.
const HEADINGS: &[&str] = &[
    "めざすべき将来像",
    "目指すべき将来像",
    "将来像",
    "現状・データ",
    "現状",
    "データ",
    "分析",
    "要因分析",
    "課題",
    "めざす成果",
    "目指す成果",
    "めざす状態",
    "成果目標",
    "戦略",
    "業績目標",
    "取組内容",
    "具体的取組",
    "プロセス指標",
    "撤退・再構築基準",
    "予算額",
    "前年度までの実績",
    "計画",
    "中間振り返り",
    "自己評価",
    "年度評価",
    "評価",
    "課題と改善策",
];

/// Structural score.
pub(crate) fn score(lines: &[Line]) -> usize {
    let mut s = 0;
    for l in lines {
        let j = l.joined();
        let (_, _, t) = strip_markdown(&j);
        if issue_start(t).is_some() {
            s += 10;
        } else if strategy_start(t).is_some() {
            s += 5;
        } else if initiative_start(t).is_some() {
            s += 3;
        } else if directory_header(l).is_some() {
            s += 5;
        }
    }
    s
}

/// "経営課題4 [title]".
fn issue_start(t: &str) -> Option<(String, String)> {
    let (_, rest) = strip_key_prefix(t, "経営課題")?;
    let digits: usize = rest
        .chars()
        .take_while(|c| fold_char(*c).is_ascii_digit())
        .map(char::len_utf8)
        .sum();
    if digits == 0 {
        return None;
    }
    let title = rest[digits..]
        .trim_start_matches([':', '：', ' ', '　'])
        .trim();
    Some((rest[..digits].to_string(), title.to_string()))
}

/// "【戦略4-1】title".
fn strategy_start(t: &str) -> Option<(String, String)> {
    let inner = t.trim().strip_prefix('【')?;
    let close = inner.find('】')?;
    let (_, num) = strip_key_prefix(&inner[..close], "戦略")?;
    let num = num.trim();
    if num.is_empty()
        || !num
            .chars()
            .all(|c| fold_char(c).is_ascii_digit() || matches!(fold_char(c), '-' | '－' | '‐'))
    {
        return None;
    }
    Some((
        num.to_string(),
        inner[close + '】'.len_utf8()..].trim().to_string(),
    ))
}

/// "【4-1-1 title】".
fn initiative_start(t: &str) -> Option<(String, String)> {
    let inner = t.trim().strip_prefix('【')?;
    let close = inner.rfind('】')?;
    let body = &inner[..close];
    let n: usize = body
        .chars()
        .take_while(|c| fold_char(*c).is_ascii_digit() || matches!(fold_char(*c), '-' | '－' | '‐'))
        .map(char::len_utf8)
        .sum();
    let num = body[..n].trim_end_matches(['-', '－', '‐']);
    if num
        .chars()
        .filter(|c| matches!(fold_char(*c), '-' | '－' | '‐'))
        .count()
        < 2
    {
        return None;
    }
    Some((num.to_string(), body[n..].trim().to_string()))
}

/// "戦略4-1の具体的取組" → the level name of the following initiatives.
fn child_level_label(t: &str) -> Option<String> {
    let (_, rest) = strip_key_prefix(t, "戦略")?;
    let pos = rest.find('の')?;
    let num = &rest[..pos];
    if num.is_empty()
        || !num
            .chars()
            .all(|c| fold_char(c).is_ascii_digit() || matches!(fold_char(c), '-' | '－'))
    {
        return None;
    }
    let name = rest[pos + 'の'.len_utf8()..].trim();
    (!name.is_empty() && name.chars().count() <= 10).then(|| name.to_string())
}

/// A section heading: (heading, qualifier, is a 《sub-heading》).
fn heading(t: &str) -> Option<(String, Option<String>, bool)> {
    let t = t.trim();
    for (open, close) in [('《', '》'), ('〈', '〉'), ('≪', '≫'), ('＜', '＞')] {
        if let Some(inner) = t.strip_prefix(open).and_then(|r| r.strip_suffix(close)) {
            let inner = inner.trim();
            if !inner.is_empty() && inner.chars().count() <= 20 {
                return Some((inner.to_string(), None, true));
            }
        }
    }
    let (base, qualifier) = match t.strip_suffix(['）', ')']) {
        Some(r) => match r.rfind(['（', '(']) {
            Some(p) => {
                let open_len = r[p..].chars().next().map(char::len_utf8).unwrap_or(1);
                (r[..p].trim(), Some(r[p + open_len..].trim().to_string()))
            }
            None => (t, None),
        },
        None => (t, None),
    };
    let k = key(base);
    HEADINGS
        .iter()
        .any(|h| key(h) == k)
        .then(|| (base.to_string(), qualifier, false))
}

fn is_phone(s: &str) -> bool {
    let digits = s.chars().filter(|c| fold_char(*c).is_ascii_digit()).count();
    digits >= 6
        && s.chars().all(|c| {
            let f = fold_char(c);
            f.is_ascii_digit()
                || matches!(f, '-' | '(' | ')' | ' ' | '.')
                || matches!(c, '‐' | '－' | '―' | '（' | '）')
        })
}

struct Columns {
    unit: usize,
    subunit: Option<usize>,
    phone: Option<usize>,
    fax: Option<usize>,
    duties: usize,
}

/// A directory header row (電話 and FAX columns).
fn directory_header(l: &Line) -> Option<Columns> {
    if l.cells.len() < 3 {
        return None;
    }
    if l.cells
        .iter()
        .any(|c| c.paras.iter().map(|p| p.chars().count()).sum::<usize>() > 20)
    {
        return None;
    }
    let keys: Vec<String> = l
        .cells
        .iter()
        .map(|c| key(&c.text()).to_uppercase())
        .collect();
    // header cells are short labels (a duties cell mentioning お電話 is not a header)
    if keys.iter().any(|k| k.chars().count() > 12) {
        return None;
    }
    let phone = keys.iter().position(|k| k.contains("電話"))?;
    let fax = keys
        .iter()
        .position(|k| k.contains("ファックス") || k.contains("FAX") || k.contains("ファクス"));
    let duties = keys
        .iter()
        .position(|k| {
            k.contains("業務") || k.contains("内容") || k.contains("事務") || k.contains("所掌")
        })
        .unwrap_or(keys.len() - 1);
    let subunit = (phone >= 2).then_some(1);
    Some(Columns {
        unit: 0,
        subunit,
        phone: Some(phone),
        fax,
        duties,
    })
}

/// Columns guessed from a row with phone numbers (no header row).
fn infer_columns(l: &Line) -> Option<Columns> {
    let phones: Vec<usize> = l
        .cells
        .iter()
        .enumerate()
        .filter(|(_, c)| is_phone(&c.text()))
        .map(|(i, _)| i)
        .collect();
    let phone = *phones.first()?;
    Some(Columns {
        unit: 0,
        subunit: (phone >= 2).then_some(1),
        phone: Some(phone),
        fax: phones.get(1).copied(),
        duties: l.cells.len().saturating_sub(1).max(phone + 1),
    })
}

#[derive(Default)]
struct State {
    issue: Option<usize>,
    strategy: Option<usize>,
    current: Option<usize>,
    section: Option<usize>,
    group: Option<String>,
    child_level: Option<String>,
    pending_title: Option<usize>,
    last_was_list: bool,
}

/// Read the document.
pub(crate) fn parse(lines: &[Line], b: &mut Builder) {
    let mut st = State::default();
    let mut dir_cols: Option<Columns> = None;
    let mut in_directory = false;
    // 戦略 by number (the latest one wins), for the parents of 具体的取組
    let mut strategies: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for l in lines {
        if l.is_blank() || is_rule_line(l.raw) {
            continue;
        }
        if let Some(cols) = directory_header(l) {
            dir_cols = Some(cols);
            in_directory = true;
            continue;
        }
        if in_directory && l.cells.len() >= 2 {
            if dir_cols.is_none() {
                dir_cols = infer_columns(l);
            }
            if let Some(cols) = &dir_cols {
                directory_row(b, cols, l);
                continue;
            }
        }
        let j = l.joined();
        let (_, list, t) = strip_markdown(&j);
        let t = t.trim();
        if t.is_empty() {
            continue;
        }
        // directory title "…の業務一覧"
        let k = key(t);
        if l.cells.len() == 1
            && k.chars().count() <= 30
            && (k.ends_with("業務一覧")
                || k.ends_with("事務分掌")
                || k.ends_with("組織一覧")
                || k.ends_with("担当一覧"))
        {
            b.doc.directory_title = Some(LineText::new(t, l.no));
            in_directory = true;
            continue;
        }
        in_directory = false;
        if let Some((num, title)) = issue_start(t) {
            let idx = b.add("経営課題", Some(num), &title, l.no);
            st = State {
                issue: Some(idx),
                current: Some(idx),
                pending_title: title.is_empty().then_some(idx),
                ..State::default()
            };
            continue;
        }
        if let Some((num, title)) = strategy_start(t) {
            let idx = b.add("戦略", Some(num.clone()), &title, l.no);
            strategies.insert(key(&num), idx);
            b.set_parent(idx, st.issue);
            st.strategy = Some(idx);
            st.current = Some(idx);
            st.section = None;
            st.group = None;
            st.pending_title = title.is_empty().then_some(idx);
            continue;
        }
        if let Some((num, title)) = initiative_start(t) {
            let level = st
                .child_level
                .clone()
                .unwrap_or_else(|| "具体的取組".to_string());
            // parent: the strategy whose number prefixes this one, else the current one
            let prefix = num
                .rsplit_once(['-', '－', '‐'])
                .map(|(p, _)| key(p))
                .unwrap_or_default();
            let parent = strategies
                .get(&prefix)
                .copied()
                .or(st.strategy)
                .or(st.issue);
            let idx = b.add(&level, Some(num), &title, l.no);
            b.set_parent(idx, parent);
            st.current = Some(idx);
            st.section = None;
            st.group = None;
            st.pending_title = None;
            continue;
        }
        if let Some(name) = child_level_label(t) {
            st.child_level = Some(name);
            st.section = None;
            st.group = None;
            st.pending_title = None;
            continue;
        }
        if let Some((h, qualifier, sub)) = heading(t) {
            st.pending_title = None;
            let Some(cur) = st.current else {
                b.doc.notes.push(Note::new(None, t.to_string(), l.no));
                continue;
            };
            let group = if sub { st.group.clone() } else { None };
            if !sub {
                st.group = Some(h.clone());
            }
            if let Some(n) = b.node(cur) {
                let mut s = Section::new(Some(h), group, String::new(), l.no);
                s.qualifier = qualifier;
                n.sections.push(s);
                st.section = Some(n.sections.len() - 1);
            }
            st.last_was_list = false;
            continue;
        }
        if let Some(p) = st.pending_title.take() {
            if !list {
                if let Some(n) = b.node(p) {
                    n.title = t.to_string();
                    n.title_normalized = normalize(t);
                }
                continue;
            }
        }
        body(b, &mut st, t, list, l.no);
    }
    finish(b, lines);
}

fn body(b: &mut Builder, st: &mut State, t: &str, list: bool, line: usize) {
    let Some(cur) = st.current else {
        b.doc.notes.push(Note::new(None, t.to_string(), line));
        return;
    };
    let Some(n) = b.node(cur) else {
        return;
    };
    if st.section.is_none() {
        n.sections
            .push(Section::new(None, None, String::new(), line));
        st.section = Some(n.sections.len() - 1);
    }
    if let Some(s) = st.section.and_then(|i| n.sections.get_mut(i)) {
        // a non-list line right after a list item continues it (a wrapped bullet or its source note)
        let starts_label = t
            .chars()
            .next()
            .is_some_and(|c| crate::text::circled_value(c).is_some());
        if st.last_was_list && !list && !starts_label && !s.text.is_empty() {
            s.text.push(' ');
            s.text.push_str(t);
        } else {
            append_para(s, t);
        }
    }
    st.last_was_list = list;
}

fn directory_row(b: &mut Builder, cols: &Columns, l: &Line) {
    let cell = |i: usize| {
        l.cells
            .get(i)
            .map(|c| c.paras.join(" "))
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    let unit = cell(cols.unit);
    let subunit = cols.subunit.map(cell).unwrap_or_default();
    let phone = cols.phone.map(cell).unwrap_or_default();
    let fax = cols.fax.map(cell).unwrap_or_default();
    // duties: the duties column and anything after it
    let duties: Vec<String> = (cols.duties..l.cells.len().max(cols.duties + 1))
        .map(cell)
        .filter(|s| !s.is_empty())
        .collect();
    let duties = duties.join(" ");
    if unit.is_empty() && subunit.is_empty() && phone.is_empty() && fax.is_empty() {
        if duties.is_empty() {
            return;
        }
        match b.doc.directory.last_mut() {
            Some(prev) => {
                join_continuation(&mut prev.duties, &duties);
                prev.end_line = l.no;
            }
            None => b.diag_excerpt(
                Some(l.no),
                Severity::Warning,
                "directory_orphan_row",
                "業務一覧: 前の行がないのに業務内容だけの行がある",
                &duties,
            ),
        }
        return;
    }
    let unit = if unit.is_empty() {
        match b.doc.directory.last() {
            Some(prev) => prev.unit.clone(),
            None => {
                b.diag(
                    Some(l.no),
                    Severity::Warning,
                    "directory_unit_missing",
                    "業務一覧: 最初の行に課の名前がない",
                );
                String::new()
            }
        }
    } else {
        unit
    };
    for (what, v) in [("電話番号", &phone), ("ファックス番号", &fax)] {
        if !v.is_empty() && !is_phone(v) {
            b.diag(
                Some(l.no),
                Severity::Warning,
                "directory_number_suspect",
                format!("業務一覧: {what}「{v}」が番号に見えない"),
            );
        }
    }
    b.doc.directory.push(DirectoryRowRead {
        unit,
        subunit: (!subunit.is_empty()).then_some(subunit),
        phone: (!phone.is_empty()).then_some(phone),
        fax: (!fax.is_empty()).then_some(fax),
        duties_normalized: normalize(&duties),
        duties,
        line: l.no,
        end_line: l.no,
    });
}

fn finish(b: &mut Builder, lines: &[Line]) {
    let ctx = b.doc.era_context.as_ref().map(|c| c.year);
    let mut untitled = Vec::new();
    for n in &mut b.doc.nodes {
        for i in 0..n.sections.len() {
            add_targets(n, i, ctx);
        }
        if n.title.is_empty() {
            untitled.push((
                n.line,
                format!("{}{}", n.level, n.number.clone().unwrap_or_default()),
            ));
        }
    }
    phase_blocks(b);
    for (line, what) in untitled {
        b.diag(
            Some(line),
            Severity::Warning,
            "title_missing",
            format!("{what} の題名が見つからない"),
        );
    }
    collect_references(b, lines);
}

/// 中間振り返り / 自己評価 sections of a sheet node → `review` / `evaluation`, read with
/// the same never-guess rules as the 取組項目 sheets. The sections are kept as text too.
fn phase_blocks(b: &mut Builder) {
    use crate::choice::find_choice;
    use crate::model::{Evaluation, Prospect, Review};
    use crate::reform::{
        heading_variant, is_bare_markers, join, phase_label, strip_any, strip_instruction, Phase,
        ACHIEVEMENT, IMPLEMENTATION, JUDGMENT, REMEDY_LABELS, RESULTS_LABELS, REVIEW_LABELS,
        UNDETERMINED,
    };
    use kusei_domain::judgment::Judgment;
    let mut variants = Vec::new();
    let mut warnings = Vec::new();
    for n in &mut b.doc.nodes {
        let mut phase: Option<(Phase, String, usize)> = None;
        let mut review: Option<Review> = None;
        let mut eval: Option<(Evaluation, bool, Vec<String>, Vec<String>)> = None;
        for s in &n.sections {
            let Some(h) = s.heading.as_deref() else {
                continue;
            };
            match phase_label(h) {
                Some(Phase::Plan) => {
                    phase = None;
                    continue;
                }
                Some(p) => phase = Some((p, h.to_string(), s.line)),
                None if strip_any(h, REMEDY_LABELS).is_some() && phase.is_some() => {}
                None => {
                    phase = None;
                    continue;
                }
            }
            let Some((p, heading, line)) = phase.clone() else {
                continue;
            };
            let is_remedy_section = strip_any(h, REMEDY_LABELS).is_some();
            match p {
                Phase::Review => {
                    let r = review.get_or_insert(Review {
                        heading: Some(heading),
                        implementation: Prospect::Unknown,
                        implementation_text: None,
                        achievement: Prospect::Unknown,
                        achievement_text: None,
                        remedy: None,
                        line,
                    });
                    let mut rest = s.text.clone();
                    for (opts, is_impl) in [(IMPLEMENTATION, true), (ACHIEVEMENT, false)] {
                        if let Some(c) = find_choice(&rest, opts) {
                            let written = rest[c.start..c.end].trim().to_string();
                            let v = c.value.unwrap_or(Prospect::Unknown);
                            if is_impl {
                                (r.implementation, r.implementation_text) = (v, Some(written));
                            } else {
                                (r.achievement, r.achievement_text) = (v, Some(written));
                            }
                            rest = format!("{} {}", &rest[..c.start], &rest[c.end..]);
                        }
                    }
                    let mut texts = Vec::new();
                    for para in rest.split('\n') {
                        let mut t = para.trim();
                        if let Some((_, r2)) =
                            strip_any(t, REVIEW_LABELS).or(strip_any(t, REMEDY_LABELS))
                        {
                            t = r2;
                        }
                        let t = strip_instruction(t).unwrap_or(t).trim();
                        if !t.is_empty() && !is_bare_markers(t) {
                            texts.push(t.to_string());
                        }
                    }
                    if let Some(t) = join(&texts) {
                        r.remedy = Some(match r.remedy.take() {
                            Some(prev) => format!("{prev}\n{t}"),
                            None => t,
                        });
                    }
                }
                Phase::Eval => {
                    let (e, seen, results, remedy) = eval.get_or_insert((
                        Evaluation {
                            heading: Some(heading),
                            stated_judgment: Judgment::Unknown,
                            judgment_text: None,
                            judgment_evidence: "選択肢の記載がない".to_string(),
                            results: None,
                            remedy: None,
                            line,
                            computed_judgment: None,
                            computed_reason: None,
                            findings: Vec::new(),
                        },
                        false,
                        Vec::new(),
                        Vec::new(),
                    ));
                    for para in s.text.split('\n') {
                        let mut t = para.trim();
                        let mut to_remedy = is_remedy_section || *seen;
                        if let Some((_, r2)) = strip_any(t, RESULTS_LABELS) {
                            t = r2;
                            to_remedy = false;
                        }
                        if let Some((_, r2)) = strip_any(t, REMEDY_LABELS) {
                            t = r2;
                            to_remedy = true;
                        }
                        let t = strip_instruction(t).unwrap_or(t);
                        let (before, after) = match find_choice(t, JUDGMENT) {
                            Some(c) => {
                                e.judgment_text = Some(t[c.start..c.end].trim().to_string());
                                e.judgment_evidence = c.evidence.clone();
                                if e.stated_judgment == Judgment::Unknown {
                                    e.stated_judgment = c.value.unwrap_or(Judgment::Unknown);
                                }
                                *seen = true;
                                (&t[..c.start], &t[c.end..])
                            }
                            None => (t, ""),
                        };
                        for (part, rem) in [(before.trim(), to_remedy), (after.trim(), true)] {
                            if !part.is_empty() && !is_bare_markers(part) {
                                if rem {
                                    remedy.push(part.to_string())
                                } else {
                                    results.push(part.to_string())
                                }
                            }
                        }
                    }
                }
                Phase::Plan => {}
            }
        }
        if let Some(r) = review {
            let answered = r.implementation != Prospect::Unknown
                || r.achievement != Prospect::Unknown
                || r.remedy.is_some();
            if answered {
                if (r.implementation == Prospect::NotExpected
                    || r.achievement == Prospect::NotExpected)
                    && r.remedy.is_none()
                {
                    warnings.push((
                        r.line,
                        "remedy_missing",
                        format!(
                            "{}{}: 中間振り返りが「できない見込み」なのに課題と改善策がない",
                            n.level,
                            n.number.clone().unwrap_or_default()
                        ),
                    ));
                }
                n.review = Some(r);
            }
        }
        if let Some((mut e, _, results, remedy)) = eval {
            e.results = join(&results);
            e.remedy = join(&remedy);
            if e.stated_judgment == Judgment::Unknown {
                let all = key(&format!(
                    "{} {}",
                    e.results.clone().unwrap_or_default(),
                    e.remedy.clone().unwrap_or_default()
                ));
                if let Some(w) = UNDETERMINED.iter().find(|w| all.contains(*w)) {
                    e.stated_judgment = Judgment::Undetermined;
                    e.judgment_evidence = format!("本文に「{w}」とある(結果が確定していない)");
                }
            }
            let blank =
                e.results.is_none() && e.remedy.is_none() && e.stated_judgment == Judgment::Unknown;
            if !blank {
                let who = format!("{}{}", n.level, n.number.clone().unwrap_or_default());
                if e.stated_judgment == Judgment::Unknown && e.judgment_text.is_some() {
                    warnings.push((e.line, "judgment_not_visible", format!("{who}: 評価の選択肢「{}」は残っているが、どちらが選ばれたか読み取れない(unknown)", e.judgment_text.clone().unwrap_or_default())));
                }
                if e.stated_judgment == Judgment::NotAchieved && e.remedy.is_none() {
                    warnings.push((
                        e.line,
                        "remedy_missing",
                        format!("{who}: 目標未達成なのに課題と改善策がない"),
                    ));
                }
                if let Some(h) = &e.heading {
                    variants.push((h.clone(), e.line));
                }
                n.evaluation = Some(e);
            }
        }
    }
    for (h, line) in variants {
        heading_variant(b, &h, line);
    }
    for (line, code, msg) in warnings {
        b.diag(Some(line), Severity::Warning, code, msg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts() {
        assert_eq!(issue_start("経営課題4"), Some(("4".into(), String::new())));
        assert_eq!(
            strategy_start("【戦略4-2】 窓口サービスの向上"),
            Some(("4-2".into(), "窓口サービスの向上".into()))
        );
        assert_eq!(
            strategy_start("【戦略4-3】"),
            Some(("4-3".into(), String::new()))
        );
        assert_eq!(
            initiative_start("【4-1-1 職員の意識の向上】"),
            Some(("4-1-1".into(), "職員の意識の向上".into()))
        );
        assert!(initiative_start("【平成29年度】").is_none());
        assert_eq!(
            child_level_label("戦略4-1の具体的取組").as_deref(),
            Some("具体的取組")
        );
        assert_eq!(
            heading("めざすべき将来像（概ね10～20年間を設定）").map(|h| h.1),
            Some(Some("概ね10～20年間を設定".into()))
        );
        assert_eq!(heading("《成果目標》").map(|h| h.2), Some(true));
        assert!(heading("区政会議を効果的に運営").is_none());
        assert!(is_phone("06-6930-9625"));
        assert!(!is_phone("総務"));
    }
}
