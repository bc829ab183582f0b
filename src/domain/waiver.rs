//! Interest waiver applications (利息减免, DOMAIN §4): apply → approve or reject.
//! The approval-rules work replaces the single finance/admin decision with rule chains.

use super::money::Money;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WaiverState {
    Pending,
    Approved {
        by: String,
        #[serde(with = "crate::codec::date")]
        on: NaiveDate,
    },
    Rejected {
        by: String,
        #[serde(with = "crate::codec::date")]
        on: NaiveDate,
        reason: String,
    },
}

impl WaiverState {
    pub fn name(&self) -> &'static str {
        match self {
            WaiverState::Pending => "pending",
            WaiverState::Approved { .. } => "approved",
            WaiverState::Rejected { .. } => "rejected",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverApplication {
    pub id: String,
    pub contract_no: String,
    pub amount: Money,
    pub reason: String,
    pub applied_by: String,
    #[serde(with = "crate::codec::date")]
    pub applied_on: NaiveDate,
    /// The penalty outstanding when it was applied for: the figure the approver weighs.
    pub penalty_outstanding_at_application: Money,
    pub state: WaiverState,
}

impl WaiverApplication {
    /// Why `user` cannot decide this application, if they cannot.
    pub fn decision_blocker(&self, user: &str) -> Option<String> {
        if self.state != WaiverState::Pending {
            return Some(format!(
                "waiver {} is already {}",
                self.id,
                self.state.name()
            ));
        }
        if self.applied_by == user {
            return Some(format!(
                "waiver {}: nobody approves their own application; ask another finance or admin user",
                self.id
            ));
        }
        None
    }
}
