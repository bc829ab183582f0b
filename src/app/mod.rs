//! The service layer: the one way in for every front end (CLI, TUI, SSH, sync).
//!
//! `App::execute(ctx, mutation)` checks the actor's permission, validates against current
//! state, appends the mutation to the journal and updates the projections in one atomic
//! write — or changes nothing and returns a typed error. Queries read projections and check
//! scope. Owns: identity, permissions, mutations, queries. Must not touch: sled keys
//! (store/), terminal or process I/O (edges).

mod apply;
mod bench_support;
pub mod mutation;
mod overdue;
pub mod permissions;
pub mod queries;

pub use bench_support::AccrualPass;
pub use mutation::{Mutation, NewContract};
pub use queries::*;

use crate::domain::{Role, User};
use crate::store::{EntryHeader, Reader, Store, StoreError};
use chrono::NaiveDate;
use std::path::Path;

/// Who is acting, and when: "today" is given, never read from a clock below this point.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub actor: String,
    pub today: NaiveDate,
    /// Wall-clock time, seconds since the Unix epoch: recorded in the journal, never used
    /// by the rules.
    pub now: i64,
}

impl Ctx {
    pub fn new(actor: &str, today: NaiveDate, now: i64) -> Ctx {
        Ctx {
            actor: actor.to_string(),
            today,
            now,
        }
    }
}

/// The local administrator the CLI acts as when no `--as` is given.
pub const LOCAL_ADMIN: &str = "admin";

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Invalid(String),
    #[error("user {user} may not do this: missing permission {permission} (held by: {holders})")]
    Forbidden {
        user: String,
        permission: &'static str,
        holders: String,
    },
    #[error("item {index}: {error}")]
    InBatch { index: usize, error: Box<AppError> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AppError {
    /// The error without its batch position.
    pub fn root(&self) -> &AppError {
        match self {
            AppError::InBatch { error, .. } => error.root(),
            other => other,
        }
    }
}

pub type Result<T> = std::result::Result<T, AppError>;

/// What a mutation did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The id of what it created, if it created something.
    pub id: Option<String>,
    /// One line for a person.
    pub message: String,
    /// False when there was nothing to do (nothing was journaled).
    pub changed: bool,
}

impl Outcome {
    fn created(id: String, message: String) -> Outcome {
        Outcome {
            id: Some(id),
            message,
            changed: true,
        }
    }
    fn done(message: String) -> Outcome {
        Outcome {
            id: None,
            message,
            changed: true,
        }
    }
    fn nothing(message: String) -> Outcome {
        Outcome {
            id: None,
            message,
            changed: false,
        }
    }
}

pub struct App {
    store: Store,
}

impl App {
    pub fn open(path: &Path) -> Result<App> {
        Ok(App {
            store: Store::open(path)?,
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The user behind a name: a stored user, or the built-in local administrator.
    pub fn user(&self, name: &str) -> Result<User> {
        resolve_user(&self.store, name)
    }

    /// Runs one mutation as `ctx.actor`: all of it, or nothing.
    pub fn execute(&self, ctx: &Ctx, mutation: Mutation) -> Result<Outcome> {
        let mut outcomes = self
            .run(ctx, std::slice::from_ref(&mutation))
            .map_err(|e| match e {
                AppError::InBatch { error, .. } => *error,
                other => other,
            })?;
        Ok(outcomes.remove(0))
    }

    /// Runs many mutations as one atomic change (an import): all of them, or none.
    /// A failure names the position of the mutation at fault.
    pub fn execute_batch(&self, ctx: &Ctx, mutations: &[Mutation]) -> Result<Vec<Outcome>> {
        if mutations.len() > 1
            && let Some(index) = mutations.iter().position(Mutation::reads_whole_book)
        {
            return Err(AppError::InBatch {
                index,
                error: Box::new(AppError::Invalid(
                    "this change must run on its own, not in a batch".into(),
                )),
            });
        }
        self.run(ctx, mutations)
    }

    fn run(&self, ctx: &Ctx, mutations: &[Mutation]) -> Result<Vec<Outcome>> {
        let _writer = self.store.lock();
        let actor = self.user(&ctx.actor)?;
        let mut txn = self.store.begin();
        let mut outcomes = Vec::with_capacity(mutations.len());
        for (index, mutation) in mutations.iter().enumerate() {
            let at = |error| AppError::InBatch {
                index,
                error: Box::new(error),
            };
            permissions::check(&txn, &actor, mutation).map_err(at)?;
            let header = EntryHeader {
                site: 0,
                seq: 0,
                actor: actor.name.clone(),
                at: ctx.now,
                business_date: ctx.today,
            };
            let outcome = apply::apply(&mut txn, &header, mutation).map_err(at)?;
            if outcome.changed {
                txn.append_journal(header, mutation)
                    .map_err(|e| at(e.into()))?;
            }
            outcomes.push(outcome);
        }
        if !txn.is_empty() {
            txn.commit()?;
            self.store.flush()?;
        }
        Ok(outcomes)
    }

    /// Replays the journal into fresh projections. Returns the number of entries replayed.
    pub fn rebuild(&self) -> Result<u64> {
        let _writer = self.store.lock();
        let entries: Vec<(EntryHeader, Mutation)> = self
            .store
            .journal()
            .collect::<std::result::Result<_, _>>()?;
        self.store.clear_projections()?;
        let mut count = 0;
        for (header, mutation) in entries {
            let mut txn = self.store.begin();
            apply::apply(&mut txn, &header, &mutation).map_err(|e| {
                AppError::Refused(format!(
                    "journal entry {}-{} ({}) no longer applies: {e}; the database needs attention",
                    header.site,
                    header.seq,
                    mutation.permission()
                ))
            })?;
            txn.append_journal(header, &mutation)?;
            txn.commit()?;
            count += 1;
        }
        self.store.flush()?;
        Ok(count)
    }
}

pub(crate) fn resolve_user<R: Reader + ?Sized>(reader: &R, name: &str) -> Result<User> {
    match reader.user(name)? {
        Some(user) if user.disabled => Err(AppError::Forbidden {
            user: name.to_string(),
            permission: "login",
            holders: "enabled users".into(),
        }),
        Some(user) => Ok(user),
        None if name == LOCAL_ADMIN => Ok(User {
            name: LOCAL_ADMIN.into(),
            display: "Administrator".into(),
            roles: vec![Role::Admin],
            branch: None,
            disabled: false,
        }),
        None => Err(AppError::NotFound(format!(
            "user {name} does not exist; check the name given to --as"
        ))),
    }
}
