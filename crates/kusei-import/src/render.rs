//! Human-readable report (`kusei parse --format text`).

use crate::model::{Node, ParsedDocument, Prospect, Severity};
use kusei_domain::judgment::Judgment;
use std::collections::HashMap;
use std::fmt::Write;

impl ParsedDocument {
    /// A human-readable report: header, the node tree (numbers, titles, marks,
    /// sections, targets, review and judgment), notes, directory, then diagnostics with
    /// line numbers.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "file: {}", self.file_name);
        let _ = writeln!(
            out,
            "family: {}   encoding: {}   lines: {}   schema_version: {}",
            self.family.as_str(),
            self.encoding.as_deref().unwrap_or("-"),
            self.line_count,
            self.schema_version
        );
        if let Some(t) = &self.title {
            let _ = writeln!(out, "title: {} (line {})", t.text, t.line);
        }
        if let Some(fy) = &self.fiscal_year {
            let _ = writeln!(
                out,
                "fiscal year: {} [{}] (line {})",
                fy.label, fy.as_written, fy.line
            );
        }
        if let Some(p) = &self.period {
            let _ = writeln!(
                out,
                "period: {}–{} [{}] (line {})",
                p.from_label, p.to_label, p.as_written, p.line
            );
        }
        if let Some(c) = &self.era_context {
            let _ = writeln!(
                out,
                "era context: FY{} ({}, line {})",
                c.year, c.source, c.line
            );
        }
        let _ = writeln!(out, "nodes: {}", self.nodes.len());
        out.push('\n');

        // children by primary parent, in document order
        let mut children: HashMap<&str, Vec<&Node>> = HashMap::new();
        let mut roots = Vec::new();
        for n in &self.nodes {
            match n.parent_ids.first() {
                Some(p) if self.nodes.iter().any(|x| &x.id == p) => {
                    children.entry(p.as_str()).or_default().push(n)
                }
                _ => roots.push(n),
            }
        }
        let mut visited = std::collections::HashSet::new();
        for r in roots {
            self.render_node(&mut out, r, 0, &children, &mut visited);
        }

