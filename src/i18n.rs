//! The message catalog: every piece of text a person reads, in English and Simplified Chinese
//! (the screens, and the refusals and notifications the app words for the CLI too).
//!
//! Owns: `Lang`, `Msg` and the two translations of each message, the words for the domain's
//! enumerations (buckets, promise and machine states, channels). Must not touch: layout,
//! styles, the app. Terms follow DOMAIN.md's glossary.

use crate::domain::refusal::{DecisionBlock, Holders, Refusal, Thing};
use crate::domain::workflow::{Notification, NotificationKind};
use crate::domain::{Bucket, Channel, PromiseState};
use std::fmt;

/// A language of the catalog. A user's preferred language is journaled (`SetLanguage`) and
/// stored: languages are only ever appended, never reordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// `en`, `zh`, or a locale such as `zh_CN.UTF-8` / `en_US`.
    pub fn parse(text: &str) -> Option<Lang> {
        let t = text.trim().to_ascii_lowercase();
        if t.starts_with("zh") {
            Some(Lang::Zh)
        } else if t.starts_with("en") || t == "c" || t == "posix" || t.starts_with("c.") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language of the environment: `LC_ALL`, else `LC_MESSAGES`, else `LANG`; English
    /// when none is set or none names a language we have.
    pub fn from_env() -> Lang {
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(value) = std::env::var(var)
                && !value.is_empty()
            {
                return Lang::parse(&value).unwrap_or_default();
            }
        }
        Lang::En
    }

    /// `en` or `zh`: how the CLI names a language.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    pub fn t(self, msg: Msg) -> &'static str {
        let (en, zh) = msg.texts();
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }

    /// A message with `{}` placeholders filled in order.
    pub fn f(self, msg: Msg, args: &[&str]) -> String {
        let mut out = String::new();
        let mut args = args.iter();
        let mut rest = self.t(msg);
        while let Some(at) = rest.find("{}") {
            out.push_str(&rest[..at]);
            out.push_str(args.next().copied().unwrap_or(""));
            rest = &rest[at + 2..];
        }
        out.push_str(rest);
        out
    }

    pub fn bucket(self, bucket: Bucket) -> &'static str {
        match (self, bucket) {
            (Lang::Zh, Bucket::Current) => "未逾期",
            (Lang::En, Bucket::Current) => "current",
            (_, b) => b.label(),
        }
    }

    pub fn promise(self, state: PromiseState) -> &'static str {
        self.t(match state {
            PromiseState::Kept => Msg::PromiseKept,
            PromiseState::Due => Msg::PromiseDue,
            PromiseState::Broken => Msg::PromiseBroken,
        })
    }

    /// Machine states as the app names them (`normal`, `locked`, `towed`).
    pub fn machine(self, name: &str) -> &'static str {
        self.t(match name {
            "locked" => Msg::MachineLocked,
            "towed" => Msg::MachineTowed,
            _ => Msg::MachineNormal,
        })
    }

    pub fn channel(self, channel: Channel) -> &'static str {
        self.t(match channel {
            Channel::Call => Msg::ChannelCall,
            Channel::Visit => Msg::ChannelVisit,
            Channel::Sms => Msg::ChannelSms,
            Channel::Wechat => Msg::ChannelWechat,
        })
    }

    /// Channel names as the app's views give them.
    pub fn channel_name(self, name: &str) -> &'static str {
        Channel::parse(name).map_or("?", |c| self.channel(c))
    }

    /// Payment and waiver states as the app names them.
    pub fn status(self, name: &str) -> &'static str {
        self.t(match name {
            "pending" => Msg::StatusPending,
            "confirmed" => Msg::StatusConfirmed,
            "void" => Msg::StatusVoid,
            "approved" => Msg::StatusApproved,
            "rejected" => Msg::StatusRejected,
            "settled" => Msg::StatusSettled,
            "repossessed" => Msg::StatusRepossessed,
            "in_review" => Msg::StatusInReview,
            "withdrawn" => Msg::StatusWithdrawn,
            "scheduled" => Msg::StatusScheduled,
            "done" => Msg::StatusDone,
            "failed" => Msg::StatusFailed,
            "draft" => Msg::StatusDraft,
            _ => Msg::StatusActive,
        })
    }

    /// Machine stock states as the app names them (`in_stock`, `reserved`, …).
    pub fn stock_state(self, name: &str) -> &'static str {
        self.t(match name {
            "reserved" => Msg::StockReserved,
            "shipped" => Msg::StockShipped,
            "towed_back" => Msg::StockTowedBack,
            _ => Msg::StockInStock,
        })
    }

    /// Outbound order states as the app names them (`draft`, `submitted`, …).
    pub fn order_state(self, name: &str) -> &'static str {
        self.t(match name {
            "submitted" => Msg::OrderSubmitted,
            "approved" => Msg::OrderApproved,
            "shipped" => Msg::OrderShipped,
            "cancelled" => Msg::OrderCancelled,
            _ => Msg::OrderDraft,
        })
    }

    /// The name of a document type (`tow`, `lock`, …) in this language.
    /// An unknown name is shown as it is rather than as another document's name.
    /// A state as the app names it (`draft`, `in_review`, `approved`…), in this language.
    pub fn state_name(self, name: &str) -> &str {
        state_word(self, name)
    }

    /// A budget spending category (`tow`, `travel`, `legal`, `other`) in this language.
    pub fn budget_category(self, name: &str) -> &str {
        let msg = match name {
            "tow" => Msg::BudgetCatTow,
            "travel" => Msg::BudgetCatTravel,
            "legal" => Msg::BudgetCatLegal,
            "other" => Msg::BudgetCatOther,
            other => return other,
        };
        self.t(msg)
    }

    pub fn document(self, name: &str) -> &str {
        let msg = match name {
            "tow" => Msg::DocTow,
            "lock" => Msg::DocLock,
            "unlock" => Msg::DocUnlock,
            "waiver" => Msg::DocWaiver,
            "outbound" => Msg::DocOutbound,
            "budget" => Msg::DocBudget,
            "contract" => Msg::DocContract,
            other => return other,
        };
        self.t(msg)
    }
}

/// A state as the app names it (`settled`, `draft`, `in_review`, `locked`…), in this
/// language: English keeps the app's name (what the CLI always printed).
fn state_word(lang: Lang, name: &str) -> &str {
    if lang == Lang::En {
        return name;
    }
    let msg = match name {
        "pending" => Msg::StatusPending,
        "confirmed" => Msg::StatusConfirmed,
        "void" => Msg::StatusVoid,
        "active" => Msg::StatusActive,
        "settled" => Msg::StatusSettled,
        "repossessed" => Msg::StatusRepossessed,
        "in_review" => Msg::StatusInReview,
        "approved" => Msg::StatusApproved,
        "rejected" => Msg::StatusRejected,
        "withdrawn" => Msg::StatusWithdrawn,
        "scheduled" => Msg::StatusScheduled,
        "done" => Msg::StatusDone,
        "failed" => Msg::StatusFailed,
        "draft" => Msg::OrderDraft,
        "submitted" => Msg::OrderSubmitted,
        "shipped" => Msg::OrderShipped,
        "cancelled" => Msg::OrderCancelled,
        "normal" => Msg::MachineNormal,
        "locked" => Msg::MachineLocked,
        "towed" => Msg::MachineTowed,
        other => return other,
    };
    lang.t(msg)
}

/// A field as the app names it (`reason`, `customer_id`, …), in this language: English keeps
/// the app's name, which is also the column of an import file.
fn field_word(lang: Lang, name: &str) -> &str {
    if lang == Lang::En {
        return name;
    }
    let msg = match name {
        "reason" => Msg::FieldReason,
        "result" => Msg::FieldResult,
        "comment" => Msg::FieldComment,
        "location" => Msg::FieldLocation,
        "yard" => Msg::FieldYard,
        "code" => Msg::FieldCode,
        "contract_no" => Msg::FieldContractNo,
        "serial" => Msg::ColSerial,
        "model" => Msg::ColModel,
        "type" => Msg::ColType,
        "branch" => Msg::ColBranch,
        "collector" => Msg::ColCollector,
        "customer_id" => Msg::ColCustomer,
        "name" => Msg::ColName,
        other => return other,
    };
    lang.t(msg)
}

