//! `kusei serve` and `kusei migrate`.

use crate::config::Config;
use anyhow::{Context, Result};
use kusei_store::{redact_url, Store};

/// Opens and migrates the configured database.
pub async fn open(config: &Config) -> Result<Store> {
    let store = Store::connect(&config.db).await?;
    store
        .migrate()
        .await
        .with_context(|| format!("database {}", redact_url(&config.db)))?;
    Ok(store)
}

pub async fn migrate(config: &Config) -> Result<()> {
    let store = open(config).await?;
    store.close().await;
    println!(
        "データベースは最新です / database is up to date: {}",
        redact_url(&config.db)
    );
    Ok(())
}

pub async fn serve(config: Config) -> Result<()> {
    // Bind before touching the database: a port in use is reported without side effects.
    let listener = tokio::net::TcpListener::bind(&config.addr)
        .await
        .with_context(|| format!("cannot listen on {}", config.addr))?;
    let store = open(&config).await?;
    if let Some(first) = crate::sample::first_start(&store, config.sample).await? {
        // Printed once, to the terminal, never logged.
        println!("{first}");
    }
    let addr = listener.local_addr()?;
    tracing::info!(%addr, db = %redact_url(&config.db), "kusei listening");
    println!("Kusei: http://{addr}/ (Ctrl-C で停止 / to stop)");
    let search = open_search(&config)?;
    let app = kusei_web::app(
        kusei_web::AppState::new(store.clone())
            .with_secure_cookies(config.secure_cookies)
            .with_trust_forwarded_for(config.trust_forwarded_for)
            .with_pdf_font(config.pdf_font.clone())
            .with_search(search.clone()),
    );
    let indexer = tokio::spawn(follow_changes(store.clone(), search));
    let public_url = if config.public_url.trim().is_empty() {
        format!("http://{addr}")
    } else {
        config.public_url.clone()
    };
    let jobs = tokio::spawn(run_jobs(store.clone(), config.clone(), public_url));
    accept(
        listener,
        app,
        std::time::Duration::from_secs(config.header_timeout_secs),
    )
    .await;
    jobs.abort();
    indexer.abort();
    store.close().await;
    tracing::info!("kusei stopped cleanly");
    Ok(())
}

/// The configured search index (see `Config::search_dir`).
pub fn open_search(config: &Config) -> Result<kusei_app::search::Search> {
    match config.search_dir() {
        None => Ok(kusei_app::search::Search::in_memory()?),
        Some(dir) => kusei_app::search::Search::open(&dir).with_context(|| {
            format!(
                "search index {} (each server instance needs a directory of its own: \
                 set search_index / KUSEI_SEARCH_INDEX)",
                dir.display()
            )
        }),
    }
}

/// `kusei search-index [--rebuild]`: catches the index up with the change log, or builds
/// it again; says how many documents it holds and how long it took.
pub async fn search_index(config: &Config, rebuild: bool) -> Result<()> {
    let Some(dir) = config.search_dir() else {
        anyhow::bail!(
            "the search index of this database is kept in memory by each server; give a \
             directory with --index or search_index to keep one on disk"
        );
    };
    let store = open(config).await?;
    let search = open_search(config)?;
    let started = std::time::Instant::now();
    let clock = kusei_app::Clock::System;
    if rebuild {
        search.rebuild(&store, clock).await?;
        search.settle().await?;
    } else {
        search.sync(&store, clock).await?;
    }
    store.close().await;
    println!(
        "検索の索引 / search index {}: {} 件の文書 / documents ({:.1} s)",
        dir.display(),
        search.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Keeps the search index current: built (or caught up) at start, then the change log
/// read every two seconds, so searches rarely wait for it (a search also catches up
/// first, so none misses a committed write).
async fn follow_changes(store: Store, search: kusei_app::search::Search) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
    loop {
        tick.tick().await;
        if let Err(e) = search.sync(&store, kusei_app::Clock::System).await {
            tracing::warn!(error = %e, "search index: could not follow the changes; trying again");
        }
    }
}

/// The background jobs of this instance (reminders, mail), every `jobs_interval_secs`.
/// Every instance runs them; leases in the database make each reminder and mail happen
/// once however many instances there are (`kusei_app::notify::run_jobs`).
async fn run_jobs(store: Store, config: Config, public_url: String) {
    let owner = format!(
        "{}-{}-{}",
        std::env::var("HOSTNAME").unwrap_or_else(|_| "kusei".into()),
        std::process::id(),
        kusei_app::Clock::System.unix()
    );
    let mail = config
        .smtp
        .as_ref()
        .map(|smtp| kusei_app::notify::MailConfig {
            smtp: smtp.clone(),
            from: config.mail_from.clone(),
            base_url: public_url.clone(),
        });
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(config.jobs_interval_secs));
    loop {
        tick.tick().await;
        match kusei_app::notify::run_jobs(&store, kusei_app::Clock::System, &owner, mail.as_ref())
            .await
        {
            Ok(r) if r != kusei_app::notify::JobReport::default() => {
                tracing::info!(
                    reminders = r.reminders_recorded,
                    mailed = r.mailed,
                    unmailed = r.unmailed,
                    failed = r.failed,
                    "jobs ran"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "background jobs failed; trying again later"),
        }
    }
}

/// Serves HTTP/1.1 connections until Ctrl-C or SIGTERM, then lets open requests finish
/// (30 s at most). A connection that does not send a request's headers within
/// `header_timeout` (also between requests, when idle) is closed. Each request carries
/// its peer's address (`ConnectInfo`).
async fn accept(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    header_timeout: std::time::Duration,
) {
    use hyper::body::Incoming;
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt as _;
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut stop = std::pin::pin!(shutdown_signal());
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment, go on.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let service = app
            .clone()
            .map_request(move |mut req: axum::http::Request<Incoming>| {
                req.extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                req.map(axum::body::Body::new)
            });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .serve_connection(
                TokioIo::new(stream),
                hyper_util::service::TowerToHyperService::new(service),
            );
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(std::time::Duration::from_secs(30)) => {
            tracing::warn!("requests still open after 30 s; stopping anyway");
        }
    }
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown requested");
}
