//! `kusei export`: plans of a municipality (optionally one unit, one year) written as
//! JSON, CSV, Excel, PDF or print HTML; and `kusei sample-city`.

use crate::config::Config;
use anyhow::{anyhow, bail, Context, Result};
use kusei_app::export::{Exporter, Format};
use kusei_domain::calendar::FiscalYear;
use kusei_store::{Copy, Store};
use std::path::{Path, PathBuf};

/// Options of `kusei export`.
pub struct ExportArgs {
    pub unit: Option<String>,
    pub year: Option<String>,
    pub municipality: Option<String>,
    pub format: String,
    pub output: PathBuf,
    pub published: bool,
}

fn year(y: Option<&str>) -> Result<Option<FiscalYear>> {
    y.map(|y| FiscalYear::parse(y, None).map_err(|e| anyhow!("--year {y}: {e}")))
        .transpose()
}

/// The municipality by name, else the only one with plans.
async fn pick_municipality(
    store: &Store,
    name: Option<&str>,
) -> Result<kusei_domain::model::Municipality> {
    let all = store.list_municipalities().await?;
    if let Some(name) = name {
        return all
            .into_iter()
            .find(|m| m.name == name)
            .ok_or_else(|| anyhow!("no municipality named {name:?}"));
    }
    let real: Vec<_> = all.iter().filter(|m| !m.is_sample).cloned().collect();
    match (real.as_slice(), all.as_slice()) {
        ([one], _) => Ok(one.clone()),
        ([], [one]) => Ok(one.clone()),
        ([], []) => bail!("this database holds no municipality yet: import a document or set one up in the browser first"),
        _ => bail!(
            "several municipalities exist ({}): give --municipality NAME",
            all.iter()
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Writes the export; prints what was written.
pub async fn export(config: &Config, args: ExportArgs) -> Result<()> {
    let format = Format::parse(&args.format)
        .ok_or_else(|| anyhow!("--format {}: use json, csv, xlsx, pdf or html", args.format))?;
    let fy = year(args.year.as_deref())?;
    let store = crate::serve::open(config).await?;
    let m = pick_municipality(&store, args.municipality.as_deref()).await?;
    let unit = match args.unit.as_deref() {
        Some(name) => Some(
            store
                .find_unit(m.id, name)
                .await?
                .ok_or_else(|| anyhow!("--unit {name}: no such unit in {}", m.name))?
                .id,
        ),
        None => None,
    };
    let copy = if args.published {
        Copy::Published
    } else {
        Copy::Working
    };
    let records = store.plan_records(m.id, unit, fy, copy).await?;
    store.close().await;
    if records.is_empty() {
        bail!(
            "no plans match (municipality {}, unit {:?}, year {:?})",
            m.name,
            args.unit,
            args.year
        );
    }
    let mut title = m.name.clone();
    for part in [args.unit.clone(), fy.map(|f| f.label())]
        .into_iter()
        .flatten()
    {
        title.push(' ');
        title.push_str(&part);
    }
    title.push_str(" 計画");
    let exporter = Exporter::new(config.pdf_font.clone());
    let bytes = exporter
        .export(format, &title, &m.name, &records)
        .map_err(|e| anyhow!("{e}"))?;
    write_file(&args.output, &bytes)?;
    println!(
        "{}: {} plan(s), {} bytes ({})",
        args.output.display(),
        records.len(),
        bytes.len(),
        format.label()
    );
    Ok(())
}

/// Writes through a temporary file beside `path` so a failed export leaves no
/// half-written file. Only regular files are written: a device, a directory or a pipe
/// (`/dev/full`) is refused, never replaced.
fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => bail!(
            "{}: not a regular file; export writes files only (give a file name)",
            path.display()
        ),
        _ => {}
    }
    let name = path
        .file_name()
        .ok_or_else(|| anyhow!("{}: not a file name", path.display()))?
        .to_string_lossy()
        .to_string();
    let tmp = path.with_file_name(format!(".{name}.kusei-tmp-{}", std::process::id()));
    let written = std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::File::open(&tmp).and_then(|f| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(anyhow!("{}: cannot write: {e}", path.display()));
    }
    Ok(())
}

/// `kusei sample-city`: creates the made-up city for demonstrations and benchmarks.
pub async fn sample_city(
    config: &Config,
    name: &str,
    wards: usize,
    years: &str,
    items: usize,
) -> Result<()> {
    let (a, b) = years.split_once('-').unwrap_or((years, years));
    let from = FiscalYear::parse(a.trim(), None).map_err(|e| anyhow!("--years {years}: {e}"))?;
    let to = FiscalYear::parse(b.trim(), None).map_err(|e| anyhow!("--years {years}: {e}"))?;
    if from > to {
        bail!("--years {years}: the first year comes after the last");
    }
    let list: Vec<FiscalYear> = (from.year()..=to.year())
        .filter_map(|y| FiscalYear::new(y).ok())
        .collect();
    let store = crate::serve::open(config).await?;
    let code = format!(
        "sample-city-{}",
        store.list_municipalities().await?.len() + 1
    );
    let m = kusei_app::sample_city::load(&store, &code, name, wards, &list, items)
        .await
        .context("cannot create the sample city")?;
    store
        .analyze()
        .await
        .context("cannot refresh the database's statistics")?;
    store.close().await;
    println!(
        "{name} (municipality {m}): {wards} wards × {} years × {items} items, published",
        list.len()
    );
    Ok(())
}
