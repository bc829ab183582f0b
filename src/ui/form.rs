//! Action forms (add contact, record payment, apply for waiver, lock, unlock or tow, approve
//! or reject, register a tow and record its outcome, void payments, rates, grace days): fields that validate as you type, the error beside its field, and the mutation
//! the form turns into. A refused mutation keeps the form and all it holds open.

use super::i18n::{Lang, Msg};
use super::widgets::input::LineInput;
use crate::app::Mutation;
use crate::domain::approval::DocumentType;
use crate::domain::{Channel, Money, Promise, Rate};
use chrono::NaiveDate;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldKind {
    Text {
        required: bool,
    },
    Money {
        required: bool,
    },
    /// A date; `not_after_today` for money received, `not_before_today` for promises.
    Date {
        required: bool,
        not_after_today: bool,
        not_before_today: bool,
    },
    Rate,
    Days,
    Channel,
    /// Names separated by commas (`,`, `，` or `、`): at least one.
    Names,
    /// A whole number, at least 1.
    Quantity,
    /// Yes or no (choice 1 is yes).
    Toggle,
    /// A budget line's kind: collection, or spending of one of `Category::ALL`.
    BudgetKind,
    /// A spending category (`Category::ALL`).
    BudgetCategory,
    /// A language of the catalog: English or Chinese (`LANGS`).
    Language,
}

/// The roles an admin gives in the user forms, in order (a site's role is given by `site add`).
pub const ROLES: [crate::domain::Role; 6] = [
    crate::domain::Role::Collector,
    crate::domain::Role::Clerk,
    crate::domain::Role::Sales,
    crate::domain::Role::Finance,
    crate::domain::Role::Approver,
    crate::domain::Role::Admin,
];

/// The languages a language field offers, in order.
pub const LANGS: [Lang; 2] = [Lang::En, Lang::Zh];

/// The kinds a budget line form offers, in order.
pub const BUDGET_KINDS: [crate::domain::budget::LineKind; 5] = [
    crate::domain::budget::LineKind::Collection,
    crate::domain::budget::LineKind::Spending(crate::domain::budget::Category::Tow),
    crate::domain::budget::LineKind::Spending(crate::domain::budget::Category::Travel),
    crate::domain::budget::LineKind::Spending(crate::domain::budget::Category::Legal),
    crate::domain::budget::LineKind::Spending(crate::domain::budget::Category::Other),
];

/// An accessory as the add-accessory form checks it as you type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StockItem {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub available: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub label: Msg,
    pub kind: FieldKind,
    pub input: LineInput,
    /// For choice fields: the index of the choice.
    pub choice: usize,
    /// Whether the user has typed in it (errors show once touched, or after a submit).
    pub touched: bool,
}

impl Field {
    fn new(label: Msg, kind: FieldKind, initial: &str) -> Field {
        Field {
            label,
            kind,
            input: LineInput::new(initial),
            choice: 0,
            touched: false,
        }
    }

    pub fn is_choice(&self) -> bool {
        matches!(
            self.kind,
            FieldKind::Channel
                | FieldKind::Toggle
                | FieldKind::BudgetKind
                | FieldKind::BudgetCategory
                | FieldKind::Language
        )
    }

    fn choices(&self) -> usize {
        match self.kind {
            FieldKind::Toggle => 2,
            FieldKind::Language => LANGS.len(),
            FieldKind::BudgetKind => BUDGET_KINDS.len(),
            FieldKind::BudgetCategory => crate::domain::budget::Category::ALL.len(),
            _ => Channel::ALL.len(),
        }
    }

