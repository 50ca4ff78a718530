//! `kusei check FILE... | --db URL [--format text|json]`: consistency findings of documents
//! or stored plans. Exit status 1 when any finding is an error.

use crate::config::Config;
use anyhow::{anyhow, Result};
use kusei_domain::judgment::{AchievementProspect, ImplementationProspect, Judgment};
use kusei_kpi as kpi;
use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;

/// One finding with where it was found.
struct Located {
    source: String,
    line: Option<usize>,
    node: String,
    severity: String,
    code: String,
    message_ja: String,
    message_en: String,
    target: Option<String>,
}

impl Located {
    fn to_json(&self) -> Value {
        json!({
            "source": self.source, "line": self.line, "node": self.node,
            "severity": self.severity, "code": self.code,
            "message_ja": self.message_ja, "message_en": self.message_en,
            "target": self.target,
        })
    }
}

fn node_label(level: &str, number: Option<&str>, title: &str) -> String {
    match number {
        Some(n) => format!("{level} {n} {title}"),
        None => format!("{level} {title}"),
    }
}

fn from_files(files: &[PathBuf], out: &mut Vec<Located>) -> usize {
    let mut unreadable = 0;
    for f in files {
        match kusei_import::parse_file(f) {
            Ok(doc) => {
                for n in &doc.nodes {
                    for x in &n.findings {
                        out.push(Located {
                            source: f.display().to_string(),
                            line: Some(n.line),
                            node: node_label(&n.level, n.number.as_deref(), &n.title),
                            severity: x.severity.clone(),
                            code: x.code.clone(),
                            message_ja: x.message_ja.clone(),
                            message_en: x.message_en.clone(),
                            target: x.target.clone(),
                        });
                    }
                }
            }
            Err(e) => {
                unreadable += 1;
                eprintln!("kusei: エラー / error: {e}");
            }
        }
    }
    unreadable
}

fn severity_code(s: kpi::Severity) -> &'static str {
    match s {
        kpi::Severity::Error => "error",
        kpi::Severity::Warning => "warning",
    }
}

async fn from_db(config: &Config, out: &mut Vec<Located>) -> Result<()> {
    let store = crate::serve::open(config).await?;
    for summary in store.list_plans(None, None).await? {
        let plan = store.load_plan(summary.plan.id).await?;
        let year = plan.plan.period.end;
        for sn in &plan.nodes {
            let evaluation = sn.evaluations.iter().find(|e| e.fiscal_year == year);
            let review = sn.reviews.iter().find(|r| r.fiscal_year == year);
            let figures = kpi::NodeFigures {
                document_year: Some(year),
                targets: sn.targets.iter().map(|t| t.text.clone()).collect(),
                this_year_targets: Vec::new(),
                results: evaluation.map(|e| e.results.clone()),
                stated: evaluation.and_then(|e| match e.stated {
                    Judgment::Achieved => Some(kpi::Judgment::Achieved),
                    Judgment::NotAchieved => Some(kpi::Judgment::NotAchieved),
                    Judgment::Undetermined => Some(kpi::Judgment::Undetermined),
                    Judgment::Unknown => None,
                }),
                remedy: evaluation.and_then(|e| e.remedy.clone()),
                review: review.map(|r| kpi::MidYearReview {
                    implementation_expected: r
                        .implementation
                        .map(|i| i == ImplementationProspect::Expected),
                    achievement_expected: r.achievement.map(|a| a == AchievementProspect::OnTrack),
                    remedy: r.remedy.clone(),
                }),
                references: Vec::new(),
            };
            for x in kpi::findings(&figures) {
                out.push(Located {
                    source: format!(
                        "{} / plan {} {}",
                        plan.unit_name, plan.plan.id, plan.plan.title
                    ),
                    line: None,
                    node: node_label(&sn.node.level, sn.node.number.as_deref(), &sn.node.title),
                    severity: severity_code(x.severity).to_string(),
                    code: x.code,
                    message_ja: x.message_ja,
                    message_en: x.message_en,
                    target: x.target,
                });
            }
        }
    }
    store.close().await;
    Ok(())
}

/// Runs the check; returns whether any error was found.
pub async fn check(config: Option<&Config>, files: &[PathBuf], format: &str) -> Result<bool> {
    let mut found = Vec::new();
    let unreadable = match config {
        Some(c) => {
            from_db(c, &mut found).await?;
            0
        }
        None => from_files(files, &mut found),
    };
    let errors = found.iter().filter(|f| f.severity == "error").count();
    let warnings = found.len() - errors;
    let mut out = std::io::stdout().lock();
    if format == "json" {
        let v = json!({
            "findings": found.iter().map(Located::to_json).collect::<Vec<_>>(),
            "errors": errors, "warnings": warnings, "unreadable": unreadable,
        });
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
    } else {
        for f in &found {
            let at = match f.line {
                Some(l) => format!("{}:{l}", f.source),
                None => f.source.clone(),
            };
            writeln!(
                out,
                "{at}: {}[{}] {}: {} / {}",
                f.severity, f.code, f.node, f.message_ja, f.message_en
            )?;
            if let Some(t) = &f.target {
                writeln!(out, "    目標 / target: {t}")?;
            }
        }
        writeln!(
            out,
            "{errors} errors, {warnings} warnings{}",
            if unreadable > 0 {
                format!(", {unreadable} unreadable file(s)")
            } else {
                String::new()
            }
        )?;
    }
    if unreadable > 0 && found.is_empty() && files.len() == unreadable {
        return Err(anyhow!("no file could be read"));
    }
    Ok(errors > 0 || unreadable > 0)
}
