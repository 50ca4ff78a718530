//! `kusei parse` (read, store nothing) and `kusei import` (read and store, one
//! transaction per file).

use crate::config::Config;
use anyhow::{anyhow, bail, Context, Result};
use kusei_app::import::Destination;
use kusei_app::{Caller, Clock};
use kusei_domain::calendar::FiscalYear;
use kusei_domain::model::{MunicipalityId, Period};
use kusei_import::convert::document_period;
use kusei_import::ParsedDocument;
use kusei_store::{ImportOutcome, Store};
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// `kusei parse FILE --format json|text`: reads one document and stores nothing.
pub fn parse(file: &Path, format: &str) -> Result<()> {
    let doc = kusei_import::parse_file(file).map_err(|e| anyhow!("{e}"))?;
    let mut out = std::io::stdout().lock();
    match format {
        "json" => {
            serde_json::to_writer_pretty(&mut out, &doc.to_json())?;
            writeln!(out)?;
        }
        _ => write!(out, "{}", doc.render_text())?,
    }
    Ok(())
}

/// Options of `kusei import`.
pub struct ImportArgs {
    pub files: Vec<PathBuf>,
    pub unit: Option<String>,
    pub year: Option<String>,
    pub municipality: Option<String>,
}

const ACTOR: &str = "kusei import";

/// Imports every file; a file that fails is reported on one line and leaves nothing
/// stored, and the others go on. Fails (non-zero exit) when any file failed.
pub async fn import(config: &Config, args: ImportArgs) -> Result<()> {
    let year = args
        .year
        .as_deref()
        .map(|y| Period::parse(y).map_err(|e| anyhow!("--year {y}: {e}")))
        .transpose()?;
    let store = crate::serve::open(config).await?;
    let texts = args.files.iter().any(|f| {
        !f.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
    });
    // Workbooks name their municipality; text documents need one chosen here.
    let municipality = if texts {
        Some(municipality(&store, args.municipality.as_deref()).await?)
    } else {
        None
    };
    let total = args.files.len();
    let mut failed = 0;
    for (i, file) in args.files.iter().enumerate() {
        if total > 1 {
            eprint!("\r[{}/{}] {} ", i + 1, total, file.display());
            let _ = std::io::stderr().flush();
        }
        match import_one(
            &store,
            municipality,
            args.municipality.as_deref(),
            file,
            args.unit.as_deref(),
            year,
        )
        .await
        {
            Ok(line) => {
                if total > 1 {
                    eprintln!();
                }
                println!("{line}");
            }
            Err(e) => {
                if total > 1 {
                    eprintln!();
                }
                failed += 1;
                eprintln!(
                    "kusei: エラー / error: {}",
                    format!("{e:#}").replace(['\n', '\r'], " ")
                );
            }
        }
    }
    store.close().await;
    if failed > 0 {
        bail!("{failed} of {total} file(s) were not imported (nothing of them was stored)");
    }
    Ok(())
}