impl Lang {
    /// A refusal, whole, in this language.
    pub fn refusal(self, refusal: &Refusal) -> String {
        use Refusal as R;
        let f = |msg: Msg, args: &[&str]| self.f(msg, args);
        let state = |name: &str| state_word(self, name).to_string();
        let doc = |name: &str| self.document(name).to_string();
        match refusal {
            R::Forbidden {
                user,
                permission,
                holders,
            } => f(
                Msg::RefForbidden,
                &[user, permission, &self.holders(holders)],
            ),
            R::NotFound { what, id } => f(
                match what {
                    Thing::Contract => Msg::NotFoundContract,
                    Thing::Payment => Msg::NotFoundPayment,
                    Thing::Order => Msg::NotFoundOrder,
                    Thing::Machine => Msg::NotFoundMachine,
                    Thing::Accessory => Msg::NotFoundAccessory,
                    Thing::User => Msg::NotFoundUser,
                    Thing::Application => Msg::NotFoundApplication,
                    Thing::Notification => Msg::NotFoundNotification,
                    Thing::Actor => Msg::NotFoundActor,
                    Thing::Site => Msg::NotFoundSite,
                },
                &[id],
            ),
            R::Required { field } => f(Msg::RefRequired, &[field_word(self, field)]),
            R::ContractExists { contract } => f(Msg::RefContractExists, &[contract]),
            R::CustomerMissing { customer, contract } => {
                f(Msg::RefCustomerMissing, &[customer, contract])
            }
            R::ContractClosed { contract, state: s } => {
                f(Msg::RefContractClosed, &[contract, &state(s)])
            }
            R::InstallmentExists { contract, seq } => {
                f(Msg::RefInstallmentExists, &[contract, &seq.to_string()])
            }
            R::InstallmentNegative { contract, seq } => {
                f(Msg::RefInstallmentNegative, &[contract, &seq.to_string()])
            }
            R::PaymentNotPositive { amount } => {
                f(Msg::RefPaymentNotPositive, &[&amount.to_string()])
            }
            R::ReceivedAfterToday { received_on, today } => f(
                Msg::RefReceivedAfterToday,
                &[&received_on.to_string(), &today.to_string()],
            ),
            R::PaymentNotPending { id, state: s } => f(Msg::RefPaymentNotPending, &[id, &state(s)]),
            R::PaymentVoid { id } => f(Msg::RefPaymentVoid, &[id]),
            R::PromiseNotPositive { amount } => {
                f(Msg::RefPromiseNotPositive, &[&amount.to_string()])
            }
            R::PromiseInPast { date, today } => f(
                Msg::RefPromiseInPast,
                &[&date.to_string(), &today.to_string()],
            ),
            R::PaymentsPending { contract, pending } => {
                f(Msg::RefPaymentsPending, &[contract, &pending.to_string()])
            }
            R::BalanceOutstanding {
                contract,
                principal,
                interest,
                penalty,
            } => {
                let parts: Vec<String> = [
                    (Msg::OutstandingPrincipal, principal),
                    (Msg::OutstandingInterest, interest),
                    (Msg::OutstandingPenalty, penalty),
                ]
                .into_iter()
                .filter(|(_, m)| m.is_positive())
                .map(|(msg, m)| f(msg, &[&m.to_string()]))
                .collect();
                f(
                    Msg::RefOutstanding,
                    &[contract, &parts.join(self.t(Msg::ListSep))],
                )
            }
            R::AccrualUnfinished { through, done } => {
                f(Msg::RefAccrualUnfinished, &[&through.to_string(), done])
            }
            R::NoAccrualRun => f(Msg::RefNoAccrualRun, &[]),
            R::AccrualPartBackwards { after, upto } => {
                f(Msg::RefAccrualPartBackwards, &[after, upto])
            }
            R::OverdueLineStale { contract, day } => {
                f(Msg::RefOverdueLineStale, &[contract, &day.to_string()])
            }
            R::NotInBatch => f(Msg::RefNotInBatch, &[]),
            R::JournalEntryFails {
                entry,
                mutation,
                why,
            } => f(Msg::RefJournalEntry, &[entry, mutation, why]),
            R::BadUserName { name } => f(Msg::RefBadUserName, &[name]),
            R::UserExists { name } => f(Msg::RefUserExists, &[name]),
            R::NoRoles { name } => f(Msg::RefNoRoles, &[name]),
            R::BadKey { user } => f(Msg::RefBadKey, &[user]),
            R::KeyTaken { fingerprint, user } => f(Msg::RefKeyTaken, &[fingerprint, user]),
            R::NoSuchKey { user, fingerprint } => f(Msg::RefNoSuchKey, &[user, fingerprint, user]),
            R::SessionOfOther { user } => f(Msg::RefSessionOfOther, &[user, user]),
            R::RulesInvalid { problems } => f(Msg::RefRulesInvalid, &[&problems.join("; ")]),
            R::WaiverNotPositive { contract } => f(Msg::RefWaiverNotPositive, &[contract]),
            R::OverdueRemains { contract, overdue } => {
                f(Msg::RefOverdueRemains, &[contract, &overdue.to_string()])
            }
            R::WaiverOverPenalty {
                contract,
                amount,
                penalty,
            } => f(
                Msg::RefWaiverOverPenalty,
                &[contract, &amount.to_string(), &penalty.to_string()],
            ),
            R::WaiverOverPenaltyToday {
                id,
                amount,
                penalty,
            } => f(
                Msg::RefWaiverOverPenaltyToday,
                &[id, &amount.to_string(), &penalty.to_string()],
            ),
            R::NotMachineDocument { document } => f(Msg::RefNotMachineDocument, &[&doc(document)]),
            R::MachineStateForbids {
                contract,
                machine,
                document,
            } => f(
                Msg::RefMachineStateForbids,
                &[contract, &state(machine), &doc(document)],
            ),
            R::InFlight {
                contract,
                document,
                id,
                stage,
            } => f(
                Msg::RefInFlight,
                &[contract, &doc(document), id, &state(stage)],
            ),
            R::NoRuleApplies { document } => f(Msg::RefNoRuleApplies, &[&doc(document)]),
            R::NotRejected { id, state: s } => f(Msg::RefNotRejected, &[id, &state(s)]),
            R::NotWithdrawable { id, state: s } => f(Msg::RefNotWithdrawable, &[id, &state(s)]),
            R::NotATow { id, document } => f(Msg::RefNotATow, &[id, &doc(document)]),
            R::TowAlreadyRegistered { id } => f(Msg::RefTowRegistered, &[id]),
            R::TowNotApproved { id, stage } => f(Msg::RefTowNotApproved, &[id, &state(stage)]),
            R::TowNotRegistered { id } => f(Msg::RefTowNotRegistered, &[id]),
            R::TowClosed { id, stage } => f(Msg::RefTowClosed, &[id, &state(stage)]),
            R::NotLockOrUnlock { id, document } => {
                f(Msg::RefNotLockOrUnlock, &[id, &doc(document)])
            }
            R::AlreadyExecuted { document, id } => {
                f(Msg::RefAlreadyExecuted, &[&doc(document), id])
            }
            R::NotExecutable {
                document,
                id,
                stage,
            } => f(Msg::RefNotExecutable, &[&doc(document), id, &state(stage)]),
            R::CrewRequired => f(Msg::RefCrewRequired, &[]),
            R::MachineExists { serial } => f(Msg::RefMachineExists, &[serial]),
            R::ModelTypeMismatch { model, is, given } => {
                f(Msg::RefModelTypeMismatch, &[model, is, given])
            }
            R::AccessoryReserved {
                code,
                reserved,
                quantity,
            } => f(
                Msg::RefAccessoryReserved,
                &[code, &reserved.to_string(), &quantity.to_string()],
            ),
            R::ContractNotApproved { contract, state: s } if s == "draft" => {
                f(Msg::RefContractDraft, &[contract])
            }
            R::ContractNotApproved { contract, state: s } => {
                f(Msg::RefContractNotApproved, &[contract, &state(s)])
            }
            R::OrderOpen {
                contract,
                order,
                state: s,
            } => f(Msg::RefOrderOpen, &[contract, order, &state(s)]),
            R::OrderNotDraft { order, state: s } => f(Msg::RefOrderNotDraft, &[order, &state(s)]),
            R::SerialHeld {
                serial,
                order,
                contract,
                holder,
            } => f(
                Msg::RefSerialHeld,
                &[serial, &self.holder(order, contract, holder)],
            ),
            R::SerialShipped {
                serial,
                order,
                contract,
                holder,
            } => f(
                Msg::RefSerialShipped,
                &[serial, &self.holder(order, contract, holder)],
            ),
            R::SerialTowedBack { serial } => f(Msg::RefSerialTowedBack, &[serial]),
            R::WrongType {
                serial,
                model,
                machine_type,
                contract_type,
                contract_model,
            } => f(
                Msg::RefWrongType,
                &[serial, model, machine_type, contract_type, contract_model],
            ),
            R::ContractTypeUnknown {
                serial,
                model,
                contract_model,
            } => f(
                Msg::RefContractTypeUnknown,
                &[serial, model, contract_model],
            ),
            R::QuantityZero => f(Msg::RefQuantityZero, &[]),
            R::AccessoryShort {
                code,
                name,
                available,
                unit,
                asked,
            } => f(
                Msg::RefAccessoryShort,
                &[code, name, &available.to_string(), unit, &asked.to_string()],
            ),
            R::NoSerialPicked { order } => f(Msg::RefNoSerialPicked, &[order]),
            R::OrderNotApproved { order, state: s } => {
                f(Msg::RefOrderNotApproved, &[order, &state(s)])
            }
            R::SwapNeedsShipped { order, state: s } => {
                f(Msg::RefSwapNeedsShipped, &[order, &state(s)])
            }
            R::OrderClosed { order, state: s } => f(Msg::RefOrderClosed, &[order, &state(s)]),
            R::IdMissing { kind } => f(Msg::RefIdMissing, &[kind]),
            R::IdTaken { kind, id } => f(Msg::RefIdTaken, &[kind, id]),
            R::GraceDaysTooMany { days, max } => f(
                Msg::RefGraceDaysTooMany,
                &[&days.to_string(), &max.to_string()],
            ),
            R::FinancedNotPositive { contract, financed } => f(
                Msg::RefFinancedNotPositive,
                &[contract, &financed.to_string()],
            ),
            R::MintCountersDisagree {
                name,
                counted,
                kept,
            } => f(
                Msg::RefMintCounters,
                &[&counted.to_string(), name, &kept.to_string()],
            ),
            R::EntryOwnSite { entry } => f(Msg::RefEntryOwnSite, &[entry]),
            R::EntryLocal { entry, mutation } => f(Msg::RefEntryLocal, &[entry, mutation]),
            R::EntryOutOfOrder { entry, expected } => {
                f(Msg::RefEntryOutOfOrder, &[entry, expected])
            }
            R::EntryWithoutId { entry, kind, id } => f(Msg::RefEntryWithoutId, &[entry, kind, id]),
            R::ContractHidden { contract } => f(Msg::RefContractHidden, &[contract]),
            R::AmountNegative { field, amount } => {
                f(Msg::RefAmountNegative, &[field, &amount.plain()])
            }
            R::AmountTooLarge { field, amount, max } => f(
                Msg::RefAmountTooLarge,
                &[field, &amount.plain(), &max.display()],
            ),
            R::DateOutOfRange {
                field,
                date,
                min,
                max,
            } => f(
                Msg::RefDateOutOfRange,
                &[field, &date.to_string(), &min.to_string(), &max.to_string()],
            ),
            R::DateAfterToday { field, date, today } => f(
                Msg::RefDateAfterToday,
                &[field, &date.to_string(), &today.to_string()],
            ),
            R::ControlCharacter {
                field,
                code,
                tab_ok,
            } => f(
                if *tab_ok {
                    Msg::RefControlTabOk
                } else {
                    Msg::RefControl
                },
                &[field_word(self, field), &format!("{code:04X}")],
            ),
            R::PeriodBackwards { from, to } => f(
                Msg::RefPeriodBackwards,
                &[&from.to_string(), &to.to_string()],
            ),
            R::ExportFailed { reason } => f(Msg::RefExportFailed, &[reason]),
            R::SiteCodeInvalid { code } => f(Msg::RefSiteCodeInvalid, &[code]),
            R::SiteNumberInvalid { number } => f(Msg::RefSiteNumberInvalid, &[&number.to_string()]),
            R::SiteBranchesRequired { site } => f(Msg::RefSiteBranchesRequired, &[site]),
            R::SiteExists { site } => f(Msg::RefSiteExists, &[site]),
            R::SiteNumberOrCodeTaken { site, number, code } => f(
                Msg::RefSiteNumberOrCodeTaken,
                &[site, &number.to_string(), code],
            ),
            R::BranchHeldBySite { branch, site } => f(Msg::RefBranchHeldBySite, &[branch, site]),
            R::SiteUserTaken { user, site } => f(Msg::RefSiteUserTaken, &[user, site]),
            R::SiteUserHasRoles { user } => f(Msg::RefSiteUserHasRoles, &[user]),
            R::SiteNotRegistered { number } => f(Msg::RefSiteNotRegistered, &[&number.to_string()]),
            R::BudgetBranchOutOfScope { user, branch } => {
                f(Msg::RefBudgetBranchOutOfScope, &[user, branch])
            }
            R::BudgetMonthClosed { month } => f(Msg::RefBudgetMonthClosed, &[month]),
            R::BudgetInReview {
                month,
                branch,
                application,
            } => f(Msg::RefBudgetInReview, &[month, branch, application]),
            R::BudgetNoDraft { month, branch } => f(Msg::RefBudgetNoDraft, &[month, branch]),
            R::BudgetLineDuplicate { line } => f(Msg::RefBudgetLineDuplicate, &[line]),
            R::BudgetCollectorOnSpending { collector } => {
                f(Msg::RefBudgetCollectorOnSpending, &[collector])
            }
            R::BudgetMonthNotOver { month } => f(Msg::RefBudgetMonthNotOver, &[month]),
            R::BudgetScoringInvalid { field } => f(Msg::RefBudgetScoringInvalid, &[field]),
            R::CustomerMovedAway { customer, branch } => {
                f(Msg::RefCustomerMovedAway, &[customer, branch])
            }
            R::AccessoryLineMissing { order, code } => {
                f(Msg::RefAccessoryLineMissing, &[order, code])
            }
        }
    }

    fn holders(self, holders: &Holders) -> String {
        match holders {
            Holders::Roles(roles) => roles
                .iter()
                .map(|r| self.role(*r))
                .collect::<Vec<_>>()
                .join(self.t(Msg::ListSep)),
            Holders::EnabledUsers => self.t(Msg::HoldersEnabled).to_string(),
            Holders::InboxOwner { user } => self.f(Msg::HoldersInbox, &[user]),
            Holders::Applicant { user } => self.f(Msg::HoldersApplicant, &[user]),
            Holders::Approver { id, why } => {
                self.f(Msg::HoldersApprover, &[id, &self.decision_block(why)])
            }
            Holders::BranchSales { branch } => self.f(Msg::HoldersBranchSales, &[branch]),
            Holders::ContractScope { contract } => self.f(Msg::HoldersScope, &[contract]),
            Holders::SelfOrAdmin { user } => self.f(Msg::HoldersSelf, &[user]),
            Holders::SiteUser { site } => self.f(Msg::HoldersSiteUser, &[site]),
            Holders::SiteBranchUsers { site } => self.f(Msg::HoldersSiteBranches, &[site]),
        }
    }

    /// A notification, in this language: what happened to which application.
    pub fn notification(self, n: &Notification) -> String {
        let what = self.f(
            if n.document == crate::domain::approval::DocumentType::Budget {
                Msg::NoteWhatBudget
            } else {
                Msg::NoteWhat
            },
            &[
                self.document(n.document.name()),
                &n.application,
                &n.contract_no,
            ],
        );
        match &n.kind {
            NotificationKind::AwaitingDecision => self.f(Msg::NoteAwaiting, &[&what]),
            NotificationKind::Approved => self.f(Msg::NoteApproved, &[&what]),
            NotificationKind::Rejected { comment } => self.f(Msg::NoteRejected, &[&what, comment]),
            NotificationKind::TowRegistered {
                planned_on,
                location,
            } => self.f(
                Msg::NoteTowRegistered,
                &[&what, &planned_on.to_string(), location],
            ),
            NotificationKind::TowCompleted { yard } => {
                self.f(Msg::NoteTowCompleted, &[&what, yard])
            }
            NotificationKind::TowFailed { reason } => self.f(Msg::NoteTowFailed, &[&what, reason]),
            NotificationKind::Executed => self.f(Msg::NoteExecuted, &[&what]),
            NotificationKind::BudgetOverspent {
                category,
                plan,
                actual,
            } => self.f(
                Msg::NoteBudgetOverspent,
                &[
                    &n.contract_no,
                    self.budget_category(category),
                    &actual.plain(),
                    &plan.plain(),
                ],
            ),
            NotificationKind::BudgetBehindPace { plan, pace } => self.f(
                Msg::NoteBudgetBehindPace,
                &[&n.contract_no, &pace.plain(), &plan.plain()],
            ),
            NotificationKind::SyncConflict { kind, refusal } => self.f(
                Msg::NoteSyncConflict,
                &[&n.application, kind, &n.contract_no, &self.refusal(refusal)],
            ),
        }
    }

