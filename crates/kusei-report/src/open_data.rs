//! Open data: plans as CSV (UTF-8 with BOM, so Excel opens it as Japanese) and as JSON in
//! the import schema (`docs/import-format.md`, section 公開データ).
//!
//! JSON: `{"schema_version", "format": "kusei-open-data", "municipality", "plans": [...]}`;
//! each plan carries `unit`, `status`, `version`, `document` — a parsed document of
//! schema version 1, exactly as the importer emits it — and `results` (every year's
//! actuals, reviews and evaluations by node id, which the document form holds only once).

use crate::layout::period_text;
use kusei_domain::content::{NodeContent, PlanRecord};
use kusei_domain::model::{LinkKind, Phase, When};
use kusei_import::{
    Evaluation, Family, FiscalYearRef, LineText, Milestone, MilestoneDate, Node, ParsedDocument,
    PeriodRef, Prospect, Review, Section, Target, TargetKind, YearMonthRef,
};
use serde_json::{json, Value};

/// Tag of the open-data JSON.
pub const FORMAT: &str = "kusei-open-data";

fn fy_ref(year: kusei_domain::calendar::FiscalYear, line: usize) -> FiscalYearRef {
    FiscalYearRef {
        year: year.year(),
        label: year.label(),
        as_written: year.label(),
        line,
    }
}

fn family(f: kusei_domain::model::Family) -> Family {
    use kusei_domain::model::Family as F;
    match f {
        F::ReformItems => Family::ReformItems,
        F::ResultsTable => Family::ResultsTable,
        F::PlanTree => Family::PlanTree,
        F::ManagementSheet => Family::ManagementSheet,
    }
}

/// Group and heading of the import schema from a stored heading ("本文" = untitled).
fn split_heading(h: &str) -> (Option<String>, Option<String>) {
    let (group, label) = crate::layout::split_heading(h);
    let label = Some(label).filter(|l| *l != "本文" || group.is_some());
    (group.map(str::to_string), label.map(str::to_string))
}

fn year_month(w: &When) -> YearMonthRef {
    match w {
        When::Month(ym) => YearMonthRef {
            year: ym.year,
            month: Some(u32::from(ym.month)),
        },
        When::FiscalYear(fy) => YearMonthRef {
            year: fy.year(),
            month: None,
        },
    }
}

