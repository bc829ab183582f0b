//! The app's error type: what a front end is told when a change or a query is refused.
//!
//! A refusal is data (`domain::Refusal`: a kind and its parameters); its words come from
//! the message catalog in the reader's language, and `Display` gives the English.

use crate::domain::Refusal;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A rule, a permission or a missing record said no (boxed: results stay small).
    #[error("{0}")]
    Refused(Box<Refusal>),
    #[error("item {index}: {error}")]
    InBatch { index: usize, error: Box<AppError> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> AppError {
        AppError::Refused(Box::new(refusal))
    }
}

impl AppError {
    /// The error without its batch position.
    pub fn root(&self) -> &AppError {
        match self {
            AppError::InBatch { error, .. } => error.root(),
            other => other,
        }
    }

    /// The refusal behind this error, if it is one (not a store failure).
    pub fn refusal(&self) -> Option<&Refusal> {
        match self.root() {
            AppError::Refused(r) => Some(r),
            _ => None,
        }
    }
}

pub type Result<T> = std::result::Result<T, AppError>;