    /// A role's name for people: 财务 for `finance`.
    pub fn role(self, role: crate::domain::Role) -> &'static str {
        self.t(Msg::role(role))
    }

    /// A chain step as the rules name it (`role:finance`, `user:li`) for people: the role's
    /// name, or the user's login; anything else as it is.
    pub fn step(self, label: &str) -> String {
        if let Some(role) = label
            .strip_prefix("role:")
            .and_then(crate::domain::Role::parse)
        {
            return self.role(role).to_string();
        }
        label.strip_prefix("user:").unwrap_or(label).to_string()
    }

    /// A payment method: the usual ones translated, anything typed in kept as it is.
    pub fn method(self, method: &str) -> String {
        let msg = match method.trim().to_lowercase().as_str() {
            "bank" | "transfer" => Msg::MethodBank,
            "cash" => Msg::MethodCash,
            "wechat" => Msg::MethodWechat,
            "alipay" => Msg::MethodAlipay,
            "check" | "cheque" => Msg::MethodCheque,
            "pos" | "card" => Msg::MethodCard,
            _ => return method.to_string(),
        };
        self.t(msg).to_string()
    }

    /// A machine type: excavator and loader translated, any other kept as it is.
    pub fn machine_type(self, kind: &str) -> String {
        let msg = match kind.trim().to_lowercase().as_str() {
            "excavator" => Msg::TypeExcavator,
            "loader" => Msg::TypeLoader,
            _ => return kind.to_string(),
        };
        self.t(msg).to_string()
    }

    /// An application's reason: the ones the system writes itself (an outbound order's, a
    /// new contract's) translated; what a person typed kept as it is.
    pub fn reason(self, document: &str, reason: &str) -> String {
        match (document, reason) {
            ("outbound", "outbound") => self.t(Msg::ReasonOutbound).to_string(),
            ("contract", "new contract") => self.t(Msg::ReasonNewContract).to_string(),
            _ => reason.to_string(),
        }
    }

    /// An operation of the audit trail (a permission's name, `payment.record`).
    pub fn operation(self, name: &str) -> String {
        let msg = match name {
            "customer.import" => Msg::OpCustomerImport,
            "contract.import" => Msg::OpContractImport,
            "payment.import" => Msg::OpPaymentImport,
            "payment.record" => Msg::OpPaymentRecord,
            "payment.confirm" => Msg::OpPaymentConfirm,
            "payment.void" => Msg::OpPaymentVoid,
            "settings.rate" => Msg::OpRate,
            "settings.grace" => Msg::OpGrace,
            "settings.allocation" => Msg::OpAllocation,
            "penalty.accrue" => Msg::OpAccrue,
            "rebuild" => Msg::OpRebuild,
            "import.mark" => Msg::OpImportMark,
            "ticket.contact" => Msg::OpContact,
            "waiver.apply" => Msg::OpWaiver,
            "contract.settle" => Msg::OpSettle,
            "user.manage" => Msg::OpUsers,
            "user.keys" => Msg::OpKeys,
            "session.log" => Msg::OpSession,
            "rules.set" => Msg::OpRules,
            "tow.apply" => Msg::OpTowApply,
            "unlock.apply" => Msg::OpUnlockApply,
            "lock.apply" => Msg::OpLockApply,
            "approval.decide" => Msg::OpDecide,
            "approval.applicant" => Msg::OpApplicant,
            "tow.register" => Msg::OpTowRegister,
            "lock.execute" => Msg::OpLockExecute,
            "inbox.read" => Msg::OpInboxRead,
            "notification.deliver" => Msg::OpDeliver,
            "stock.import" => Msg::OpStockImport,
            "contract.create" => Msg::OpContractCreate,
            "outbound.order" => Msg::OpOrder,
            "outbound.ship" => Msg::OpShip,
            "user.lang" => Msg::OpLang,
            "site.manage" => Msg::OpSite,
            "budget.plan" => Msg::OpBudgetPlan,
            "budget.spending" => Msg::OpBudgetSpending,
            "budget.close" => Msg::OpBudgetClose,
            "budget.scoring" => Msg::OpBudgetScoring,
            "sync.conflict" => Msg::OpSyncConflict,
            _ => return name.to_string(),
        };
        self.t(msg).to_string()
    }

    /// Why a user may not decide an application's current step.
    pub fn decision_block(self, why: &DecisionBlock) -> String {
        match why {
            DecisionBlock::NotWaiting => self.t(Msg::BlockNotWaiting).to_string(),
            DecisionBlock::OwnApplication => self.t(Msg::BlockOwn).to_string(),
            DecisionBlock::NotYourStep { step, user } => {
                self.f(Msg::BlockNotYourStep, &[step, user])
            }
        }
    }

    /// Who holds a machine: "order O3 of contract H2 by li", or just the order when it
    /// could not be read.
    pub fn holder(self, order: &str, contract: &str, holder: &str) -> String {
        if contract.is_empty() {
            self.f(Msg::HolderOrder, &[order])
        } else {
            self.f(Msg::HolderOrderOf, &[order, contract, holder])
        }
    }
}

/// The English wording (what the CLI prints); screens word a refusal in their own
/// language with `Lang::refusal`.
impl fmt::Display for Refusal {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        out.write_str(&Lang::En.refusal(self))
    }
}

macro_rules! catalog {
    ($($name:ident => $en:literal, $zh:literal;)*) => {
        /// One UI message. Its English and Chinese texts sit side by side below.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Msg { $($name),* }

        impl Msg {
            pub const ALL: &'static [Msg] = &[$(Msg::$name),*];

            pub fn texts(self) -> (&'static str, &'static str) {
                match self { $(Msg::$name => ($en, $zh)),* }
            }
        }
    };
}

