#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Editors saving at the same time over real HTTP on SQLite (issue 12, finding 3): fifty
//! saves of fifty different items all succeed; twenty saves of one item opened at the
//! same version give one save and nineteen 409 pages, each with the text its editor typed.

mod common;

use common::{save_at, serve};

fn db_url(name: &str) -> (String, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("kusei-concurrent-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    (format!("sqlite://{}", dir.join("k.db").display()), dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_editors_saving_different_items_all_succeed() {
    let (url, dir) = db_url("different");
    let served = serve(&url, 50).await;
    let sp = served.store.load_plan(served.plan).await.unwrap();
    let started = std::time::Instant::now();
    let saves: Vec<_> = sp.nodes[1..]
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let addr = served.addr.clone();
            let (id, version) = (n.node.id.0, n.node.version);
            tokio::spawn(async move { save_at(&addr, id, version, &format!("同時{i}")).await })
        })
        .collect();
    let mut statuses = Vec::new();
    for s in saves {
        statuses.push(s.await.unwrap().0);
    }
    let took = started.elapsed();
    let ok = statuses.iter().filter(|s| **s == 303).count();
    eprintln!("50 concurrent saves of different items: {ok} saved in {took:?}");
    assert_eq!(ok, 50, "{statuses:?}");
    let stored = served.store.load_plan(served.plan).await.unwrap();
    for (i, n) in stored.nodes[1..].iter().enumerate() {
        assert_eq!(n.node.title, format!("同時{i}"));
    }
    drop(served);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn same_item_losers_get_409_with_their_text() {
    let (url, dir) = db_url("same");
    let served = serve(&url, 3).await;
    let node = served.store.load_plan(served.plan).await.unwrap().nodes[1]
        .node
        .clone();
    let saves: Vec<_> = (0..20)
        .map(|i| {
            let addr = served.addr.clone();
            let (id, version) = (node.id.0, node.version);
            tokio::spawn(async move {
                let title = format!("編集者{i}の題");
                let (status, page) = save_at(&addr, id, version, &title).await;
                (status, page, title)
            })
        })
        .collect();
    let mut won = Vec::new();
    let mut conflicts = 0;
    for s in saves {
        let (status, page, title) = s.await.unwrap();
        match status {
            303 => won.push(title),
            409 => {
                conflicts += 1;
                assert!(page.contains(&title), "the loser's text is on the 409 page");
            }
            other => panic!("a save answered {other}: {page}"),
        }
    }
    assert_eq!((won.len(), conflicts), (1, 19));
    let stored = served.store.load_plan(served.plan).await.unwrap().nodes[1]
        .node
        .clone();
    assert_eq!(stored.title, won[0]);
    assert_eq!(stored.version, node.version + 1);
    drop(served);
    let _ = std::fs::remove_dir_all(dir);
}
