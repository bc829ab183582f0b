//! The people of the book: customers (客户) and the dealer's users with their roles.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub id: String,
    pub name: String,
    pub phone: String,
    pub id_number: String,
    pub address: String,
    pub branch: String,
    /// The user name of the collector assigned to this customer.
    pub collector: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Collector,
    Clerk,
    Sales,
    Finance,
    Approver,
    Admin,
    /// The login of a branch site's database syncing with head office: no other permission.
    Site,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Collector,
        Role::Clerk,
        Role::Sales,
        Role::Finance,
        Role::Approver,
        Role::Admin,
        Role::Site,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::Collector => "collector",
            Role::Clerk => "clerk",
            Role::Sales => "sales",
            Role::Finance => "finance",
            Role::Approver => "approver",
            Role::Admin => "admin",
            Role::Site => "site",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.name() == text.trim().to_lowercase())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub name: String,
    pub display: String,
    pub roles: Vec<Role>,
    pub branch: Option<String>,
    pub disabled: bool,
}

impl User {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Finance and admin see the whole book.
    pub fn sees_everything(&self) -> bool {
        self.has(Role::Admin) || self.has(Role::Finance)
    }
}