/// The municipality imports go to: named, else the only real one, else a new one.
async fn municipality(store: &Store, name: Option<&str>) -> Result<MunicipalityId> {
    let all = store.list_municipalities().await?;
    if let Some(name) = name {
        if let Some(m) = all.iter().find(|m| m.name == name) {
            return Ok(m.id);
        }
        let code = format!("import-{}", all.len() + 1);
        return Ok(store.create_municipality(ACTOR, &code, name, false).await?);
    }
    let real: Vec<_> = all.iter().filter(|m| !m.is_sample).collect();
    match real.as_slice() {
        [one] => Ok(one.id),
        [] => Ok(store
            .create_municipality(ACTOR, "000000", "取込データ（自治体未設定）", false)
            .await?),
        _ => bail!(
            "several municipalities exist ({}): give --municipality NAME",
            real.iter()
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The unit a document belongs to: named, else what the document says (業務一覧's title),
/// else asked for on a terminal.
fn unit_name(doc: &ParsedDocument, given: Option<&str>, file: &Path) -> Result<String> {
    if let Some(u) = given {
        return Ok(u.to_string());
    }
    if let Some(t) = &doc.directory_title {
        if let Some(i) = t.text.find("区役所") {
            return Ok(format!("{}区", &t.text[..i]));
        }
    }
    ask(&format!(
        "{}: 区・組織名 / unit name (e.g. 城東区): ",
        file.display()
    ))?
    .ok_or_else(|| {
        anyhow!(
            "{}: the document does not name its ward or unit: give --unit NAME",
            file.display()
        )
    })
}

/// Reads one line from a terminal; `None` when stdin is not a terminal.
fn ask(prompt: &str) -> Result<Option<String>> {
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    eprint!("{prompt}");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let line = line.trim().to_string();
    Ok(Some(line).filter(|l| !l.is_empty()))
}

async fn import_one(
    store: &Store,
    municipality: Option<MunicipalityId>,
    named: Option<&str>,
    file: &Path,
    unit: Option<&str>,
    year: Option<Period>,
) -> Result<String> {
    let name = file.display().to_string();
    if file.is_dir() {
        bail!("{name}: is a directory, not a document");
    }
    let bytes = std::fs::read(file).with_context(|| format!("{name}: cannot read"))?;
    if is_workbook(file, &bytes) {
        return import_workbook(store, named, &name, &bytes).await;
    }
    let municipality = match municipality {
        Some(m) => m,
        None => self::municipality(store, named).await?,
    };
    let doc = kusei_import::parse_bytes(&name, &bytes).map_err(|e| anyhow!("{e}"))?;
    let written = document_period(&doc);
    let period = match year.or(written) {
        Some(p) => p,
        None => {
            let answer = ask(&format!(
                "{name}: 年度 / fiscal year (e.g. 令和7, 2025): "
            ))?
            .ok_or_else(|| {
                let hint = doc
                    .era_context
                    .as_ref()
                    .and_then(|c| FiscalYear::new(c.year).ok().map(|fy| (fy, c.line)))
                    .map(|(fy, line)| {
                        format!(
                            " (it mentions {} at line {line}; if that is the plan's year, pass --year {})",
                            fy.label(),
                            fy.year()
                        )
                    })
                    .unwrap_or_default();
                anyhow!("{name}: the document does not say its fiscal year: give --year (e.g. 2017, 平成29, H29){hint}")
            })?;
            Period::parse(&answer).map_err(|e| anyhow!("{name}: {e}"))?
        }
    };
    let unit_name = unit_name(&doc, unit, file)?;
    let (outcome, content) = kusei_app::import::store_document(
        store,
        &Caller::operator(ACTOR),
        &doc,
        &bytes,
        municipality,
        Destination::Ward(&unit_name),
        period,
        Clock::System.today_jst(),
    )
    .await
    .with_context(|| format!("{name}: not stored"))?;
    let warnings = doc.diagnostics.len();
    let mut what = format!(
        "{} · {} · {}",
        unit_name,
        content.period,
        content.family.label_ja()
    );
    // --year that differs from the period the document states: said, not silent.
    if let Some(w) = written.filter(|w| *w != content.period) {
        what.push_str(&format!(
            "; 文書の期間は{w}、--year により{}として保存 / the document states {w}, stored as {} (--year)",
            content.period, content.period
        ));
    }
    Ok(match outcome {
        ImportOutcome::Unchanged { plan_id } => {
            format!("{name}: 変更なし / unchanged (already imported as plan {plan_id}; {what})")
        }
        ImportOutcome::Created { plan_id, nodes } => format!(
            "{name}: 取込完了 / imported as plan {plan_id}: {nodes} items, {warnings} diagnostics ({what})"
        ),
        ImportOutcome::Updated {
            plan_id,
            changed,
            added,
            removed,
        } => format!(
            "{name}: 改訂を反映 / updated plan {plan_id}: {changed} changed, {added} added, {removed} removed ({what})"
        ),
    })
}

/// An .xlsx (a zip file) rather than extracted text.
fn is_workbook(file: &Path, bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
        || file
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// Imports a workbook Kusei exported (one plan or a city's year). The whole workbook is
/// read and checked before anything is stored; a bad cell names sheet, cell and reason.
/// Plans go to their own units (named in the workbook), each in one transaction.
async fn import_workbook(
    store: &Store,
    named: Option<&str>,
    name: &str,
    bytes: &[u8],
) -> Result<String> {
    let records = kusei_xlsx::read_workbook(bytes).map_err(|e| anyhow!("{name}: {e}"))?;
    let Some(first) = records.first() else {
        bail!("{name}: the workbook holds no plan");
    };
    // The municipality named on the command line, else the one the workbook names.
    let wanted = named.unwrap_or(&first.municipality);
    let municipality = match store
        .list_municipalities()
        .await?
        .into_iter()
        .find(|m| m.name == wanted)
    {
        Some(m) => m.id,
        None => municipality(store, Some(wanted)).await?,
    };
    let (mut created, mut updated, mut unchanged) = (0, 0, 0);
    for r in &records {
        let outcome = kusei_app::import::store_record(
            store,
            &Caller::operator(ACTOR),
            r,
            name,
            municipality,
            Clock::System.today_jst(),
        )
        .await
        .with_context(|| format!("{name}: {} {}: not stored", r.unit, r.content.title))?;
        match outcome {
            ImportOutcome::Created { .. } => created += 1,
            ImportOutcome::Updated {
                changed,
                added,
                removed,
                ..
            } => {
                if changed + added + removed > 0 {
                    updated += 1;
                } else {
                    unchanged += 1;
                }
            }
            ImportOutcome::Unchanged { .. } => unchanged += 1,
        }
    }
    Ok(format!(
        "{name}: {} plan(s): {created} 新規 / created, {updated} 更新 / updated, {unchanged} 変更なし / unchanged",
        records.len()
    ))
}
