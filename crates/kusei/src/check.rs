//! `kusei check FILE... | --db URL [--format text|json]`: consistency findings of documents
//! or stored plans. Exit status 1 when any finding is an error.

use crate::config::Config;
use anyhow::{anyhow, Result};
use kusei_app::judge::References;
use kusei_app::rollup::RollupPhase;
use kusei_domain::model::UnitId;
use kusei_kpi as kpi;
use serde_json::{json, Value};
use std::collections::HashMap;
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

/// The grade a target got under its city's grading rules.
struct Graded {
    source: String,
    node: String,
    target: String,
    grade: Option<(String, String)>,
    progress: Option<f64>,
    reason: String,
}

impl Graded {
    fn to_json(&self) -> Value {
        json!({
            "source": self.source, "node": self.node, "target": self.target,
            "grade": self.grade.as_ref().map(|g| &g.0), "grade_label": self.grade.as_ref().map(|g| &g.1),
            "progress": self.progress, "reason": self.reason,
        })
    }
}

/// The grading rules of a municipality: its `grading` setting, else Osaka's ①②.
pub fn grading_rules(settings: &Value) -> Result<kpi::GradingRules> {
    kusei_app::rollup::rules_of(settings).map_err(|e| anyhow!("{e}"))
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

/// What `check --db` found: findings, the grade of every judged target, and the
/// computed judgment of every evaluated item.
#[derive(Default)]
struct FromDb {
    grades: Vec<Graded>,
    judgments: Vec<Value>,
    /// The city's roll-up of every municipality and year (year end and mid-year), from
    /// the one computation the roll-up page and the API read.
    rollups: Vec<kusei_app::rollup::Rollup>,
}

async fn from_db(config: &Config, out: &mut Vec<Located>, found: &mut FromDb) -> Result<()> {
    let store = crate::serve::open(config).await?;
    let summaries = store.list_plans(None, None).await?;
    let mut plans = Vec::with_capacity(summaries.len());
    for s in &summaries {
        plans.push(store.load_plan(s.plan.id).await?);
    }
    // Every unit's results by year (read once per unit): references for later years'
    // relative targets, as the item page and the API read them.
    let mut refs_of: HashMap<UnitId, References> = HashMap::new();
    let mut years: std::collections::BTreeSet<(i64, i32)> = std::collections::BTreeSet::new();
    for plan in &plans {
        let year = plan.plan.period.end;
        let municipality = store.get_unit(plan.plan.unit_id).await?.municipality_id;
        years.insert((municipality.0, year.year()));
        let refs = match refs_of.entry(plan.plan.unit_id) {
            std::collections::hash_map::Entry::Occupied(e) => e.get().before(year),
            std::collections::hash_map::Entry::Vacant(e) => e
                .insert(References::load_all(&store, plan.plan.unit_id).await?)
                .before(year),
        };
        let source = format!(
            "{} / plan {} {}",
            plan.unit_name, plan.plan.id, plan.plan.title
        );
        for sn in &plan.nodes {
            let evaluation = sn.evaluations.iter().find(|e| e.fiscal_year == year);
            let node = node_label(&sn.node.level, sn.node.number.as_deref(), &sn.node.title);
            let evaluated = kusei_app::judge::item(sn, year, evaluation, &refs);
            if let Some(e) = evaluation {
                found.judgments.push(json!({
                    "plan_id": plan.plan.id.0, "node_id": sn.node.id.0, "node": node,
                    "fiscal_year": year.year(), "stated": e.stated.code(),
                    "computed": evaluated.judgment.judgment.code(),
                }));
            }
            for x in evaluated.findings {
                out.push(Located {
                    source: source.clone(),
                    line: None,
                    node: node.clone(),
                    severity: severity_code(x.severity).to_string(),
                    code: x.code,
                    message_ja: x.message_ja,
                    message_en: x.message_en,
                    target: x.target,
                });
            }
        }
    }
    for (m, y) in years {
        let m = kusei_domain::model::MunicipalityId(m);
        let year = kusei_domain::calendar::FiscalYear::new(y).map_err(|e| anyhow!("{e}"))?;
        let rules = kusei_app::rollup::rules(&store, m).await?;
        for phase in [RollupPhase::Evaluation, RollupPhase::Review] {
            let r = kusei_app::rollup::compute(&store, m, year, phase, &rules, false).await?;
            if phase == RollupPhase::Evaluation {
                for w in &r.wards {
                    for row in w.rows.iter().filter(|r| r.item) {
                        let node = node_label(&row.level, row.number.as_deref(), &row.title);
                        for t in &row.targets {
                            found.grades.push(Graded {
                                source: format!("{} / plan {}", w.unit, row.plan_id),
                                node: node.clone(),
                                target: t.text.clone(),
                                grade: t.grade.as_ref().map(|c| {
                                    let label = r
                                        .scale
                                        .iter()
                                        .find(|(x, _)| x == c)
                                        .map_or_else(String::new, |(_, l)| l.clone());
                                    (c.clone(), label)
                                }),
                                progress: t.progress,
                                reason: t.reason.clone(),
                            });
                        }
                    }
                }
            }
            found.rollups.push(r);
        }
    }
    store.close().await;
    Ok(())
}

/// Runs the check; returns whether any error was found.
pub async fn check(config: Option<&Config>, files: &[PathBuf], format: &str) -> Result<bool> {
    let mut found = Vec::new();
    let mut db = FromDb::default();
    let unreadable = match config {
        Some(c) => {
            from_db(c, &mut found, &mut db).await?;
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
            "grades": db.grades.iter().map(Graded::to_json).collect::<Vec<_>>(),
            "judgments": db.judgments,
            "rollup": db.rollups.iter().map(kusei_app::rollup::to_json).collect::<Vec<_>>(),
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
        let grades = &db.grades;
        if !grades.is_empty() {
            let mut counts: Vec<(String, usize)> = Vec::new();
            for g in grades {
                let key = g
                    .grade
                    .as_ref()
                    .map_or("対象外 / not graded".to_string(), |(c, l)| {
                        format!("{c} {l}")
                    });
                match counts.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((key, 1)),
                }
            }
            let summary: Vec<String> = counts.iter().map(|(k, n)| format!("{k}: {n}")).collect();
            writeln!(out, "評価区分 / grades: {}", summary.join(", "))?;
        }
        for r in db
            .rollups
            .iter()
            .filter(|r| r.phase == RollupPhase::Evaluation)
        {
            writeln!(out, "{} {} ({}):", r.municipality, r.year_label, r.rules)?;
            let line = |name: &str, c: &kusei_app::rollup::Counts| {
                let grades: Vec<String> = c
                    .grades
                    .iter()
                    .map(|g| format!("{} {}", g.code, g.count))
                    .collect();
                format!(
                    "  {name}: 目標 {} / targets, 測定可能 {} / measurable, 測定不能 {} / not measurable; {}",
                    c.targets,
                    c.measurable,
                    c.not_measurable,
                    grades.join(", ")
                )
            };
            for w in &r.wards {
                writeln!(out, "{}", line(&w.unit, &w.counts))?;
            }
            writeln!(out, "{}", line("合計 / total", &r.total))?;
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

/// `kusei grading`: shows a municipality's grading rules, or sets them from a preset
/// (`osaka`, `three`, `nagoya`) or a JSON file, after validating them.
pub async fn grading(
    config: &Config,
    municipality: Option<&str>,
    preset: Option<&str>,
    file: Option<&std::path::Path>,
) -> Result<()> {
    let store = crate::serve::open(config).await?;
    let all = store.list_municipalities().await?;
    let m = match municipality {
        Some(name) => all
            .iter()
            .find(|m| m.name == name)
            .ok_or_else(|| anyhow!("no municipality named {name:?}"))?,
        None => match all.as_slice() {
            [one] => one,
            [] => return Err(anyhow!("no municipality exists yet")),
            _ => {
                let real: Vec<_> = all.iter().filter(|m| !m.is_sample).collect();
                match real.as_slice() {
                    [one] => *one,
                    _ => {
                        return Err(anyhow!(
                            "several municipalities exist: give --municipality NAME"
                        ))
                    }
                }
            }
        },
    };
    let new_rules = match (preset, file) {
        (Some("osaka"), None) => Some(kpi::GradingRules::osaka()),
        (Some("three"), None) => Some(kpi::GradingRules::three_grades()),
        (Some("nagoya"), None) => Some(kpi::GradingRules::nagoya_like()),
        (Some(other), None) => {
            return Err(anyhow!(
                "unknown preset {other:?}: use osaka, three or nagoya"
            ))
        }
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow!("{}: cannot read: {e}", path.display()))?;
            let rules: kpi::GradingRules = serde_json::from_str(&text).map_err(|e| {
                anyhow!(
                    "{}: line {}, column {}: {e}",
                    path.display(),
                    e.line(),
                    e.column()
                )
            })?;
            rules
                .validate()
                .map_err(|e| anyhow!("{}: {e}", path.display()))?;
            Some(rules)
        }
        (None, None) => None,
        (Some(_), Some(_)) => return Err(anyhow!("give either --preset or --file, not both")),
    };
    if let Some(rules) = new_rules {
        // The same function as the browser's rules form: checked, recorded in the history.
        kusei_app::rollup::set_rules(
            &store,
            &kusei_app::Caller::operator("kusei grading"),
            m.id,
            &rules,
        )
        .await?;
        eprintln!(
            "{}: 評価基準を保存しました / grading rules saved ({})",
            m.name, rules.name
        );
    }
    let rules = grading_rules(&store.municipality_settings(m.id).await?)?;
    store.close().await;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &rules)?;
    writeln!(out)?;
    Ok(())
}