    pub fn choice_text(&self, lang: Lang) -> &'static str {
        match self.kind {
            FieldKind::Toggle if self.choice % 2 == 1 => lang.t(Msg::ToggleYes),
            FieldKind::Toggle => lang.t(Msg::ToggleNo),
            FieldKind::BudgetKind => match BUDGET_KINDS[self.choice % BUDGET_KINDS.len()] {
                crate::domain::budget::LineKind::Collection => lang.t(Msg::BudgetCollection),
                crate::domain::budget::LineKind::Spending(c) => category_word(lang, c),
            },
            FieldKind::BudgetCategory => {
                let all = crate::domain::budget::Category::ALL;
                category_word(lang, all[self.choice % all.len()])
            }
            FieldKind::Language => language_word(lang, LANGS[self.choice % LANGS.len()]),
            _ => lang.channel(Channel::ALL[self.choice % Channel::ALL.len()]),
        }
    }

    pub fn text(&self) -> &str {
        self.input.text().trim()
    }

    /// The field's own error, in the user's language.
    fn error(&self, lang: Lang, today: NaiveDate) -> Option<String> {
        let text = self.text();
        let msg = |m| Some(lang.t(m).to_string());
        match &self.kind {
            FieldKind::Text { required } => {
                if *required && text.is_empty() {
                    return msg(Msg::ErrRequired);
                }
            }
            FieldKind::Money { required } => {
                if text.is_empty() {
                    return if *required {
                        msg(Msg::ErrRequired)
                    } else {
                        None
                    };
                }
                match Money::parse(text) {
                    Ok(m) if !m.is_positive() => return msg(Msg::ErrAmountZero),
                    Ok(_) => {}
                    Err(crate::domain::MoneyError::TooLarge(_)) => return msg(Msg::ErrAmountMax),
                    Err(_) => return msg(Msg::ErrAmount),
                }
            }
            FieldKind::Date {
                required,
                not_after_today,
                not_before_today,
            } => {
                if text.is_empty() {
                    return if *required {
                        msg(Msg::ErrRequired)
                    } else {
                        None
                    };
                }
                match parse_date(text) {
                    None if crate::domain::limits::parse_date(text)
                        .is_err_and(|e| e.contains("outside")) =>
                    {
                        return msg(Msg::ErrDateRange);
                    }
                    None => return msg(Msg::ErrDate),
                    Some(d) if *not_after_today && d > today => return msg(Msg::ErrDateFuture),
                    Some(d) if *not_before_today && d < today => return msg(Msg::ErrDatePast),
                    Some(_) => {}
                }
            }
            FieldKind::Rate => {
                if text.is_empty() {
                    return msg(Msg::ErrRequired);
                }
                if Rate::parse(text).is_err() {
                    return msg(Msg::ErrRate);
                }
            }
            FieldKind::Days => {
                if text.is_empty() {
                    return msg(Msg::ErrRequired);
                }
                if text
                    .parse::<u32>()
                    .map_or(true, |d| d > crate::domain::MAX_GRACE_DAYS)
                {
                    return msg(Msg::ErrInteger);
                }
            }
            FieldKind::Names => {
                if names(text).is_empty() {
                    return msg(Msg::ErrRequired);
                }
            }
            FieldKind::Quantity => {
                if text.is_empty() {
                    return msg(Msg::ErrRequired);
                }
                if text.parse::<u32>().map_or(true, |q| q == 0) {
                    return msg(Msg::ErrQuantity);
                }
            }
            FieldKind::Channel
            | FieldKind::Toggle
            | FieldKind::BudgetKind
            | FieldKind::BudgetCategory
            | FieldKind::Language => {}
        }
        None
    }
}

/// The names in a comma-separated list, trimmed, empty ones dropped.
pub fn names(text: &str) -> Vec<String> {
    text.split([',', '，', '、'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect()
}

/// `2026-06-15`, also `2026/6/15` and `20260615`.
/// Dates outside `domain::limits`' range are not dates here.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    crate::domain::limits::parse_date(text).ok()
}

/// What a form is for, with what it needs besides its fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormKind {
    Contact {
        contract: String,
    },
    Payment {
        contract: String,
    },
    Waiver {
        contract: String,
        max: Money,
    },
    Void {
        ids: Vec<String>,
        /// What is voided, in words: the payment (id, amount, contract, customer) or how many
        /// and how much.
        what: String,
    },
    Rate,
    Grace,
    /// Accruing penalty through a date (asks before it runs).
    Accrue,
    /// A lock, unlock or tow application on a contract's machine.
    Apply {
        document: DocumentType,
        contract: String,
    },
    Approve {
        id: String,
    },
    Reject {
        id: String,
    },
    /// A rejected application sent again by its applicant, its reason, location and amount
    /// as they were to start with (only what changed is sent).
    Resubmit {
        id: String,
        contract: String,
        reason: String,
        location: String,
        amount: Option<Money>,
    },
    RegisterTow {
        id: String,
    },
    CompleteTow {
        id: String,
        /// The date the tow was registered for: an earlier date is asked about.
        planned_on: Option<NaiveDate>,
    },
    FailTow {
        id: String,
    },
    /// An accessory line on an order; `stock` is the catalogue as the form opened.
    Accessory {
        order: String,
        stock: Vec<StockItem>,
    },
    /// Shipping an order (asks for a confirmation before it runs).
    Ship {
        order: String,
        serial: String,
    },
    /// Cancelling an order (asks for a confirmation before it runs).
    CancelOrder {
        order: String,
        contract: String,
    },
    /// Adds or changes a line of a branch's draft budget for a month;
    /// `lines` are the draft's lines as the form opened.
    BudgetLine {
        month: crate::domain::budget::Month,
        branch: String,
        lines: Vec<crate::domain::budget::Line>,
    },
    /// A manual spending line of a branch's month.
    BudgetSpending {
        month: crate::domain::budget::Month,
        branch: String,
    },
    /// A new user: login, name shown, branch, and a yes/no for each of `ROLES`.
    AddUser,
    /// A user's roles, a yes/no for each of `ROLES`; `kept` are the roles the form does not
    /// offer (a site's), which stay.
    Roles {
        name: String,
        kept: Vec<crate::domain::Role>,
    },
    /// A user's branch (blank: none).
    Branch {
        name: String,
    },
    /// A user's preferred language.
    Language {
        name: String,
    },
    /// A contract drafted by sales; it goes to approval (document type `contract`).
    DraftContract,
}

