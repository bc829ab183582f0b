//! Approval rules (审批规则) and the applications that walk their chains (DOMAIN §5–6).
//!
//! Rules are data the admin keeps: per document type, tried in order; the first whose
//! conditions all hold chooses the approval chain; the last rule of every type has no
//! conditions. An application is decided under the rule version in force when it was
//! submitted. Each step approves or rejects with a comment; a rejection returns it to the
//! applicant, who may resubmit (the chain starts again under the rules then in force) or
//! withdraw it. Nobody approves their own application. Pure: no I/O, no clock.

use super::money::Money;
use super::party::{Role, User};
use super::refusal::{DecisionBlock, Refusal};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What an application asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentType {
    Tow,
    Lock,
    Unlock,
    Waiver,
    Outbound,
    Budget,
    /// A contract created in duedesk, to be approved (合同审核).
    Contract,
}

impl DocumentType {
    pub const ALL: [DocumentType; 7] = [
        DocumentType::Tow,
        DocumentType::Lock,
        DocumentType::Unlock,
        DocumentType::Waiver,
        DocumentType::Outbound,
        DocumentType::Budget,
        DocumentType::Contract,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DocumentType::Tow => "tow",
            DocumentType::Lock => "lock",
            DocumentType::Unlock => "unlock",
            DocumentType::Waiver => "waiver",
            DocumentType::Outbound => "outbound",
            DocumentType::Budget => "budget",
            DocumentType::Contract => "contract",
        }
    }

    pub fn parse(text: &str) -> Option<DocumentType> {
        DocumentType::ALL
            .into_iter()
            .find(|d| d.name() == text.trim())
    }
}

/// One step of a chain: any user holding a role in the application's branch, or one user.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Approver {
    Role(Role),
    User(String),
}

impl Approver {
    /// `role:approver` or `user:wang`.
    pub fn parse(text: &str) -> Result<Approver, String> {
        match text.trim().split_once(':') {
            Some(("role", role)) => Role::parse(role)
                .map(Approver::Role)
                .ok_or_else(|| format!("'{role}' is not a role; use one of collector, clerk, sales, finance, approver, admin")),
            Some(("user", name)) if !name.trim().is_empty() => Ok(Approver::User(name.trim().to_string())),
            _ => Err(format!("'{text}' is not a chain step; write role:NAME or user:NAME")),
        }
    }

    pub fn label(&self) -> String {
        match self {
            Approver::Role(role) => format!("role:{}", role.name()),
            Approver::User(name) => format!("user:{name}"),
        }
    }

    /// Whether `user` may decide this step of an application in `branch`. Finance and admin
    /// roles act in any branch; other roles only in their own.
    pub fn admits(&self, user: &User, branch: &str) -> bool {
        if user.disabled {
            return false;
        }
        match self {
            Approver::User(name) => user.name == *name,
            Approver::Role(role) => {
                user.has(*role)
                    && (matches!(role, Role::Finance | Role::Admin)
                        || user.branch.as_deref() == Some(branch))
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub name: String,
    pub document: DocumentType,
    pub branch: Option<String>,
    pub min_days_overdue: Option<i64>,
    pub min_overdue_amount: Option<Money>,
    pub min_amount: Option<Money>,
    pub chain: Vec<Approver>,
}

impl Rule {
    pub fn is_unconditional(&self) -> bool {
        self.branch.is_none()
            && self.min_days_overdue.is_none()
            && self.min_overdue_amount.is_none()
            && self.min_amount.is_none()
    }

    pub fn matches(&self, facts: &Facts) -> bool {
        self.document == facts.document
            && self.branch.as_ref().is_none_or(|b| *b == facts.branch)
            && self
                .min_days_overdue
                .is_none_or(|n| facts.days_overdue >= n)
            && self
                .min_overdue_amount
                .is_none_or(|m| facts.overdue_amount >= m)
            && self
                .min_amount
                .is_none_or(|m| facts.amount.is_some_and(|a| a >= m))
    }
}

/// What the rules look at when an application is submitted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    pub document: DocumentType,
    pub branch: String,
    pub days_overdue: i64,
    pub overdue_amount: Money,
    /// The amount asked for (waiver, budget), if any.
    pub amount: Option<Money>,
}

/// A version of the whole rule set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSet {
    pub version: u32,
    pub rules: Vec<Rule>,
}

impl RuleSet {
    /// Every problem of a rule set, one line each; empty when it can be used.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            if rule.name.trim().is_empty() {
                out.push(format!(
                    "rule {}: name is empty; give every rule a name",
                    i + 1
                ));
            }
            if rule.chain.is_empty() {
                out.push(format!(
                    "rule {} ({}): chain is empty; name at least one approver",
                    i + 1,
                    rule.name
                ));
            }
        }
        for document in DocumentType::ALL {
            let last = self.rules.iter().rfind(|r| r.document == document);
            if !last.is_some_and(Rule::is_unconditional) {
                out.push(format!(
                    "document type {}: the last rule must have no conditions (the default rule); add one",
                    document.name()
                ));
            }
        }
        out
    }

    /// The first rule for the facts. A valid set always has one.
    pub fn choose(&self, facts: &Facts) -> Option<&Rule> {
        self.rules.iter().find(|r| r.matches(facts))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Submitted,
    Approved,
    Rejected,
    Resubmitted,
    Withdrawn,
}