catalog! {
    AppTitle => "duedesk", "duedesk";
    ScreenDashboard => "Overdue", "逾期客户";
    ScreenTicket => "Collection ticket", "催收单";
    ScreenPayments => "Payments", "收款确认";
    ScreenSettings => "Settings", "设置";
    ScreenApprovals => "Approvals", "审批";
    ScreenTows => "Tow board", "拖机登记";
    ScreenRules => "Rules", "审批规则";
    ScreenAudit => "Audit trail", "操作记录";
    UnreadCount => "{} unread", "未读通知 {}";

    // Dashboard
    TotalsLine => "{} overdue contracts · overdue {} · penalty {}", "逾期合同 {} 笔 · 逾期金额 {} · 罚息 {}";
    AgingTitle => "Aging", "账龄";
    ColCustomer => "Customer", "客户";
    ColContract => "Contract", "合同";
    ColBranch => "Branch", "网点";
    ColCollector => "Collector", "催收人员";
    ColDays => "Days", "天数";
    ColOverdue => "Overdue", "逾期金额";
    ColPenalty => "Penalty", "罚息";
    ColLastContact => "Contacted", "最近联系";
    ColPromise => "Promise", "承诺";
    ColMachine => "Machine", "机器";
    ColCount => "Count", "笔数";
    ColAmount => "Amount", "金额";
    RowsShown => "{} of {}", "{} / {}";
    NoRows => "No overdue contracts match.", "没有符合条件的逾期合同。";
    SearchPrompt => "Search: ", "搜索：";
    SearchHint => "name, contract, phone, serial, pinyin", "姓名、合同号、电话、机号、拼音";
    FilterTitle => "Filter", "筛选";
    FilterAll => "(all)", "（全部）";
    FilterBucket => "Bucket", "账龄";
    SortTitle => "Sort by", "排序";
    Ascending => "ascending", "升序";
    Descending => "descending", "降序";
    ActiveFilter => "filter: {}", "筛选：{}";
    ActiveSearch => "search: {}", "搜索：{}";
    SortedBy => "sort: {} {}", "排序：{} {}";

    PromiseKept => "kept", "已兑现";
    PromiseDue => "due", "待兑现";
    PromiseBroken => "broken", "已违约";
    MachineNormal => "normal", "正常";
    MachineLocked => "locked", "已锁机";
    MachineTowed => "towed", "已拖机";
    ChannelCall => "call", "电话";
    ChannelVisit => "visit", "上门";
    ChannelSms => "SMS", "短信";
    ChannelWechat => "WeChat", "微信";
    StatusPending => "pending", "待确认";
    StatusConfirmed => "confirmed", "已确认";
    StatusVoid => "void", "已作废";
    StatusApproved => "approved", "已批准";
    StatusRejected => "rejected", "已驳回";
    StatusActive => "active", "正常";
    StatusDraft => "draft", "草稿";
    StatusSettled => "settled", "已结清";
    StatusRepossessed => "repossessed", "已收回";
    StatusInReview => "in review", "审批中";
    StatusWithdrawn => "withdrawn", "已撤回";
    StatusScheduled => "scheduled", "已登记";
    StatusDone => "done", "已完成";
    StatusFailed => "failed", "失败";
    DocTow => "tow", "拖机";
    DocLock => "lock", "锁机";
    DocUnlock => "unlock", "解锁";
    DocWaiver => "waiver", "利息减免";
    DocOutbound => "outbound", "交机出库";
    DocBudget => "budget", "资金预算";
    DocContract => "contract", "合同审核";

    // Ticket
    TicketHeader => "{} · {} · {} · collector {}", "{} · {} · {} · 催收人员 {}";
    TicketMachine => "{} {} · machine {} · contract {}", "{} {} · 机器{} · 合同{}";
    LabelDaysOverdue => "Days overdue", "逾期天数";
    LabelOverdueAmount => "Overdue amount", "逾期金额";
    LabelPenaltyAccrued => "Penalty accrued", "罚息累计";
    LabelPenaltyWaived => "Penalty waived", "罚息已减免";
    LabelPenaltyPaid => "Penalty paid", "罚息已还";
    LabelPenaltyOutstanding => "Penalty outstanding", "罚息余额";
    LabelRate => "Rate/day", "日罚息利率";
    LabelGrace => "Grace days", "宽限期";
    LabelPending => "Pending payments", "待确认收款";
    LabelToCollect => "To collect", "应催收";
    LabelOutstanding => "Outstanding", "未还总额";
    LabelPayoff => "Payoff", "结清金额";
    LabelCredit => "Credit held", "溢缴款";
    ColPromiseState => "Kept?", "兑现";
    ContactTitle => "Contact {} by {}", "催收记录 {} · {}";
    ContactChannel => "Channel: {}", "方式：{}";
    ContactResult => "Result: {}", "结果：{}";
    ContactNote => "Note: {}", "备注：{}";
    ContactPromise => "Promise: {} on {} ({})", "承诺：{} 于 {}（{}）";
    ApplicationTitle => "Application {}", "申请 {}";
    ApplicationKeys => "R resubmit · W withdraw · any other key closes", "R 重新提交 · W 撤回 · 其他键关闭";
    ApplicationKeyResubmit => "R resubmit · any other key closes", "R 重新提交 · 其他键关闭";
    ApplicationKeyWithdraw => "W withdraw · any other key closes", "W 撤回 · 其他键关闭";
    PaneInstallments => "Installments", "还款计划";
    PanePayments => "Payments", "收款";
    PaneContacts => "Contacts", "催收记录";
    PaneApplications => "Applications", "申请";
    ColSeq => "#", "期";
    ColDue => "Due", "到期日";
    ColPrincipal => "Principal", "本金";
    ColInterest => "Interest", "利息";
    ColOwing => "Owing", "未还";
    ColDate => "Date", "日期";
    ColMethod => "Method", "方式";
    ColReference => "Reference", "凭证";
    ColStatus => "Status", "状态";
    ColBy => "By", "经办";
    ColChannel => "Channel", "方式";
    ColResult => "Result", "结果";
    ColNote => "Note", "备注";
    ColReason => "Reason", "原因";
    ColType => "Type", "类型";
    ColId => "Id", "编号";
    Empty => "(none)", "（无）";

    // Forms
    FormContact => "Add contact", "新增催收记录";
    FormPayment => "Record payment", "登记收款";
    FormWaiver => "Apply for interest waiver", "申请利息减免";
    FormVoid => "Void payments", "作废收款";
    FormVoidOf => "Void {}", "作废 {}";
    VoidOne => "payment {} · {} · {} {}", "收款 {} · {} · {} {}";
    VoidMany => "{} payments · {} in total", "{} 笔收款 · 共 {}";
    PaymentsSearch => "search: {} ({} of {})", "搜索：{}（{}/{}）";
    FormRate => "Set penalty rate", "设置罚息利率";
    FormGrace => "Set grace days", "设置宽限期";
    FieldChannel => "Channel", "方式";
    FieldResult => "Result", "结果";
    FieldNote => "Note", "备注";
    FieldPromiseDate => "Promise date", "承诺日期";
    FieldPromiseAmount => "Promise amount", "承诺金额";
    FieldReceivedOn => "Received on", "收款日期";
    FieldAmount => "Amount", "金额";
    FieldMethod => "Method", "方式";
    FieldReference => "Reference", "凭证号";
    FieldReason => "Reason", "原因";
    FieldContract => "Contract (blank: global)", "合同号（空为全局）";
    FieldFrom => "Effective from", "生效日期";
    FieldDailyRate => "Daily rate", "日利率";
    FieldDays => "Days", "天数";
    FormHelp => "Tab/Up/Down move · Left/Right choose · Enter save · Esc cancel", "Tab/上下 切换 · 左右 选择 · Enter 保存 · Esc 取消";
    ErrRequired => "required", "必填";
    ErrDate => "date as YYYY-MM-DD", "日期格式 YYYY-MM-DD";
    ErrDateFuture => "after today", "晚于今天";
    ErrDatePast => "before today", "早于今天";
    ErrAmount => "amount such as 1234.50", "金额如 1234.50";
    ErrAmountZero => "must be more than 0", "须大于 0";
    ErrPromisePair => "give both date and amount", "日期和金额须同时填写";
    ErrRate => "daily rate such as 0.0005", "日利率如 0.0005";
    ErrInteger => "whole number of days", "整数天数";
    ErrMoreThanPenalty => "more than penalty outstanding {}", "超过罚息余额 {}";
    FormHasErrors => "Fix the marked fields first.", "请先修正标出的字段。";

    // Confirmations
    ConfirmTitle => "Confirm", "确认";
    ConfirmSettle => "Settle contract {}? Payoff {}: principal {}, interest {}, penalty {}, less credit {}. This closes the ticket and cannot be undone.", "结清合同 {}？结清金额 {}：本金 {}，利息 {}，罚息 {}，减溢缴款 {}。将关闭催收单，不可撤销。";
    SettleOwing => "Contract {} cannot be settled yet: payoff {} is still owed (principal {}, interest {}, penalty {}). Take the payment, or apply for a penalty waiver, first.", "合同 {} 暂不能结清：尚欠结清金额 {}（本金 {}，利息 {}，罚息 {}）。请先收款，或申请罚息减免。";
    ConfirmWithdraw => "Withdraw application {}? It leaves the approval chain for good.", "撤回申请 {}？撤回后不再进入审批流程。";
    ConfirmPayments => "Confirm {} payment(s), {} in total? This cannot be undone.", "确认 {} 笔收款，共 {}？不可撤销。";
    ConfirmQuit => "A form holds unsaved input. Quit anyway?", "表单有未保存的内容。仍要退出吗？";
    ConfirmYesNo => "y yes · n no", "y 是 · n 否";

    // Payments screen
    SelectedCount => "{} selected · {}", "已选 {} 笔 · {}";
    NoPending => "No payments wait for confirmation.", "没有待确认的收款。";

    // Settings screen
    GlobalRates => "Global penalty rates", "全局罚息利率";
    GlobalGrace => "Global grace days: {}", "全局宽限期：{} 天";
    AllocationOrder => "Allocation order: {}", "冲销顺序：{}";
    AccruedThrough => "Penalty accrued through: {}", "罚息计提至：{}";
    Never => "never", "尚未计提";
    OrderDefault => "due money first, then penalty", "先还到期本息，再还罚息";
    OrderStatutory => "statutory (Civil Code art. 561)", "法定顺序（民法典第561条）";
    SettingsNote => "Per-contract rate and grace: give a contract number in the form.", "单个合同的利率和宽限期：在表单中填写合同号。";

    // Status
    // What a change did, said in the status line after it is saved.
    DonePayment => "Payment {} of {} on {} recorded, awaiting confirmation", "收款 {}（{}，合同 {}）已登记，待确认";
    DonePaymentConfirmed => "Payment {} of {} on {} recorded and confirmed", "收款 {}（{}，合同 {}）已登记并确认";
    DoneConfirm => "Payment {} confirmed", "收款 {} 已确认";
    DoneConfirmMany => "{} payments confirmed", "已确认 {} 笔收款";
    DoneVoid => "Payment {} voided", "收款 {} 已作废";
    DoneContact => "Contact on {} logged", "合同 {} 的催收记录已保存";
    DoneContactPromise => "Contact on {} logged; promise to pay {} by {}", "合同 {} 的催收记录已保存；承诺还款 {}（{} 前）";
    DoneApplication => "{} application {} on {} submitted", "{}申请 {}（合同 {}）已提交";
    DoneWaiver => "Waiver application {} of {} on {} submitted", "利息减免申请 {}（{}，合同 {}）已提交";
    DoneApprove => "{}: approved at your step", "{}：您这一步已批准";
    DoneReject => "{} rejected and returned to its applicant", "{} 已驳回，退回申请人";
    DoneTowRegistered => "Tow {} registered for {}", "拖机 {} 已登记，计划 {} 拖机";
    DoneTowCompleted => "Tow {} done: machine in {}", "拖机 {} 已完成：设备入库 {}";
    DoneTowFailed => "Tow {} recorded as failed", "拖机 {} 已记录为失败";
    DoneRate => "Daily penalty rate {} from {} ({})", "日罚息利率 {}，{} 起（{}）";
    DoneGrace => "Grace days: {} ({})", "宽限期：{} 天（{}）";
    AllContracts => "all contracts", "全部合同";
    ContractNo => "contract {}", "合同 {}";
    DoneRules => "Approval rules saved: {} rules", "审批规则已保存：{} 条";
    DoneSettle => "Contract {} settled", "合同 {} 已结清";
    DoneRead => "Marked read", "已标为已读";
    DoneOrderCreated => "Order {} created for {}", "出库单 {} 已创建（合同 {}）";
    DoneOrderSubmitted => "Order {} submitted for approval", "出库单 {} 已提交审批";
    DoneOrderCancelled => "Order {} cancelled", "出库单 {} 已取消";
    DonePick => "{} reserved for order {}", "机号 {} 已为出库单 {} 预留";
    DoneSwap => "Order {} now holds {}", "出库单 {} 已换为机号 {}";
    DoneShip => "Order {} shipped on {}", "出库单 {} 已于 {} 出库";
    DoneAccessory => "{} × {} added to order {}", "{} × {} 已加入出库单 {}";
    Refused => "Refused: {}", "未执行：{}";
    MessageTitle => "Not done", "未完成";

    // Notifications (what happened to an application), in the recipient's language.
    NoteWhat => "{} {} on contract {}", "{}申请 {}（合同 {}）";
    NoteAwaiting => "{} waits for your decision", "{}等待您审批";
    NoteApproved => "{} is approved", "{}已批准";
    NoteRejected => "{} is rejected: {}", "{}被驳回：{}";
    NoteTowRegistered => "{} is registered for {} at {}", "{}已登记，计划 {} 在 {} 拖机";
    NoteTowCompleted => "{}: the machine is towed back to {}", "{}：机器已拖回 {}";
    NoteTowFailed => "{} failed: {}", "{}失败：{}";
    NoteExecuted => "{} is executed", "{}已执行";
    AnyKeyCloses => "any key closes", "按任意键关闭";
    Help => "Keys", "按键";
    HelpClose => "Esc or ? closes", "Esc 或 ? 关闭";
    TooSmall => "Terminal too small: 80×24 needed", "终端太小：至少 80×24";

    // Approvals inbox
    PanePending => "Awaiting me", "待我审批";
    PaneNotifications => "Notifications", "通知";
    PaneDecided => "Decided by me", "我已审批";
    NoDecisions => "You have not decided any application yet.", "您还没有审批过申请。";
    ColDecision => "Decision", "审批结果";
    ConfirmApprove => "Approve {}: {} of {} ({}, {} days overdue)? The next step, or the follow-up, goes ahead on your decision.", "同意 {}：{} · 合同 {}（{}，逾期 {} 天）？下一环节或后续处理将据此进行。";
    NoPendingSteps => "Nothing awaits your decision.", "没有待您审批的申请。";
    NoNotifications => "No notifications.", "没有通知。";
    ColApplicant => "Applicant", "申请人";
    ColStep => "Step", "当前环节";
    ColOutstanding => "Outstanding", "未还总额";
    ColText => "Notification", "通知内容";
    ColDelivery => "Sent", "推送";
    DetailSubmitted => "{} {} on {} · by {} on {} · rule '{}' v{}", "{} {} · 合同 {} · {} 于 {} 提交 · 规则「{}」第 {} 版";
    DetailFigures => "At submission: {} days overdue · overdue {} · penalty {} · outstanding {}", "提交时：逾期 {} 天 · 逾期金额 {} · 罚息 {} · 未还总额 {}";
    DetailReason => "Reason: {}", "原因：{}";
    DetailLocation => "Machine location: {}", "机器位置：{}";
    DetailAmount => "Amount asked: {}", "申请金额：{}";
    DetailChain => "Chain: {}", "审批流程：{}";
    DetailHistory => "History", "审批记录";
    DetailTowPlan => "Tow: {} · crew {} · at {} · registered by {}", "拖机：{} · 人员 {} · 地点 {} · 登记人 {}";
    DetailTowNote => "Note: {}", "备注：{}";
    DetailTowDone => "Towed back {} to {} · condition {} · cost {}", "{} 拖回 {} · 机况 {} · 费用 {}";
    DetailTowFailed => "Failed: {}", "失败：{}";
    ActSubmitted => "submitted", "提交";
    ActApproved => "approved", "同意";
    ActRejected => "rejected", "驳回";
    ActResubmitted => "resubmitted", "重新提交";
    ActWithdrawn => "withdrawn", "撤回";
    DeliveryPending => "pending", "待推送";
    DeliveryDelivered => "sent", "已推送";
    DeliveryFailed => "failed", "推送失败";

    // Tow board
    TowAwaiting => "Approved, awaiting registration ({})", "已批准，待登记（{}）";
    TowScheduled => "Registered and scheduled ({})", "已登记，待拖机（{}）";
    TowFinished => "Done or failed ({})", "已完成或失败（{}）";
    ColPlanned => "Planned", "计划日期";
    ColCrew => "Crew", "拖机人员";
    ColLocation => "Location", "位置";
    ColOutcome => "Outcome", "结果";
    FormRegisterTow => "Register tow {}", "拖机登记 {}";
    FormCompleteTow => "Tow {} done", "拖机完成 {}";
    FormFailTow => "Tow {} failed", "拖机失败 {}";
    FieldCrew => "Crew (a, b, …)", "拖机人员（逗号分隔）";
    FieldPlannedOn => "Planned date", "计划日期";
    FieldLocation => "Location", "地点";
    FieldTowedOn => "Towed on", "拖回日期";
    FieldYard => "Yard", "停放场地";
    FieldCondition => "Condition", "机况";
    FieldCost => "Cost", "费用";
    FieldComment => "Comment", "意见";
    FieldMachineLocation => "Machine location", "机器位置";
    ConfirmCompleteTow => "Record tow {} as towed back on {} to {}? The contract becomes repossessed; this cannot be undone.", "确认拖机 {} 已于 {} 拖回 {}？合同将标记为已收回，不可撤销。";
    WarnTowEarly => "{} is before the planned date {}.", "{} 早于计划日期 {}。";
    ConfirmFailTow => "Record tow {} as failed ({})? This cannot be undone.", "确认拖机 {} 失败（{}）？不可撤销。";
    NotOnBoard => "Only approved tows are registered here.", "只有已批准的拖机申请可以在此登记。";
    NotScheduled => "Register the tow first; only a scheduled tow has an outcome.", "请先登记；只有已登记的拖机才能记录结果。";

    // Decisions and applications
    FormApprove => "Approve {}", "审批同意 {}";
    FormReject => "Reject {}", "驳回 {}";
    FormApplyLock => "Apply to lock {}", "申请锁机 {}";
    FormApplyUnlock => "Apply to unlock {}", "申请解锁 {}";
    FormApplyTow => "Apply to tow {}", "申请拖机 {}";
    FormResubmit => "Resubmit {}", "重新提交 {}";
    DoneResubmit => "{} resubmitted: the chain starts again", "{} 已重新提交，重新进入审批";
    DoneWithdraw => "{} withdrawn", "{} 已撤回";

    // Rules screen
    RulesVersion => "Approval rules in force: version {} · {} rules", "现行审批规则：第 {} 版 · {} 条";
    RulesBuiltin => "Approval rules in force: the built-in defaults (no version set yet)", "现行审批规则：内置默认规则（尚未设置）";
    RulesReadOnly => "Read only: only an admin changes the rules.", "只读：只有管理员可以修改审批规则。";
    RulesEditHint => "e edits the whole set as TOML; the first matching rule of a document type applies.", "按 e 以 TOML 编辑整套规则；每类单据按顺序匹配第一条规则。";
    RulesEditing => "Editing approval rules (TOML)", "编辑审批规则（TOML）";
    RulesValid => "Valid: {} rules. C-s saves as a new version.", "校验通过：{} 条规则。C-s 保存为新版本。";
    RulesProblems => "{} problem(s): fix them before saving", "{} 处问题：修正后才能保存";
    RulesEditorHelp => "C-s save · Esc cancel", "C-s 保存 · Esc 取消";
    RulesNotAdmin => "Only an admin changes the approval rules.", "只有管理员可以修改审批规则。";
    ConfirmDiscardRules => "Discard your changes to the rules?", "放弃对审批规则的修改？";
    ColRule => "Rule", "规则";
    ColConditions => "Conditions", "条件";
    ColChain => "Chain", "审批流程";
    CondBranch => "branch {}", "网点 {}";
    CondDays => ">= {} days", "逾期 >= {} 天";
    CondOverdue => "overdue >= {}", "逾期金额 >= {}";
    CondAmount => "amount >= {}", "金额 >= {}";
    CondNone => "(default)", "（默认）";

    // Audit trail
    AuditTitle => "Audit trail of {} · {} entries", "{} 的操作记录 · 共 {} 条";
    ColWhen => "When", "时间";
    ColWho => "Who", "操作人";
    ColWhat => "What", "操作";
    ColDetail => "Detail", "内容";

    // Commands (hint bar and help)
    CmdQuit => "quit", "退出";
    CmdHelp => "help", "帮助";
    CmdNextScreen => "next screen", "下一屏";
    CmdPrevScreen => "previous screen", "上一屏";
    CmdScreen1 => "overdue", "逾期客户";
    CmdScreen2 => "payments", "收款确认";
    CmdScreen3 => "settings", "设置";
    CmdDown => "down", "下移";
    CmdUp => "up", "上移";
    CmdTop => "top", "顶部";
    CmdBottom => "bottom", "底部";
    CmdPageDown => "page down", "下一页";
    CmdPageUp => "page up", "上一页";
    CmdHalfDown => "half page down", "下半页";
    CmdHalfUp => "half page up", "上半页";
    CmdOpen => "open", "打开";
    CmdBack => "back", "返回";
    CmdSearch => "search", "搜索";
    CmdFilter => "filter", "筛选";
    CmdSort => "sort", "排序";
    CmdClear => "clear", "清除";
    CmdContact => "contact", "催收记录";
    CmdPayment => "payment", "收款";
    CmdWaiver => "waiver", "减免";
    CmdSettle => "settle", "结清";
    CmdNextPane => "next pane", "下一栏";
    CmdPrevPane => "previous pane", "上一栏";
    CmdToggle => "select", "选择";
    CmdSelectAll => "select all", "全选";
    CmdConfirm => "confirm", "确认";
    CmdVoid => "void", "作废";
    CmdRate => "rate", "利率";
    CmdGrace => "grace days", "宽限期";
    CmdReload => "reload", "刷新";
    CmdScreen4 => "approvals", "审批";
    CmdScreen5 => "tow board", "拖机登记";
    CmdScreen6 => "approval rules", "审批规则";
    CmdApprove => "approve", "审批同意";
    CmdReject => "reject", "驳回";
    CmdMarkRead => "mark read", "标为已读";
    CmdMarkAllRead => "mark all read", "全部已读";
    CmdRegisterTow => "register tow", "拖机登记";
    CmdCompleteTow => "tow done", "拖回";
    CmdFailTow => "tow failed", "拖机失败";
    CmdApplyLock => "lock/unlock", "锁机/解锁";
    CmdApplyTow => "tow", "拖机申请";
    CmdAudit => "audit trail", "操作记录";
    CmdEdit => "edit", "编辑";

    // Machine system (整机系统): stock browser, outbound orders, pick and swap dialogs.
    ScreenStock => "Stock", "库存";
    ScreenOutbound => "Outbound", "交机出库";
    CmdScreen7 => "stock", "库存";
    CmdScreen8 => "outbound orders", "交机出库";
    CmdNewOrder => "new order", "新建出库单";
    CmdPick => "pick serial", "选机号";
    CmdAddLine => "add accessory", "添加附件";
    CmdSubmitOrder => "submit", "提交审批";
    CmdShip => "ship", "出库";
    CmdSwap => "sales swap", "销售换机";
    CmdCancelOrder => "cancel order", "取消出库单";
    StockTotals => "{} models · {} machines", "{} 个机型 · {} 台";
    StockOfModel => "{} ({}) · {} machines", "{}（{}）· {} 台";
    ColModel => "Model", "机型";
    ColInStock => "In stock", "在库";
    ColReserved => "Reserved", "已预留";
    ColShipped => "Shipped", "已出库";
    ColTowedBack => "Towed back", "已拖回";
    ColMaxDays => "Max days", "最长库龄";
    ColAvgDays => "Avg days", "平均库龄";
    ColSerial => "Serial", "机号";
    ColState => "State", "状态";
    ColYard => "Yard", "场地";
    ColDaysInStock => "Days", "库龄";
    ColHolder => "Held by", "占用";
    NoMachines => "No machines match.", "没有符合条件的机器。";
    FilterYard => "Yard", "场地";
    FilterState => "State", "状态";
    StockInStock => "in stock", "在库";
    StockReserved => "reserved", "已预留";
    StockShipped => "shipped", "已出库";
    StockTowedBack => "towed back", "已拖回";
    OrderDraft => "draft", "草稿";
    OrderSubmitted => "in approval", "审批中";
    OrderApproved => "approved", "已批准";
    OrderShipped => "shipped", "已出库";
    OrderCancelled => "cancelled", "已取消";
    ColOrder => "Order", "出库单";
    ColSalesperson => "Salesperson", "销售员";
    NoOrders => "No outbound orders.", "没有出库单。";
    OrderHeading => "Outbound order {} · contract {}", "交机出库单 {} · 合同 {}";
    LabelContractModel => "Contract model", "合同机型";
    LabelSerial => "Serial", "机号";
    LabelSubstitute => "(same-type substitute)", "（同类替代）";
    LabelApplication => "Approval", "审批单";
    LabelShipped => "Shipped", "出库";
    LabelCancelled => "Cancelled", "取消原因";
    NotPicked => "not picked yet", "尚未选机";
    AccessoryLines => "Accessory outbound", "附件出库";
    ColCode => "Code", "编码";
    ColName => "Name", "名称";
    ColQuantity => "Qty", "数量";
    ColLine => "Line", "类型";
    LineContract => "contract", "合同内";
    LineExtra => "extra", "额外";
    NoLines => "No accessory lines.", "没有附件。";
    SwapsTitle => "Sales swaps", "销售换机";
    SwapLine => "{} {} → {} by {}: {}", "{} {} → {}（{}）：{}";
    FormAccessory => "Add accessory line", "添加附件";
    FormShip => "Ship", "出库发运";
    FormCancelOrder => "Cancel order", "取消出库单";
    FieldContractNo => "Contract", "合同号";
    FieldCode => "Accessory code", "附件编码";
    FieldQuantity => "Quantity", "数量";
    FieldExtra => "Not in contract", "额外（合同外）";
    FieldShipOn => "Ship date", "出库日期";
    FieldCarrier => "Carrier", "承运人";
    ToggleYes => "yes", "是";
    ToggleNo => "no", "否";
    ErrUnknownAccessory => "no such accessory", "无此附件";
    ErrNotEnough => "only {} available", "仅可用 {}";
    ErrQuantity => "a whole number, at least 1", "不小于 1 的整数";
    AccessoryAvailable => "{} {}: {} {} available", "{} {}：可用 {} {}";
    MachineMissing => "machine {} is not in the stock records", "库存记录中没有机器 {}";
    SwapNeedsShipped => "A sales swap is for shipped orders; order {} is {}.", "销售换机仅用于已出库的出库单；出库单 {} 当前为{}。";
    Labelled => "{}: {}", "{}：{}";
    PickTitle => "Pick a serial · order {} · {}", "选机号 · 出库单 {} · {}";
    SwapTitle => "Sales swap · order {} · replaces {}", "销售换机 · 出库单 {} · 替换 {}";
    PickFilter => "Filter: ", "筛选：";
    PickHint => "serial, model, yard", "机号、机型、场地";
    PickNone => "No machine in stock matches.", "没有符合条件的在库机器。";
    PickFooter => "type to filter · Up/Down · Enter pick · Esc close", "输入筛选 · 上下 选择 · Enter 选定 · Esc 关闭";
    SwapFooter => "Tab reason · Up/Down · Enter swap · Esc close", "Tab 原因 · 上下 选择 · Enter 换机 · Esc 关闭";
    ConfirmShip => "Ship order {} (machine {}) on {}? Stock goes down and the contract is delivered.", "出库单 {}（机号 {}）于 {} 出库？库存将减少，合同将交付。";
    ConfirmCancelOrder => "Cancel order {} ({})? Its machine and accessories are released.", "取消出库单 {}（{}）？机器和附件将释放。";
    ErrAmountMax => "at most 1,000,000,000.00", "最多 1,000,000,000.00";
    ErrDateRange => "from 1990-01-01 to 2099-12-31", "须在 1990-01-01 至 2099-12-31 之间";
    // Refusals (domain::Refusal): why the app said no. The English is what the CLI prints.
    RefForbidden => "user {} may not do this: missing permission {} (held by: {})", "用户 {} 无权执行此操作：缺少权限 {}（持有者：{}）";
    HoldersEnabled => "enabled users", "未停用的用户";
    HoldersInbox => "{} (whose inbox it is)", "{}（通知的收件人）";
    HoldersApplicant => "{}, who applied", "申请人 {}";
    HoldersApprover => "the current approver of {}: {}", "{} 当前环节的审批人：{}";
    HoldersBranchSales => "sales of branch {}, admin", "网点 {} 的销售员、管理员";
    HoldersScope => "the collector of contract {}, its branch, finance and admin", "合同 {} 的催收人员、所属网点、财务和管理员";
    HoldersSelf => "{} themself, admin", "{} 本人、管理员";
    BlockNotWaiting => "it is not waiting for a decision", "它不在待审批状态";
    BlockOwn => "nobody approves their own application", "任何人都不能审批自己的申请";
    BlockNotYourStep => "its current step is for {}; {} is not that", "当前环节由 {} 审批；{} 不是";
    ListSep => ", ", "、";
    RoleCollector => "collector", "催收人员";
    RoleClerk => "clerk", "内勤";
    RoleSales => "sales", "销售";
    RoleFinance => "finance", "财务";
    RoleApprover => "approver", "审批人";
    RoleAdmin => "admin", "管理员";
    RoleSite => "site", "站点";
    MethodBank => "bank transfer", "银行转账";
    MethodCash => "cash", "现金";
    MethodWechat => "WeChat Pay", "微信支付";
    MethodAlipay => "Alipay", "支付宝";
    MethodCheque => "cheque", "支票";
    MethodCard => "card", "刷卡";
    TypeExcavator => "excavator", "挖掘机";
    TypeLoader => "loader", "装载机";
    ReasonOutbound => "machine outbound for a new contract", "新合同机器出库";
    ReasonNewContract => "new contract", "新合同审核";
    OpCustomerImport => "customer imported", "导入客户";
    OpContractImport => "contract imported", "导入合同";
    OpPaymentImport => "payment imported", "导入收款";
    OpPaymentRecord => "payment recorded", "登记收款";
    OpPaymentConfirm => "payment confirmed", "收款确认";
    OpPaymentVoid => "payment voided", "收款作废";
    OpRate => "penalty rate set", "设置罚息利率";
    OpGrace => "grace days set", "设置宽限期";
    OpAllocation => "allocation order set", "设置冲抵顺序";
    OpAccrue => "penalty accrued", "计提罚息";
    OpRebuild => "projections rebuilt from the journal", "由日志重建数据";
    OpImportMark => "import progress", "导入进度";
    OpSyncConflict => "sync conflict told", "同步冲突通知";
    OpContact => "contact logged", "催收记录";
    OpWaiver => "waiver applied for", "申请减免";
    OpSettle => "settled", "结清";
    OpUsers => "users changed", "用户管理";
    OpKeys => "keys changed", "密钥管理";
    OpSession => "session", "会话";
    OpRules => "approval rules set", "设置审批规则";
    OpTowApply => "tow applied for", "申请拖机";
    OpUnlockApply => "unlock applied for", "申请解锁";
    OpLockApply => "lock applied for", "申请锁机";
    OpDecide => "approval decided", "审批";
    OpApplicant => "application resubmitted or withdrawn", "重新提交或撤回申请";
    OpTowRegister => "tow registered or its outcome", "拖机登记或结果";
    OpLockExecute => "lock or unlock executed", "执行锁机或解锁";
    OpInboxRead => "notifications read", "通知已读";
    OpDeliver => "notification delivered", "通知推送";
    OpStockImport => "stock imported", "导入库存";
    OpContractCreate => "contract drafted", "起草合同";
    OpOrder => "outbound order changed", "出库单变更";
    OpShip => "shipped", "出库";
    OpLang => "language set", "设置语言";
    OpSite => "site registered", "登记站点";
    NotFoundContract => "contract {} does not exist; check the number", "合同 {} 不存在；请检查合同号";
    NotFoundPayment => "payment {} does not exist; check the id", "收款 {} 不存在；请检查编号";
    NotFoundOrder => "order {} does not exist; check the id", "出库单 {} 不存在；请检查编号";
    NotFoundMachine => "machine {} is not in stock records; check the serial", "库存记录中没有机器 {}；请检查机号";
    NotFoundAccessory => "accessory {} is not in the catalogue; check the code", "附件目录中没有 {}；请检查编码";
    NotFoundUser => "user {} does not exist; check the name", "用户 {} 不存在；请检查用户名";
    NotFoundApplication => "application {} does not exist; check the id", "申请 {} 不存在；请检查编号";
    NotFoundNotification => "notification {} does not exist", "通知 {} 不存在";
    NotFoundActor => "user {} does not exist; check the name given to --as", "用户 {} 不存在；请检查 --as 给出的用户名";
    RefRequired => "{} is required", "{} 必填";
    RefContractExists => "contract {} already exists", "合同 {} 已存在";
    RefCustomerMissing => "customer {} of contract {} does not exist; import the customer first", "客户 {}（合同 {}）不存在；请先导入客户";
    RefContractClosed => "contract {} is {}; it takes no more changes", "合同 {} {}，不能再修改";
    RefInstallmentExists => "contract {}: installment {} already exists", "合同 {}：第 {} 期已存在";
    RefInstallmentNegative => "contract {}: installment {} is negative", "合同 {}：第 {} 期金额为负";
    RefPaymentNotPositive => "payment amount {} must be more than 0", "收款金额 {} 须大于 0";
    RefReceivedAfterToday => "received-on {} is after today ({}); record money when it has arrived", "收款日期 {} 晚于今天（{}）；请在款项到账后登记";
    RefPaymentNotPending => "payment {} is {}; only pending payments can be confirmed", "收款 {} {}；只有待确认的收款可以确认";
    RefPaymentVoid => "payment {} is already void", "收款 {} 已作废";
    RefPromiseNotPositive => "promise amount {} must be more than 0", "承诺金额 {} 须大于 0";
    RefPromiseInPast => "promise date {} is before today ({}); a promise is for today or later", "承诺日期 {} 早于今天（{}）；承诺须为今天或以后";
    RefPaymentsPending => "contract {}: {} of payments wait for confirmation; confirm or void them before settling", "合同 {}：有 {} 收款待确认；结清前请先确认或作废";
    RefOutstanding => "contract {}: {}; record a payment or apply for a waiver before settling", "合同 {}：{}；结清前请先登记收款或申请减免";
    OutstandingPrincipal => "principal {} outstanding", "本金未还 {}";
    OutstandingInterest => "interest {} outstanding", "利息未还 {}";
    OutstandingPenalty => "penalty {} outstanding", "罚息未还 {}";
    RefAccrualUnfinished => "the accrual through {} stopped after contract {}; run accrue to finish it first", "计提至 {} 的罚息在合同 {} 之后中断；请先运行 accrue 完成";
    RefNoAccrualRun => "no accrual run is unfinished; a run starts from the first contract", "没有未完成的计提；计提须从第一个合同开始";
    RefAccrualPartBackwards => "an accrual part must end after it starts ({} … {})", "计提分段须在开始之后结束（{} … {}）";
    RefOverdueLineStale => "the overdue line of {} cannot be carried to {}; run accrue", "合同 {} 的逾期记录无法推算到 {}；请运行 accrue";
    RefNotInBatch => "this change must run on its own, not in a batch", "此操作须单独执行，不能批量执行";
    RefJournalEntry => "journal entry {} ({}) no longer applies: {}; the database needs attention", "日志条目 {}（{}）无法再应用：{}；数据库需要检查";
    RefBadUserName => "user name '{}' may hold only letters, digits, '.', '_' and '-'", "用户名「{}」只能包含字母、数字、'.'、'_' 和 '-'";
    RefUserExists => "user {} already exists", "用户 {} 已存在";
    RefNoRoles => "user {}: give at least one role", "用户 {}：至少指定一个角色";
    RefBadKey => "user {}: give an OpenSSH public key line and its SHA256 fingerprint", "用户 {}：请提供 OpenSSH 公钥行及其 SHA256 指纹";
    RefKeyTaken => "key {} already belongs to user {}; remove it there first", "密钥 {} 已属于用户 {}；请先从该用户移除";
    RefNoSuchKey => "user {} has no key {}; see `duedesk user keys {}`", "用户 {} 没有密钥 {}；见 `duedesk user keys {}`";
    RefSessionOfOther => "a session event of {} is recorded by {} only", "{} 的会话事件只能由 {} 本人记录";
    RefRulesInvalid => "{}", "审批规则有问题：{}";
    RefWaiverNotPositive => "contract {}: the waiver amount must be more than 0", "合同 {}：减免金额须大于 0";
    RefOverdueRemains => "contract {}: {} principal and interest is still overdue; a waiver is allowed once nothing is overdue", "合同 {}：仍有逾期本息 {}；没有逾期后才能申请减免";
    RefWaiverOverPenalty => "contract {}: the waiver {} is more than the penalty outstanding {}", "合同 {}：减免金额 {} 超过罚息余额 {}";
    RefWaiverOverPenaltyToday => "waiver {}: {} is more than the penalty outstanding today ({}); reject it and apply again", "减免 {}：{} 超过今天的罚息余额（{}）；请驳回后重新申请";
    RefNotMachineDocument => "{} applications are not made on a contract's machine", "{}申请不针对合同的机器";
    RefMachineStateForbids => "contract {}: the machine is {}; a {} does not apply", "合同 {}：机器{}，不能申请{}";
    RefInFlight => "contract {}: {} application {} is still {}; finish or withdraw it first", "合同 {}：{}申请 {} 仍{}；请先办结或撤回";
    RefNoRuleApplies => "no approval rule applies to a {} application; the admin must add a default rule", "没有适用于{}申请的审批规则；请管理员添加默认规则";
    RefNotRejected => "{} is {}; only a rejected application can be resubmitted", "{} {}；只有被驳回的申请可以重新提交";
    RefNotWithdrawable => "{} is {}; it can no longer be withdrawn", "{} {}，不能再撤回";
    RefNotATow => "application {} is a {} application, not a tow", "申请 {} 是{}申请，不是拖机申请";
    RefTowRegistered => "tow {} is already registered", "拖机 {} 已登记";
    RefTowNotApproved => "tow {} is {}; only approved tows can be registered", "拖机 {} {}；只有已批准的拖机可以登记";
    RefTowNotRegistered => "tow {} is not registered yet; register it first", "拖机 {} 尚未登记；请先登记";
    RefTowClosed => "tow {} is {}; its outcome cannot be recorded", "拖机 {} {}，不能再记录结果";
    RefNotLockOrUnlock => "application {} is a {} application, not a lock or unlock", "申请 {} 是{}申请，不是锁机或解锁申请";
    RefAlreadyExecuted => "{} {} is already executed", "{} {} 已执行";
    RefNotExecutable => "{} {} is {}; only approved orders can be executed", "{} {} {}；只有已批准的指令可以执行";
    RefCrewRequired => "crew is required: name at least one person", "拖机人员必填：至少填写一人";
    RefMachineExists => "machine {} is already in stock records", "库存记录中已有机器 {}";
    RefModelTypeMismatch => "model {} is of type {}, not {}; check the type column", "机型 {} 的类型是 {}，不是 {}；请检查类型列";
    RefAccessoryReserved => "accessory {}: {} are reserved by open orders; the quantity cannot be {}", "附件 {}：未完成的出库单已预留 {}，数量不能为 {}";
    RefContractDraft => "contract {} is a draft, not approved yet; only approved contracts take outbound", "合同 {} 是草稿，尚未批准；只有已批准的合同可以出库";
    RefContractNotApproved => "contract {} is {}; only approved contracts take outbound", "合同 {} {}；只有已批准的合同可以出库";
    RefOrderOpen => "contract {} already has order {} ({}); use it or cancel it", "合同 {} 已有出库单 {}（{}）；请使用或取消它";
    RefOrderNotDraft => "order {} is {}; only a draft order can be changed", "出库单 {} {}；只有草稿出库单可以修改";
    RefSerialHeld => "machine {} is reserved: {}", "机器 {} 已被预留：{}";
    RefSerialShipped => "machine {} is shipped: {}", "机器 {} 已出库：{}";
    HolderOrder => "order {}", "出库单 {}";
    HolderOrderOf => "order {} of contract {} by {}", "出库单 {}（合同 {}，销售员 {}）";
    RefSerialTowedBack => "machine {} is towed back and not restocked", "机器 {} 已拖回，尚未重新入库";
    RefWrongType => "machine {} is a {} of type {}; the contract is for type {} ({}): pick the same model or type", "机器 {} 是 {}，类型为 {}；合同要求类型 {}（{}）：请选同机型或同类型";
    RefContractTypeUnknown => "machine {} is model {}; the contract is for {}, whose type is unknown: pick that model", "机器 {} 的机型是 {}；合同机型为 {}，其类型未知：请选该机型";
    RefQuantityZero => "quantity must be at least 1", "数量至少为 1";
    RefAccessoryShort => "accessory {} ({}): {} {} available, {} asked", "附件 {}（{}）：可用 {} {}，申请 {}";
    RefNoSerialPicked => "order {} has no machine; pick a serial first", "出库单 {} 尚未选机；请先选机号";
    RefOrderNotApproved => "order {} is {}; only an order approved by finance can ship", "出库单 {} {}；只有财务批准的出库单可以出库";
    RefSwapNeedsShipped => "order {} is {}; a sales swap is for shipped orders (before shipment, pick another serial)", "出库单 {} {}；销售换机仅用于已出库的出库单（出库前请另选机号）";
    RefOrderClosed => "order {} is {}; it cannot be cancelled", "出库单 {} {}，不能取消";
    RefIdMissing => "the new {} has no id; ids are minted by duedesk when a change is executed", "新的{}没有编号；编号由 duedesk 在执行时生成";
    RefIdTaken => "{} {} already exists; an id is never given twice", "{} {} 已存在；编号不会重复使用";
    RefGraceDaysTooMany => "grace days {}: give 0 to {}", "宽限期 {} 天：请填 0 到 {}";
    RefFinancedNotPositive => "contract {}: the financed amount {} must be more than 0", "合同 {}：融资金额 {} 须大于 0";
    RefMintCounters => "the journal's migration counted {} {} ids where the book counted {}; the database needs attention (keep a copy and report it)", "日志迁移统计到 {} 个{}编号，而账簿记录为 {}；数据库需要检查（请保留副本并报告）";
    RefEntryOwnSite => "entry {} is this site's own; only entries of other sites are applied here", "条目 {} 属于本站点；这里只应用其他站点的条目";
    RefEntryLocal => "entry {} ({}) never leaves the site it was made at", "条目 {}（{}）只留在产生它的站点";
    RefEntryOutOfOrder => "entry {} arrived before {}; entries of a site apply in their order", "条目 {} 先于 {} 到达；同一站点的条目须按顺序应用";
    RefEntryWithoutId => "entry {} creates a {} without a valid id ('{}')", "条目 {} 新建{}，编号无效（'{}'）";
    RefAmountNegative => "{}: {} is negative; amounts are positive", "{}：{} 为负数；金额须为正数";
    RefAmountTooLarge => "{}: {} is more than the largest amount duedesk takes, {}", "{}：{} 超过 duedesk 接受的最大金额 {}";
    RefDateOutOfRange => "{}: {} is outside the dates duedesk takes, {} to {}", "{}：{} 超出 duedesk 接受的日期范围 {} 至 {}";
    RefDateAfterToday => "{}: {} is after today ({}); this cannot be done ahead of time", "{}：{} 晚于今天（{}）；不能提前执行";
    RefControl => "{}: holds the control character U+{}; names, notes and reasons are plain text", "{}：含有控制字符 U+{}；名称、备注和原因须为纯文本";
    RefControlTabOk => "{}: holds the control character U+{}; names, notes and reasons are plain text (tabs are fine)", "{}：含有控制字符 U+{}；名称、备注和原因须为纯文本（可含制表符）";
    RefContractHidden => "contract {} does not exist or is not yours to see; check the number", "合同 {} 不存在或不在您的查看范围内；请检查合同号";
    RefPeriodBackwards => "the period runs from {} to {}: --to must not be before --from", "期间从 {} 到 {}：截止日期不能早于起始日期";
    RefExportFailed => "the export could not be written: {}", "导出文件无法写入：{}";
    ScreenReports => "Reports", "报表";
    CmdScreen9 => "reports", "报表";
    CmdNextReport => "next report", "下一报表";
    CmdPrevReport => "previous report", "上一报表";
    CmdPeriod => "period", "期间";
    CmdNextSheet => "next part", "下一部分";
    CmdExport => "export", "导出";
    CmdGoTo => "go to contract", "查找合同";
    CmdAccrue => "accrue penalty", "计提罚息";
    CmdExecuteLock => "execute", "执行";
    BoardTows => "Tows ({})", "拖机（{}）";
    BoardLocks => "Locks to execute ({})", "待执行锁机（{}）";
    ColLastRun => "Last run", "最近执行";
    NoLockOrders => "No approved lock or unlock order.", "没有已批准的锁机或解锁指令。";
    LockAwaiting => "to execute", "待执行";
    LockExecuted => "executed", "已执行";
    RunOk => "sent", "已发送";
    RunFailed => "failed (code {})", "失败（代码 {}）";
    ConfirmExecuteSend => "Send the {} order {} for {} ({}) to the GPS terminal now?", "现在向 GPS 终端发送{}指令 {}（合同 {}，{}）？";
    ConfirmExecuteRecord => "Record the {} order {} for {} ({}) as executed? This server sends nothing to GPS terminals: send the order yourself first.", "将{}指令 {}（合同 {}，{}）记为已执行？本服务器不向 GPS 终端发送指令：请先自行发送。";
    ExecuteFailed => "Sending order {} to the GPS terminal failed (code {}): it stays approved; press e to send it again.", "向 GPS 终端发送指令 {} 失败（代码 {}）：指令仍为已批准，按 e 重新发送。";
    DoneExecuted => "{} executed", "{} 已执行";
    FormAccrue => "Accrue penalty", "计提罚息";
    FieldThrough => "Through", "计提至";
    ConfirmAccrue => "Accrue penalty on every contract through {}? It cannot be undone.", "对所有合同计提罚息至 {}？不可撤销。";
    ConfirmAccrueSince => "Accrue penalty on every contract through {} (accrued through {} so far)? It cannot be undone.", "对所有合同计提罚息至 {}（目前已计提至 {}）？不可撤销。";
    DoneAccrue => "Penalty accrued through {}", "罚息已计提至 {}";
    GoToTitle => "Go to contract", "查找合同";
    GoToPrompt => "Find: ", "查找：";
    GoToFound => "{} found", "找到 {} 个";
    GoToHint => "contract number, name, pinyin, phone or serial", "合同号、姓名、拼音、电话或机号";
    GoToNone => "No contract in your scope matches.", "您的范围内没有匹配的合同。";
    GoToFooter => "type to search · Up/Down · Enter open · Esc close", "输入查找 · 上下 选择 · Enter 打开 · Esc 关闭";
    ColPhone => "Phone", "电话";
    ReportAging => "Aging", "账龄";
    ReportRollRates => "Roll rates", "迁徙率";
    ReportCollection => "Collection", "催收绩效";
    ReportForecast => "Cash forecast", "回款预测";
    ReportPenalty => "Penalty income", "罚息收入";
    ReportTows => "Tows and locks", "拖机锁机";
    ReportStock => "Stock", "库存";
    ReportsLine => "{} · {} to {} · {}", "{} · {} 至 {} · {}";
    ReportsMonths => "{} months", "{} 个月";
    ReportsAllBranches => "all branches", "全部分公司";
    ReportsPart => "{}/{} {}", "{}/{} {}";
    ReportsChart => "{} by {}", "{}（按{}）";
    ReportExported => "Saved {}", "已保存 {}";
    ReportExportFailed => "Export failed: {}", "导出失败：{}";
    ReportsNone => "Nothing in this period.", "本期间无数据。";

    // A branch site's sync, on the status line
    SyncState => "{} pending · synced {}", "待同步 {} · 上次同步 {}";
    SyncNever => "never", "从未";
    SyncConflicts => "{} conflicts", "同步冲突 {}";
    SyncNoLongerApplies => "no longer applies after head office's changes: {}", "在总部的更改之后不再适用：{}";

    // Refusals of branch sites and their sync
    NotFoundSite => "site {} does not exist; see `duedesk site list`", "站点 {} 不存在；见 `duedesk site list`";
    HoldersSiteUser => "admin, the user of site {}", "管理员、站点 {} 的同步用户";
    HoldersSiteBranches => "users of the branches of site {}", "站点 {} 所辖网点的用户";
    RefSiteCodeInvalid => "site code '{}': give 1 to 6 capital letters or digits (HF)", "站点代码「{}」：请填 1 到 6 个大写字母或数字（如 HF）";
    RefSiteNumberInvalid => "site number {}: head office is 1, a branch site 2 or more", "站点编号 {}：总部为 1，分支站点为 2 或以上";
    RefSiteBranchesRequired => "site {}: give the branches whose book it holds (--branches 合肥,巢湖)", "站点 {}：请指定它所持账簿的网点（--branches 合肥,巢湖）";
    RefSiteExists => "site {} already exists", "站点 {} 已存在";
    RefSiteNumberOrCodeTaken => "site {} already has number {} and code {}; give another", "站点 {} 已使用编号 {} 和代码 {}；请另选";
    RefBranchHeldBySite => "branch {} is already held by site {}", "网点 {} 已属于站点 {}";
    RefSiteUserTaken => "user {} already syncs for site {}; give each site its own user", "用户 {} 已为站点 {} 同步；每个站点须有自己的用户";
    RefSiteUserHasRoles => "user {} exists with other roles; a site's user holds the role site and nothing else, so give a new name", "用户 {} 已存在且有其他角色；站点用户只能有 site 角色，请另起用户名";
    RefSiteNotRegistered => "site number {} is not registered here; see `duedesk site list`", "此处没有登记编号为 {} 的站点；见 `duedesk site list`";
    RefBudgetBranchOutOfScope => "{} may not plan or see the budget of branch {}; finance of that branch or head office does", "{} 无权编制或查看网点 {} 的资金预算；请由该网点或总部财务处理";
    RefBudgetMonthClosed => "budget month {} is closed; book it in the current month instead", "预算月份 {} 已结账；请记入当前月份";
    RefBudgetInReview => "the {} budget of {} is in review ({}); wait for the decision or withdraw it first", "{} 月份网点 {} 的资金预算正在审批（{}）；请等待审批结果或先撤回";
    RefBudgetNoDraft => "there is no draft {} budget for {} to submit; draft or import its lines first", "{} 月份网点 {} 没有可提交的预算草稿；请先编制或导入预算行";
    RefBudgetLineDuplicate => "the plan has two lines for {}; keep one line each", "预算中有两行都是 {}；每项只保留一行";
    RefBudgetCollectorOnSpending => "a spending line names collector {}; only collection lines name a collector", "支出行填写了催收人员 {}；只有回款行可以填写催收人员";
    RefBudgetMonthNotOver => "budget month {} is not over yet; close it after its last day", "预算月份 {} 尚未结束；请在月末之后结账";
    RefBudgetScoringInvalid => "scoring rule {} is out of range; points and penalties are not negative, the cap is above 0 and the tolerance at most 100", "评分规则 {} 超出范围；分值和扣分不能为负，上限须大于 0，容差不超过 100";
    // The fund budget (资金预算).
    NoteWhatBudget => "{} {} for {}", "{}申请 {}（{}）";
    NoteBudgetOverspent => "budget {}: {} spending {} passed the plan {}", "资金预算 {}：{}支出 {} 已超过预算 {}";
    NoteBudgetBehindPace => "budget {}: at this pace collections reach {}, behind the plan {}", "资金预算 {}：按当前进度回款预计 {}，落后于预算 {}";
    BudgetCatTow => "tow", "拖机";
    BudgetCatTravel => "travel", "差旅";
    BudgetCatLegal => "legal", "法务";
    BudgetCatOther => "other", "其他";
    ScreenBudget => "Budget", "资金预算";
    CmdScreen0 => "budget", "资金预算";
    CmdPrevMonth => "previous month", "上月";
    CmdNextMonth => "next month", "下月";
    CmdLeague => "lines/league", "明细/排名";
    CmdBudgetLine => "draft a line", "编制预算行";
    CmdBudgetSpending => "manual spending", "手工支出";
    CmdBudgetSubmit => "submit the draft", "提交预算";
    FormBudgetLine => "Budget line {} {}", "预算行 {} {}";
    FormBudgetSpending => "Manual spending {} {}", "手工支出 {} {}";
    FieldBudgetKind => "Kind", "类别";
    FieldCollector => "Collector (empty: rest of branch)", "催收人员（空：网点其余）";
    FieldCategory => "Category", "支出类别";
    BudgetCollection => "collection", "回款";
    BudgetHead => "Budget {} · {}", "资金预算 {} · {}";
    BudgetClosed => "closed", "已结账";
    BudgetInForce => "v{} in force", "生效版本 {}";
    BudgetDraftState => "v{} {}", "版本 {} {}";
    BudgetNone => "No budget lines here; a drafts a line", "暂无预算行；按 a 编制";
    BudgetTotals => "Collected {} of {} · spent {} of {}", "已回款 {} / 预算 {} · 已支出 {} / 预算 {}";
    BudgetColLine => "Line", "预算行";
    BudgetColPlan => "Plan", "预算";
    BudgetColActual => "Actual", "实际";
    BudgetColVariance => "Variance", "差异";
    BudgetColPace => "Pace", "预计";
    BudgetColBar => "Actual/plan", "完成度";
    BudgetSpendingLine => "spend {}", "支出 {}";
    BudgetCollectionOf => "collect {}", "回款 {}";
    BudgetCollectionRest => "collect (rest)", "回款（其余）";
    BudgetLate => "{} {} belongs to closed {} and counts here", "{} {} 属于已结账的 {}，计入本月";
    BudgetManual => "{} {} {}: {}", "{} {} {}：{}";
    BudgetLeagueOpen => "League as it stands (scoring rules v{})", "当前排名（评分规则版本 {}）";
    BudgetLeagueClosed => "League as closed (scoring rules v{})", "结账时排名（评分规则版本 {}）";
    BudgetColRank => "#", "#";
    BudgetColBranch => "Branch", "网点";
    BudgetColCollector => "Collector", "催收人员";
    BudgetColPercent => "Done", "完成率";
    BudgetColPoints => "Points", "得分";
    BudgetWholeBranch => "(branch)", "（网点）";
    OpBudgetPlan => "budget drafted or submitted", "编制或提交资金预算";
    OpBudgetSpending => "manual spending booked", "登记手工支出";
    OpBudgetClose => "budget month closed", "预算月份结账";
    OpBudgetScoring => "budget scoring rules set", "设置预算评分规则";
    BudgetNoBranch => "no branch to draft for; import customers first", "没有可编制的网点；请先导入客户";
    NoteSyncConflict => "head office did not take your change {} ({}, contract {}): {}; see `duedesk sync conflicts`", "总部未接受您的更改 {}（{}，合同 {}）：{}；见 `duedesk sync conflicts`";
    RefCustomerMovedAway => "customer {} has moved to another branch ({}) at head office; redo the change there if it is still needed", "客户 {} 已由总部转到其他网点（{}）；如仍需要，请在那里重新办理";
    RefAccessoryLineMissing => "order {} has no accessory line {} of that kind; nothing was removed", "出库单 {} 没有该类附件行 {}；未删除任何内容";
    // Admin: the settings screen's users pane, the allocation order, the rate's question.
    PaneSettings => "Rates and settings", "利率与设置";
    PaneUsers => "Users", "用户";
    PaneSwitch => "h/l switches", "h/l 切换";
    ColLogin => "Login", "登录名";
    ColShownAs => "Shown as", "显示名";
    ColRoles => "Roles", "角色";
    ColLang => "Lang", "语言";
    UserActive => "active", "正常";
    UserDisabled => "disabled", "已停用";
    UserKeys => "SSH keys of {}:", "{} 的 SSH 密钥：";
    UserNoKeys => "{} has no SSH key (add one: duedesk user add-key)", "{} 没有 SSH 密钥（添加：duedesk user add-key）";
    NoUsers => "No users yet.", "还没有用户。";
    LangEnglish => "English", "English";
    LangChinese => "中文", "中文";
    CmdAddUser => "add user", "新增用户";
    CmdRoles => "roles", "角色";
    CmdBranch => "branch", "网点";
    CmdDisable => "disable", "停用";
    CmdLanguage => "language", "语言";
    CmdAllocation => "allocation order", "冲销顺序";
    CmdDraftContract => "draft contract", "新建合同";
    CmdRemoveLine => "remove line", "删除附件行";
    FormAddUser => "Add a user", "新增用户";
    FormRoles => "Roles of {}", "{} 的角色";
    FormBranch => "Branch of {}", "{} 的网点";
    FormLanguage => "Language of {}", "{} 的语言";
    FormDraftContract => "Draft a contract (goes to approval)", "新建合同（提交审核）";
    FieldLogin => "Login name", "登录名";
    FieldShownAs => "Shown as", "显示名";
    FieldBranch => "Branch (blank: none)", "网点（空为无）";
    FieldLanguage => "Language", "语言";
    FieldCustomerId => "Customer ID", "客户编号";
    FieldModel => "Model", "机型";
    FieldFinanced => "Financed amount", "融资金额";
    FieldSignedOn => "Signed on", "签约日期";
    ErrNoRole => "choose a role", "请至少选一个角色";
    ConfirmDisableUser => "Disable user {} ({})? They can no longer log in; their records stay.", "停用用户 {}（{}）？其将无法登录，记录保留。";
    ConfirmRateAll => "Set the global penalty rate to {} a day from {}? It changes the penalty of every contract without its own rate, from that day on.", "将全局罚息日利率设为 {}，自 {} 起生效？所有未单独设定利率的合同自该日起的罚息都会改变。";
    ConfirmAllocation => "Switch the allocation order to: {}? The payments of every contract are allocated again in that order.", "将冲销顺序改为：{}？所有合同的还款都将按此顺序重新冲销。";
    ConfirmRemoveLine => "From order {}, remove line {} {} ({} {})? The quantity goes back to stock.", "从出库单 {} 删除附件行 {} {}（{} {}）？数量将退回库存。";
    ConfirmSwapOtherBranch => "Machine {} is in yard {}, which is branch {}'s, not {}'s (the contract's). Swap it into order {} anyway?", "机号 {} 在 {}，属于网点 {}，不属于合同所在网点 {}。仍要换入出库单 {} 吗？";
    DoneUserAdded => "user {} added", "已新增用户 {}";
    DoneRoles => "roles of {}: {}", "{} 的角色：{}";
    DoneBranch => "branch of {}: {}", "{} 的网点：{}";
    DoneDisabled => "user {} disabled", "已停用用户 {}";
    DoneLanguage => "language of {}: {}", "{} 的语言：{}";
    DoneAllocation => "allocation order: {}", "冲销顺序：{}";
    DoneDraftContract => "contract {} drafted; approval {} submitted", "合同 {} 已新建，审核申请 {} 已提交";
    DoneRemoveLine => "line {} removed from order {}", "附件行 {} 已从出库单 {} 删除";
    NoBranch => "none", "无";
    // Sales: the contract list a new order starts from.
    ContractPickTitle => "New order: pick a contract", "新建出库单：选择合同";
    ContractPickPrompt => "Contract: ", "合同：";
    ContractPickHint => "number, customer, model, branch", "合同号、客户、机型、网点";
    ContractPickNone => "No approved contract is waiting for a machine.", "没有等待交机的已审核合同。";
    ContractPickFooter => "Enter create the order · Esc close", "Enter 创建出库单 · Esc 关闭";
    ColSignedOn => "Signed", "签约日";
    // Finance: an outbound order's contents in its approval.
    DetailOrderMachine => "Order {}: machine {} ({}){}", "出库单 {}：机号 {}（{}）{}";
    DetailOrderNoMachine => "Order {}: no machine picked", "出库单 {}：未选机号";
    DetailOrderLines => "Accessories:", "附件：";
    DetailOrderLine => "  {} {} × {} {} ({})", "  {} {} × {} {}（{}）";
    DetailOrderNoLines => "Accessories: none", "附件：无";
    // Finance: an accrual over the whole book, done a part at a time on the screen.
    AccrueProgressTitle => "Accruing penalty", "正在计提罚息";
    AccrueProgress => "Through {}: {} of {} contracts", "计提至 {}：已处理 {} / {} 份合同";
    AccrueProgressWait => "Please wait: keys work again when it is done.", "请稍候：完成后才能继续操作。";
    AccrueAlready => "Penalty is already accrued through {}", "罚息已计提至 {}，无需再计提";
    // Dashboard views (#13)
    CmdView => "next view", "切换视图";
    ViewOverdue => "Overdue", "逾期";
    ViewPenaltyOnly => "Penalty only", "仅欠罚息";
    ViewAll => "All in scope", "全部合同";
    ViewSettled => "Settled", "已结清";
    ViewTotalsLine => "{} contracts · overdue {} · penalty {}", "合同 {} 笔 · 逾期金额 {} · 罚息 {}";
    ViewNoRows => "No contracts in this view match.", "此视图中没有符合条件的合同。";
}