/// A language's own name (English, 中文).
pub fn language_word(lang: Lang, language: Lang) -> &'static str {
    lang.t(match language {
        Lang::En => Msg::LangEnglish,
        Lang::Zh => Msg::LangChinese,
    })
}

/// A spending category in the user's language.
pub fn category_word(lang: Lang, category: crate::domain::budget::Category) -> &'static str {
    use crate::domain::budget::Category;
    lang.t(match category {
        Category::Tow => Msg::BudgetCatTow,
        Category::Travel => Msg::BudgetCatTravel,
        Category::Legal => Msg::BudgetCatLegal,
        Category::Other => Msg::BudgetCatOther,
    })
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    pub kind: FormKind,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// Shown under the fields: a refusal from the app, or "fix the marked fields".
    pub message: Option<String>,
    /// Set by a submit attempt: every field shows its error from then on.
    pub submitted: bool,
}

/// What a key did to a form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormEvent {
    Changed,
    Unchanged,
    Cancel,
    Submit,
}

impl Form {
    pub fn contact(contract: &str) -> Form {
        use FieldKind::*;
        Form::new(
            FormKind::Contact {
                contract: contract.into(),
            },
            vec![
                Field::new(Msg::FieldChannel, Channel, ""),
                Field::new(Msg::FieldResult, Text { required: true }, ""),
                Field::new(Msg::FieldNote, Text { required: false }, ""),
                Field::new(
                    Msg::FieldPromiseDate,
                    Date {
                        required: false,
                        not_after_today: false,
                        not_before_today: true,
                    },
                    "",
                ),
                Field::new(Msg::FieldPromiseAmount, Money { required: false }, ""),
            ],
        )
    }

    /// A line of a branch's draft budget: its kind, a collection line's collector (empty: the
    /// rest of the branch) and the amount (a line of the same kind and collector is replaced).
    pub fn budget_line(
        month: crate::domain::budget::Month,
        branch: &str,
        lines: Vec<crate::domain::budget::Line>,
    ) -> Form {
        use FieldKind::*;
        Form::new(
            FormKind::BudgetLine {
                month,
                branch: branch.into(),
                lines,
            },
            vec![
                Field::new(Msg::FieldBudgetKind, BudgetKind, ""),
                Field::new(Msg::FieldCollector, Text { required: false }, ""),
                Field::new(Msg::FieldAmount, Money { required: true }, ""),
            ],
        )
    }

    /// A manual spending line: category, amount, reason.
    pub fn budget_spending(month: crate::domain::budget::Month, branch: &str) -> Form {
        use FieldKind::*;
        Form::new(
            FormKind::BudgetSpending {
                month,
                branch: branch.into(),
            },
            vec![
                Field::new(Msg::FieldCategory, BudgetCategory, ""),
                Field::new(Msg::FieldAmount, Money { required: true }, ""),
                Field::new(Msg::FieldReason, Text { required: true }, ""),
            ],
        )
    }

    pub fn payment(contract: &str, today: NaiveDate) -> Form {
        use FieldKind::*;
        Form::new(
            FormKind::Payment {
                contract: contract.into(),
            },
            vec![
                Field::new(
                    Msg::FieldReceivedOn,
                    Date {
                        required: true,
                        not_after_today: true,
                        not_before_today: false,
                    },
                    &today.to_string(),
                ),
                Field::new(Msg::FieldAmount, Money { required: true }, ""),
                Field::new(Msg::FieldMethod, Text { required: true }, "bank"),
                Field::new(Msg::FieldReference, Text { required: false }, ""),
            ],
        )
    }

    pub fn waiver(contract: &str, max: crate::domain::Money) -> Form {
        use FieldKind::*;
        Form::new(
            FormKind::Waiver {
                contract: contract.into(),
                max,
            },
            vec![
                Field::new(Msg::FieldAmount, Money { required: true }, &max.plain()),
                Field::new(Msg::FieldReason, Text { required: true }, ""),
            ],
        )
    }

    pub fn void(ids: Vec<String>, what: String) -> Form {
        Form::new(
            FormKind::Void { ids, what },
            vec![Field::new(
                Msg::FieldReason,
                FieldKind::Text { required: true },
                "",
            )],
        )
    }

