//! Queries of the branch sites registered at head office.

use super::outcome::Ctx;
use super::{App, Result, Site};
use crate::domain::Role;
use crate::domain::refusal::{Holders, Refusal, Thing};
use crate::store::Reader;
use crate::store::RecordKind;

impl App {
    /// Every registered site, in number order; admin only.
    pub fn sites(&self, ctx: &Ctx) -> Result<Vec<Site>> {
        let user = self.user(&ctx.actor)?;
        if !user.has(Role::Admin) {
            return Err(Refusal::Forbidden {
                user: user.name,
                permission: "site.manage".into(),
                holders: Holders::Roles(vec![Role::Admin]),
            }
            .into());
        }
        let mut sites = self
            .store()
            .records::<Site>(RecordKind::Site)
            .collect::<std::result::Result<Vec<_>, _>>()?;
        sites.sort_by_key(|s| s.number);
        Ok(sites)
    }

    /// The site named `name`, for an admin or the site's own user.
    pub fn site(&self, ctx: &Ctx, name: &str) -> Result<Site> {
        let user = self.user(&ctx.actor)?;
        let site: Option<Site> = self.store().record(RecordKind::Site, name)?;
        let site = site.ok_or_else(|| Refusal::not_found(Thing::Site, name))?;
        may_sync(user, site)
    }
}

impl App {
    /// The site numbered `number`, for an admin or the site's own user (who syncs for it).
    pub fn site_numbered(&self, ctx: &Ctx, number: u32) -> Result<Site> {
        let user = self.user(&ctx.actor)?;
        let site = self
            .store()
            .records::<Site>(RecordKind::Site)
            .find(|s| s.as_ref().map_or(true, |s| s.number == number))
            .transpose()?
            .ok_or(Refusal::SiteNotRegistered { number })?;
        may_sync(user, site)
    }
}

/// The site, to an admin or the site's own user (who syncs for it); refused to anyone else.
fn may_sync(user: crate::domain::User, site: Site) -> Result<Site> {
    if user.has(Role::Admin) || (user.has(Role::Site) && site.user == user.name) {
        Ok(site)
    } else {
        Err(Refusal::Forbidden {
            user: user.name,
            permission: "site.sync".into(),
            holders: Holders::SiteUser { site: site.name },
        }
        .into())
    }
}

impl App {
    /// The branches customer `id` has been moved out of at this database (`PutCustomer` with
    /// another branch), oldest first; sync tells the sites that held it.
    pub fn branches_left(&self, id: &str) -> Result<Vec<String>> {
        super::ledger::branches_left(self.store(), id)
    }
}