impl Msg {
    /// The message naming a role (a form's label, a list's cell).
    pub fn role(role: crate::domain::Role) -> Msg {
        use crate::domain::Role;
        match role {
            Role::Collector => Msg::RoleCollector,
            Role::Clerk => Msg::RoleClerk,
            Role::Sales => Msg::RoleSales,
            Role::Finance => Msg::RoleFinance,
            Role::Approver => Msg::RoleApprover,
            Role::Admin => Msg::RoleAdmin,
            Role::Site => Msg::RoleSite,
        }
    }
}

/// Report columns and parts (`app::reports`) by their keys, in Chinese; in English the key
/// with spaces (`overdue_amount` → `overdue amount`).
const REPORT_WORDS: &[(&str, &str)] = &[
    ("bucket", "账龄"),
    ("contracts", "合同数"),
    ("overdue_amount", "逾期金额"),
    ("balance", "未还本息"),
    ("share_of_overdue", "逾期占比"),
    ("month", "月份"),
    ("as_of", "截至"),
    ("contracts_overdue", "逾期合同"),
    ("total", "合计"),
    ("branch", "分公司"),
    ("collector", "催收员"),
    ("from_bucket", "月初账龄"),
    ("cured", "转正常"),
    ("better", "好转"),
    ("stayed", "持平"),
    ("worse", "恶化"),
    ("cured_share", "转正常率"),
    ("better_share", "好转率"),
    ("stayed_share", "持平率"),
    ("worse_share", "迁徙率"),
    ("contacts", "催收次数"),
    ("promises", "承诺笔数"),
    ("promised_amount", "承诺金额"),
    ("kept", "履约笔数"),
    ("kept_amount", "履约金额"),
    ("owed", "应收"),
    ("collected", "实收"),
    ("collected_share", "回收率"),
    ("overdue_at_start", "期初逾期"),
    ("cure_rate", "转正常率"),
    ("broken", "违约笔数"),
    ("kind", "类别"),
    ("scheduled", "计划"),
    ("expected", "预计"),
    ("promised", "承诺"),
    ("actual", "实际"),
    ("forecast", "预测"),
    ("weight", "权重"),
    ("accrued", "计提"),
    ("waived", "减免"),
    ("outstanding", "未收"),
    ("document", "单据"),
    ("applications", "申请数"),
    ("in_review", "审批中"),
    ("rejected", "驳回"),
    ("withdrawn", "撤回"),
    ("approved", "已批准"),
    ("done", "完成"),
    ("failed", "失败"),
    ("success_rate", "成功率"),
    ("avg_days_to_approve", "平均审批天数"),
    ("avg_days_to_tow", "平均拖机天数"),
    ("cost", "费用"),
    ("id", "编号"),
    ("contract_no", "合同号"),
    ("customer", "客户"),
    ("approved_on", "批准日"),
    ("towed_on", "拖回日"),
    ("days_to_tow", "拖机天数"),
    ("yard", "场地"),
    ("condition", "状况"),
    ("model", "机型"),
    ("machine_type", "类型"),
    ("in_stock", "在库"),
    ("reserved", "已预留"),
    ("shipped", "已出库"),
    ("towed_back", "拖回"),
    ("max_days_in_stock", "最长库龄"),
    ("avg_days_in_stock", "平均库龄"),
    ("serial", "机号"),
    ("state", "状态"),
    ("arrived_on", "入库日"),
    ("days_in_stock", "库龄"),
    ("buckets", "账龄分布"),
    ("trend", "月度趋势"),
    ("by_branch", "按分公司"),
    ("by_collector", "按催收员"),
    ("rolls", "迁徙"),
    ("by_month", "按月"),
    ("weights", "权重"),
    ("summary", "汇总"),
    ("towed", "拖回机器"),
    ("by_model", "按机型"),
    ("by_model_yard", "按机型场地"),
    ("slowest", "滞销机器"),
    ("tow", "拖机"),
    ("lock", "锁机"),
    ("current", "正常"),
];

