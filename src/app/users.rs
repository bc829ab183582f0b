//! Handlers of users, SSH keys, session events, approval rules and the inbox's local marks.

use super::applications::*;
use super::book::*;
use super::error::Result;
use super::outcome::Outcome;
use crate::domain::approval::{Rule, RuleSet};
use crate::domain::refusal::{Holders, Refusal};
use crate::domain::workflow::Delivery;
use crate::domain::{Role, User};
use crate::i18n::Lang;
use crate::store::{EntryHeader, Reader, RecordKind, Txn};

/// `Mutation::AddUser`.
pub(super) fn add_user(
    txn: &mut Txn<'_>,
    name: &str,
    display: &str,
    roles: &[Role],
    branch: &Option<String>,
) -> Result<Outcome> {
    required("name", name)?;
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || "._-".contains(c))
    {
        return Err(Refusal::BadUserName {
            name: name.to_string(),
        }
        .into());
    }
    if txn.user(name)?.is_some() {
        return Err(Refusal::UserExists {
            name: name.to_string(),
        }
        .into());
    }
    if roles.is_empty() {
        return Err(Refusal::NoRoles {
            name: name.to_string(),
        }
        .into());
    }
    let user = User {
        name: name.to_string(),
        display: if display.trim().is_empty() {
            name.to_string()
        } else {
            display.to_string()
        },
        roles: sorted(roles),
        branch: branch.clone(),
        disabled: false,
    };
    txn.put_user(&user);
    Ok(Outcome::created(
        name.to_string(),
        format!("user {name} added"),
    ))
}

/// `Mutation::DisableUser`.
pub(super) fn disable_user(txn: &mut Txn<'_>, name: &str) -> Result<Outcome> {
    let mut user = existing_user(txn, name)?;
    if user.disabled {
        return Ok(Outcome::nothing(format!("user {name} is already disabled")));
    }
    user.disabled = true;
    txn.put_user(&user);
    Ok(Outcome::done(format!("user {name} disabled")))
}

/// `Mutation::SetRoles`.
pub(super) fn set_roles(txn: &mut Txn<'_>, name: &str, roles: &[Role]) -> Result<Outcome> {
    if roles.is_empty() {
        return Err(Refusal::NoRoles {
            name: name.to_string(),
        }
        .into());
    }
    let mut user = existing_user(txn, name)?;
    user.roles = sorted(roles);
    txn.put_user(&user);
    let names: Vec<&str> = user.roles.iter().map(|r| r.name()).collect();
    Ok(Outcome::done(format!(
        "user {name}: roles {}",
        names.join(",")
    )))
}

/// `Mutation::SetBranch`: an empty branch is no branch.
pub(super) fn set_branch(
    txn: &mut Txn<'_>,
    name: &str,
    branch: &Option<String>,
) -> Result<Outcome> {
    let mut user = existing_user(txn, name)?;
    let branch = branch.as_ref().map(|b| b.trim()).filter(|b| !b.is_empty());
    if user.branch.as_deref() == branch {
        return Ok(Outcome::nothing(format!(
            "user {name}: branch is already {}",
            branch.unwrap_or("none")
        )));
    }
    user.branch = branch.map(str::to_string);
    txn.put_user(&user);
    Ok(Outcome::done(format!(
        "user {name}: branch {}",
        branch.unwrap_or("none")
    )))
}

/// `Mutation::AddKey`.
pub(super) fn add_key(
    txn: &mut Txn<'_>,
    user: &str,
    key: &str,
    fingerprint: &str,
) -> Result<Outcome> {
    key_owner_exists(txn, user)?;
    if !fingerprint.starts_with("SHA256:") || key.split_whitespace().count() < 2 {
        return Err(Refusal::BadKey {
            user: user.to_string(),
        }
        .into());
    }
    if let Some(found) = txn.record::<UserKey>(RecordKind::UserKey, fingerprint)? {
        return Err(Refusal::KeyTaken {
            fingerprint: fingerprint.to_string(),
            user: found.user,
        }
        .into());
    }
    let record = UserKey {
        user: user.to_string(),
        key: key.trim().to_string(),
    };
    txn.put_record(RecordKind::UserKey, fingerprint, &record);
    Ok(Outcome::created(
        fingerprint.to_string(),
        format!("key {fingerprint} added for user {user}"),
    ))
}

