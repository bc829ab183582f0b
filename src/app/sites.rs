//! Branch sites registered at head office (`Mutation::AddSite`): the handler and the record.
//! Must not touch: the journal, what sync keeps about its exchanges (sync/ owns that).

use super::error::{AppError, Result};
use super::outcome::Outcome;
use super::users;
use crate::domain::Role;
use crate::store::{Reader, RecordKind, Txn};
use serde::{Deserialize, Serialize};

/// A branch site: its number (head office is 1), the code its ids carry, the branches whose
/// book it holds and the user whose key syncs for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    pub number: u32,
    pub name: String,
    pub code: String,
    pub branches: Vec<String>,
    pub user: String,
}

/// `Mutation::AddSite`.
pub(super) fn add_site(
    txn: &mut Txn<'_>,
    number: u32,
    name: &str,
    code: &str,
    branches: &[String],
    user: &str,
) -> Result<Outcome> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::Invalid("a site needs a name".into()));
    }
    if code.is_empty()
        || code.len() > 6
        || !code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        return Err(AppError::Invalid(format!(
            "site code '{code}': give 1 to 6 capital letters or digits (HF)"
        )));
    }
    if number < 2 {
        return Err(AppError::Invalid(format!(
            "site number {number}: head office is 1, a branch site 2 or more"
        )));
    }
    let branches: Vec<String> = branches
        .iter()
        .map(|b| b.trim().to_string())
        .filter(|b| !b.is_empty())
        .collect();
    if branches.is_empty() {
        return Err(AppError::Invalid(format!(
            "site {name}: give the branches whose book it holds (--branches 合肥,巢湖)"
        )));
    }
    if txn.record::<Site>(RecordKind::Site, name)?.is_some() {
        return Err(AppError::Refused(format!("site {name} already exists")));
    }
    for other in txn.store().records::<Site>(RecordKind::Site) {
        let other = other?;
        if other.number == number || other.code == code {
            return Err(AppError::Refused(format!(
                "site {} already has number {} and code {}; give another",
                other.name, other.number, other.code
            )));
        }
        if let Some(branch) = branches.iter().find(|b| other.branches.contains(b)) {
            return Err(AppError::Refused(format!(
                "branch {branch} is already held by site {}",
                other.name
            )));
        }
        if other.user == user {
            return Err(AppError::Refused(format!(
                "user {user} already syncs for site {}; give each site its own user",
                other.name
            )));
        }
    }
    match txn.user(user)? {
        Some(existing) if existing.roles != [Role::Site] => {
            return Err(AppError::Refused(format!(
                "user {user} exists with other roles; a site's user holds the role site and nothing else, so give a new name"
            )));
        }
        Some(_) => {}
        None => {
            users::add_user(txn, user, user, &[Role::Site], &None)?;
        }
    }
    let site = Site {
        number,
        name: name.to_string(),
        code: code.to_string(),
        branches,
        user: user.to_string(),
    };
    txn.put_record(RecordKind::Site, name, &site);
    Ok(Outcome::created(
        name.to_string(),
        format!("site {name} added as number {number} ({code})"),
    ))
}