impl Lang {
    /// A report's column, part or word by its key (see `REPORT_WORDS`).
    pub fn report_word(self, key: &str) -> String {
        match self {
            Lang::En => key.replace('_', " "),
            Lang::Zh => REPORT_WORDS
                .iter()
                .find(|(k, _)| *k == key)
                .map_or_else(|| key.replace('_', " "), |(_, zh)| zh.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_both_languages() {
        for msg in Msg::ALL {
            let (en, zh) = msg.texts();
            assert!(!en.is_empty() && !zh.is_empty(), "{msg:?}");
            assert_eq!(
                en.matches("{}").count(),
                zh.matches("{}").count(),
                "{msg:?} placeholders differ"
            );
        }
    }

    #[test]
    fn values_are_worded_for_people() {
        let zh = Lang::Zh;
        assert_eq!(zh.step("role:finance"), "财务");
        assert_eq!(Lang::En.step("role:approver"), "approver");
        assert_eq!(zh.step("user:li"), "li");
        assert_eq!(zh.step("role:nobody"), "role:nobody", "unknown: as it is");
        assert_eq!(zh.method("bank"), "银行转账");
        assert_eq!(zh.method(" Cash "), "现金");
        assert_eq!(zh.method("汇票"), "汇票", "typed in: as it is");
        assert_eq!(zh.machine_type("loader"), "装载机");
        assert_eq!(zh.machine_type("crane"), "crane");
        assert_eq!(zh.reason("outbound", "outbound"), "新合同机器出库");
        assert_eq!(zh.reason("tow", "outbound"), "outbound", "a person's words");
        assert_eq!(zh.operation("payment.confirm"), "收款确认");
    }

    #[test]
    fn locales_pick_a_language() {
        assert_eq!(Lang::parse("zh_CN.UTF-8"), Some(Lang::Zh));
        assert_eq!(Lang::parse("en_US.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::parse("C.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::parse("fr_FR"), None);
        assert_eq!(Lang::Zh.f(Msg::RowsShown, &["3", "9"]), "3 / 9");
    }

    /// Every kind of refusal is worded in both languages (`samples` holds one of every kind:
    /// `domain::refusal::tests::golden_bytes` fails when one is missing), with every
    /// parameter in place.
    #[test]
    fn every_refusal_is_worded_in_both_languages() {
        for refusal in crate::domain::refusal::samples() {
            let en = Lang::En.refusal(&refusal);
            let zh = Lang::Zh.refusal(&refusal);
            for text in [&en, &zh] {
                assert!(!text.trim().is_empty(), "{refusal:?}");
                assert!(!text.contains("{}"), "{refusal:?}: {text}");
            }
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{refusal:?} has no Chinese wording: {zh}"
            );
            assert_ne!(en, zh, "{refusal:?}");
            assert_eq!(refusal.to_string(), en, "Display is the English");
        }
        let blocks = [
            DecisionBlock::NotWaiting,
            DecisionBlock::OwnApplication,
            DecisionBlock::NotYourStep {
                step: "role:finance".into(),
                user: "li".into(),
            },
        ];
        let holders =
            crate::domain::refusal::holders_samples()
                .into_iter()
                .chain(blocks.into_iter().map(|why| Holders::Approver {
                    id: "A1".into(),
                    why,
                }));
        for holders in holders {
            let (en, zh) = (Lang::En.holders(&holders), Lang::Zh.holders(&holders));
            assert!(!en.is_empty() && !en.contains("{}"), "{holders:?}");
            assert!(!zh.is_empty() && !zh.contains("{}"), "{holders:?}");
            if !matches!(holders, Holders::Roles(_)) {
                assert_ne!(en, zh, "{holders:?} has no Chinese wording");
            }
        }
    }

    #[test]
    fn refusals_keep_the_words_the_cli_printed() {
        use crate::domain::Money;
        let cases = [
            (
                Refusal::BalanceOutstanding {
                    contract: "H1".into(),
                    principal: Money::from_cents(900_000),
                    interest: Money::ZERO,
                    penalty: Money::from_cents(2500),
                },
                "contract H1: principal 9000.00 outstanding, penalty 25.00 outstanding; record a payment or apply for a waiver before settling",
                "合同 H1：本金未还 9000.00、罚息未还 25.00；结清前请先登记收款或申请减免",
            ),
            (
                Refusal::SerialHeld {
                    serial: "S2".into(),
                    order: "O2".into(),
                    contract: "H3".into(),
                    holder: "qian".into(),
                },
                "machine S2 is reserved: order O2 of contract H3 by qian",
                "机器 S2 已被预留：出库单 O2（合同 H3，销售员 qian）",
            ),
            (
                Refusal::ContractClosed {
                    contract: "H1".into(),
                    state: "settled".into(),
                },
                "contract H1 is settled; it takes no more changes",
                "合同 H1 已结清，不能再修改",
            ),
            (
                Refusal::Required {
                    field: "reason".into(),
                },
                "reason is required",
                "原因 必填",
            ),
            (
                Refusal::Forbidden {
                    user: "li".into(),
                    permission: "approval.decide".into(),
                    holders: Holders::Approver {
                        id: "A1".into(),
                        why: DecisionBlock::OwnApplication,
                    },
                },
                "user li may not do this: missing permission approval.decide (held by: the current approver of A1: nobody approves their own application)",
                "用户 li 无权执行此操作：缺少权限 approval.decide（持有者：A1 当前环节的审批人：任何人都不能审批自己的申请）",
            ),
        ];
        for (refusal, en, zh) in cases {
            assert_eq!(refusal.to_string(), en);
            assert_eq!(Lang::Zh.refusal(&refusal), zh);
        }
    }
}
