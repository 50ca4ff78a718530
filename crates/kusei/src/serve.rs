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
    if let Some(first) = crate::sample::first_start(&store).await? {
        // Printed once, to the terminal, never logged.
        println!("{first}");
    }
    let addr = listener.local_addr()?;
    tracing::info!(%addr, db = %redact_url(&config.db), "kusei listening");
    println!("Kusei: http://{addr}/ (Ctrl-C で停止 / to stop)");
    let app = kusei_web::app(
        kusei_web::AppState::new(store.clone())
            .with_secure_cookies(config.secure_cookies)
            .with_pdf_font(config.pdf_font.clone()),
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("server stopped with an error")?;
    store.close().await;
    tracing::info!("kusei stopped cleanly");
    Ok(())
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