/// `Mutation::RemoveKey`.
pub(super) fn remove_key(txn: &mut Txn<'_>, user: &str, fingerprint: &str) -> Result<Outcome> {
    match txn.record::<UserKey>(RecordKind::UserKey, fingerprint)? {
        Some(found) if found.user == *user => {
            txn.delete_record(RecordKind::UserKey, fingerprint);
            Ok(Outcome::done(format!(
                "key {fingerprint} removed from user {user}"
            )))
        }
        _ => Err(Refusal::NoSuchKey {
            user: user.to_string(),
            fingerprint: fingerprint.to_string(),
        }
        .into()),
    }
}

/// `Mutation::Session`.
pub(super) fn session(
    header: &EntryHeader,
    user: &str,
    event: &super::SessionEvent,
    peer: &str,
) -> Result<Outcome> {
    if header.actor != *user {
        return Err(Refusal::SessionOfOther {
            user: user.to_string(),
        }
        .into());
    }
    Ok(Outcome::done(format!(
        "{user} {} from {peer}",
        event.name()
    )))
}

/// `Mutation::SetRules`.
pub(super) fn set_rules(txn: &mut Txn<'_>, rules: &[Rule]) -> Result<Outcome> {
    let version = txn.rules()?.map_or(0, |r| r.version) + 1;
    let set = RuleSet {
        version,
        rules: rules.to_vec(),
    };
    let problems = set.problems();
    if !problems.is_empty() {
        return Err(Refusal::RulesInvalid { problems }.into());
    }
    txn.set_rules(&set);
    Ok(Outcome::done(format!(
        "approval rules version {version}: {} rules",
        rules.len()
    )))
}

/// `Mutation::MarkRead`.
pub(super) fn mark_read(
    txn: &mut Txn<'_>,
    header: &EntryHeader,
    ids: &[String],
) -> Result<Outcome> {
    let mut changed = 0;
    for id in ids {
        let mut n = notification(txn, id)?;
        if n.user != header.actor {
            return Err(Refusal::Forbidden {
                user: header.actor.clone(),
                permission: "inbox.read".into(),
                holders: Holders::InboxOwner { user: n.user },
            }
            .into());
        }
        if !n.read {
            n.read = true;
            txn.put_record(RecordKind::Notification, id, &n);
            changed += 1;
        }
    }
    if changed == 0 {
        return Ok(Outcome::nothing("nothing new to mark as read".into()));
    }
    Ok(Outcome::done(format!(
        "{changed} notifications marked as read"
    )))
}

/// `Mutation::RecordDelivery`.
pub(super) fn record_delivery(
    txn: &mut Txn<'_>,
    id: &str,
    delivered: &bool,
    error: &str,
    at: &i64,
) -> Result<Outcome> {
    let mut n = notification(txn, id)?;
    let attempts = match &n.delivery {
        Delivery::Failed { attempts, .. } => attempts + 1,
        _ => 1,
    };
    n.delivery = if *delivered {
        Delivery::Delivered { at: *at }
    } else {
        Delivery::Failed {
            attempts,
            error: error.to_string(),
            at: *at,
        }
    };
    txn.put_record(RecordKind::Notification, id, &n);
    Ok(Outcome::done(format!(
        "notification {id}: delivery recorded"
    )))
}

fn sorted(roles: &[Role]) -> Vec<Role> {
    let mut roles = roles.to_vec();
    roles.sort();
    roles.dedup();
    roles
}

/// Keys and languages belong to stored users, or to the built-in local administrator.
fn key_owner_exists(txn: &Txn<'_>, name: &str) -> Result<()> {
    if name == super::LOCAL_ADMIN {
        return Ok(());
    }
    existing_user(txn, name).map(|_| ())
}

/// `Mutation::SetLanguage`.
pub(super) fn set_language(txn: &mut Txn<'_>, name: &str, lang: Lang) -> Result<Outcome> {
    key_owner_exists(txn, name)?;
    let before: Option<Lang> = txn.record(RecordKind::UserLang, name)?;
    if before == Some(lang) {
        return Ok(Outcome::nothing(format!(
            "user {name}: language is already {}",
            lang.code()
        )));
    }
    txn.put_record(RecordKind::UserLang, name, &lang);
    Ok(Outcome::done(format!(
        "user {name}: language {}",
        lang.code()
    )))
}