    pub fn rate(today: NaiveDate) -> Form {
        use FieldKind::*;
        Form::new(
            FormKind::Rate,
            vec![
                Field::new(Msg::FieldContract, Text { required: false }, ""),
                Field::new(
                    Msg::FieldFrom,
                    Date {
                        required: true,
                        not_after_today: false,
                        not_before_today: false,
                    },
                    &today.to_string(),
                ),
                Field::new(Msg::FieldDailyRate, Rate, ""),
            ],
        )
    }

    /// Accrue penalty through a date: today to start with, never later.
    pub fn accrue(today: NaiveDate) -> Form {
        Form::new(
            FormKind::Accrue,
            vec![Field::new(
                Msg::FieldThrough,
                FieldKind::Date {
                    required: true,
                    not_after_today: true,
                    not_before_today: false,
                },
                &today.to_string(),
            )],
        )
    }

    pub fn grace(current: u32) -> Form {
        use FieldKind::*;
        Form::new(
            FormKind::Grace,
            vec![
                Field::new(Msg::FieldContract, Text { required: false }, ""),
                Field::new(Msg::FieldDays, Days, &current.to_string()),
            ],
        )
    }

    /// Lock, unlock or tow: a reason, and where the machine is (required for a tow).
    pub fn apply(document: DocumentType, contract: &str) -> Form {
        use FieldKind::*;
        Form::new(
            FormKind::Apply {
                document,
                contract: contract.into(),
            },
            vec![
                Field::new(Msg::FieldReason, Text { required: true }, ""),
                Field::new(
                    Msg::FieldMachineLocation,
                    Text {
                        required: document == DocumentType::Tow,
                    },
                    "",
                ),
            ],
        )
    }

    /// Approve a step: the comment is optional.
    pub fn approve(id: &str) -> Form {
        Form::new(
            FormKind::Approve { id: id.into() },
            vec![Field::new(
                Msg::FieldComment,
                FieldKind::Text { required: false },
                "",
            )],
        )
    }

    /// Reject a step: the comment is required (the applicant reads why).
    pub fn reject(id: &str) -> Form {
        Form::new(
            FormKind::Reject { id: id.into() },
            vec![Field::new(
                Msg::FieldComment,
                FieldKind::Text { required: true },
                "",
            )],
        )
    }

    /// Resubmit a rejected application: its reason and location, and its amount when it
    /// asks for one (a waiver), as they were, to change.
    pub fn resubmit(row: &crate::app::ApplicationRow) -> Form {
        use FieldKind::*;
        let mut fields = vec![
            Field::new(Msg::FieldReason, Text { required: true }, &row.reason),
            Field::new(
                Msg::FieldMachineLocation,
                Text {
                    required: row.document == DocumentType::Tow.name(),
                },
                &row.location,
            ),
        ];
        if let Some(amount) = row.amount {
            fields.push(Field::new(
                Msg::FieldAmount,
                Money { required: true },
                &amount.plain(),
            ));
        }
        Form::new(
            FormKind::Resubmit {
                id: row.id.clone(),
                contract: row.contract_no.clone(),
                reason: row.reason.clone(),
                location: row.location.clone(),
                amount: row.amount,
            },
            fields,
        )
    }

    /// Register an approved tow: crew, planned date, location (the application's machine
    /// location to start with), note.
    pub fn register_tow(id: &str, location: &str, today: NaiveDate) -> Form {
        use FieldKind::*;
        Form::new(
            FormKind::RegisterTow { id: id.into() },
            vec![
                Field::new(Msg::FieldCrew, Names, ""),
                Field::new(
                    Msg::FieldPlannedOn,
                    Date {
                        required: true,
                        not_after_today: false,
                        not_before_today: true,
                    },
                    &today.to_string(),
                ),
                Field::new(Msg::FieldLocation, Text { required: true }, location),
                Field::new(Msg::FieldNote, Text { required: false }, ""),
            ],
        )
    }

    /// The machine came back: date, yard, condition, cost (blank: none).
    pub fn complete_tow(id: &str, planned_on: Option<NaiveDate>, today: NaiveDate) -> Form {
        use FieldKind::*;
        Form::new(
            FormKind::CompleteTow {
                id: id.into(),
                planned_on,
            },
            vec![
                Field::new(
                    Msg::FieldTowedOn,
                    Date {
                        required: true,
                        not_after_today: true,
                        not_before_today: false,
                    },
                    &today.to_string(),
                ),
                Field::new(Msg::FieldYard, Text { required: true }, ""),
                Field::new(Msg::FieldCondition, Text { required: false }, ""),
                Field::new(Msg::FieldCost, Money { required: false }, ""),
            ],
        )
    }

    pub fn fail_tow(id: &str) -> Form {
        Form::new(
            FormKind::FailTow { id: id.into() },
            vec![Field::new(
                Msg::FieldReason,
                FieldKind::Text { required: true },
                "",
            )],
        )
    }

