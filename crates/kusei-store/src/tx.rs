//! Write transactions: the one way the store changes data.
//!
//! Invariants:
//! - A write is acknowledged only after its `COMMIT` succeeded.
//! - A connection whose transaction did not end in a successful `COMMIT` never goes back to
//!   the pool: it is closed (the database rolls back what it held), so a failed commit
//!   (a full disk, a lost server) cannot leave a half-open transaction for the next user.
//! - On SQLite, writers take turns: one write transaction at a time per process (a fair
//!   queue), and each starts with `BEGIN IMMEDIATE`, so it holds the write lock from its
//!   first statement; a writer of another process (a `kusei import` beside the server)
//!   is waited for (`busy_timeout`) instead of failing with "database is locked".

use crate::{Backend, Store, StoreError};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Executor};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// How long a writer waits for its turn before the store answers [`StoreError::Busy`].
const TURN_WAIT: Duration = Duration::from_secs(30);

/// The writers' queue of one SQLite database (none for PostgreSQL, which locks rows).
#[derive(Clone, Default)]
pub(crate) struct Turns(Option<Arc<Mutex<()>>>);

impl Turns {
    pub(crate) fn for_backend(backend: Backend) -> Turns {
        match backend {
            Backend::Sqlite => Turns(Some(Arc::new(Mutex::new(())))),
            Backend::Postgres => Turns(None),
        }
    }
}

/// An open write transaction. Commit it with [`WriteTx::commit`]; dropping it rolls back.
pub(crate) struct WriteTx {
    conn: Option<PoolConnection<Any>>,
    _turn: Option<OwnedMutexGuard<()>>,
    backend: Backend,
}

impl Store {
    /// Begins a write transaction (waiting for this process's turn on SQLite).
    pub(crate) async fn write(&self) -> Result<WriteTx, StoreError> {
        let turn = match &self.turns.0 {
            Some(queue) => Some(
                tokio::time::timeout(TURN_WAIT, Arc::clone(queue).lock_owned())
                    .await
                    .map_err(|_| StoreError::Busy)?,
            ),
            None => None,
        };
        let mut conn = self.pool().acquire().await?;
        let begin = match self.backend() {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        };
        if let Err(e) = conn.execute(begin).await {
            discard(conn);
            return Err(e.into());
        }
        Ok(WriteTx {
            conn: Some(conn),
            _turn: turn,
            backend: self.backend(),
        })
    }
}

impl WriteTx {
    /// The database this transaction writes to (for the few statements that differ).
    pub(crate) fn backend(&self) -> Backend {
        self.backend
    }

    /// Commits. On failure nothing was stored and the connection is closed.
    pub(crate) async fn commit(mut self) -> Result<(), StoreError> {
        let Some(mut conn) = self.conn.take() else {
            return Err(StoreError::Database("transaction already ended".into()));
        };
        match conn.execute("COMMIT").await {
            Ok(_) => Ok(()),
            Err(e) => {
                tracing::warn!(error = %crate::error::one_line(&e), "commit failed; connection closed");
                discard(conn);
                Err(e.into())
            }
        }
    }
}

/// Closes a connection instead of returning it to the pool (which opens a fresh one).
fn discard(conn: PoolConnection<Any>) {
    drop(conn.detach());
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            // Not committed (an error or a refusal on the way): closing the connection
            // rolls the transaction back, and nothing of it can reach the next user.
            discard(conn);
        }
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        #[allow(clippy::expect_used)]
        self.conn
            .as_deref()
            .expect("an open transaction has its connection")
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        #[allow(clippy::expect_used)]
        self.conn
            .as_deref_mut()
            .expect("an open transaction has its connection")
    }
}

/// Binding a figure that may be missing.
///
/// sqlx 0.8's `Any` driver hands PostgreSQL a missing `f64` as a `float4` NULL (it swaps
/// the two float kinds for NULLs); the statement cached with that type then rejects the
/// next real `f64` ("incorrect binary data format in bind parameter N"). A missing figure
/// is therefore bound as the kind that reaches PostgreSQL as a `float8` NULL. SQLite has one
/// NULL. `store.rs` meets every order of present and missing figures on both backends.
pub(crate) trait BindFigure {
    fn bind_figure(self, value: Option<f64>) -> Self;
}

impl<'q> BindFigure for sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    fn bind_figure(self, value: Option<f64>) -> Self {
        match value {
            Some(v) => self.bind(v),
            None => self.bind(None::<f32>),
        }
    }
}
