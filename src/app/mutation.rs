//! Named mutations: the only way the book changes, and the unit of the journal.
//!
//! A mutation carries everything needed to apply it; applying never reads the clock or any
//! random state (the business date and actor come from the journal entry's header), so a
//! replay of the journal rebuilds identical projections.

use crate::domain::approval::{DocumentType, Rule};
use crate::domain::budget::{self, Category, Month, ScoringRules};
use crate::domain::outbound::Machine;
use crate::domain::{AllocationOrder, Channel, Customer, Installment, Money, Promise, Rate, Role};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewContract {
    pub no: String,
    pub customer_id: String,
    #[serde(with = "crate::codec::date")]
    pub signed_on: NaiveDate,
    pub model: String,
    pub serial: String,
    pub financed: Money,
    /// The contract's own daily rate from `signed_on`; `None`: the global rate applies.
    pub penalty_rate: Option<Rate>,
    /// The contract's own grace days; `None`: the global setting applies.
    pub grace_days: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionEvent {
    Login,
    Logout,
}

impl SessionEvent {
    pub fn name(self) -> &'static str {
        match self {
            SessionEvent::Login => "login",
            SessionEvent::Logout => "logout",
        }
    }
}

/// Every change to the book. Journaled as bincode, which is positional: this enum and every
/// type inside it are the journal's byte format and the sync wire format, fixed by the
/// golden-bytes tests (`tests/journal_format.rs`). Add new variants at the END only; never
/// reorder, remove or change a variant (or a field of a type it holds) already written — give
/// a changed meaning a new variant instead. Ids a mutation creates are minted by
/// `App::execute` before applying and carried in the mutation (`id` fields); front ends leave
/// them empty.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mutation {
    /// Adds a customer, or updates the one with the same id.
    PutCustomer(Customer),
    /// Adds an approved contract (imported from the dealer's contract system).
    AddContract(NewContract),
    AddInstallments {
        contract: String,
        installments: Vec<Installment>,
    },
    RecordPayment {
        /// The payment's id, minted by `execute` (`P12`, `HF-P12`).
        id: String,
        contract: String,
        #[serde(with = "crate::codec::date")]
        received_on: NaiveDate,
        amount: Money,
        method: String,
        reference: String,
        /// Imported as already confirmed by finance.
        confirmed: bool,
    },
    ConfirmPayment {
        id: String,
    },
    VoidPayment {
        id: String,
        reason: String,
    },
    SetRate {
        contract: Option<String>,
        #[serde(with = "crate::codec::date")]
        from: NaiveDate,
        daily: Rate,
    },
    SetGrace {
        contract: Option<String>,
        days: u32,
    },
    SetAllocationOrder {
        order: AllocationOrder,
    },
    Accrue {
        #[serde(with = "crate::codec::date")]
        through: NaiveDate,
    },
    AddContact {
        contract: String,
        channel: Channel,
        result: String,
        note: String,
        promise: Option<Promise>,
    },
    /// Applies for an interest waiver: an application of document type `waiver`.
    ApplyWaiver {
        /// The application's id, minted by `execute`.
        id: String,
        contract: String,
        amount: Money,
        reason: String,
    },
    Settle {
        contract: String,
    },

    AddUser {
        name: String,
        display: String,
        roles: Vec<Role>,
        branch: Option<String>,
    },
    DisableUser {
        name: String,
    },
    SetRoles {
        name: String,
        roles: Vec<Role>,
    },
    /// Registers an SSH public key (one OpenSSH line) that logs in as `user`. The front end
    /// parses the line and computes its `SHA256:` fingerprint.
    AddKey {
        user: String,
        key: String,
        fingerprint: String,
    },
    RemoveKey {
        user: String,
        fingerprint: String,
    },
    /// A login to or logout from `duedesk serve`, for the audit trail. Changes no
    /// projection, so a replay rebuilds the same book.
    Session {
        user: String,
        event: SessionEvent,
        /// The client's address.
        peer: String,
    },
    /// Replaces the whole approval rule set with a new version.
    SetRules {
        rules: Vec<Rule>,
    },

    /// Applies for a lock, unlock or tow of a contract's machine.
    Apply {
        /// The application's id, minted by `execute`.
        id: String,
        document: DocumentType,
        contract: String,
        reason: String,
        location: String,
    },
    Approve {
        id: String,
        comment: String,
    },
    Reject {
        id: String,
        comment: String,
    },
    /// The applicant resubmits a rejected application, optionally revised; the chain
    /// starts again under the rules in force at resubmission.
    Resubmit {
        id: String,
        reason: Option<String>,
        location: Option<String>,
        amount: Option<Money>,
    },
    Withdraw {
        id: String,
    },
    RegisterTow {
        id: String,
        crew: Vec<String>,
        #[serde(with = "crate::codec::date")]
        planned_on: NaiveDate,
        location: String,
        note: String,
    },
    CompleteTow {
        id: String,
        #[serde(with = "crate::codec::date")]
        towed_on: NaiveDate,
        yard: String,
        condition: String,
        cost: Money,
    },
    FailTow {
        id: String,
        reason: String,
    },
    /// The clerk records an approved lock or unlock as sent to the machine.
    Execute {
        id: String,
        command_status: Option<i32>,
    },
    MarkRead {
        ids: Vec<String>,
    },
    /// Adds a machine to stock (import); its model's type is recorded with it.
    AddMachine(Machine),
    /// Adds an accessory, or sets its quantity on hand.
    PutAccessory {
        code: String,
        name: String,
        unit: String,
        quantity: u32,
    },
    /// A contract created in duedesk: a draft until approved (document type `contract`).
    DraftContract {
        /// The id of its approval application, minted by `execute`.
        application: String,
        contract: NewContract,
    },
    CreateOrder {
        /// The order's id, minted by `execute` (`O3`).
        id: String,
        contract: String,
    },
    /// Picks (and reserves) a machine for an order.
    Pick {
        order: String,
        serial: String,
    },
    /// Adds an accessory line, reserving its quantity.
    AddAccessory {
        order: String,
        code: String,
        quantity: u32,
        extra: bool,
    },
    /// Sends an order to finance approval (document type `outbound`).
    SubmitOrder {
        order: String,
        /// The id of its finance approval application, minted by `execute`.
        application: String,
    },
    Ship {
        order: String,
        #[serde(with = "crate::codec::date")]
        on: NaiveDate,
        carrier: String,
        note: String,
    },
    /// Sales swap (销售换机) after shipment: another in-stock machine of the same type.
    SwapMachine {
        order: String,
        serial: String,
        reason: String,
    },
    CancelOrder {
        order: String,
        reason: String,
    },
    /// The outcome of handing a notification to the configured `notify_command`.
    RecordDelivery {
        id: String,
        delivered: bool,
        error: String,
        at: i64,
    },
    /// One part of an accrual run, journaled and applied on its own: `App::execute` runs
    /// `Accrue` as these, so no one change holds the whole book. Accrues the contracts
    /// numbered after `after` (from the first when `None`) through `upto`; the part with
    /// `upto: None` goes to the last contract and finishes the run. A run left unfinished is
    /// consistent (each contract is as of the run's date or the one before) and the next
    /// `Accrue` finishes it.
    AccruePart {
        #[serde(with = "crate::codec::date")]
        through: NaiveDate,
        after: Option<String>,
        upto: Option<String>,
    },
    /// A user's preferred language: their notifications, and their screens over SSH when
    /// the client names none. An admin sets anyone's, a user their own.
    SetLanguage {
        name: String,
        lang: crate::i18n::Lang,
    },
    /// Registers a branch site at head office: its number (2, 3, …; head office is 1), the
    /// code its ids carry (`HF` → `HF-P12`), the branches whose book it holds and the user
    /// whose key syncs for it (created if new, holding only the role `site`).
    AddSite {
        site: u32,
        name: String,
        code: String,
        branches: Vec<String>,
        user: String,
    },
    /// `duedesk rebuild`: an admin replayed the journal into fresh projections. An event of
    /// the audit trail, local to this database (`is_local`); replaying it changes nothing.
    Rebuild {
        /// The journal entries replayed.
        entries: u64,
    },
    /// A mark of an import run (`app::import`), local like `AccruePart`: journaled in the same
    /// write as the part's rows just before it, it says rows up to `through` of the run's
    /// `rows` are applied. The rows themselves are journaled as their own mutations, so they
    /// travel and are scoped at sync one by one, as rows recorded by hand are.
    ImportPart {
        import: String,
        through: u64,
        rows: u64,
    },
    /// The end of import run `import` (local): all its `rows` applied, or, `undone`, none of
    /// them (a run that could not be finished was taken back out of the journal).
    ImportEnd {
        import: String,
        rows: u64,
        undone: bool,
    },
    /// Finance drafts a branch's budget for a month (资金预算): the lines replace the draft's;
    /// after an approved version they begin the next version, which is approved in its turn.
    DraftBudget {
        month: Month,
        branch: String,
        lines: Vec<budget::Line>,
    },
    /// Sends a branch's draft budget for a month to approval (document type `budget`).
    SubmitBudget {
        /// The id of its approval application, minted by `execute`.
        application: String,
        month: Month,
        branch: String,
    },
    /// A manual spending line finance books to a branch's month, with its reason.
    BookSpending {
        /// The line's id, minted by `execute` (`M3`).
        id: String,
        month: Month,
        branch: String,
        category: Category,
        amount: Money,
        reason: String,
    },
    /// Finance closes a month: its actuals and league table no longer change; bookings for it
    /// count in the month they are made.
    CloseBudgetMonth {
        month: Month,
    },
    /// The admin's scoring rules for the budget's league table (a new version).
    SetScoringRules {
        rules: ScoringRules,
    },
    /// At a branch site: tells `user` that head office refused their entry `entry` (`2-17`,
    /// a `kind` such as `RecordPayment`, on `contract` if any), or that it no longer applies
    /// after head office's changes, and why. Local: it never travels.
    NoteConflict {
        user: String,
        entry: String,
        kind: String,
        contract: String,
        refusal: crate::domain::Refusal,
    },
    /// The admin moves a user to another branch (`None`: no branch, for head office staff).
    SetBranch {
        name: String,
        branch: Option<String>,
    },
    /// Sales removes an accessory line from an order not yet submitted: the line of `code`
    /// (contract or `extra`) goes, and its reserved quantity returns to stock.
    RemoveAccessory {
        order: String,
        code: String,
        extra: bool,
    },
}