    pub fn accessory(order: &str, stock: Vec<StockItem>) -> Form {
        use FieldKind::*;
        Form::new(
            FormKind::Accessory {
                order: order.into(),
                stock,
            },
            vec![
                Field::new(Msg::FieldCode, Text { required: true }, ""),
                Field::new(Msg::FieldQuantity, Quantity, "1"),
                Field::new(Msg::FieldExtra, Toggle, ""),
            ],
        )
    }

    pub fn ship(order: &str, serial: &str, today: NaiveDate) -> Form {
        use FieldKind::*;
        Form::new(
            FormKind::Ship {
                order: order.into(),
                serial: serial.into(),
            },
            vec![
                Field::new(
                    Msg::FieldShipOn,
                    Date {
                        required: true,
                        not_after_today: true,
                        not_before_today: false,
                    },
                    &today.to_string(),
                ),
                Field::new(Msg::FieldCarrier, Text { required: false }, ""),
                Field::new(Msg::FieldNote, Text { required: false }, ""),
            ],
        )
    }

    pub fn cancel_order(order: &str, contract: &str) -> Form {
        Form::new(
            FormKind::CancelOrder {
                order: order.into(),
                contract: contract.into(),
            },
            vec![Field::new(
                Msg::FieldReason,
                FieldKind::Text { required: true },
                "",
            )],
        )
    }

    /// A new user (the admin's users pane).
    pub fn add_user() -> Form {
        use FieldKind::*;
        let mut fields = vec![
            Field::new(Msg::FieldLogin, Text { required: true }, ""),
            Field::new(Msg::FieldShownAs, Text { required: false }, ""),
            Field::new(Msg::FieldBranch, Text { required: false }, ""),
        ];
        fields.extend(ROLES.iter().map(|r| Field::new(Msg::role(*r), Toggle, "")));
        Form::new(FormKind::AddUser, fields)
    }

    /// A user's roles, each yes or no, as they are now.
    pub fn roles(name: &str, current: &[crate::domain::Role]) -> Form {
        let fields = ROLES
            .iter()
            .map(|r| {
                let mut f = Field::new(Msg::role(*r), FieldKind::Toggle, "");
                f.choice = usize::from(current.contains(r));
                f
            })
            .collect();
        let kept = current
            .iter()
            .filter(|r| !ROLES.contains(r))
            .copied()
            .collect();
        Form::new(
            FormKind::Roles {
                name: name.into(),
                kept,
            },
            fields,
        )
    }

    /// A user's branch, as it is now.
    pub fn branch(name: &str, current: Option<&str>) -> Form {
        Form::new(
            FormKind::Branch { name: name.into() },
            vec![Field::new(
                Msg::FieldBranch,
                FieldKind::Text { required: false },
                current.unwrap_or_default(),
            )],
        )
    }

    /// A user's language, as it is now (English when unset).
    pub fn language(name: &str, current: Option<Lang>) -> Form {
        let mut field = Field::new(Msg::FieldLanguage, FieldKind::Language, "");
        field.choice = LANGS.iter().position(|l| Some(*l) == current).unwrap_or(0);
        Form::new(FormKind::Language { name: name.into() }, vec![field])
    }

    /// A contract drafted by sales: number, customer, model, amount financed, signing date.
    pub fn draft_contract(today: NaiveDate) -> Form {
        use FieldKind::*;
        Form::new(
            FormKind::DraftContract,
            vec![
                Field::new(Msg::FieldContractNo, Text { required: true }, ""),
                Field::new(Msg::FieldCustomerId, Text { required: true }, ""),
                Field::new(Msg::FieldModel, Text { required: true }, ""),
                Field::new(Msg::FieldFinanced, Money { required: true }, ""),
                Field::new(
                    Msg::FieldSignedOn,
                    Date {
                        required: true,
                        not_after_today: true,
                        not_before_today: false,
                    },
                    &today.to_string(),
                ),
            ],
        )
    }

    /// The roles chosen in a user form's yes/no fields from `first` on.
    fn chosen_roles(&self, first: usize) -> Vec<crate::domain::Role> {
        ROLES
            .iter()
            .zip(&self.fields[first..])
            .filter(|(_, f)| f.choice % 2 == 1)
            .map(|(r, _)| *r)
            .collect()
    }

    /// The catalogue entry the accessory form's code names (any case).
    fn stock_item(&self) -> Option<&StockItem> {
        let FormKind::Accessory { stock, .. } = &self.kind else {
            return None;
        };
        let code = self.fields[0].text();
        stock.iter().find(|i| i.code.eq_ignore_ascii_case(code))
    }

    /// A line shown under the fields while nothing else is: the accessory's available stock.
    pub fn note(&self, lang: Lang) -> Option<String> {
        let item = self.stock_item()?;
        Some(lang.f(
            Msg::AccessoryAvailable,
            &[
                &item.code,
                &item.name,
                &item.available.to_string(),
                &item.unit,
            ],
        ))
    }

