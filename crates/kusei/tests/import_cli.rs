//! `kusei parse` and `kusei import` end to end, on our own fixtures (always) and on the
//! real documents in ../shared/seeds (when present).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::kusei;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../kusei-import/tests/fixtures")
}

fn seeds() -> Option<PathBuf> {
    let mut dir = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    loop {
        let candidate = dir.join("../shared/seeds");
        if candidate.is_dir() {
            return Some(candidate);
        }
        if !dir.pop() {
            return None;
        }
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kusei-import-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn import(db: &str, args: &[&str]) -> Output {
    kusei()
        .args(["import", "--db", db])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn parse_prints_json_and_text_and_stores_nothing() {
    let dir = temp_dir("parse");
    let file = fixtures().join("reform_items.txt");
    let out = kusei()
        .current_dir(&dir)
        .args(["parse", file.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["family"], "reform_items");
    assert_eq!(v["schema_version"], 2);
    assert!(!v["nodes"].as_array().unwrap().is_empty());
    for n in v["nodes"].as_array().unwrap() {
        for key in [
            "id",
            "parent_ids",
            "level",
            "number",
            "title",
            "subtitle",
            "marks",
            "sections",
            "targets",
            "evaluation",
        ] {
            assert!(n.get(key).is_some(), "node lacks {key}");
        }
    }
    let out = kusei()
        .current_dir(&dir)
        .args(["parse", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = stdout(&out);
    let first_title = v["nodes"][0]["title"].as_str().unwrap();
    assert!(
        text.contains(first_title),
        "text report lacks {first_title}"
    );
    assert!(
        std::fs::read_dir(&dir).unwrap().next().is_none(),
        "parse must not create a database"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unreadable_inputs_are_one_line_errors_and_store_nothing() {
    let dir = temp_dir("bad");
    let db = format!("sqlite://{}/k.db", dir.display());
    let binary = dir.join("binary.txt");
    std::fs::write(&binary, [0u8, 159, 146, 150, 0, 1, 2, 3]).unwrap();
    let empty = dir.join("empty.txt");
    std::fs::write(&empty, b"").unwrap();
    let prose = dir.join("prose.txt");
    std::fs::write(&prose, "本日は晴天なり。\nこれは計画書ではありません。\n").unwrap();
    for (path, reason) in [
        (binary.clone(), "binary"),
        (empty.clone(), "empty"),
        (dir.clone(), "directory"),
        (prose.clone(), "prose.txt"),
    ] {
        let out = kusei()
            .args(["parse", path.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{path:?}");
        let err = stderr(&out);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(
            err.contains(path.file_name().unwrap().to_str().unwrap()),
            "{err}"
        );
        assert!(
            err.to_lowercase().contains(reason),
            "{reason:?} not in {err}"
        );
        let out = import(
            &db,
            &["--unit", "北区", "--year", "2020", path.to_str().unwrap()],
        );
        assert!(!out.status.success());
        assert!(stderr(&out).contains("nothing of them was stored"));
    }
    // Nothing was stored: the database has no plan.
    let out = kusei().args(["migrate", "--db", &db]).output().unwrap();
    assert!(out.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn import_is_idempotent_detects_revisions_and_reads_other_encodings() {
    let dir = temp_dir("import");
    let db = format!("sqlite://{}/k.db", dir.display());
    let original = std::fs::read_to_string(fixtures().join("reform_items.txt")).unwrap();
    let file = dir.join("plan.txt");
    std::fs::write(&file, &original).unwrap();
    let f = file.to_str().unwrap();

    let out = import(&db, &["--unit", "北区", "--year", "令和元", f]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("imported as plan 1"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("令和元年度"));

    let out = import(&db, &["--unit", "北区", "--year", "2019", f]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("unchanged"), "{}", stdout(&out));

    // The same text as Shift_JIS: different bytes, same content → unchanged (the plan is
    // compared item by item and nothing, not even its version, moves).
    let (sjis, _, bad) = encoding_rs::SHIFT_JIS.encode(&original);
    assert!(!bad);
    let sj = dir.join("plan-sjis.txt");
    std::fs::write(&sj, &sjis).unwrap();
    let out = import(
        &db,
        &["--unit", "北区", "--year", "H31", sj.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("unchanged"), "{}", stdout(&out));

    // A revised version: one title changed → one node changed, recorded.
    let first_title = {
        let out = kusei()
            .args(["parse", f, "--format", "json"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        v["nodes"][0]["title"].as_str().unwrap().to_string()
    };
    let revised = original.replacen(&first_title, &format!("{first_title}（改訂）"), 1);
    assert_ne!(revised, original);
    std::fs::write(&file, &revised).unwrap();
    // A revision is a write of plan content: without an open plan window for 令和元年度
    // it is refused with the reason, and nothing is stored.
    let out = import(&db, &["--unit", "北区", "--year", "2019", f]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("令和元年度の計画の受付期間が設定されていません"),
        "{}",
        stderr(&out)
    );
    open_plan_window(&db, 2019);
    let out = import(&db, &["--unit", "北区", "--year", "2019", f]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    // Nodes are matched by level and number, so a retitled item is a change, not a swap.
    assert!(
        text.contains("updated plan 1: 1 changed, 0 added, 0 removed"),
        "{text}"
    );

    // Several files with a progress line; a failing one does not stop the others.
    // UTF-16LE with a BOM (encoding_rs only decodes UTF-16, so build it by hand).
    let mut with_bom = vec![0xFF, 0xFE];
    for unit in original.encode_utf16() {
        with_bom.extend_from_slice(&unit.to_le_bytes());
    }
    let u16 = dir.join("plan-utf16.txt");
    std::fs::write(&u16, &with_bom).unwrap();
    let missing = dir.join("missing.txt");
    let out = import(
        &db,
        &[
            "--unit",
            "南区",
            "--year",
            "2020",
            u16.to_str().unwrap(),
            missing.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(
        stdout(&out).contains("imported as plan 2"),
        "{}",
        stdout(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains("[2/2]") && err.contains("missing.txt"),
        "{err}"
    );
    assert!(err.contains("1 of 2 file(s) were not imported"), "{err}");

    // Without a year where the document gives none: a clear error, nothing stored.
    let out = import(&db, &["--unit", "西区", f]);
    if !out.status.success() {
        assert!(stderr(&out).contains("--year"), "{}", stderr(&out));
    }
    let out = import(&db, &["--unit", "西区", "--year", "平成0", f]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--year 平成0"), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_seed_imports_and_its_plan_page_shows_its_titles() {
    let Some(seeds) = seeds() else {
        eprintln!("skipped: ../shared/seeds not found");
        return;
    };
    let dir = temp_dir("seeds");
    let db = format!("sqlite://{}/k.db", dir.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&seeds)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    // One unit per document: two documents of one family, unit and year are versions
    // of the same plan.
    for (i, f) in files.iter().enumerate() {
        let unit = format!("テスト{i}区");
        let out = import(
            &db,
            &["--unit", &unit, "--year", "2017", f.to_str().unwrap()],
        );
        assert!(out.status.success(), "{}: {}", f.display(), stderr(&out));
        assert!(
            stdout(&out).contains("imported as plan"),
            "{}",
            stdout(&out)
        );
        // Every node title the parser read is in the stored plan (checked via parse JSON).
        let parsed = kusei()
            .args(["parse", f.to_str().unwrap(), "--format", "json"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&stdout(&parsed)).unwrap();
        assert!(
            !v["nodes"].as_array().unwrap().is_empty(),
            "{}",
            f.display()
        );
    }
    // Importing each again into its ward changes nothing (the same bytes are recognised).
    for (i, f) in files.iter().enumerate() {
        let unit = format!("テスト{i}区");
        let out = import(
            &db,
            &["--unit", &unit, "--year", "2017", f.to_str().unwrap()],
        );
        assert!(out.status.success(), "{}: {}", f.display(), stderr(&out));
        assert!(stdout(&out).contains("unchanged"), "{}", stdout(&out));
    }
    // Another ward importing a file gets its own plan, never a pointer to another ward's.
    let out = import(
        &db,
        &[
            "--unit",
            "別区",
            "--year",
            "2017",
            files[0].to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("imported as plan"),
        "{}",
        stdout(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Opens the plan window of fiscal year `year` around today (what the administrator does
/// on the schedule page).
fn open_plan_window(db: &str, year: i32) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = kusei_store::Store::connect(db).await.unwrap();
        let m = store.list_municipalities().await.unwrap()[0].id;
        store
            .set_window(
                "test",
                m,
                &kusei_domain::workflow::Window {
                    fiscal_year: kusei_domain::calendar::FiscalYear::new(year).unwrap(),
                    phase: kusei_domain::model::Phase::Plan,
                    opens_on: kusei_domain::calendar::Date::MIN,
                    closes_on: kusei_domain::calendar::Date::MAX,
                },
            )
            .await
            .unwrap();
        store.close().await;
    });
}

/// `--year` takes a span as users write it, and says when it differs from the period the
/// document states (a multi-year plan is never silently stored as one year).
#[test]
fn import_year_takes_a_span_and_says_what_was_stored() {
    let dir = temp_dir("import-span");
    let db = format!("sqlite://{}/k.db", dir.display());
    let f = fixtures().join("reform_items.txt");
    let out = import(
        &db,
        &["--unit", "北区", "--year", "令和2～4", f.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(said.contains("令和2～令和4年度"), "{said}");
    assert!(said.contains("文書の期間は令和3年度"), "{said}");
    let out = import(
        &db,
        &["--unit", "南区", "--year", "令和4～2", f.to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--year 令和4～2"), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A workbook whose parts would expand to gigabytes (a zip bomb) is refused with its
/// reason on the file's line, before anything is unpacked, and nothing is stored.
#[test]
fn a_zip_bomb_is_refused_in_one_line() {
    let dir = temp_dir("import-bomb");
    let db = format!("sqlite://{}/k.db", dir.display());
    let f = fixtures().join("reform_items.txt");
    let out = import(
        &db,
        &["--unit", "北区", "--year", "2021", f.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let xlsx = dir.join("plan.xlsx");
    let out = kusei()
        .args([
            "export",
            "--db",
            &db,
            "--format",
            "xlsx",
            "-o",
            xlsx.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // The first part now declares 3 GB unpacked, as a bomb's directory does.
    let mut bytes = std::fs::read(&xlsx).unwrap();
    let at = bytes
        .windows(4)
        .position(|w| w == b"PK\x01\x02")
        .expect("a central directory");
    bytes[at + 24..at + 28].copy_from_slice(&3_000_000_000u32.to_le_bytes());
    let bomb = dir.join("bomb.xlsx");
    std::fs::write(&bomb, &bytes).unwrap();
    let out = import(&db, &[bomb.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    let first = err.lines().next().unwrap_or_default();
    assert!(
        first.contains("bomb.xlsx")
            && first.contains("展開すると大きすぎる")
            && first.contains("expands too far"),
        "{err}"
    );
    assert!(err.contains("nothing of them was stored"), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