impl Mutation {
    /// The permission name a refusal quotes.
    pub fn permission(&self) -> &'static str {
        match self {
            Mutation::PutCustomer(_) => "customer.import",
            Mutation::AddContract(_) | Mutation::AddInstallments { .. } => "contract.import",
            Mutation::RecordPayment {
                confirmed: true, ..
            } => "payment.import",
            Mutation::RecordPayment { .. } => "payment.record",
            Mutation::ConfirmPayment { .. } => "payment.confirm",
            Mutation::VoidPayment { .. } => "payment.void",
            Mutation::SetRate { .. } => "settings.rate",
            Mutation::SetGrace { .. } => "settings.grace",
            Mutation::SetAllocationOrder { .. } => "settings.allocation",
            Mutation::Accrue { .. } | Mutation::AccruePart { .. } => "penalty.accrue",
            Mutation::AddContact { .. } => "ticket.contact",
            Mutation::ApplyWaiver { .. } => "waiver.apply",
            Mutation::Settle { .. } => "contract.settle",
            Mutation::AddUser { .. }
            | Mutation::DisableUser { .. }
            | Mutation::SetRoles { .. }
            | Mutation::SetBranch { .. } => "user.manage",
            Mutation::AddKey { .. } | Mutation::RemoveKey { .. } => "user.keys",
            Mutation::Session { .. } => "session.log",
            Mutation::SetRules { .. } => "rules.set",
            Mutation::Apply {
                document: DocumentType::Tow,
                ..
            } => "tow.apply",
            Mutation::Apply {
                document: DocumentType::Unlock,
                ..
            } => "unlock.apply",
            Mutation::Apply { .. } => "lock.apply",
            Mutation::Approve { .. } | Mutation::Reject { .. } => "approval.decide",
            Mutation::Resubmit { .. } | Mutation::Withdraw { .. } => "approval.applicant",
            Mutation::RegisterTow { .. }
            | Mutation::CompleteTow { .. }
            | Mutation::FailTow { .. } => "tow.register",
            Mutation::Execute { .. } => "lock.execute",
            Mutation::MarkRead { .. } => "inbox.read",
            Mutation::RecordDelivery { .. } => "notification.deliver",
            Mutation::AddMachine(_) | Mutation::PutAccessory { .. } => "stock.import",
            Mutation::DraftContract { .. } => "contract.create",
            Mutation::CreateOrder { .. }
            | Mutation::Pick { .. }
            | Mutation::AddAccessory { .. }
            | Mutation::SubmitOrder { .. }
            | Mutation::SwapMachine { .. }
            | Mutation::CancelOrder { .. }
            | Mutation::RemoveAccessory { .. } => "outbound.order",
            Mutation::Ship { .. } => "outbound.ship",
            Mutation::SetLanguage { .. } => "user.lang",
            Mutation::AddSite { .. } => "site.manage",
            Mutation::Rebuild { .. } => "rebuild",
            Mutation::ImportPart { .. } | Mutation::ImportEnd { .. } => "import.mark",
            Mutation::DraftBudget { .. } | Mutation::SubmitBudget { .. } => "budget.plan",
            Mutation::BookSpending { .. } => "budget.spending",
            Mutation::CloseBudgetMonth { .. } => "budget.close",
            Mutation::SetScoringRules { .. } => "budget.scoring",
            Mutation::NoteConflict { .. } => "sync.conflict",
        }
    }

    /// The id this mutation creates, if it creates a record others may name later: the kind
    /// of id (its counter and letter) and the slot `execute` mints it into.
    pub fn new_id(&mut self) -> Option<(IdKind, &mut String)> {
        match self {
            Mutation::RecordPayment { id, .. } => Some((IdKind::Payment, id)),
            Mutation::ApplyWaiver { id, .. } | Mutation::Apply { id, .. } => {
                Some((IdKind::Application, id))
            }
            Mutation::DraftContract { application, .. }
            | Mutation::SubmitOrder { application, .. } => Some((IdKind::Application, application)),
            Mutation::CreateOrder { id, .. } => Some((IdKind::Order, id)),
            Mutation::SubmitBudget { application, .. } => Some((IdKind::Application, application)),
            Mutation::BookSpending { id, .. } => Some((IdKind::Spending, id)),
            _ => None,
        }
    }

    /// Whether the mutation never leaves the database it was executed in: accrual (each site
    /// computes penalty from the same facts), SSH session events, notification delivery and
    /// read marks. Everything else may travel to other sites.
    pub fn is_local(&self) -> bool {
        matches!(
            self,
            Mutation::Accrue { .. }
                | Mutation::AccruePart { .. }
                | Mutation::Session { .. }
                | Mutation::RecordDelivery { .. }
                | Mutation::MarkRead { .. }
                | Mutation::Rebuild { .. }
                | Mutation::ImportPart { .. }
                | Mutation::ImportEnd { .. }
                | Mutation::NoteConflict { .. }
        )
    }

    /// Whether the book that screens show may have changed (a login changes nothing shown).
    pub fn changes_book(&self) -> bool {
        !matches!(self, Mutation::Session { .. })
    }

    /// Mutations that read across the whole book; they run alone, never inside a batch.
    pub fn reads_whole_book(&self) -> bool {
        matches!(
            self,
            Mutation::Accrue { .. }
                | Mutation::AccruePart { .. }
                | Mutation::SetRate { contract: None, .. }
                | Mutation::SetGrace { contract: None, .. }
                | Mutation::SetAllocationOrder { .. }
        )
    }

    /// Every text field this mutation carries, named as the user knows it: what
    /// `check_text` looks at. Ids, names, notes, reasons, comments and places alike, since
    /// each may reach another user's terminal.
    pub fn text_fields(&self) -> Vec<(&'static str, &str)> {
        fn contract(c: &NewContract) -> Vec<(&'static str, &str)> {
            vec![
                ("contract_no", &c.no),
                ("customer_id", &c.customer_id),
                ("model", &c.model),
                ("serial", &c.serial),
            ]
        }
        match self {
            Mutation::PutCustomer(c) => vec![
                ("customer_id", &c.id),
                ("name", &c.name),
                ("phone", &c.phone),
                ("id_number", &c.id_number),
                ("address", &c.address),
                ("branch", &c.branch),
                ("collector", &c.collector),
            ],
            Mutation::AddContract(c) | Mutation::DraftContract { contract: c, .. } => contract(c),
            Mutation::AddInstallments { contract, .. }
            | Mutation::Settle { contract }
            | Mutation::CreateOrder { contract, .. } => vec![("contract", contract)],
            Mutation::RecordPayment {
                contract,
                method,
                reference,
                ..
            } => vec![
                ("contract", contract),
                ("method", method),
                ("reference", reference),
            ],
            Mutation::ConfirmPayment { id }
            | Mutation::Withdraw { id }
            | Mutation::Execute { id, .. } => vec![("id", id)],
            Mutation::VoidPayment { id, reason } | Mutation::FailTow { id, reason } => {
                vec![("id", id), ("reason", reason)]
            }
            Mutation::SetRate { contract, .. } | Mutation::SetGrace { contract, .. } => {
                contract.iter().map(|c| ("contract", c.as_str())).collect()
            }
            Mutation::SetAllocationOrder { .. } | Mutation::Accrue { .. } => Vec::new(),
            Mutation::AddContact {
                contract,
                result,
                note,
                ..
            } => vec![("contract", contract), ("result", result), ("note", note)],
            Mutation::ApplyWaiver {
                contract, reason, ..
            } => vec![("contract", contract), ("reason", reason)],
            Mutation::AddUser {
                name,
                display,
                branch,
                ..
            } => {
                let mut fields = vec![("name", name.as_str()), ("display", display.as_str())];
                fields.extend(branch.iter().map(|b| ("branch", b.as_str())));
                fields
            }
            Mutation::DisableUser { name } | Mutation::SetRoles { name, .. } => {
                vec![("name", name)]
            }
            Mutation::AddKey {
                user,
                key,
                fingerprint,
            } => vec![("user", user), ("key", key), ("fingerprint", fingerprint)],
            Mutation::RemoveKey { user, fingerprint } => {
                vec![("user", user), ("fingerprint", fingerprint)]
            }
            Mutation::Session { user, peer, .. } => vec![("user", user), ("peer", peer)],
            Mutation::SetLanguage { name, .. } => vec![("name", name)],
            Mutation::SetRules { rules } => {
                let mut fields = Vec::new();
                for rule in rules {
                    fields.push(("rule name", rule.name.as_str()));
                    fields.extend(rule.branch.iter().map(|b| ("rule branch", b.as_str())));
                    for step in &rule.chain {
                        if let crate::domain::approval::Approver::User(u) = step {
                            fields.push(("rule chain", u.as_str()));
                        }
                    }
                }
                fields
            }
            Mutation::Apply {
                contract,
                reason,
                location,
                ..
            } => vec![
                ("contract", contract),
                ("reason", reason),
                ("location", location),
            ],
            Mutation::Approve { id, comment } | Mutation::Reject { id, comment } => {
                vec![("id", id), ("comment", comment)]
            }
            Mutation::Resubmit {
                id,
                reason,
                location,
                ..
            } => {
                let mut fields = vec![("id", id.as_str())];
                fields.extend(reason.iter().map(|r| ("reason", r.as_str())));
                fields.extend(location.iter().map(|l| ("location", l.as_str())));
                fields
            }
            Mutation::RegisterTow {
                id,
                crew,
                location,
                note,
                ..
            } => {
                let mut fields = vec![("id", id.as_str())];
                fields.extend(crew.iter().map(|c| ("crew", c.as_str())));
                fields.push(("location", location));
                fields.push(("note", note));
                fields
            }
            Mutation::CompleteTow {
                id,
                yard,
                condition,
                ..
            } => vec![("id", id), ("yard", yard), ("condition", condition)],
            Mutation::MarkRead { ids } => ids.iter().map(|i| ("id", i.as_str())).collect(),
            Mutation::AddMachine(m) => vec![
                ("serial", &m.serial),
                ("model", &m.model),
                ("machine_type", &m.machine_type),
                ("yard", &m.yard),
            ],
            Mutation::PutAccessory {
                code, name, unit, ..
            } => vec![("code", code), ("name", name), ("unit", unit)],
            Mutation::Pick { order, serial } => vec![("order", order), ("serial", serial)],
            Mutation::AddAccessory { order, code, .. } => vec![("order", order), ("code", code)],
            Mutation::SubmitOrder { order, .. } => vec![("order", order)],
            Mutation::Ship {
                order,
                carrier,
                note,
                ..
            } => vec![("order", order), ("carrier", carrier), ("note", note)],
            Mutation::SwapMachine {
                order,
                serial,
                reason,
            } => vec![("order", order), ("serial", serial), ("reason", reason)],
            Mutation::CancelOrder { order, reason } => vec![("order", order), ("reason", reason)],
            Mutation::RecordDelivery { id, error, .. } => vec![("id", id), ("error", error)],
            Mutation::AccruePart { after, upto, .. } => after
                .iter()
                .chain(upto)
                .map(|c| ("contract", c.as_str()))
                .collect(),
            Mutation::AddSite {
                name,
                code,
                branches,
                user,
                ..
            } => {
                let mut fields = vec![("name", name.as_str()), ("code", code.as_str())];
                fields.extend(branches.iter().map(|b| ("branch", b.as_str())));
                fields.push(("user", user));
                fields
            }
            Mutation::Rebuild { .. } => Vec::new(),
            Mutation::ImportPart { import, .. } | Mutation::ImportEnd { import, .. } => {
                vec![("import", import)]
            }
            Mutation::DraftBudget { branch, lines, .. } => {
                let mut fields = vec![("branch", branch.as_str())];
                fields.extend(
                    lines
                        .iter()
                        .filter_map(|l| l.collector.as_deref())
                        .map(|c| ("collector", c)),
                );
                fields
            }
            Mutation::SubmitBudget { branch, .. } => vec![("branch", branch)],
            Mutation::BookSpending { branch, reason, .. } => {
                vec![("branch", branch), ("reason", reason)]
            }
            Mutation::CloseBudgetMonth { .. } | Mutation::SetScoringRules { .. } => Vec::new(),
            Mutation::NoteConflict {
                user,
                entry,
                kind,
                contract,
                ..
            } => vec![
                ("user", user),
                ("entry", entry),
                ("kind", kind),
                ("contract", contract),
            ],
            Mutation::SetBranch { name, branch } => {
                let mut fields = vec![("name", name.as_str())];
                fields.extend(branch.iter().map(|b| ("branch", b.as_str())));
                fields
            }
            Mutation::RemoveAccessory { order, code, .. } => {
                vec![("order", order), ("code", code)]
            }
        }
    }

    /// Every amount this mutation carries, named as the user knows it.
    pub fn amounts(&self) -> Vec<(&'static str, Money)> {
        match self {
            Mutation::AddContract(c) | Mutation::DraftContract { contract: c, .. } => {
                vec![("financed", c.financed)]
            }
            Mutation::AddInstallments { installments, .. } => installments
                .iter()
                .flat_map(|i| [("principal", i.principal), ("interest", i.interest)])
                .collect(),
            Mutation::RecordPayment { amount, .. } | Mutation::ApplyWaiver { amount, .. } => {
                vec![("amount", *amount)]
            }
            Mutation::AddContact {
                promise: Some(p), ..
            } => vec![("promise amount", p.amount)],
            Mutation::Resubmit {
                amount: Some(a), ..
            } => vec![("amount", *a)],
            Mutation::CompleteTow { cost, .. } => vec![("cost", *cost)],
            Mutation::DraftBudget { lines, .. } => {
                lines.iter().map(|l| ("amount", l.amount)).collect()
            }
            Mutation::BookSpending { amount, .. } => vec![("amount", *amount)],
            Mutation::SetRules { rules } => rules
                .iter()
                .flat_map(|r| {
                    r.min_overdue_amount
                        .map(|a| ("rule min_overdue_amount", a))
                        .into_iter()
                        .chain(r.min_amount.map(|a| ("rule min_amount", a)))
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Every business date this mutation carries, named as the user knows it.
    pub fn dates(&self) -> Vec<(&'static str, NaiveDate)> {
        match self {
            Mutation::AddContract(c) | Mutation::DraftContract { contract: c, .. } => {
                vec![("signed_on", c.signed_on)]
            }
            Mutation::AddInstallments { installments, .. } => {
                installments.iter().map(|i| ("due_date", i.due)).collect()
            }
            Mutation::RecordPayment { received_on, .. } => vec![("received_on", *received_on)],
            Mutation::SetRate { from, .. } => vec![("from", *from)],
            Mutation::Accrue { through } | Mutation::AccruePart { through, .. } => {
                vec![("through", *through)]
            }
            Mutation::AddContact {
                promise: Some(p), ..
            } => vec![("promise date", p.date)],
            Mutation::RegisterTow { planned_on, .. } => vec![("planned_on", *planned_on)],
            Mutation::CompleteTow { towed_on, .. } => vec![("towed_on", *towed_on)],
            Mutation::AddMachine(m) => vec![("arrived_on", m.arrived_on)],
            Mutation::Ship { on, .. } => vec![("on", *on)],
            Mutation::DraftBudget { month, .. }
            | Mutation::SubmitBudget { month, .. }
            | Mutation::BookSpending { month, .. }
            | Mutation::CloseBudgetMonth { month } => vec![("month", month.first_day())],
            _ => Vec::new(),
        }
    }

    /// Refuses a mutation with a control character in a text field (notes may hold tabs),
    /// an amount above the largest duedesk takes or a date outside its range, naming the
    /// field (`domain::text`, `domain::limits`).
    pub fn check_input(&self) -> Result<(), super::AppError> {
        use crate::domain::limits;
        for (field, value) in self.text_fields() {
            crate::domain::text::check(field, value, field == "note")?;
        }
        for (field, amount) in self.amounts() {
            limits::check_amount(field, amount)?;
        }
        for (field, date) in self.dates() {
            limits::check_date(field, date)?;
        }
        Ok(())
    }
}

/// The kinds of id `execute` mints: each has its own counter per site and its own letter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdKind {
    Payment,
    Application,
    Order,
    /// A manual spending line of the budget.
    Spending,
}

impl IdKind {
    /// The counter's name (kept in the store beside the projections, never by them).
    pub fn counter(self) -> &'static str {
        match self {
            IdKind::Payment => "payment",
            IdKind::Application => "application",
            IdKind::Order => "order",
            IdKind::Spending => "spending",
        }
    }

    pub fn letter(self) -> &'static str {
        match self {
            IdKind::Payment => "P",
            IdKind::Application => "A",
            IdKind::Order => "O",
            IdKind::Spending => "M",
        }
    }

    /// The id numbered `n` minted at a site: head office's are short (`P12`), a branch's
    /// carry its code (`HF-P12`), so ids minted at two sites never collide.
    pub fn format(self, site_code: Option<&str>, n: u64) -> String {
        match site_code {
            Some(code) => format!("{code}-{}{n}", self.letter()),
            None => format!("{}{n}", self.letter()),
        }
    }
}