    fn new(kind: FormKind, fields: Vec<Field>) -> Form {
        Form {
            kind,
            fields,
            focus: 0,
            message: None,
            submitted: false,
        }
    }

    pub fn title(&self) -> Msg {
        match self.kind {
            FormKind::Contact { .. } => Msg::FormContact,
            FormKind::Payment { .. } => Msg::FormPayment,
            FormKind::Waiver { .. } => Msg::FormWaiver,
            FormKind::Void { .. } => Msg::FormVoid,
            FormKind::Rate => Msg::FormRate,
            FormKind::Grace => Msg::FormGrace,
            FormKind::Accrue => Msg::FormAccrue,
            FormKind::Accessory { .. } => Msg::FormAccessory,
            FormKind::Ship { .. } => Msg::FormShip,
            FormKind::CancelOrder { .. } => Msg::FormCancelOrder,
            FormKind::Apply {
                document: DocumentType::Tow,
                ..
            } => Msg::FormApplyTow,
            FormKind::Apply {
                document: DocumentType::Unlock,
                ..
            } => Msg::FormApplyUnlock,
            FormKind::Apply { .. } => Msg::FormApplyLock,
            FormKind::Approve { .. } => Msg::FormApprove,
            FormKind::Reject { .. } => Msg::FormReject,
            FormKind::Resubmit { .. } => Msg::FormResubmit,
            FormKind::RegisterTow { .. } => Msg::FormRegisterTow,
            FormKind::CompleteTow { .. } => Msg::FormCompleteTow,
            FormKind::FailTow { .. } => Msg::FormFailTow,
            FormKind::BudgetLine { .. } => Msg::FormBudgetLine,
            FormKind::BudgetSpending { .. } => Msg::FormBudgetSpending,
            FormKind::AddUser => Msg::FormAddUser,
            FormKind::Roles { .. } => Msg::FormRoles,
            FormKind::Branch { .. } => Msg::FormBranch,
            FormKind::Language { .. } => Msg::FormLanguage,
            FormKind::DraftContract => Msg::FormDraftContract,
        }
    }

    /// The title with what the form is about (the contract or application).
    pub fn title_text(&self, lang: Lang) -> String {
        match &self.kind {
            FormKind::Apply { contract: x, .. }
            | FormKind::Approve { id: x }
            | FormKind::Reject { id: x }
            | FormKind::Resubmit { id: x, .. }
            | FormKind::RegisterTow { id: x }
            | FormKind::CompleteTow { id: x, .. }
            | FormKind::FailTow { id: x }
            | FormKind::Roles { name: x, .. }
            | FormKind::Branch { name: x }
            | FormKind::Language { name: x } => lang.f(self.title(), &[x]),
            FormKind::Void { what, .. } => lang.f(Msg::FormVoidOf, &[what]),
            FormKind::BudgetLine { month, branch, .. }
            | FormKind::BudgetSpending { month, branch } => {
                lang.f(self.title(), &[&month.to_string(), branch])
            }
            _ => lang.t(self.title()).to_string(),
        }
    }

    /// Whether the user typed anything (quitting then asks first).
    pub fn is_dirty(&self) -> bool {
        self.fields.iter().any(|f| f.touched)
    }

    /// The error to show beside each field (only once touched or after a submit attempt).
    pub fn errors(&self, lang: Lang, today: NaiveDate) -> Vec<Option<String>> {
        let mut errors: Vec<Option<String>> =
            self.fields.iter().map(|f| f.error(lang, today)).collect();
        match &self.kind {
            FormKind::Contact { .. } => {
                // A promise is a date and an amount, both or neither.
                let (date, amount) = (&self.fields[3], &self.fields[4]);
                if errors[3].is_none()
                    && errors[4].is_none()
                    && date.text().is_empty() != amount.text().is_empty()
                {
                    let which = if date.text().is_empty() { 3 } else { 4 };
                    errors[which] = Some(lang.t(Msg::ErrPromisePair).to_string());
                }
            }
            FormKind::Waiver { max, .. } => {
                if errors[0].is_none()
                    && let Ok(amount) = Money::parse(self.fields[0].text())
                    && amount > *max
                {
                    errors[0] = Some(lang.f(Msg::ErrMoreThanPenalty, &[&max.display()]));
                }
            }
            // A user holds at least one role: said at the first role's yes/no.
            FormKind::AddUser if self.chosen_roles(3).is_empty() => {
                errors[3] = Some(lang.t(Msg::ErrNoRole).to_string());
            }
            FormKind::Roles { kept, .. } if kept.is_empty() && self.chosen_roles(0).is_empty() => {
                errors[0] = Some(lang.t(Msg::ErrNoRole).to_string());
            }
            FormKind::Accessory { .. } if errors[0].is_none() => match self.stock_item() {
                None => errors[0] = Some(lang.t(Msg::ErrUnknownAccessory).to_string()),
                Some(item) => {
                    if errors[1].is_none()
                        && let Ok(q) = self.fields[1].text().parse::<u32>()
                        && q > item.available
                    {
                        errors[1] = Some(lang.f(
                            Msg::ErrNotEnough,
                            &[&format!("{} {}", item.available, item.unit)],
                        ));
                    }
                }
            },
            _ => {}
        }
        for (e, f) in errors.iter_mut().zip(&self.fields) {
            if !f.touched && !self.submitted {
                *e = None;
            }
        }
        errors
    }