fn node_of(i: usize, n: &NodeContent, parents: Vec<String>) -> Node {
    let line = i + 1;
    let sections: Vec<Section> = n
        .sections
        .iter()
        .filter(|s| s.phase == Phase::Plan)
        .map(|s| {
            let (group, heading) = split_heading(&s.heading);
            Section {
                heading,
                qualifier: None,
                group,
                normalized: kusei_import::normalize(&s.body),
                text: s.body.clone(),
                line,
            }
        })
        .collect();
    let targets = n
        .targets
        .iter()
        .map(|t| Target {
            normalized: kusei_import::normalize(&t.text),
            text: t.text.clone(),
            label: None,
            indicator: None,
            fiscal_year: t.period.map(|p| fy_ref(p.end, line)),
            kind: TargetKind::Goal,
            section: None,
            section_index: None,
            line,
            value: t.value,
            unit: t.measure_unit.clone(),
            comparator: t.comparator.map(|c| c.code().to_string()),
            reading: None,
        })
        .collect();
    let review = n.reviews.last().map(|r| Review {
        heading: Some("中間振り返り".into()),
        implementation: match r.implementation {
            Some(kusei_domain::judgment::ImplementationProspect::Expected) => Prospect::Expected,
            Some(kusei_domain::judgment::ImplementationProspect::NotExpected) => {
                Prospect::NotExpected
            }
            None => Prospect::Unknown,
        },
        implementation_text: r.implementation.map(|p| p.label_ja().to_string()),
        achievement: match r.achievement {
            Some(kusei_domain::judgment::AchievementProspect::OnTrack) => Prospect::Expected,
            Some(kusei_domain::judgment::AchievementProspect::OffTrack) => Prospect::NotExpected,
            None => Prospect::Unknown,
        },
        achievement_text: r.achievement.map(|p| p.label_ja().to_string()),
        remedy: r.remedy.clone(),
        line,
    });
    let evaluation = n.evaluations.last().map(|e| Evaluation {
        heading: Some("自己評価".into()),
        stated_judgment: e.stated,
        judgment_text: Some(e.stated.label_ja().to_string()),
        judgment_evidence: e.explanation.clone().unwrap_or_default(),
        results: Some(e.results.clone()).filter(|r| !r.is_empty()),
        remedy: e.remedy.clone(),
        line,
        computed_judgment: None,
        computed_reason: None,
        findings: Vec::new(),
    });
    let milestones = n
        .milestones
        .iter()
        .map(|m| Milestone {
            normalized: kusei_import::normalize(&m.text),
            text: m.text.clone(),
            date: m.from.as_ref().map(|from| MilestoneDate {
                as_written: m.text.clone(),
                precision: match from {
                    When::Month(_) => "month".into(),
                    When::FiscalYear(_) => "fiscal_year".into(),
                },
                from: year_month(from),
                to: m.to.as_ref().map(year_month),
                open_ended: m.open_ended,
            }),
            line,
        })
        .collect();
    Node {
        id: format!("n{line}"),
        parent_ids: parents,
        level: n.level.clone(),
        number: n.number.clone(),
        title_normalized: kusei_import::normalize(&n.title),
        title: n.title.clone(),
        subtitle: n.subtitle.clone(),
        marks: n.marks.clone(),
        sections,
        targets,
        review,
        evaluation,
        milestones,
        references: Vec::new(),
        appearances: Vec::new(),
        line,
        findings: Vec::new(),
    }
}

/// A plan as a parsed document of the import schema. `line` fields hold the item's
/// position in the plan (1-based): an exported plan has no source text lines.
pub fn document(record: &PlanRecord) -> ParsedDocument {
    let c = &record.content;
    let mut parents: Vec<Vec<String>> = vec![Vec::new(); c.nodes.len()];
    for kind in [LinkKind::Primary, LinkKind::Repeat] {
        for l in c.links.iter().filter(|l| l.kind == kind) {
            parents[l.child].push(format!("n{}", l.parent + 1));
        }
    }
    let nodes: Vec<Node> = c
        .nodes
        .iter()
        .zip(parents)
        .enumerate()
        .map(|(i, (n, p))| node_of(i, n, p))
        .collect();
    let title = format!("{} {}", record.unit, c.title);
    let mut doc = ParsedDocument {
        schema_version: kusei_import::SCHEMA_VERSION,
        file_name: file_stem(record),
        encoding: None,
        family: family(c.family),
        title: Some(LineText {
            normalized: kusei_import::normalize(&title),
            text: title,
            line: 1,
        }),
        fiscal_year: (c.period.start == c.period.end).then(|| fy_ref(c.period.end, 1)),
        period: Some(PeriodRef {
            from: c.period.start.year(),
            to: c.period.end.year(),
            from_label: c.period.start.label(),
            to_label: c.period.end.label(),
            as_written: period_text(&c.period),
            line: 1,
        }),
        era_context: None,
        line_count: c.nodes.len().max(1),
        nodes,
        directory_title: (!record.directory.is_empty()).then(|| {
            let t = format!("{}の業務一覧", record.unit);
            LineText {
                normalized: kusei_import::normalize(&t),
                text: t,
                line: 1,
            }
        }),
        directory: record
            .directory
            .iter()
            .map(|d| kusei_import::DirectoryRowRead::of_entry(d, 1))
            .collect(),
        notes: Vec::new(),
        diagnostics: Vec::new(),
    };
    // Readings, findings and computed judgments as the importer gives them; the stored
    // figures (which may have been edited as figures) win over the re-read ones.
    kusei_import::figures::enrich(&mut doc);
    for (node, n) in doc.nodes.iter_mut().zip(&c.nodes) {
        for (t, stored) in node.targets.iter_mut().zip(&n.targets) {
            if stored.value.is_some() {
                t.value = stored.value;
                t.unit = stored.measure_unit.clone();
                t.comparator = stored.comparator.map(|c| c.code().to_string());
            }
        }
    }
    doc
}