/// One line of an application's history: who did what, when, with what comment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub by: String,
    #[serde(with = "crate::codec::date")]
    pub on: NaiveDate,
    pub at: i64,
    pub action: Action,
    pub step: Option<String>,
    pub comment: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Waiting for the decision of step `step` of its chain.
    InReview {
        step: usize,
    },
    Approved,
    /// Returned to the applicant, who may resubmit or withdraw.
    Rejected,
    Withdrawn,
}

/// Where an application is in its chain, and under which rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub rule_version: u32,
    pub rule_name: String,
    pub chain: Vec<Approver>,
    pub state: ReviewState,
    pub history: Vec<Decision>,
}

impl Review {
    /// Starts the chain chosen by `rules` for `facts`.
    pub fn start(rules: &RuleSet, facts: &Facts) -> Result<Review, Refusal> {
        let rule = rules.choose(facts).ok_or_else(|| Refusal::NoRuleApplies {
            document: facts.document.name().to_string(),
        })?;
        Ok(Review {
            rule_version: rules.version,
            rule_name: rule.name.clone(),
            chain: rule.chain.clone(),
            state: ReviewState::InReview { step: 0 },
            history: Vec::new(),
        })
    }

    /// The step waiting for a decision.
    pub fn current_step(&self) -> Option<&Approver> {
        match self.state {
            ReviewState::InReview { step } => self.chain.get(step),
            _ => None,
        }
    }

    /// Why `user` may not decide the current step, if they may not.
    pub fn decision_blocker(
        &self,
        user: &User,
        applicant: &str,
        branch: &str,
    ) -> Option<DecisionBlock> {
        let Some(step) = self.current_step() else {
            return Some(DecisionBlock::NotWaiting);
        };
        if user.name == applicant {
            return Some(DecisionBlock::OwnApplication);
        }
        if !step.admits(user, branch) {
            return Some(DecisionBlock::NotYourStep {
                step: step.label(),
                user: user.name.clone(),
            });
        }
        None
    }

    /// Records an approval of the current step; the last step approves the application.
    pub fn approve(&mut self, decision: Decision) {
        let ReviewState::InReview { step } = self.state else {
            panic!("approve outside review")
        };
        self.history.push(Decision {
            action: Action::Approved,
            step: Some(self.chain[step].label()),
            ..decision
        });
        self.state = if step + 1 < self.chain.len() {
            ReviewState::InReview { step: step + 1 }
        } else {
            ReviewState::Approved
        };
    }

    pub fn reject(&mut self, decision: Decision) {
        let ReviewState::InReview { step } = self.state else {
            panic!("reject outside review")
        };
        self.history.push(Decision {
            action: Action::Rejected,
            step: Some(self.chain[step].label()),
            ..decision
        });
        self.state = ReviewState::Rejected;
    }

    pub fn state_name(&self) -> &'static str {
        match self.state {
            ReviewState::InReview { .. } => "in_review",
            ReviewState::Approved => "approved",
            ReviewState::Rejected => "rejected",
            ReviewState::Withdrawn => "withdrawn",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, roles: &[Role], branch: &str) -> User {
        User {
            name: name.into(),
            display: name.into(),
            roles: roles.to_vec(),
            branch: Some(branch.into()),
            disabled: false,
        }
    }

    fn rule(name: &str, document: DocumentType, chain: &[&str]) -> Rule {
        Rule {
            name: name.into(),
            document,
            branch: None,
            min_days_overdue: None,
            min_overdue_amount: None,
            min_amount: None,
            chain: chain.iter().map(|s| Approver::parse(s).unwrap()).collect(),
        }
    }

    fn defaults() -> Vec<Rule> {
        DocumentType::ALL
            .iter()
            .map(|d| rule(&format!("default {}", d.name()), *d, &["role:approver"]))
            .collect()
    }

    fn facts(
        document: DocumentType,
        branch: &str,
        days: i64,
        overdue: &str,
        amount: Option<&str>,
    ) -> Facts {
        Facts {
            document,
            branch: branch.into(),
            days_overdue: days,
            overdue_amount: Money::parse(overdue).unwrap(),
            amount: amount.map(|a| Money::parse(a).unwrap()),
        }
    }