    pub fn handle(&mut self, key: &KeyEvent) -> FormEvent {
        let n = self.fields.len();
        match key.code {
            KeyCode::Esc => return FormEvent::Cancel,
            KeyCode::Enter => return FormEvent::Submit,
            KeyCode::Tab | KeyCode::Down => {
                self.focus = (self.focus + 1) % n;
                return FormEvent::Changed;
            }
            KeyCode::BackTab | KeyCode::Up => {
                self.focus = (self.focus + n - 1) % n;
                return FormEvent::Changed;
            }
            _ => {}
        }
        let field = &mut self.fields[self.focus];
        if field.is_choice() {
            let count = field.choices();
            match key.code {
                KeyCode::Left => field.choice = (field.choice + count - 1) % count,
                KeyCode::Right | KeyCode::Char(' ') => field.choice = (field.choice + 1) % count,
                _ => return FormEvent::Unchanged,
            }
            field.touched = true;
            return FormEvent::Changed;
        }
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            return FormEvent::Unchanged;
        }
        match field.input.handle(key) {
            Some(true) => {
                field.touched = true;
                self.message = None;
                FormEvent::Changed
            }
            _ => FormEvent::Unchanged,
        }
    }

    /// The mutations the form asks for, or `None` while a field has an error (then every
    /// error shows).
    pub fn mutations(&mut self, lang: Lang, today: NaiveDate) -> Option<Vec<Mutation>> {
        self.submitted = true;
        if self.errors(lang, today).iter().any(Option::is_some) {
            self.message = Some(lang.t(Msg::FormHasErrors).to_string());
            return None;
        }
        let text = |i: usize| self.fields[i].text().to_string();
        let money = |i: usize| Money::parse(&text(i)).ok();
        let date = |i: usize| parse_date(&text(i));
        let contract = |i: usize| Some(text(i)).filter(|t| !t.is_empty());
        Some(match &self.kind {
            FormKind::Contact { contract } => vec![Mutation::AddContact {
                contract: contract.clone(),
                channel: Channel::ALL[self.fields[0].choice % Channel::ALL.len()],
                result: text(1),
                note: text(2),
                promise: match (date(3), money(4)) {
                    (Some(date), Some(amount)) => Some(Promise { date, amount }),
                    _ => None,
                },
            }],
            FormKind::Payment { contract } => vec![Mutation::RecordPayment {
                id: String::new(),
                contract: contract.clone(),
                received_on: date(0)?,
                amount: money(1)?,
                method: text(2),
                reference: text(3),
                confirmed: false,
            }],
            FormKind::Waiver { contract, .. } => vec![Mutation::ApplyWaiver {
                id: String::new(),
                contract: contract.clone(),
                amount: money(0)?,
                reason: text(1),
            }],
            FormKind::Void { ids, .. } => ids
                .iter()
                .map(|id| Mutation::VoidPayment {
                    id: id.clone(),
                    reason: text(0),
                })
                .collect(),
            FormKind::Rate => vec![Mutation::SetRate {
                contract: contract(0),
                from: date(1)?,
                daily: Rate::parse(&text(2)).ok()?,
            }],
            FormKind::Accrue => vec![Mutation::Accrue { through: date(0)? }],
            FormKind::Grace => vec![Mutation::SetGrace {
                contract: contract(0),
                days: text(1).parse().ok()?,
            }],
            FormKind::Apply { document, contract } => vec![Mutation::Apply {
                id: String::new(),
                document: *document,
                contract: contract.clone(),
                reason: text(0),
                location: text(1),
            }],
            FormKind::Approve { id } => vec![Mutation::Approve {
                id: id.clone(),
                comment: text(0),
            }],
            FormKind::Reject { id } => vec![Mutation::Reject {
                id: id.clone(),
                comment: text(0),
            }],
            FormKind::Resubmit {
                id,
                reason,
                location,
                amount,
                ..
            } => {
                let changed = |i: usize, was: &str| Some(text(i)).filter(|now| now != was);
                vec![Mutation::Resubmit {
                    id: id.clone(),
                    reason: changed(0, reason),
                    location: changed(1, location),
                    amount: match amount {
                        Some(was) => money(2).filter(|now| now != was),
                        None => None,
                    },
                }]
            }
            FormKind::RegisterTow { id } => vec![Mutation::RegisterTow {
                id: id.clone(),
                crew: names(&text(0)),
                planned_on: date(1)?,
                location: text(2),
                note: text(3),
            }],
            FormKind::CompleteTow { id, .. } => vec![Mutation::CompleteTow {
                id: id.clone(),
                towed_on: date(0)?,
                yard: text(1),
                condition: text(2),
                cost: money(3).unwrap_or(Money::ZERO),
            }],
            FormKind::FailTow { id } => vec![Mutation::FailTow {
                id: id.clone(),
                reason: text(0),
            }],
            FormKind::BudgetLine {
                month,
                branch,
                lines,
            } => {
                let kind = BUDGET_KINDS[self.fields[0].choice % BUDGET_KINDS.len()];
                let collector = Some(text(1)).filter(|c| !c.is_empty());
                let amount = money(2)?;
                let mut lines: Vec<crate::domain::budget::Line> = lines
                    .iter()
                    .filter(|l| !(l.kind == kind && l.collector == collector))
                    .cloned()
                    .collect();
                if !amount.is_zero() {
                    lines.push(crate::domain::budget::Line {
                        kind,
                        collector,
                        amount,
                    });
                }
                vec![Mutation::DraftBudget {
                    month: *month,
                    branch: branch.clone(),
                    lines,
                }]
            }
            FormKind::BudgetSpending { month, branch } => {
                let all = crate::domain::budget::Category::ALL;
                vec![Mutation::BookSpending {
                    id: String::new(),
                    month: *month,
                    branch: branch.clone(),
                    category: all[self.fields[0].choice % all.len()],
                    amount: money(1)?,
                    reason: text(2),
                }]
            }
            FormKind::Accessory { order, .. } => vec![Mutation::AddAccessory {
                order: order.clone(),
                code: self.stock_item()?.code.clone(),
                quantity: text(1).parse().ok()?,
                extra: self.fields[2].choice % 2 == 1,
            }],
            FormKind::Ship { order, .. } => vec![Mutation::Ship {
                order: order.clone(),
                on: date(0)?,
                carrier: text(1),
                note: text(2),
            }],
            FormKind::CancelOrder { order, .. } => vec![Mutation::CancelOrder {
                order: order.clone(),
                reason: text(0),
            }],
            FormKind::AddUser => vec![Mutation::AddUser {
                name: text(0),
                display: text(1),
                roles: self.chosen_roles(3),
                branch: contract(2),
            }],
            FormKind::Roles { name, kept } => vec![Mutation::SetRoles {
                name: name.clone(),
                roles: [self.chosen_roles(0), kept.clone()].concat(),
            }],
            FormKind::Branch { name } => vec![Mutation::SetBranch {
                name: name.clone(),
                branch: contract(0),
            }],
            FormKind::Language { name } => vec![Mutation::SetLanguage {
                name: name.clone(),
                lang: LANGS[self.fields[0].choice % LANGS.len()],
            }],
            FormKind::DraftContract => vec![Mutation::DraftContract {
                application: String::new(),
                contract: crate::app::NewContract {
                    no: text(0),
                    customer_id: text(1),
                    signed_on: date(4)?,
                    model: text(2),
                    serial: String::new(),
                    financed: money(3)?,
                    penalty_rate: None,
                    grace_days: None,
                },
            }],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    fn space() -> KeyEvent {
        KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE)
    }

    #[test]
    fn the_roles_form_keeps_a_role_it_does_not_offer() {
        let today = NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
        // A site's user: no role offered is on, and saving as is keeps `site`.
        let mut form = Form::roles("hf-sync", &[Role::Site]);
        assert!(form.fields.iter().all(|f| f.choice == 0));
        let saved = form.mutations(Lang::En, today).expect("no error");
        assert_eq!(
            saved,
            [Mutation::SetRoles {
                name: "hf-sync".into(),
                roles: vec![Role::Site],
            }]
        );
        // Collector on: both.
        form.handle(&space());
        let saved = form.mutations(Lang::En, today);
        let Some([Mutation::SetRoles { roles, .. }]) = saved.as_deref() else {
            panic!("one SetRoles: {saved:?}");
        };
        assert_eq!(roles, &[Role::Collector, Role::Site]);
        // A user with no role left is refused in the form.
        let mut form = Form::roles("wu", &[Role::Sales]);
        form.focus = 2;
        form.handle(&space());
        assert!(form.mutations(Lang::En, today).is_none());
        assert_eq!(
            form.errors(Lang::En, today)[0].as_deref(),
            Some("choose a role")
        );
    }
}
