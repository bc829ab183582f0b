//! The app's error type: what a front end is told when a change or a query is refused.

use crate::store::StoreError;

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