    #[test]
    fn the_first_matching_rule_chooses_the_chain() {
        let mut large = rule(
            "large tow",
            DocumentType::Tow,
            &["role:approver", "role:finance", "user:wang"],
        );
        large.branch = Some("合肥".into());
        large.min_days_overdue = Some(90);
        large.min_overdue_amount = Some(Money::parse("100000").unwrap());
        let mut big_waiver = rule(
            "big waiver",
            DocumentType::Waiver,
            &["role:finance", "role:admin"],
        );
        big_waiver.min_amount = Some(Money::parse("500").unwrap());
        let mut rules = vec![large, big_waiver];
        rules.extend(defaults());
        let set = RuleSet { version: 1, rules };
        assert!(set.problems().is_empty(), "{:?}", set.problems());
        let cases = [
            (
                facts(DocumentType::Tow, "合肥", 90, "100000", None),
                "large tow",
            ),
            (
                facts(DocumentType::Tow, "合肥", 89, "100000", None),
                "default tow",
            ),
            (
                facts(DocumentType::Tow, "合肥", 120, "99999.99", None),
                "default tow",
            ),
            (
                facts(DocumentType::Tow, "滁州", 200, "500000", None),
                "default tow",
            ),
            (
                facts(DocumentType::Waiver, "滁州", 0, "0", Some("500.00")),
                "big waiver",
            ),
            (
                facts(DocumentType::Waiver, "滁州", 0, "0", Some("499.99")),
                "default waiver",
            ),
            (
                facts(DocumentType::Lock, "合肥", 365, "1", None),
                "default lock",
            ),
        ];
        for (f, expected) in cases {
            assert_eq!(set.choose(&f).unwrap().name, expected, "{f:?}");
        }
    }

    #[test]
    fn a_set_without_a_final_default_is_refused_naming_the_type() {
        let mut rules = defaults();
        rules.retain(|r| r.document != DocumentType::Unlock);
        let mut conditional = rule("only hefei", DocumentType::Unlock, &["role:approver"]);
        conditional.branch = Some("合肥".into());
        rules.push(conditional);
        let problems = RuleSet { version: 1, rules }.problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("document type unlock"), "{problems:?}");
    }

    #[test]
    fn chain_steps_are_checked() {
        assert!(
            Approver::parse("role:boss")
                .unwrap_err()
                .contains("not a role")
        );
        assert!(
            Approver::parse("wang")
                .unwrap_err()
                .contains("role:NAME or user:NAME")
        );
        assert_eq!(
            Approver::parse("user:wang").unwrap(),
            Approver::User("wang".into())
        );
    }

    #[test]
    fn the_chain_progresses_step_by_step_and_rejection_returns_it() {
        let set = RuleSet {
            version: 3,
            rules: vec![rule(
                "tow",
                DocumentType::Tow,
                &["role:approver", "role:finance"],
            )],
        };
        let f = facts(DocumentType::Tow, "合肥", 100, "5000", None);
        let mut review = Review::start(&set, &f).unwrap();
        assert_eq!(review.rule_version, 3);
        let approver_hf = user("zhao", &[Role::Approver], "合肥");
        let approver_cz = user("qian", &[Role::Approver], "滁州");
        let finance_cz = user("sun", &[Role::Finance], "滁州");
        let d = |by: &str| Decision {
            by: by.into(),
            on: "2026-03-01".parse().unwrap(),
            at: 0,
            action: Action::Submitted,
            step: None,
            comment: "ok".into(),
        };
        // Another branch's approver may not decide; the applicant may not either.
        assert_eq!(
            review.decision_blocker(&approver_cz, "li", "合肥"),
            Some(DecisionBlock::NotYourStep {
                step: "role:approver".into(),
                user: "qian".into()
            })
        );
        assert_eq!(
            review.decision_blocker(&approver_hf, "zhao", "合肥"),
            Some(DecisionBlock::OwnApplication)
        );
        assert!(
            review
                .decision_blocker(&approver_hf, "li", "合肥")
                .is_none()
        );
        review.approve(d("zhao"));
        assert_eq!(review.state, ReviewState::InReview { step: 1 });
        // Finance acts in any branch.
        assert!(review.decision_blocker(&finance_cz, "li", "合肥").is_none());
        assert!(
            review
                .decision_blocker(&approver_hf, "li", "合肥")
                .is_some()
        );
        review.reject(d("sun"));
        assert_eq!(review.state, ReviewState::Rejected);
        assert_eq!(
            review.history.iter().map(|h| h.action).collect::<Vec<_>>(),
            vec![Action::Approved, Action::Rejected]
        );
        assert_eq!(
            review.decision_blocker(&finance_cz, "li", "合肥"),
            Some(DecisionBlock::NotWaiting)
        );
    }

    #[test]
    fn a_disabled_user_admits_nothing() {
        let mut u = user("zhao", &[Role::Approver], "合肥");
        u.disabled = true;
        assert!(!Approver::Role(Role::Approver).admits(&u, "合肥"));
        assert!(!Approver::User("zhao".into()).admits(&u, "合肥"));
    }
}
