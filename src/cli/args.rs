//! The command line, as clap sees it. Parsing only: `cli::run` dispatches.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "duedesk",
    version = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("DUEDESK_GIT_COMMIT"), ")"),
    about = "Receivables desk for machinery dealers: overdue accounts, penalty interest, collection tickets",
    after_help = "With no command, duedesk opens the interactive screens on the book (the overdue summary when not on a terminal)."
)]
pub struct Cli {
    /// The database directory [default: the platform data directory]
    #[arg(long, global = true, env = "DUEDESK_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Act as this user (default: the local administrator)
    #[arg(long = "as", global = true, value_name = "USER")]
    pub as_user: Option<String>,

    /// Colour theme of the screens: default, light, base16, mono, or a theme file
    #[arg(long, global = true, value_name = "NAME|PATH")]
    pub theme: Option<String>,

    /// Language of the screens: en or zh [default: from the config, else LC_ALL / LANG]
    #[arg(long, global = true, value_name = "en|zh")]
    pub lang: Option<String>,

    /// The configuration file [default: ~/.config/duedesk/config.toml]
    #[arg(long, global = true, env = "DUEDESK_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The business date to act on (default: today's local date)
    #[arg(
        long,
        global = true,
        env = "DUEDESK_TODAY",
        value_name = "DATE",
        hide = true
    )]
    pub today: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a realistic demo book (and show it)
    Demo(DemoArgs),
    /// Import customers, contracts, installments or payments from a CSV file
    Import(ImportArgs),
    /// Daily penalty rates (罚息利率)
    #[command(subcommand)]
    Rate(RateCmd),
    /// Grace days (宽限期)
    #[command(subcommand)]
    Grace(GraceCmd),
    /// The order in which payments are applied
    #[command(subcommand)]
    Allocation(AllocationCmd),
    /// Show the penalty settings
    Settings(JsonFlag),
    /// Payments received (收款): record, confirm, void, list pending
    #[command(subcommand)]
    Payment(PaymentCmd),
    /// Advance the daily penalty accrual (idempotent; catches up after missed days)
    Accrue {
        /// Accrue through this date [default: today]
        #[arg(long, value_name = "DATE")]
        through: Option<String>,
    },
    /// Overdue contracts (逾期客户), most days overdue first
    Overdue(OverdueArgs),
    /// Collection tickets (催收单)
    #[command(subcommand)]
    Ticket(TicketCmd),
    /// The contact log (催收记录)
    #[command(subcommand)]
    Contact(ContactCmd),
    /// Interest waivers (利息减免)
    #[command(subcommand)]
    Waiver(WaiverCmd),
    /// Settle a contract (结清): refused while anything is outstanding
    Settle {
        #[arg(value_name = "CONTRACT_NO")]
        contract: String,
    },
    /// Replay the journal into fresh projections
    Rebuild,
    /// Users, roles and branches
    #[command(subcommand)]
    User(UserCmd),
    /// Approval rules (审批规则)
    #[command(subcommand)]
    Rules(RulesCmd),
    /// Approvals: list, show, approve, reject, resubmit, withdraw
    #[command(subcommand)]
    Approval(ApprovalCmd),
    /// Lock (锁机) and unlock (解锁) a machine
    #[command(subcommand)]
    Lock(LockCmd),
    /// Tow applications (拖机申请) and tow registration (拖机登记)
    #[command(subcommand)]
    Tow(TowCmd),
    /// Your notifications
    Inbox(InboxArgs),
    /// Contracts created here (drafts, approved through the rules)
    #[command(subcommand)]
    Contract(ContractCmd),
    /// Machine outbound orders (交机出库)
    #[command(subcommand)]
    Outbound(OutboundCmd),
    /// Machines by serial (机号)
    #[command(subcommand)]
    Machine(MachineCmd),
    /// Machines in stock (库存), optionally of one model
    Stock {
        #[arg(long)]
        model: Option<String>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        out: OutArgs,
    },
    /// Management reports: aging, roll rates, collection, forecast, penalty, tows, stock; outbound
    #[command(subcommand)]
    Report(ReportCmd),
    /// Serve the interactive screens and commands to many users over SSH from this process
    Serve {
        /// The address to listen on; 0.0.0.0:2222 listens on every interface
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:2222")]
        listen: String,
    },
    /// The audit trail of a contract: every change, who, when
    Audit {
        #[arg(value_name = "CONTRACT_NO")]
        contract: String,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        out: OutArgs,
    },
    /// Run the ledger benchmark on a generated book
    Bench(BenchArgs),
    /// Write customers, contracts, installments or payments in the columns `import` reads
    Export(ExportArgs),
    /// Branch sites syncing with head office (at head office): add, list
    #[command(subcommand)]
    Site(SiteCmd),
    /// Sync a branch's database with head office: over SSH (`sync ssh://USER@HOST[:PORT]`),
    /// or by file (clone, init, push, accept, pull)
    Sync(SyncArgs),
    /// Write a consistent copy of the book to FILE (admin); over SSH, `backup` writes it to
    /// your side: `ssh -p PORT admin@HOST backup > FILE`
    Backup {
        /// The backup file; `-` or none: standard output
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// Make a new database (--db DIR, which must not exist) from a backup file
    Restore {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// The fund budget (资金预算): import, submit, show, actual, score, close, scoring
    #[command(subcommand)]
    Budget(BudgetCmd),
}

#[derive(Debug, Subcommand)]
pub enum BudgetCmd {
    /// Draft plans from a CSV file with the columns month,branch,kind,category,collector,amount
    /// (all rows or none; each (month, branch) in the file replaces that draft's lines)
    Import {
        file: PathBuf,
        /// Text encoding of the file [default: detect UTF-8 (with or without BOM) or GB18030]
        #[arg(long, value_enum, default_value = "auto")]
        encoding: Encoding,
    },
    /// Send a branch's draft for a month to approval (document type budget)
    Submit {
        #[arg(value_name = "YYYY-MM")]
        month: String,
        #[arg(long)]
        branch: String,
        #[arg(long)]
        json: bool,
    },
    /// A month's plan, actual, variance and pace per line, with the versions of each plan
    Show {
        #[arg(value_name = "YYYY-MM")]
        month: String,
        #[arg(long)]
        branch: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Book a manual spending line (travel, legal, other; tow costs come from completed tows)
    Actual {
        #[arg(value_name = "YYYY-MM")]
        month: String,
        #[arg(long)]
        branch: String,
        /// tow, travel, legal or other
        #[arg(long)]
        category: String,
        #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
        amount: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        json: bool,
    },
    /// The league table of a month: scores per branch and collector
    Score {
        #[arg(value_name = "YYYY-MM")]
        month: String,
        #[arg(long)]
        json: bool,
    },
    /// Close a month once it is over: its actuals and scores no longer change
    Close {
        #[arg(value_name = "YYYY-MM")]
        month: String,
    },
    /// Show the scoring rules, or (admin) set a new version: unnamed values are kept
    Scoring {
        /// Points for each percent of a collection target collected
        #[arg(long, value_name = "POINTS")]
        points_per_percent: Option<String>,
        /// Percent of target beyond which no more points are given
        #[arg(long, value_name = "PERCENT")]
        cap: Option<u32>,
        /// Points off a branch for each spending line over plan
        #[arg(long, value_name = "POINTS")]
        overspend_penalty: Option<String>,
        /// Points off a branch for each category spent without a line
        #[arg(long, value_name = "POINTS")]
        unplanned_penalty: Option<String>,
        /// How far (percent) below plan the pace may predict before a warning
        #[arg(long, value_name = "PERCENT")]
        pace_tolerance: Option<u32>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SyncArgs {
    #[command(subcommand)]
    pub cmd: Option<SyncCmd>,
    /// At a branch: sync with head office over SSH now [default: the address used last]
    #[arg(value_name = "ssh://USER@HOST[:PORT]")]
    pub remote: Option<String>,
    /// The command that replaces `ssh` (words, as GIT_SSH_COMMAND)
    #[arg(long, env = "DUEDESK_SSH", value_name = "CMD", global = true)]
    pub ssh_command: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum SiteCmd {
    /// Register a branch site: the branches whose book it holds and the user that syncs for it
    Add {
        #[arg(value_name = "NAME")]
        name: String,
        /// The code its ids carry (HF → HF-P12): capital letters or digits
        #[arg(long)]
        code: String,
        /// The branches whose book it holds, comma-separated (合肥,巢湖)
        #[arg(long, value_delimiter = ',', required = true)]
        branches: Vec<String>,
        /// The user whose SSH key syncs for it (created if new, with the role site only)
        #[arg(long)]
        user: String,
    },
    /// The sites with their branches, last push and pull, cursor, pending and conflicts
    List(JsonFlag),
}

#[derive(Debug, Subcommand)]
pub enum SyncCmd {
    /// At head office: write the bundle a new branch database starts from
    Clone {
        #[arg(long, value_name = "NAME")]
        site: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// At a branch: create the branch database (--db DIR, which must not exist) from a bundle
    /// file, or from head office over SSH (`sync init ssh://USER@HOST[:PORT] --site NAME`)
    Init {
        #[arg(value_name = "FILE|ssh://USER@HOST[:PORT]")]
        file: PathBuf,
        /// The site to fetch over SSH
        #[arg(long, value_name = "NAME")]
        site: Option<String>,
    },
    /// At a branch: write its entries head office has not decided to FILE
    Push {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// At head office: apply a branch's push and write the reply to take back
    Accept {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[arg(long, value_name = "OUT")]
        reply: PathBuf,
    },
    /// At a branch: apply head office's reply
    Pull {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// At a branch: entries pending, the last sync, conflicts
    Status(JsonFlag),
    /// At a branch: its entries head office refused or that no longer apply, with the reason
    Conflicts(JsonFlag),
}

#[derive(Debug, Args)]
pub struct JsonFlag {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Number of contracts
    #[arg(long, default_value_t = 2000)]
    pub contracts: usize,
    /// Seed of the generator: the same seed gives the same book
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Replace the book in the database
    #[arg(long)]
    pub force: bool,
    /// Print the overdue summary instead of opening the interactive screens
    #[arg(long)]
    pub no_tui: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ImportKind {
    Customers,
    Contracts,
    Installments,
    Payments,
    Machines,
    Accessories,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Encoding {
    Auto,
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    #[value(name = "gb18030", alias = "gbk")]
    Gb18030,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    pub kind: ImportKind,
    pub file: PathBuf,
    /// Text encoding of the file [default: detect UTF-8 (with or without BOM) or GB18030]
    #[arg(long, value_enum, default_value = "auto")]
    pub encoding: Encoding,
    /// Payments only: import them as already confirmed by finance
    #[arg(long)]
    pub confirm: bool,
    /// An .xlsx file: the worksheet to read [default: the first]
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum RateCmd {
    /// Set a daily rate from a date on, globally or for one contract
    Set {
        #[arg(long, value_name = "RATE", allow_negative_numbers = true)]
        daily: String,
        #[arg(long, value_name = "DATE")]
        from: String,
        #[arg(long, value_name = "NO")]
        contract: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum GraceCmd {
    /// Set grace days, globally or for one contract
    Set {
        #[arg(long, value_name = "N")]
        days: u32,
        #[arg(long, value_name = "NO")]
        contract: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OrderArg {
    /// Due money first, then penalty, then installments not yet due
    Default,
    /// PRC Civil Code art. 561: interest (incl. penalty) before principal
    Statutory,
}

#[derive(Debug, Subcommand)]
pub enum AllocationCmd {
    /// Choose the allocation order for the whole book
    Set {
        #[arg(value_enum)]
        order: OrderArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum PaymentCmd {
    /// Record money received; it waits for confirmation by finance
    Record {
        #[arg(long, value_name = "NO")]
        contract: String,
        #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
        amount: String,
        #[arg(long, value_name = "DATE")]
        received_on: String,
        #[arg(long, default_value = "transfer")]
        method: String,
        #[arg(long, default_value = "")]
        reference: String,
        #[arg(long)]
        json: bool,
    },
    /// Confirm a pending payment (收款确认): it counts from its received date
    Confirm { id: String },
    /// Void a payment, with a reason
    Void {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Payments waiting for confirmation
    List(ListArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum BucketArg {
    #[value(name = "1-30")]
    D1To30,
    #[value(name = "31-60")]
    D31To60,
    #[value(name = "61-90")]
    D61To90,
    #[value(name = "91-180")]
    D91To180,
    #[value(name = "181+")]
    D181Plus,
}

#[derive(Debug, Args)]
pub struct OverdueArgs {
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    #[arg(long)]
    pub branch: Option<String>,
    #[arg(long)]
    pub collector: Option<String>,
    #[arg(long, value_enum)]
    pub bucket: Option<BucketArg>,
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub out: OutArgs,
}

#[derive(Debug, Subcommand)]
pub enum TicketCmd {
    /// A contract's collection ticket as of a date
    Show {
        #[arg(value_name = "CONTRACT_NO")]
        contract: String,
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ChannelArg {
    Call,
    Visit,
    Sms,
    Wechat,
}

#[derive(Debug, Subcommand)]
pub enum ContactCmd {
    /// Log a contact, with an optional promise to pay
    Add {
        #[arg(value_name = "CONTRACT_NO")]
        contract: String,
        #[arg(long, value_enum)]
        channel: ChannelArg,
        #[arg(long)]
        result: String,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long, value_name = "DATE", requires = "promise_amount")]
        promise_date: Option<String>,
        #[arg(long, value_name = "AMOUNT", requires = "promise_date")]
        promise_amount: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum WaiverCmd {
    /// Apply for a waiver of penalty interest
    Apply {
        #[arg(long, value_name = "NO")]
        contract: String,
        #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
        amount: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        json: bool,
    },
    /// Approve the current step of a waiver application
    Approve {
        id: String,
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// Reject a waiver application, returning it to the applicant
    Reject {
        id: String,
        #[arg(long, alias = "comment")]
        reason: String,
    },
    /// Waiver applications
    List(JsonFlag),
}

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Add a user
    Add {
        name: String,
        /// Roles, comma-separated: collector, clerk, sales, finance, approver, admin
        #[arg(long = "role", value_name = "R[,R…]", required = true)]
        roles: String,
        #[arg(long)]
        branch: Option<String>,
        /// The name shown on screens, e.g. 王军
        #[arg(long)]
        display: Option<String>,
    },
    List(JsonFlag),
    Disable {
        name: String,
    },
    /// Replace a user's roles
    Roles {
        name: String,
        #[arg(long = "set", value_name = "R[,R…]")]
        roles: String,
    },
    /// Register an SSH public key (an OpenSSH .pub line) that logs in as the user
    #[command(name = "add-key")]
    AddKey {
        name: String,
        /// The .pub file, or - for stdin
        #[arg(value_name = "FILE|-")]
        file: PathBuf,
    },
    /// A user's SSH keys and their fingerprints
    Keys {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Remove one of a user's SSH keys by its SHA256 fingerprint
    #[command(name = "remove-key")]
    RemoveKey {
        name: String,
        fingerprint: String,
    },
    /// Set a user's preferred language: their notifications, and their screens over SSH
    /// when the client names none (an admin sets anyone's, a user their own)
    Lang {
        name: String,
        #[arg(value_parser = ["zh", "en"])]
        lang: String,
    },
    /// Move a user to another branch; without BRANCH, to none (head office staff)
    Branch {
        name: String,
        branch: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RulesCmd {
    /// The rules in force
    Show(JsonFlag),
    /// Replace the whole rule set with a file's, as a new version
    Set { file: PathBuf },
    /// Check a rules file without changing anything
    Check { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum ApprovalCmd {
    /// Applications in your scope, newest first
    List {
        /// Only those waiting for your decision
        #[arg(long)]
        mine: bool,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        out: OutArgs,
    },
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    Approve {
        id: String,
        #[arg(long, default_value = "")]
        comment: String,
    },
    Reject {
        id: String,
        #[arg(long)]
        comment: String,
    },
    /// Resubmit your rejected application, optionally revised
    Resubmit {
        id: String,
        #[arg(long)]
        reason: Option<String>,
        #[arg(long)]
        location: Option<String>,
        #[arg(long, value_name = "AMOUNT")]
        amount: Option<String>,
    },
    Withdraw {
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum LockCmd {
    /// Apply for a remote lock of the contract's machine
    Apply {
        #[arg(long, value_name = "NO")]
        contract: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        json: bool,
    },
    /// Record an approved lock or unlock as executed (runs the configured lock_command)
    Execute { id: String },
    /// Apply for an unlock of the contract's machine
    Unlock {
        #[arg(long, value_name = "NO")]
        contract: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TowCmd {
    /// Apply for a tow (repossession) of the contract's machine
    Apply {
        #[arg(long, value_name = "NO")]
        contract: String,
        #[arg(long)]
        reason: String,
        /// Where the machine is
        #[arg(long, default_value = "")]
        location: String,
        #[arg(long)]
        json: bool,
    },
    /// Register an approved tow: crew, planned date, location
    Register {
        id: String,
        #[arg(long, value_name = "NAME[,NAME…]")]
        crew: String,
        #[arg(long, value_name = "DATE")]
        date: String,
        #[arg(long)]
        location: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Record a registered tow as done: the machine is back in a yard
    Complete {
        id: String,
        #[arg(long, value_name = "DATE")]
        date: String,
        #[arg(long)]
        yard: String,
        #[arg(long, default_value = "")]
        condition: String,
        #[arg(long, value_name = "AMOUNT")]
        cost: Option<String>,
    },
    /// Record a registered tow as failed or cancelled
    Fail {
        id: String,
        #[arg(long)]
        reason: String,
    },
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// The tow board: approved, scheduled, done and failed tows
    Board(ListArgs),
}

#[derive(Debug, Args)]
pub struct InboxArgs {
    /// Mark every notification as read
    #[arg(long)]
    pub read_all: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Contracts in the generated book
    #[arg(long, default_value_t = 100_000)]
    pub contracts: usize,
}

#[derive(Debug, Subcommand)]
pub enum ContractCmd {
    /// Create a contract as a draft and submit it for approval (the contracts CSV's columns)
    Add {
        #[arg(long = "contract-no", value_name = "NO")]
        contract_no: String,
        #[arg(long = "customer-id", value_name = "ID")]
        customer_id: String,
        #[arg(long = "signed-on", value_name = "DATE")]
        signed_on: String,
        #[arg(long)]
        model: String,
        #[arg(long, default_value = "")]
        serial: String,
        #[arg(long = "financed-amount", value_name = "AMOUNT")]
        financed_amount: String,
        #[arg(long = "penalty-rate", value_name = "RATE")]
        penalty_rate: Option<String>,
        #[arg(long = "grace-days", value_name = "N")]
        grace_days: Option<u32>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum OutboundCmd {
    /// Start an outbound order for an approved contract
    Create {
        #[arg(long, value_name = "NO")]
        contract: String,
        #[arg(long)]
        json: bool,
    },
    /// Pick (and reserve) a machine serial for the order
    Pick {
        id: String,
        #[arg(long)]
        serial: String,
    },
    /// Add an accessory line (reserves its quantity); --extra: not in the contract
    AddAccessory {
        id: String,
        #[arg(long)]
        code: String,
        #[arg(long)]
        quantity: u32,
        #[arg(long)]
        extra: bool,
    },
    /// Send the order to finance approval; prints the approval's id
    Submit {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Ship an approved order
    Ship {
        id: String,
        #[arg(long, value_name = "DATE")]
        date: String,
        #[arg(long, default_value = "")]
        carrier: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Sales swap (销售换机) after shipment: another in-stock machine of the same type
    Swap {
        id: String,
        #[arg(long)]
        serial: String,
        #[arg(long)]
        reason: String,
    },
    Cancel {
        id: String,
        #[arg(long)]
        reason: String,
    },
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Orders in your scope, newest first
    List(JsonFlag),
    /// Remove an accessory line from an order not yet submitted (its quantity goes back to
    /// stock); --extra: the extra line of that code
    #[command(name = "remove-accessory")]
    RemoveAccessory {
        id: String,
        #[arg(long)]
        code: String,
        #[arg(long)]
        extra: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum MachineCmd {
    /// A machine's state, and the order holding it
    Show {
        serial: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// Aging (账龄) as of --to and at each month end of the period, by branch and collector
    Aging(ReportArgs),
    /// Roll rates: where each bucket's money went by the next month end
    RollRates(ReportArgs),
    /// Collection performance per collector and branch over the period
    Collection(ReportArgs),
    /// Cash-inflow forecast for the next 12 months beside the last 12 months' actuals
    Forecast(ReportArgs),
    /// Penalty income (罚息): accrued, waived, collected, by month
    Penalty(ReportArgs),
    /// Tows and locks: applications, approval times, outcomes, costs, machines towed back
    Tows(ReportArgs),
    /// Stock by model and state, by model and yard, and the slowest movers
    Stock(ReportArgs),
    /// Outbound orders by state
    Outbound(JsonFlag),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    Table,
    Json,
    Csv,
    Xlsx,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// First day of the period [default: the first of the month 11 months before --to]
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day of the period; figures are as of this date [default: today]
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    #[arg(long)]
    pub branch: Option<String>,
    #[arg(long)]
    pub collector: Option<String>,
    /// table, json, csv or xlsx [default: table, or the --out file's extension]
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// Write to this file instead of standard output (xlsx needs one)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Print JSON (as --format json)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Csv,
    Xlsx,
}

/// `--format csv|xlsx --out FILE` of a list command.
#[derive(Debug, Args, Default)]
pub struct OutArgs {
    /// Write the list as csv or xlsx [default: the --out file's extension]
    #[arg(long, value_enum)]
    pub format: Option<ListFormat>,
    /// Write to this file (csv goes to standard output without one)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub out: OutArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportKind {
    Customers,
    Contracts,
    Installments,
    Payments,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    pub kind: ExportKind,
    #[arg(long, value_enum)]
    pub format: Option<ListFormat>,
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}
