//! Queries of the branch sites registered at head office.

use super::outcome::Ctx;
use super::{App, AppError, Result, Site};
use crate::domain::Role;
use crate::store::Reader;
use crate::store::RecordKind;

impl App {
    /// Every registered site, in number order; admin only.
    pub fn sites(&self, ctx: &Ctx) -> Result<Vec<Site>> {
        let user = self.user(&ctx.actor)?;
        if !user.has(Role::Admin) {
            return Err(AppError::Forbidden {
                user: user.name,
                permission: "site.manage",
                holders: "admin".into(),
            });
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
        let site = site.ok_or_else(|| {
            AppError::NotFound(format!(
                "site {name} does not exist; see `duedesk site list`"
            ))
        })?;
        if user.has(Role::Admin) || (user.has(Role::Site) && site.user == user.name) {
            Ok(site)
        } else {
            Err(AppError::Forbidden {
                user: user.name,
                permission: "site.sync",
                holders: format!("admin, the user of site {name}"),
            })
        }
    }
}