        if !self.notes.is_empty() {
            out.push_str("\nnotes:\n");
            for n in &self.notes {
                let _ = writeln!(
                    out,
                    "  [{}] {}{}",
                    n.line,
                    n.label
                        .as_deref()
                        .map(|l| format!("{l} "))
                        .unwrap_or_default(),
                    one_line(&n.text)
                );
            }
        }
        if !self.directory.is_empty() {
            let _ = writeln!(
                out,
                "\ndirectory: {} ({} entries)",
                self.directory_title
                    .as_ref()
                    .map(|t| t.text.as_str())
                    .unwrap_or(""),
                self.directory.len()
            );
            for d in &self.directory {
                let _ = writeln!(
                    out,
                    "  [{}] {} / {}  tel {}  fax {}  {}",
                    d.line,
                    d.unit,
                    d.subunit.as_deref().unwrap_or("-"),
                    d.phone.as_deref().unwrap_or("-"),
                    d.fax.as_deref().unwrap_or("-"),
                    one_line(&d.duties)
                );
            }
        }
        let _ = writeln!(out, "\ndiagnostics: {}", self.diagnostics.len());
        for d in &self.diagnostics {
            let sev = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "info",
            };
            let line = d
                .line
                .map(|l| format!("line {l}"))
                .unwrap_or_else(|| "document".to_string());
            let _ = writeln!(out, "  {line}: {sev} [{}] {}", d.code, d.message);
            if let Some(x) = &d.excerpt {
                let _ = writeln!(out, "      > {}", one_line(x));
            }
        }
        out
    }

    fn render_node<'a>(
        &'a self,
        out: &mut String,
        n: &'a Node,
        depth: usize,
        children: &HashMap<&str, Vec<&'a Node>>,
        visited: &mut std::collections::HashSet<&'a str>,
    ) {
        if !visited.insert(n.id.as_str()) || depth > 64 {
            return;
        }
        let ind = "  ".repeat(depth);
        let marks = if n.marks.is_empty() {
            String::new()
        } else {
            format!("{} ", n.marks.join(""))
        };
        let number = n
            .number
            .as_deref()
            .map(|x| format!("{x} "))
            .unwrap_or_default();
        let extra = if n.parent_ids.len() > 1 {
            format!("  (also under {})", n.parent_ids[1..].join(", "))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{ind}{} {}{marks}{}  [{} line {}]{extra}",
            n.level, number, n.title, n.id, n.line
        );
        if let Some(s) = &n.subtitle {
            let _ = writeln!(out, "{ind}    subtitle: {s}");
        }
        for s in &n.sections {
            let head = s.heading.as_deref().unwrap_or("(本文)");
            let group = s
                .group
                .as_deref()
                .map(|g| format!("{g} / "))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{ind}    § {group}{head}: {}",
                clip(&one_line(&s.text), 100)
            );
        }
        for t in &n.targets {
            let label = t
                .label
                .as_deref()
                .map(|l| format!("{l} "))
                .unwrap_or_default();
            let fy = t
                .fiscal_year
                .as_ref()
                .map(|f| format!("[{}] ", f.label))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{ind}    ◎ target {label}{fy}{}",
                clip(&one_line(&t.text), 90)
            );
        }
        for m in &n.milestones {
            let date = match &m.date {
                Some(d) => {
                    let from = match d.from.month {
                        Some(mo) => format!("{}-{:02}", d.from.year, mo),
                        None => format!("FY{}", d.from.year),
                    };
                    let to = match &d.to {
                        Some(t) => match t.month {
                            Some(mo) => format!("{}-{:02}", t.year, mo),
                            None => format!("FY{}", t.year),
                        },
                        None if d.open_ended => String::new(),
                        None => "·".to_string(),
                    };
                    if to == "·" {
                        from
                    } else {
                        format!("{from}～{to}")
                    }
                }
                None => "(no date)".to_string(),
            };
            let _ = writeln!(out, "{ind}    ▸ {date}  {}", clip(&one_line(&m.text), 80));
        }
        if let Some(r) = &n.review {
            let _ = writeln!(
                out,
                "{ind}    中間振り返り: 実施 {} / 達成 {}{}",
                prospect(r.implementation),
                crate::model::achievement_code::code(r.achievement),
                r.remedy
                    .as_deref()
                    .map(|x| format!(" / 改善策: {}", clip(&one_line(x), 60)))
                    .unwrap_or_default()
            );
        }
        if let Some(e) = &n.evaluation {
            let j = match e.stated_judgment {
                Judgment::Achieved => "achieved",
                Judgment::NotAchieved => "not_achieved",
                Judgment::Undetermined => "undetermined",
                Judgment::Unknown => "unknown",
            };
            let _ = writeln!(
                out,
                "{ind}    {}: judgment {j} ({})",
                e.heading.as_deref().unwrap_or("評価"),
                e.judgment_evidence
            );
            if let Some(r) = &e.results {
                let _ = writeln!(out, "{ind}      実績: {}", clip(&one_line(r), 90));
            }
            if let Some(r) = &e.remedy {
                let _ = writeln!(out, "{ind}      改善策: {}", clip(&one_line(r), 90));
            }
        }
        for r in &n.references {
            let _ = writeln!(
                out,
                "{ind}    → {} {}",
                r.text,
                r.target_id
                    .as_deref()
                    .map(|t| format!("= {t}"))
                    .unwrap_or_else(|| "(not in this document)".to_string())
            );
        }
        for a in &n.appearances {
            let _ = writeln!(
                out,
                "{ind}    ↺ {} at line {}: {}",
                a.kind, a.line, a.as_written
            );
        }
        if let Some(kids) = children.get(n.id.as_str()) {
            for k in kids {
                self.render_node(out, k, depth + 1, children, visited);
            }
        }
    }
}

fn prospect(p: Prospect) -> &'static str {
    match p {
        Prospect::Expected => "expected",
        Prospect::NotExpected => "not_expected",
        Prospect::Unknown => "unknown",
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n).collect();
        t.push('…');
        t
    }
}
