//! Branch sites registered at head office (`Mutation::AddSite`): the handler and the record.
//! Must not touch: the journal, what sync keeps about its exchanges (sync/ owns that).

use super::error::Result;
use super::outcome::Outcome;
use super::users;
use crate::domain::Role;
use crate::domain::refusal::Refusal;
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
        return Err(Refusal::Required {
            field: "name".into(),
        }
        .into());
    }
    if code.is_empty()
        || code.len() > 6
        || !code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        return Err(Refusal::SiteCodeInvalid {
            code: code.to_string(),
        }
        .into());
    }
    if number < 2 {
        return Err(Refusal::SiteNumberInvalid { number }.into());
    }
    let branches: Vec<String> = branches
        .iter()
        .map(|b| b.trim().to_string())
        .filter(|b| !b.is_empty())
        .collect();
    if branches.is_empty() {
        return Err(Refusal::SiteBranchesRequired {
            site: name.to_string(),
        }
        .into());
    }
    if txn.record::<Site>(RecordKind::Site, name)?.is_some() {
        return Err(Refusal::SiteExists {
            site: name.to_string(),
        }
        .into());
    }
    for other in txn.store().records::<Site>(RecordKind::Site) {
        let other = other?;
        if other.number == number || other.code == code {
            return Err(Refusal::SiteNumberOrCodeTaken {
                site: other.name,
                number: other.number,
                code: other.code,
            }
            .into());
        }
        if let Some(branch) = branches.iter().find(|b| other.branches.contains(b)) {
            return Err(Refusal::BranchHeldBySite {
                branch: branch.clone(),
                site: other.name,
            }
            .into());
        }
        if other.user == user {
            return Err(Refusal::SiteUserTaken {
                user: user.to_string(),
                site: other.name,
            }
            .into());
        }
    }
    match txn.user(user)? {
        Some(existing) if existing.roles != [Role::Site] => {
            return Err(Refusal::SiteUserHasRoles {
                user: user.to_string(),
            }
            .into());
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