/// A download's name as people read it: 城東区_平成29年度_区運営方針 (the unit, the fiscal
/// year as written, the form's name).
pub fn file_stem(r: &PlanRecord) -> String {
    let p = &r.content.period;
    let years = if p.start == p.end {
        p.start.label()
    } else {
        p.to_string()
    };
    let safe: String = r
        .unit
        .chars()
        .map(|c| if "/\\:*?\"<>| ".contains(c) { '_' } else { c })
        .collect();
    let years: String = years
        .chars()
        .map(|c| if "/\\:*?\"<>| ".contains(c) { '_' } else { c })
        .collect();
    format!("{safe}_{years}_{}", r.content.family.label_ja())
}

fn results(record: &PlanRecord) -> Vec<Value> {
    record
        .content
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| {
            !n.actuals.is_empty() || !n.reviews.is_empty() || !n.evaluations.is_empty()
        })
        .map(|(i, n)| {
            json!({
                "node_id": format!("n{}", i + 1),
                "actuals": n.actuals.iter().map(|a| json!({
                    "text": a.text,
                    "fiscal_year": a.fiscal_year.map(|f| f.year()),
                    "value": a.value,
                    "unit": a.measure_unit,
                    "as_of": a.as_of.map(|d| d.to_string()),
                    "indicator_id": a.indicator_id.map(|i| i.0),
                })).collect::<Vec<_>>(),
                "reviews": n.reviews.iter().map(|r| json!({
                    "fiscal_year": r.fiscal_year.year(),
                    "implementation": r.implementation.map(|p| p.code()),
                    "achievement": r.achievement.map(|p| p.code()),
                    "remedy": r.remedy,
                })).collect::<Vec<_>>(),
                "evaluations": n.evaluations.iter().map(|e| json!({
                    "fiscal_year": e.fiscal_year.year(),
                    "results": e.results,
                    "stated_judgment": e.stated.code(),
                    "remedy": e.remedy,
                    "explanation": e.explanation,
                })).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// The open-data JSON of some plans of one municipality.
pub fn to_json(municipality: &str, records: &[PlanRecord]) -> Value {
    json!({
        "schema_version": kusei_import::SCHEMA_VERSION,
        "format": FORMAT,
        "municipality": municipality,
        "plans": records.iter().map(|r| json!({
            "unit": r.unit,
            "status": r.status.code(),
            "version": r.version,
            "document": document(r).to_json(),
            "results": results(r),
            "item_pages": r.item_pages.iter().enumerate()
                .map(|(i, p)| (format!("n{}", i + 1), Value::String(p.clone())))
                .collect::<serde_json::Map<String, Value>>(),
        })).collect::<Vec<_>>(),
    })
}

/// Columns of the CSV, in order.
pub const CSV_COLUMNS: [&str; 18] = [
    "自治体",
    "組織",
    "計画",
    "様式",
    "期間",
    "項目番号",
    "階層",
    "番号",
    "名称",
    "担当",
    "区分",
    "年度",
    "内容",
    "値",
    "単位",
    "比較",
    "判定",
    "項目のページ",
];

/// A CSV cell. Text that a spreadsheet would run as a formula (it starts with = + - @ TAB
/// or CR, as the OWASP CSV-injection guidance lists) is written with a leading `'`, which
/// spreadsheets show as text; a plain number (-5, -0.5) stays a number.
fn csv_field(s: &str) -> String {
    let plain_number = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == '.')
        && s.parse::<f64>().is_ok();
    let neutral;
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) && !plain_number {
        neutral = format!("'{s}");
        neutral.as_str()
    } else {
        s
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One CSV line (CRLF-ended) of these cells, each neutralised against spreadsheet
/// formulas and quoted as RFC 4180 says.
pub fn csv_row(cells: impl Iterator<Item = String>) -> String {
    let mut out = cells.map(|c| csv_field(&c)).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}

fn number(v: Option<f64>) -> String {
    v.map(crate::plain_number).unwrap_or_default()
}

/// CSV of plans: one row per item (区分 項目), then one per target, actual, review and
/// evaluation of it. UTF-8 with BOM, CRLF line ends (RFC 4180).
pub fn to_csv(records: &[PlanRecord]) -> String {
    let mut out = String::from("\u{feff}");
    let mut line = |cells: &[String]| {
        let row: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    };
    line(&CSV_COLUMNS.map(String::from));
    for r in records {
        let c = &r.content;
        for (i, n) in c.nodes.iter().enumerate() {
            let base = [
                r.municipality.clone(),
                r.unit.clone(),
                c.title.clone(),
                c.family.label_ja().to_string(),
                period_text(&c.period),
                (i + 1).to_string(),
                n.level.clone(),
                n.number.clone().unwrap_or_default(),
                n.title.clone(),
                n.owner.clone().unwrap_or_default(),
            ];
            let page = r.item_pages.get(i).cloned().unwrap_or_default();
            let row = |kind: &str, year: String, text: &str, rest: [String; 4]| {
                let mut v = base.to_vec();
                v.push(kind.to_string());
                v.push(year);
                v.push(text.to_string());
                v.extend(rest);
                v.push(page.clone());
                v
            };
            line(&row("項目", String::new(), "", Default::default()));
            for t in &n.targets {
                line(&row(
                    "目標",
                    t.period.map(|p| p.end.label()).unwrap_or_default(),
                    &t.text,
                    [
                        number(t.value),
                        t.measure_unit.clone().unwrap_or_default(),
                        t.comparator
                            .map(|c| c.label_ja().to_string())
                            .unwrap_or_default(),
                        String::new(),
                    ],
                ));
            }
            for a in &n.actuals {
                line(&row(
                    "実績",
                    a.fiscal_year.map(|f| f.label()).unwrap_or_default(),
                    &a.text,
                    [
                        number(a.value),
                        a.measure_unit.clone().unwrap_or_default(),
                        String::new(),
                        String::new(),
                    ],
                ));
            }
            for rv in &n.reviews {
                line(&row(
                    "中間振り返り",
                    rv.fiscal_year.label(),
                    rv.remedy.as_deref().unwrap_or(""),
                    [
                        String::new(),
                        String::new(),
                        String::new(),
                        rv.achievement
                            .map(|a| a.label_ja().to_string())
                            .unwrap_or_default(),
                    ],
                ));
            }
            for e in &n.evaluations {
                line(&row(
                    "自己評価",
                    e.fiscal_year.label(),
                    &e.results,
                    [
                        String::new(),
                        String::new(),
                        String::new(),
                        e.stated.label_ja().to_string(),
                    ],
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod csv_tests {
    use super::csv_field;

    #[test]
    fn formulas_become_text_and_numbers_stay_numbers() {
        assert_eq!(
            csv_field("=HYPERLINK(\"http://x\",\"y\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
        );
        assert_eq!(csv_field("+1+2"), "'+1+2");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("-2+3"), "'-2+3");
        assert_eq!(csv_field("\tcmd"), "'\tcmd");
        assert_eq!(csv_field("\r=1"), "\"'\r=1\"");
        assert_eq!(csv_field("-5"), "-5");
        assert_eq!(csv_field("-0.5"), "-0.5");
        assert_eq!(csv_field("区民の割合 85%"), "区民の割合 85%");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
    }
}
