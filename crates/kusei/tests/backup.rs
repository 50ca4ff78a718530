#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `kusei backup` of a database a running `kusei serve` holds open (a plan imported while
//! it serves, so the saves sit in the WAL) restores with `kusei restore` to a database
//! whose export is byte for byte the serving one's.

mod common;

use common::{kusei, Server};
use std::path::Path;

fn run(args: &[&str]) -> String {
    let out = kusei().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "kusei {}: {}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn export(db: &str, to: &Path) -> Vec<u8> {
    run(&[
        "export",
        "--db",
        db,
        "--format",
        "json",
        "-o",
        to.to_str().unwrap(),
    ]);
    std::fs::read(to).unwrap()
}

#[test]
fn a_backup_of_a_serving_database_restores_to_an_identical_export() {
    let server = Server::start("backup");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/xss_reform_items.txt");
    server.import(&fixture, "東区");
    let db_file = server.dir.join("kusei.db");
    let wal = std::fs::metadata(server.dir.join("kusei.db-wal")).map_or(0, |m| m.len());
    assert!(
        wal > 0,
        "the serving database has a WAL with the import in it"
    );

    let backup = server.dir.join("backup.db");
    let said = run(&["backup", "--db", &server.db, "-o", backup.to_str().unwrap()]);
    assert!(said.contains("バックアップ完了 / backed up"), "{said}");
    assert!(
        said.contains("2 plan(s)"),
        "the sample plan and the import: {said}"
    );
    let live = export(&server.db, &server.dir.join("live.json"));

    let restored_url = format!("sqlite://{}", server.dir.join("restored.db").display());
    let said = run(&["restore", backup.to_str().unwrap(), "--db", &restored_url]);
    assert!(said.contains("復元完了 / restored"), "{said}");
    let restored = export(&restored_url, &server.dir.join("restored.json"));
    assert_eq!(
        live, restored,
        "the restored database exports the same bytes"
    );

    // A second backup to the same name is refused; nothing is overwritten.
    let out = kusei()
        .args(["backup", "--db", &server.db, "-o", backup.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("exists already"));
    // Restoring over an existing database needs --replace.
    let out = kusei()
        .args(["restore", backup.to_str().unwrap(), "--db", &restored_url])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--replace"));

    // What `cp kusei.db` would have kept, for the record (the WAL is left behind).
    let naive = server.dir.join("naive.db");
    std::fs::copy(&db_file, &naive).unwrap();
    let naive_url = format!("sqlite://{}", naive.display());
    let copied = kusei()
        .args(["export", "--db", &naive_url, "--format", "json", "-o"])
        .arg(server.dir.join("naive.json"))
        .output()
        .unwrap();
    eprintln!(
        "a plain copy of kusei.db beside a {wal}-byte WAL: export {}",
        if copied.status.success() && std::fs::read(server.dir.join("naive.json")).unwrap() == live
        {
            "equal (the WAL had been checkpointed)"
        } else {
            "differs or fails"
        }
    );
}
