//! The store: sled, the byte formats, the journal, the projections and their indexes.
//!
//! Owns every sled key. Nothing above this module sees one. All data lives in one sled
//! tree, in key spaces named by a short prefix (`co/` contracts, `j` the journal, …); a
//! mutation's journal entry and every projection and index write it causes are committed
//! as one `sled::Batch`, which sled applies atomically. Writers are serialised by a lock, so
//! validation and the write see the same state. Must not contain business rules: callers
//! (the app layer) decide what to write.

pub mod backup;
pub mod files;
pub mod staged;
mod txn;
mod view;

pub use txn::Txn;
pub use view::{
    ContactRef, ContractRef, CustomerRef, PaymentRef, PaymentStatusRef, Record, TicketRef,
    WaiverGrantRef,
};

use crate::domain::ledger::Standing;
use crate::domain::{Contract, Customer, Money, PenaltyFacts, PenaltySettings, Ticket, User};
use chrono::{Datelike, NaiveDate};
use serde::{Serialize, de::DeserializeOwned};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// sled's page cache, in MiB, unless `DUEDESK_SLED_CACHE_MB` says otherwise. sled holds
/// about three times this in memory (its cache counts pages at their size on disk) on top of
/// the rest of the process; measured on a 100,000-contract book (1.1 GB on disk), 256 MiB
/// took loading to 717 MiB resident, 64 MiB to 400–450 MiB and 32 MiB to 371 MiB; the book
/// fits in none. With 32 MiB against 64 the ledger benchmark's one-day accrual took 39 ms
/// against 30 ms, the overdue list 103 ms against 82 ms, a full scan the same.
pub const DEFAULT_CACHE_MB: u64 = 32;

fn cache_bytes() -> u64 {
    std::env::var("DUEDESK_SLED_CACHE_MB")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(DEFAULT_CACHE_MB)
        << 20
}

/// Keys removed in one write by `clear_projections`.
const CLEAR_PART: usize = 2_000;

/// Writes this process has committed to any database: a watchdog reads it to tell a replay
/// that moves from one stuck inside sled.
static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many writes this process has committed so far (see `WRITES`).
pub fn writes() -> u64 {
    WRITES.load(std::sync::atomic::Ordering::Relaxed)
}

/// The schema this binary reads and writes. A database with a newer one is refused; an older
/// one is migrated by the app layer when it opens it (`App::open`).
///
/// 2: a line of the overdue list (`ov/`, an `OverdueLine`) carries the customer's details, the
/// contract's penalty facts and its accrued penalty (no longer in `ac/`); the overdue
/// contracts of each customer (`xo/`) and the lines to revisit by day (`xr/`) are indexed;
/// `Accrue` runs in parts.
///
/// 3: the journal is keyed by the order this database applied its entries in (`jl/`), each
/// value the format byte `JOURNAL_FORMAT` then the header and the mutation; an entry's
/// identity is its origin (site, that site's seq), indexed in `jo/`; ids named by mutations
/// are minted from counters kept apart from the projections (`mi/`). Schema 2's journal (`j/`,
/// keyed by site and seq, ids minted while applying) is rewritten once by the app.
///
/// 4: the fund budget's projections (plans, the actuals of each month and branch, what each
/// payment, tow and manual line booked, closed months, scoring rules); an older book gets
/// them by a replay of its journal when it is first opened.
pub const SCHEMA_VERSION: u32 = 4;

/// The first byte of every journal value of schema 3 and later: how the rest is encoded.
///
/// 3: bincode (standard config) of `(EntryHeader, Mutation)`. The bytes of a journal entry are
/// also the wire format of sync, so they never change for an entry already written: new
/// formats get new numbers (never 1 or 2, which a schema-2 value starts with as its site).
pub const JOURNAL_FORMAT: u8 = 3;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path}: {source}")]
    Open { path: PathBuf, source: sled::Error },
    #[error(
        "database {path} is open in another duedesk process{served}; stop it (or use its server) and try again"
    )]
    InUse { path: PathBuf, served: String },
    #[error(
        "database {path} has schema version {found}, newer than this duedesk understands ({supported}); upgrade duedesk"
    )]
    NewerSchema {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("database error: {0}")]
    Sled(#[from] sled::Error),
    #[error("journal: {0}")]
    Journal(String),
    #[error("database record {key} cannot be read: {reason}")]
    Decode { key: String, reason: String },
    /// The staged rows of an import run (`staged`).
    #[error("import rows staged in {0}")]
    Staged(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Key spaces. Each is a distinct byte prefix; none is a prefix of another.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Space {
    Meta,
    /// Schema 2's journal, `site + seq` → `(EntryHeader, mutation)`: read once, by the
    /// migration that rewrites it into `Journal`.
    LegacyJournal,
    /// `local order` (u64, big-endian) → `JOURNAL_FORMAT` + `(EntryHeader, mutation)`: every
    /// entry this database applied, in the order it applied them.
    Journal,
    /// `origin site` (u32) + `origin seq / ORIGIN_CHUNK` (u64) → the local orders of that
    /// site's entries in the chunk (`OriginChunk`): which entries of each site this database
    /// holds (an entry is applied once, whatever the retries). Chunked, not a key per entry:
    /// a key for each of millions of entries cost 83 MiB of peak memory loading 30,000
    /// contracts (334 against 251 MiB).
    Origin,
    /// `name` → the last number minted for the ids of that kind at this site (`P12`,
    /// `HF-A7`). Kept by `rebuild`: ids are carried in the journal, not minted by replay.
    Mint,
    Customer,
    Contract,
    ContractIndex,
    Ticket,
    Application,
    Notification,
    Machine,
    Model,
    Accessory,
    Order,
    /// `contract/document` → the id of its application in flight.
    OpenApplication,
    /// `contract` → the id of its order not yet cancelled.
    OpenOrder,
    /// Application index keys (`stage/…`, `step/…`) ending in the application's id.
    ApplicationIndex,
    PaymentRef,
    Pending,
    DueIndex,
    LastPaymentIndex,
    /// `contract` → its penalty accrued through the accrual date, unless it is on the list.
    Accrual,
    /// `contract` → its `OverdueLine`, while it is on the overdue list.
    Overdue,
    /// `customer \0 contract` for every line of the overdue list: whose lines to refresh
    /// when a customer changes.
    OverdueByCustomer,
    /// `day + contract` for every line of the overdue list with a `revisit` day.
    Revisit,
    User,
    UserKey,
    UserLang,
    /// Branch sites registered at head office, by name.
    Site,
    /// `name` → what sync keeps about its exchanges (cursors, verdicts, conflicts): local to
    /// this database, not a projection of the journal, so `rebuild` keeps it.
    Sync,
    /// Budget plans (`month/branch` → `domain::budget::Plan`).
    Budget,
    /// A month's actuals of a branch (`month/branch` → `domain::budget::Actuals`).
    BudgetActual,
    /// What each payment, tow or manual line booked (`source` → `domain::budget::Booking`).
    BudgetBooking,
    /// Closed months (`month` → `domain::budget::Closing`).
    BudgetClosing,
    /// The budget's settings (`scoring` → `domain::budget::ScoringRules`).
    BudgetSetting,
}

impl Space {
    pub(crate) fn prefix(self) -> &'static [u8] {
        match self {
            Space::Meta => b"m/",
            Space::LegacyJournal => b"j/",
            Space::Journal => b"jl/",
            Space::Origin => b"jo/",
            Space::Mint => b"mi/",
            Space::Customer => b"cu/",
            Space::Contract => b"co/",
            Space::ContractIndex => b"ci/",
            Space::Ticket => b"ti/",
            Space::Application => b"ap/",
            Space::Notification => b"no/",
            Space::Machine => b"mc/",
            Space::Model => b"md/",
            Space::Accessory => b"as/",
            Space::Order => b"or/",
            Space::OpenApplication => b"oa/",
            Space::OpenOrder => b"oo/",
            Space::ApplicationIndex => b"ai/",
            Space::PaymentRef => b"pa/",
            Space::Pending => b"pp/",
            Space::DueIndex => b"xd/",
            Space::LastPaymentIndex => b"xl/",
            Space::Accrual => b"ac/",
            Space::Overdue => b"ov/",
            Space::OverdueByCustomer => b"xo/",
            Space::Revisit => b"xr/",
            Space::User => b"us/",
            Space::UserKey => b"uk/",
            Space::UserLang => b"ul/",
            Space::Site => b"st/",
            Space::Sync => b"sy/",
            Space::Budget => b"bu/",
            Space::BudgetActual => b"ba/",
            Space::BudgetBooking => b"bb/",
            Space::BudgetClosing => b"bc/",
            Space::BudgetSetting => b"bs/",
        }
    }

    pub(crate) fn key_bytes(self, id: &[u8]) -> Vec<u8> {
        let mut key = self.prefix().to_vec();
        key.extend_from_slice(id);
        key
    }

    pub(crate) fn key(self, id: &str) -> Vec<u8> {
        let mut key = self.prefix().to_vec();
        key.extend_from_slice(id.as_bytes());
        key
    }

    /// `prefix + day + id`: sorted by day, then id.
    pub(crate) fn dated_key(self, day: NaiveDate, id: &str) -> Vec<u8> {
        let mut key = self.prefix().to_vec();
        key.extend_from_slice(&day_bytes(day));
        key.extend_from_slice(id.as_bytes());
        key
    }
}

fn day_bytes(day: NaiveDate) -> [u8; 4] {
    // Days from the common era, offset so every representable date sorts as unsigned.
    ((day.num_days_from_ce() as i64 + (1i64 << 31)) as u32).to_be_bytes()
}

pub(crate) fn encode<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    bincode::serde::encode_to_vec(value, bincode::config::standard())
        .expect("encoding to memory cannot fail")
}

pub(crate) fn decode<T: DeserializeOwned>(key: &[u8], bytes: &[u8]) -> Result<T> {
    bincode::serde::decode_from_slice(bytes, bincode::config::standard())
        .map(|(v, _)| v)
        .map_err(|e| StoreError::Decode {
            key: String::from_utf8_lossy(key).into_owned(),
            reason: e.to_string(),
        })
}

/// bincode (standard) of a value: sync's messages around the entries they carry.
pub fn encode_value<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    encode(value)
}

/// Reads a value `encode_value` wrote; anything else (bytes short, left over, malformed) is an
/// error, never a panic.
pub fn decode_value<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    let config = bincode::config::standard().with_limit::<{ 1 << 32 }>();
    match bincode::serde::decode_from_slice(bytes, config) {
        Ok((value, used)) if used == bytes.len() => Ok(value),
        Ok((_, used)) => Err(StoreError::Decode {
            key: "message".into(),
            reason: format!("{} bytes left over after the message", bytes.len() - used),
        }),
        Err(e) => Err(StoreError::Decode {
            key: "message".into(),
            reason: e.to_string(),
        }),
    }
}

/// The bytes of a journal entry as stored (and sent by sync): `JOURNAL_FORMAT`, then the
/// header and the mutation. Pinned by the golden-bytes tests (`tests/journal_format.rs`).
pub fn entry_bytes<M: Serialize>(header: &EntryHeader, mutation: &M) -> Vec<u8> {
    let mut value = vec![JOURNAL_FORMAT];
    value.extend_from_slice(&encode(&(header, mutation)));
    value
}

/// Decodes an entry's bytes as `entry_bytes` wrote them (a journal value, a synced entry).
pub fn decode_entry_bytes<M: DeserializeOwned>(bytes: &[u8]) -> Result<(EntryHeader, M)> {
    decode_entry(b"entry", bytes)
}

/// Entries of a site per key of the origin index (`Space::Origin`).
const ORIGIN_CHUNK: u64 = 64;

/// The local orders of a site's entries `chunk * ORIGIN_CHUNK ..`: index `seq % ORIGIN_CHUNK`,
/// 0 where this database does not hold the entry; no trailing zeros.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct OriginChunk(Vec<u64>);

impl OriginChunk {
    fn get(&self, seq: u64) -> Option<u64> {
        self.0
            .get((seq % ORIGIN_CHUNK) as usize)
            .copied()
            .filter(|o| *o != 0)
    }

    fn set(&mut self, seq: u64, order: Option<u64>) {
        let i = (seq % ORIGIN_CHUNK) as usize;
        if self.0.len() <= i {
            self.0.resize(i + 1, 0);
        }
        self.0[i] = order.unwrap_or(0);
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    /// The offset of the highest seq held in the chunk.
    fn highest(&self) -> Option<u64> {
        (!self.0.is_empty()).then(|| self.0.len() as u64 - 1)
    }
}

/// The local order of the entry of origin (`site`, `seq`) as `reader` has its chunk.
fn origin_order_of<R: Reader + ?Sized>(reader: &R, site: u32, seq: u64) -> Result<Option<u64>> {
    let key = origin_chunk_key(site, seq);
    Ok(match reader.get_raw(&key)? {
        Some(bytes) => decode::<OriginChunk>(&key, &bytes)?.get(seq),
        None => None,
    })
}

fn origin_chunk_key(site: u32, seq: u64) -> Vec<u8> {
    let mut id = site.to_be_bytes().to_vec();
    id.extend_from_slice(&(seq / ORIGIN_CHUNK).to_be_bytes());
    Space::Origin.key_bytes(&id)
}

/// Decodes a journal value of schema 3: its format byte, then the header and the mutation.
fn decode_entry<M: DeserializeOwned>(key: &[u8], value: &[u8]) -> Result<(EntryHeader, M)> {
    match value.split_first() {
        Some((&JOURNAL_FORMAT, rest)) => decode(key, rest),
        Some((format, _)) => Err(StoreError::Decode {
            key: String::from_utf8_lossy(key).into_owned(),
            reason: format!(
                "journal entry format {format} is not one this duedesk reads ({JOURNAL_FORMAT}); upgrade duedesk"
            ),
        }),
        None => Err(StoreError::Decode {
            key: String::from_utf8_lossy(key).into_owned(),
            reason: "empty journal entry".into(),
        }),
    }
}

/// What the journal records about a mutation besides the mutation itself. `(site, seq)` is
/// the entry's origin and identity: the site that first executed it and that site's gap-free
/// sequence number; it stays the same in every database the entry reaches (the order a
/// database applied it in is the entry's key there, not part of the entry).
///
/// Part of the journal's (and sync's) byte format: fields are never reordered or changed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EntryHeader {
    pub site: u32,
    pub seq: u64,
    pub actor: String,
    /// Wall-clock time of submission, seconds since the Unix epoch (UTC).
    pub at: i64,
    /// The business date ("today") at submission.
    #[serde(with = "crate::codec::date")]
    pub business_date: NaiveDate,
}

/// What the store indexes about a contract, kept to remove stale index entries.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct IndexRecord {
    #[serde(with = "crate::codec::opt_date")]
    first_unpaid_due: Option<NaiveDate>,
    #[serde(with = "crate::codec::opt_date")]
    last_payment: Option<NaiveDate>,
}

fn get_in<R: Reader + ?Sized, T: DeserializeOwned>(
    reader: &R,
    space: Space,
    id: &str,
) -> Result<Option<T>> {
    let key = space.key(id);
    reader
        .get_raw(&key)?
        .map(|bytes| decode(&key, &bytes))
        .transpose()
}

/// Reads shared by the store (committed state) and a transaction (its own writes on top).
pub trait Reader {
    fn get_raw(&self, key: &[u8]) -> Result<Option<Vec<u8>>>;

    fn contract(&self, no: &str) -> Result<Option<Contract>> {
        get_in(self, Space::Contract, no)
    }
    fn customer(&self, id: &str) -> Result<Option<Customer>> {
        get_in(self, Space::Customer, id)
    }
    fn ticket(&self, contract_no: &str) -> Result<Option<Ticket>> {
        get_in(self, Space::Ticket, contract_no)
    }
    fn user(&self, name: &str) -> Result<Option<User>> {
        get_in(self, Space::User, name)
    }
    /// A record of the app layer's own types kept by id (waiver applications, …).
    fn record<T: DeserializeOwned>(&self, kind: RecordKind, id: &str) -> Result<Option<T>> {
        get_in(self, kind.space(), id)
    }
    /// The contract a payment id belongs to (the start of its `pa/` value).
    fn payment_contract(&self, payment_id: &str) -> Result<Option<String>> {
        get_in(self, Space::PaymentRef, payment_id)
    }
    /// What a confirmed payment booked to the budget: kept after its contract in `pa/`, so
    /// an import writes no key more a payment for it (`Txn::set_payment_booking`). `None`
    /// when nothing is booked there (databases of before kept it in `bb/`).
    fn payment_booking<T: DeserializeOwned>(&self, payment_id: &str) -> Result<Option<T>> {
        let key = Space::PaymentRef.key(payment_id);
        let Some(bytes) = self.get_raw(&key)? else {
            return Ok(None);
        };
        let used =
            bincode::serde::decode_from_slice::<String, _>(&bytes, bincode::config::standard())
                .map(|(_, used)| used)
                .map_err(|e| StoreError::Decode {
                    key: String::from_utf8_lossy(&key).into_owned(),
                    reason: e.to_string(),
                })?;
        match bytes.get(used..) {
            Some(rest) if !rest.is_empty() => decode(&key, rest),
            _ => Ok(None),
        }
    }
    fn settings(&self) -> Result<PenaltySettings> {
        Ok(get_in(self, Space::Meta, "settings")?.unwrap_or_default())
    }
    fn accrued_through(&self) -> Result<Option<NaiveDate>> {
        Ok(get_in::<_, Day>(self, Space::Meta, "accrued_through")?.map(|d| d.0))
    }
    /// The penalty cached in `ac/` for a contract that is not on the overdue list (one on the
    /// list keeps it in its `OverdueLine`).
    fn accrual(&self, contract_no: &str) -> Result<Money> {
        Ok(get_in(self, Space::Accrual, contract_no)?.unwrap_or(Money::ZERO))
    }
    /// A contract's line of the overdue list, with the app's entry type `T`.
    fn overdue_line<T: DeserializeOwned>(
        &self,
        contract_no: &str,
    ) -> Result<Option<OverdueLine<T>>> {
        get_in(self, Space::Overdue, contract_no)
    }
    /// The application of a document type in flight on a contract, if any.
    fn open_application(&self, contract_no: &str, document: &str) -> Result<Option<String>> {
        get_in(
            self,
            Space::OpenApplication,
            &format!("{contract_no}/{document}"),
        )
    }
    /// The order of a contract not yet cancelled, if any.
    fn open_order(&self, contract_no: &str) -> Result<Option<String>> {
        get_in(self, Space::OpenOrder, contract_no)
    }
    fn rules(&self) -> Result<Option<crate::domain::approval::RuleSet>> {
        get_in(self, Space::Meta, "rules")
    }
    /// The date the overdue list projection (`RecordKind::Overdue`) is complete for: the
    /// accrual date of the last `Accrue` that maintained it. None while an accrual run is
    /// unfinished.
    fn overdue_through(&self) -> Result<Option<NaiveDate>> {
        Ok(get_in::<_, Day>(self, Space::Meta, "overdue_through")?.map(|d| d.0))
    }
    /// The accrual run begun and not yet finished, if any.
    fn accrual_run(&self) -> Result<Option<AccrualRun>> {
        get_in(self, Space::Meta, "accrual_run")
    }
    /// The local order of the entry of origin (`site`, `seq`), if this database holds it.
    fn origin_order(&self, site: u32, seq: u64) -> Result<Option<u64>> {
        origin_order_of(self, site, seq)
    }

    fn counter(&self, name: &str) -> Result<u64> {
        Ok(get_in(self, Space::Meta, &format!("counter/{name}"))?.unwrap_or(0))
    }
}

/// Record kinds of the app layer kept by id.
#[derive(Clone, Copy, Debug)]
pub enum RecordKind {
    /// Applications (lock, unlock, tow, waiver) by id.
    Application,
    /// Notifications by `user/number`: one user's inbox is a prefix.
    Notification,
    /// Machines by serial.
    Machine,
    /// Machine models (code → type).
    Model,
    /// Accessories by code, with stock.
    Accessory,
    /// Outbound orders by id.
    Order,
    /// SSH public keys by fingerprint (`SHA256:…`): who a key logs in as.
    UserKey,
    /// One `OverdueLine` per contract overdue as of the accrual date: the overdue list,
    /// precomputed.
    Overdue,
    /// A user's preferred language by name (kept beside the user, so stored users keep
    /// their encoding).
    UserLang,
    /// Branch sites (head office's registry), by name.
    Site,
    /// Budget plans by `month/branch`.
    Budget,
    /// A branch's actuals for a month by `month/branch`.
    BudgetActual,
    /// Bookings by source (payment id, tow application id, manual line id).
    BudgetBooking,
    /// Closed months by month.
    BudgetClosing,
    /// Budget settings by name.
    BudgetSetting,
}

impl RecordKind {
    fn space(self) -> Space {
        match self {
            RecordKind::Application => Space::Application,
            RecordKind::Notification => Space::Notification,
            RecordKind::Machine => Space::Machine,
            RecordKind::Model => Space::Model,
            RecordKind::Accessory => Space::Accessory,
            RecordKind::Order => Space::Order,
            RecordKind::UserKey => Space::UserKey,
            RecordKind::Overdue => Space::Overdue,
            RecordKind::UserLang => Space::UserLang,
            RecordKind::Site => Space::Site,
            RecordKind::Budget => Space::Budget,
            RecordKind::BudgetActual => Space::BudgetActual,
            RecordKind::BudgetBooking => Space::BudgetBooking,
            RecordKind::BudgetClosing => Space::BudgetClosing,
            RecordKind::BudgetSetting => Space::BudgetSetting,
        }
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Day(#[serde(with = "crate::codec::date")] NaiveDate);

/// An accrual run in parts (`Accrue`): every contract numbered up to `done` is accrued through
/// `through`, the others still through `Reader::accrued_through`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AccrualRun {
    #[serde(with = "crate::codec::date")]
    pub through: NaiveDate,
    pub done: String,
}

/// A contract's line of the overdue list as stored, as of the day it was last written: the
/// line the list shows (the app's type) and the penalty accrued through that day (kept here,
/// not in `ac/`, while the contract is on the list), with the facts that carry both to any
/// later day before `revisit` without reading the contract. The daily accrual rewrites a
/// line only when that day comes (`Space::Revisit`) or the contract changes.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OverdueLine<T> {
    #[serde(with = "crate::codec::date")]
    pub as_of: NaiveDate,
    #[serde(with = "crate::codec::opt_date")]
    pub revisit: Option<NaiveDate>,
    pub accrued: Money,
    pub facts: PenaltyFacts,
    pub entry: T,
}

/// The head of an `OverdueLine`, read without the rest (bincode reads fields in order and
/// leaves the bytes after them alone).
#[derive(serde::Deserialize)]
struct LineHead {
    #[serde(with = "crate::codec::date")]
    _as_of: NaiveDate,
    #[serde(with = "crate::codec::opt_date")]
    revisit: Option<NaiveDate>,
}

fn overdue_by_customer_key(customer_id: &str, contract_no: &str) -> Vec<u8> {
    let mut key = Space::OverdueByCustomer.key(customer_id);
    key.push(0);
    key.extend_from_slice(contract_no.as_bytes());
    key
}

pub struct Store {
    path: PathBuf,
    db: sled::Db,
    tree: sled::Tree,
    writer: Mutex<()>,
    /// This database's site number once read (0: not yet): every journal entry appended asks
    /// for it, and it changes only through `set_site`, before the first entry.
    site: std::sync::atomic::AtomicU32,
    /// Incomplete sled snapshots moved aside before this database would open (see
    /// `open_past_incomplete_snapshot`), where they went.
    moved_aside: Vec<PathBuf>,
}

impl Reader for Store {
    fn get_raw(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.tree.get(key)?.map(|v| v.to_vec()))
    }
}

fn is_lock_error(e: &sled::Error) -> bool {
    matches!(e, sled::Error::Io(e) if e.kind() == std::io::ErrorKind::WouldBlock)
        || e.to_string().contains("lock")
}

/// Opens sled, waiting up to a second while another holder lets go of the database's lock:
/// a process that has just closed it may take a moment to release it (sled's flusher
/// thread ends after the handle is dropped). Past that, the lock error is returned. A
/// database being served is not waited for: `serve` holds it until it stops.
fn open_sled(path: &Path) -> std::result::Result<sled::Db, sled::Error> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
    let served = served_now(path);
    loop {
        match sled::Config::new()
            .path(path)
            .cache_capacity(cache_bytes())
            .open()
        {
            Err(e) if is_lock_error(&e) && !served && std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

/// Opens sled; when it will not open because a kill cut short the writing of a snapshot
/// (sled 0.34.7 reads the newest `snap.*` file, the half-written `snap.*.generating`
/// included, and stops at its checksum: "Read corrupted data at file offset None"; sled
/// issues #1527 and #1509), moves every `snap.*.generating` aside as `incomplete-snap.*`
/// in the same directory and opens again: sled then starts from the last complete snapshot
/// and reads its log forward. Returns the files moved, where they went. The caller checks
/// the projections against the journal (`App::open`).
fn open_past_incomplete_snapshot(
    path: &Path,
) -> std::result::Result<(sled::Db, Vec<PathBuf>), sled::Error> {
    match open_sled(path) {
        Err(e @ sled::Error::Corruption { .. }) => {
            let incomplete = incomplete_snapshots(path);
            if incomplete.is_empty() {
                return Err(e);
            }
            let mut moved = Vec::new();
            for file in incomplete {
                let name = file.file_name().unwrap_or_default().to_string_lossy();
                let aside = path.join(format!("incomplete-{name}"));
                std::fs::rename(&file, &aside)?;
                moved.push(aside);
            }
            Ok((open_sled(path)?, moved))
        }
        other => other.map(|db| (db, Vec::new())),
    }
}

/// The snapshots sled began writing in `dir` and never finished (`snap.*.generating`).
fn incomplete_snapshots(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("snap.") && n.ends_with(".generating"))
        })
        .collect();
    found.sort();
    found
}

/// Whether a `duedesk serve` is serving the database: its serve lock names a process that
/// lives. A lock left by a server that was killed (`kill -9` leaves it) names a dead one: the
/// database is free, though whoever used it last may still be letting go of it.
fn served_now(db: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(serve_lock_path(db)) else {
        return false;
    };
    let pid = text
        .lines()
        .find_map(|l| l.strip_prefix("pid="))
        .and_then(|p| p.trim().parse::<u32>().ok());
    let proc = Path::new("/proc");
    match pid {
        Some(pid) if proc.is_dir() => proc.join(pid.to_string()).exists(),
        // No pid to look for, or no /proc to look in: take the lock at its word.
        _ => true,
    }
}

/// The file `duedesk serve` writes beside the database while it serves it.
pub fn serve_lock_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".serve.lock");
    db.with_file_name(name)
}

/// `: it is served by duedesk serve (pid P) on ADDR` when a serve lock names the server.
fn served_by(db: &Path) -> String {
    let Ok(text) = std::fs::read_to_string(serve_lock_path(db)) else {
        return String::new();
    };
    let mut pid = "?";
    let mut addr = "?";
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("pid=") {
            pid = v.trim();
        } else if let Some(v) = line.strip_prefix("address=") {
            addr = v.trim();
        }
    }
    format!(
        ": it is served by `duedesk serve` (pid {pid}) on {addr}; work through ssh -p PORT USER@HOST COMMAND"
    )
}

/// Keys from `start` up to, not including, `end`: a part of `Store::record_ranges`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRange {
    pub start: Vec<u8>,
    pub end: Vec<u8>,
}

/// `parts - 1` keys evenly spaced from `first` to `last`, in order: the 16 bytes after their
/// common beginning read as a number (a shorter key padded with zero bytes).
fn cut_points(first: &[u8], last: &[u8], parts: usize) -> Vec<Vec<u8>> {
    let common = first.iter().zip(last).take_while(|(a, b)| a == b).count();
    let number = |key: &[u8]| {
        (0..16).fold(0u128, |n, i| {
            n << 8 | u128::from(key.get(common + i).copied().unwrap_or(0))
        })
    };
    let (low, high) = (number(first), number(last));
    let step = high.saturating_sub(low) / parts.max(1) as u128;
    (1..parts)
        .map(|i| {
            let mut key = first[..common].to_vec();
            key.extend_from_slice(&(low + step * i as u128).to_be_bytes());
            key
        })
        .collect()
}

impl Store {
    /// Opens (creating if need be) the database at `path`, checking its schema version.
    pub fn open(path: &Path) -> Result<Store> {
        // A new database is its owner's alone: directory 0700, files 0600 (`files`).
        let created = !path.exists();
        if created {
            files::create_private_dir(path).map_err(|e| StoreError::Open {
                path: path.to_path_buf(),
                source: sled::Error::Io(e),
            })?;
        }
        let (db, moved_aside) = open_past_incomplete_snapshot(path).map_err(|source| {
            if is_lock_error(&source) {
                StoreError::InUse {
                    path: path.to_path_buf(),
                    served: served_by(path),
                }
            } else {
                StoreError::Open {
                    path: path.to_path_buf(),
                    source,
                }
            }
        })?;
        let tree = db.open_tree("duedesk")?;
        if created {
            db.flush()?;
            files::make_private(path).map_err(|e| StoreError::Open {
                path: path.to_path_buf(),
                source: sled::Error::Io(e),
            })?;
        }
        let store = Store {
            path: path.to_path_buf(),
            db,
            tree,
            writer: Mutex::new(()),
            site: std::sync::atomic::AtomicU32::new(0),
            moved_aside,
        };
        match get_in::<_, u32>(&store, Space::Meta, "schema")? {
            Some(found) if found > SCHEMA_VERSION => {
                return Err(StoreError::NewerSchema {
                    path: path.to_path_buf(),
                    found,
                    supported: SCHEMA_VERSION,
                });
            }
            Some(_) => {}
            None => {
                store
                    .tree
                    .insert(Space::Meta.key("schema"), encode(&SCHEMA_VERSION))?;
                store.tree.insert(Space::Meta.key("site"), encode(&1u32))?;
                store.db.flush()?;
            }
        }
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Incomplete sled snapshots this open moved aside to open the database, where they are
    /// now; empty when there were none.
    pub fn moved_aside(&self) -> &[PathBuf] {
        &self.moved_aside
    }

    /// A digest of every key and value outside the journal (what `projection_dump` holds),
    /// read as a stream: (keys, hash). Two digests taken by one process compare projections
    /// without holding them.
    pub fn projection_digest(&self) -> Result<(u64, u64)> {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        let mut keys = 0u64;
        for kv in self.tree.iter() {
            let (k, v) = kv?;
            if ![Space::Journal, Space::Origin, Space::Sync]
                .iter()
                .any(|s| k.starts_with(s.prefix()))
            {
                k.as_ref().hash(&mut hasher);
                v.as_ref().hash(&mut hasher);
                keys += 1;
            }
        }
        Ok((keys, hasher.finish()))
    }

    pub fn schema_version(&self) -> Result<u32> {
        Ok(get_in(self, Space::Meta, "schema")?.unwrap_or(0))
    }

    /// Records the schema the database now has: the last step of a migration. Tests use it
    /// to pretend the database was written by another version.
    pub fn set_schema_version(&self, version: u32) -> Result<()> {
        self.tree
            .insert(Space::Meta.key("schema"), encode(&version))?;
        self.db.flush()?;
        Ok(())
    }

    /// Removes every line of the overdue list with its customer index: the first step of a
    /// migration that takes them anew.
    pub fn clear_overdue_lines(&self) -> Result<()> {
        let mut batch = sled::Batch::default();
        for space in [Space::Overdue, Space::OverdueByCustomer, Space::Revisit] {
            for key in self.tree.scan_prefix(space.prefix()).keys() {
                batch.remove(key?);
            }
        }
        self.tree.apply_batch(batch)?;
        Ok(())
    }

    pub fn site(&self) -> Result<u32> {
        use std::sync::atomic::Ordering;
        match self.site.load(Ordering::Relaxed) {
            0 => {
                let site = get_in(self, Space::Meta, "site")?.unwrap_or(1);
                self.site.store(site, Ordering::Relaxed);
                Ok(site)
            }
            site => Ok(site),
        }
    }

    /// Takes the writer lock. Every mutation runs under it, from validation to commit.
    pub fn lock(&self) -> MutexGuard<'_, ()> {
        self.writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn begin(&self) -> Txn<'_> {
        Txn::new(self)
    }

    pub fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }

    pub fn is_empty_book(&self) -> bool {
        self.tree
            .scan_prefix(Space::Contract.prefix())
            .next()
            .is_none()
    }

    /// Whether the book holds any record of a kind (without reading one).
    pub fn has_records(&self, kind: RecordKind) -> bool {
        self.tree
            .scan_prefix(kind.space().prefix())
            .next()
            .is_some()
    }

    /// Every contract, decoded, in contract-number order.
    pub fn contracts(&self) -> impl Iterator<Item = Result<Contract>> + '_ {
        self.scan_decoded(Space::Contract)
    }

    pub fn customers(&self) -> impl Iterator<Item = Result<Customer>> + '_ {
        self.scan_decoded(Space::Customer)
    }

    /// Every collection ticket's record, in contract order, to be read through a borrowed
    /// view (`ticket()`).
    pub fn ticket_records(&self) -> impl Iterator<Item = Result<Record>> + '_ {
        self.tree.scan_prefix(Space::Ticket.prefix()).map(|kv| {
            let (key, value) = kv?;
            Ok(Record { key, value })
        })
    }

    /// Every customer record, in id order, to be read through a borrowed view (`customer()`).
    pub fn customer_records(&self) -> impl Iterator<Item = Result<Record>> + '_ {
        self.tree.scan_prefix(Space::Customer.prefix()).map(|kv| {
            let (key, value) = kv?;
            Ok(Record { key, value })
        })
    }

    pub fn users(&self) -> impl Iterator<Item = Result<User>> + '_ {
        self.scan_decoded(Space::User)
    }

    pub fn records<T: DeserializeOwned + 'static>(
        &self,
        kind: RecordKind,
    ) -> impl Iterator<Item = Result<T>> + '_ {
        self.scan_decoded(kind.space())
    }

    /// The keys of a kind's records cut into up to `parts` ranges that together hold them
    /// all, in key order, to be read on as many threads (`raw_records_in`). The cuts lie
    /// evenly between the first and the last key, read as numbers: the parts are even when
    /// the ids are spread evenly, as contract numbers are, and merely uneven otherwise.
    pub fn record_ranges(&self, kind: RecordKind, parts: usize) -> Result<Vec<KeyRange>> {
        let prefix = kind.space().prefix();
        let mut end = prefix.to_vec();
        if let Some(last) = end.last_mut() {
            *last += 1; // every prefix ends in `/`
        }
        let bounds = match (
            self.tree.scan_prefix(prefix).next(),
            self.tree.scan_prefix(prefix).next_back(),
        ) {
            (Some(first), Some(last)) => cut_points(&first?.0, &last?.0, parts),
            _ => Vec::new(),
        };
        let starts = std::iter::once(prefix.to_vec()).chain(bounds.iter().cloned());
        let ends = bounds.iter().cloned().chain(std::iter::once(end));
        Ok(starts
            .zip(ends)
            .map(|(start, end)| KeyRange { start, end })
            .collect())
    }

    /// The records of one range of `record_ranges`, as their stored key and bytes, in key
    /// order; `decode` them.
    pub fn raw_records_in(
        &self,
        range: &KeyRange,
    ) -> impl Iterator<Item = Result<(sled::IVec, sled::IVec)>> + '_ {
        self.tree
            .range(range.start.as_slice()..range.end.as_slice())
            .map(|kv| Ok(kv?))
    }

    /// Records of a kind whose id starts with `prefix`, in id order.
    pub fn records_with_prefix<T: DeserializeOwned + 'static>(
        &self,
        kind: RecordKind,
        prefix: &str,
    ) -> impl Iterator<Item = Result<T>> + '_ {
        self.tree.scan_prefix(kind.space().key(prefix)).map(|kv| {
            let (k, v) = kv?;
            decode(&k, &v)
        })
    }

    /// The ids of the records of a kind whose id starts with `prefix`, in id order (the
    /// values are not read).
    pub fn record_ids_with_prefix(&self, kind: RecordKind, prefix: &str) -> Result<Vec<String>> {
        let space = kind.space().prefix().len();
        self.tree
            .scan_prefix(kind.space().key(prefix))
            .keys()
            .map(|k| Ok(String::from_utf8_lossy(&k?[space..]).into_owned()))
            .collect()
    }

    /// Every record of a kind with its id, in id order.
    pub fn records_with_ids<T: DeserializeOwned + 'static>(
        &self,
        kind: RecordKind,
    ) -> impl Iterator<Item = Result<(String, T)>> + '_ {
        let prefix = kind.space().prefix();
        self.tree.scan_prefix(prefix).map(move |kv| {
            let (k, v) = kv?;
            let id = String::from_utf8_lossy(&k[prefix.len()..]).into_owned();
            Ok((id, decode(&k, &v)?))
        })
    }

    /// Every contract number, in order (read from the small index records, not the contracts).
    pub fn contract_numbers(&self) -> Result<Vec<String>> {
        self.ids_in(Space::ContractIndex)
    }

    /// Raw bytes of every contract record: the benchmark's bare scan.
    pub fn scan_contract_bytes(&self) -> impl Iterator<Item = Result<(Vec<u8>, Vec<u8>)>> + '_ {
        self.tree.scan_prefix(Space::Contract.prefix()).map(|kv| {
            kv.map(|(k, v)| (k.to_vec(), v.to_vec()))
                .map_err(StoreError::from)
        })
    }

    /// Every contract record, in contract-number order, to be read through borrowed views.
    pub fn contract_records(&self) -> impl Iterator<Item = Result<Record>> + '_ {
        self.tree.scan_prefix(Space::Contract.prefix()).map(|kv| {
            let (key, value) = kv?;
            Ok(Record { key, value })
        })
    }

    /// Contract records numbered after `after` (from the first if None) through `upto` (to
    /// the last if None), in contract-number order.
    pub fn contract_records_between(
        &self,
        after: Option<&str>,
        upto: Option<&str>,
    ) -> impl Iterator<Item = Result<Record>> + '_ {
        use std::ops::Bound;
        let prefix = Space::Contract.prefix();
        let start = match after {
            Some(no) => Bound::Excluded(Space::Contract.key(no)),
            None => Bound::Included(prefix.to_vec()),
        };
        let upto = upto.map(|no| Space::Contract.key(no));
        self.tree
            .range::<Vec<u8>, _>((start, Bound::Unbounded))
            .take_while(move |kv| match kv {
                Ok((key, _)) => {
                    key.starts_with(prefix) && upto.as_ref().is_none_or(|u| key.as_ref() <= &u[..])
                }
                Err(_) => true,
            })
            .map(|kv| {
                let (key, value) = kv?;
                Ok(Record { key, value })
            })
    }

    /// The committed record of a contract, to be read through a borrowed view.
    pub fn contract_record(&self, no: &str) -> Result<Option<Record>> {
        self.record_in(Space::Contract, no)
    }

    /// The committed record of a collection ticket, to be read through a borrowed view.
    pub fn ticket_record(&self, contract_no: &str) -> Result<Option<Record>> {
        self.record_in(Space::Ticket, contract_no)
    }

    fn record_in(&self, space: Space, id: &str) -> Result<Option<Record>> {
        let key = sled::IVec::from(space.key(id));
        Ok(self.tree.get(&key)?.map(|value| Record { key, value }))
    }

    /// Decodes one contract record from `scan_contract_bytes`.
    pub fn decode_contract(key: &[u8], bytes: &[u8]) -> Result<Contract> {
        decode(key, bytes)
    }

    fn scan_decoded<T: DeserializeOwned>(
        &self,
        space: Space,
    ) -> impl Iterator<Item = Result<T>> + '_ {
        self.tree.scan_prefix(space.prefix()).map(|kv| {
            let (k, v) = kv?;
            decode(&k, &v)
        })
    }

    /// The ids (last `/` segment) of application index keys under `prefix`.
    pub fn application_ids(&self, prefix: &str) -> Result<Vec<String>> {
        let start = Space::ApplicationIndex.key(prefix);
        self.tree
            .scan_prefix(&start)
            .keys()
            .map(|k| {
                let k = k?;
                let text = String::from_utf8_lossy(&k);
                Ok(text.rsplit('/').next().unwrap_or_default().to_string())
            })
            .collect()
    }

    /// Ids of pending (unconfirmed) payments, in id order.
    pub fn pending_payment_ids(&self) -> Result<Vec<String>> {
        self.ids_in(Space::Pending)
    }

    fn ids_in(&self, space: Space) -> Result<Vec<String>> {
        let prefix = space.prefix();
        self.tree
            .scan_prefix(prefix)
            .keys()
            .map(|k| Ok(String::from_utf8_lossy(&k?[prefix.len()..]).into_owned()))
            .collect()
    }

    /// Contracts with an installment unpaid after all confirmed payments and due before
    /// `before`, plus every contract with a confirmed payment received after `after`.
    /// Sorted, without duplicates.
    pub fn contracts_due_before_or_paid_after(
        &self,
        before: NaiveDate,
        after: NaiveDate,
    ) -> Result<Vec<String>> {
        self.dated_ids(&[
            (Space::DueIndex, None, Some(before)),
            (Space::LastPaymentIndex, after.succ_opt(), None),
        ])
    }

    /// What accruing from `previous` to `through` must evaluate: contracts whose oldest unpaid
    /// installment falls due from `previous` on and before `through` (they become overdue),
    /// with a confirmed payment received after `previous`, or with a line of the overdue list
    /// to revisit by `through`. Sorted, without duplicates.
    pub fn accrual_candidates(
        &self,
        previous: NaiveDate,
        through: NaiveDate,
    ) -> Result<Vec<String>> {
        self.dated_ids(&[
            (Space::DueIndex, Some(previous), Some(through)),
            (Space::LastPaymentIndex, previous.succ_opt(), None),
            (Space::Revisit, None, through.succ_opt()),
        ])
    }

    /// The ids of the `dated_key`s of each (space, from, until): with a day from `from`
    /// (inclusive) to `until` (exclusive), either open. Sorted, without duplicates.
    fn dated_ids(
        &self,
        ranges: &[(Space, Option<NaiveDate>, Option<NaiveDate>)],
    ) -> Result<Vec<String>> {
        let mut ids = Vec::new();
        for &(space, from, until) in ranges {
            let prefix = space.prefix();
            let bound = |day: NaiveDate| {
                let mut key = prefix.to_vec();
                key.extend_from_slice(&day_bytes(day));
                key
            };
            let start = from.map_or_else(|| prefix.to_vec(), bound);
            let end = until.map(bound);
            for key in self.tree.range(start..).keys() {
                let key = key?;
                let past_end = end.as_ref().is_some_and(|end| key.as_ref() >= &end[..]);
                if !key.starts_with(prefix) || past_end {
                    break;
                }
                ids.push(String::from_utf8_lossy(&key[prefix.len() + 4..]).into_owned());
            }
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }

    /// The journal in the order this database applied it: (header, mutation decoded as `M`).
    pub fn journal<M: DeserializeOwned>(
        &self,
    ) -> impl Iterator<Item = Result<(EntryHeader, M)>> + '_ {
        self.tree.scan_prefix(Space::Journal.prefix()).map(|kv| {
            let (k, v) = kv?;
            decode_entry(&k, &v)
        })
    }

    /// Whether a replay of the journal (`clear_projections`, then every entry) was cut short.
    pub fn rebuild_unfinished(&self) -> Result<bool> {
        Ok(get_in::<_, bool>(self, Space::Meta, "rebuilding")?.unwrap_or(false))
    }

    /// Marks the replay begun by `clear_projections` (or `begin_rebase`) finished, and makes
    /// it durable.
    pub fn finish_rebuild(&self) -> Result<()> {
        self.tree.remove(Space::Meta.key("rebase_keep"))?;
        self.tree.remove(Space::Meta.key("unapplied"))?;
        self.tree.remove(Space::Meta.key("rebuilding"))?;
        self.db.flush()?;
        Ok(())
    }

    /// Marks a rebase begun (`App::rebase`), in one write, before the journal after local
    /// order `keep` is replaced: from here until `finish_rebuild`, the projections may stand
    /// for neither journal, and opening the database replays it as a rebase
    /// (`rebase_unfinished`).
    pub fn begin_rebase(&self, keep: u64) -> Result<()> {
        let mut txn = self.begin();
        txn.put_in(Space::Meta, "rebuilding", &true);
        txn.put_in(Space::Meta, "rebase_keep", &keep);
        txn.commit()
    }

    /// The `keep` of a rebase cut short, if the replay left unfinished is one.
    pub fn rebase_unfinished(&self) -> Result<Option<u64>> {
        get_in(self, Space::Meta, "rebase_keep")
    }

    /// Notes that the journal holds entries the projections do not (a rebase finished on
    /// opening passed over refused ones), until the next replay ends (`finish_rebuild`).
    pub fn note_unapplied(&self) -> Result<()> {
        self.tree
            .insert(Space::Meta.key("unapplied"), encode(&true))?;
        self.db.flush()?;
        Ok(())
    }

    /// Whether the journal holds entries the projections do not (`note_unapplied`): only a
    /// replay makes them agree.
    pub fn has_unapplied(&self) -> Result<bool> {
        Ok(get_in::<_, bool>(self, Space::Meta, "unapplied")?.unwrap_or(false))
    }

    /// A value kept with `Txn::set_meta`.
    pub fn meta<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>> {
        get_in(self, Space::Meta, &format!("x/{name}"))
    }

    /// Entries in the journal.
    pub fn journal_len(&self) -> Result<u64> {
        Ok(get_in(self, Space::Meta, "journal_len")?.unwrap_or(0))
    }

    /// The highest seq of `site` this database holds (0: none).
    pub fn applied_through(&self, site: u32) -> Result<u64> {
        let prefix = Space::Origin.key_bytes(&site.to_be_bytes());
        // Empty chunks are removed, so the last chunk holds the highest seq.
        match self.tree.scan_prefix(&prefix).next_back() {
            Some(kv) => {
                let (key, value) = kv?;
                let chunk =
                    u64::from_be_bytes(key[prefix.len()..].try_into().map_err(|_| {
                        StoreError::Journal("an origin key without its chunk".into())
                    })?);
                let orders: OriginChunk = decode(&key, &value)?;
                Ok(orders.highest().map_or(0, |i| chunk * ORIGIN_CHUNK + i))
            }
            None => Ok(0),
        }
    }

    /// Whether this database holds the entry of origin (`site`, `seq`).
    pub fn holds(&self, site: u32, seq: u64) -> Result<bool> {
        Ok(self.origin_order(site, seq)?.is_some())
    }

    /// This database's site number (1 for head office, the only site until branches exist).
    /// Its code (`HF`) prefixes the ids it mints; head office's ids have none (`P12`).
    pub fn site_code(&self) -> Result<Option<String>> {
        get_in(self, Space::Meta, "site_code")
    }

    /// Makes this database site `site` with id prefix `code` (`None`: head office's short ids).
    /// Refused once the journal holds anything: the entries already written name the site.
    pub fn set_site(&self, site: u32, code: Option<&str>) -> Result<()> {
        if self.journal_len()? > 0 {
            return Err(StoreError::Journal(
                "the journal is not empty; a database's site is set before its first entry".into(),
            ));
        }
        let mut batch = sled::Batch::default();
        batch.insert(Space::Meta.key("site"), encode(&site));
        match code {
            Some(code) => batch.insert(Space::Meta.key("site_code"), encode(&code.to_string())),
            None => batch.remove(Space::Meta.key("site_code")),
        }
        self.tree.apply_batch(batch)?;
        self.site.store(site, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// Journal entries applied here after local order `after`, each with its local order:
    /// what head office sends a site since its cursor.
    pub fn journal_after<M: DeserializeOwned>(
        &self,
        after: u64,
    ) -> impl Iterator<Item = Result<(u64, EntryHeader, M)>> + '_ {
        let start = Space::Journal.key_bytes(&(after + 1).to_be_bytes());
        let prefix = Space::Journal.prefix();
        self.tree
            .range(start..)
            .take_while(move |kv| kv.as_ref().map_or(true, |(k, _)| k.starts_with(prefix)))
            .map(move |kv| {
                let (k, v) = kv?;
                let order =
                    u64::from_be_bytes(k[prefix.len()..].try_into().map_err(|_| {
                        StoreError::Journal("a journal key without its order".into())
                    })?);
                let (header, mutation) = decode_entry(&k, &v)?;
                Ok((order, header, mutation))
            })
    }

    /// The entries of `site` held here with a seq after `after`, in seq order, each with its
    /// local order.
    pub fn entries_of_site<M: DeserializeOwned>(
        &self,
        site: u32,
        after: u64,
    ) -> Result<Vec<(u64, EntryHeader, M)>> {
        let prefix = Space::Origin.key_bytes(&site.to_be_bytes());
        let start = origin_chunk_key(site, after.saturating_add(1));
        let mut out = Vec::new();
        for kv in self.tree.range(start..) {
            let (k, v) = kv?;
            if !k.starts_with(&prefix) {
                break;
            }
            let chunk = u64::from_be_bytes(
                k[prefix.len()..]
                    .try_into()
                    .map_err(|_| StoreError::Journal("an origin key without its chunk".into()))?,
            );
            let orders: OriginChunk = decode(&k, &v)?;
            for (i, order) in orders.0.iter().enumerate() {
                let seq = chunk * ORIGIN_CHUNK + i as u64;
                if *order == 0 || seq <= after {
                    continue;
                }
                let key = Space::Journal.key_bytes(&order.to_be_bytes());
                let value = self.tree.get(&key)?.ok_or_else(|| {
                    StoreError::Journal("an origin names an entry the journal lacks".into())
                })?;
                let (header, mutation) = decode_entry(&key, &value)?;
                out.push((*order, header, mutation));
            }
        }
        Ok(out)
    }

    /// Replaces every journal entry after local order `keep` with `tail`, in that order (their
    /// origins with them), in one atomic write: a branch putting head office's order under its
    /// pending entries. The projections are then stale until the caller replays the journal.
    pub fn replace_journal_tail<M: Serialize>(
        &self,
        keep: u64,
        tail: &[(EntryHeader, M)],
    ) -> Result<()> {
        let mut txn = self.begin();
        let start = Space::Journal.key_bytes(&(keep + 1).to_be_bytes());
        for kv in self.tree.range(start..) {
            let (k, v) = kv?;
            if !k.starts_with(Space::Journal.prefix()) {
                break;
            }
            // The header leads the entry: decoding it alone reads no further.
            let header: EntryHeader = match v.split_first() {
                Some((&JOURNAL_FORMAT, rest)) => decode(&k, rest)?,
                _ => decode_entry::<Vec<u8>>(&k, &v)?.0,
            };
            txn.set_origin(header.site, header.seq, None)?;
            txn.delete(k.to_vec());
        }
        let mut order = keep;
        for (header, mutation) in tail {
            order += 1;
            txn.put_raw(
                Space::Journal.key_bytes(&order.to_be_bytes()),
                entry_bytes(header, mutation),
            );
            txn.set_origin(header.site, header.seq, Some(order))?;
        }
        txn.put_in(Space::Meta, "journal_len", &order);
        txn.commit()
    }

    /// Removes the entries of these origins from the journal (a branch's entries head office
    /// refused, or that no longer apply on head office's order); their seqs stay used.
    pub fn remove_journal_entries(&self, origins: &[(u32, u64)]) -> Result<()> {
        let mut txn = self.begin();
        for &(site, seq) in origins {
            if let Some(order) = txn.origin_order(site, seq)? {
                txn.delete(Space::Journal.key_bytes(&order.to_be_bytes()));
                txn.set_origin(site, seq, None)?;
            }
        }
        txn.commit()
    }

    /// What sync keeps under `name` (local to this database; kept by `rebuild`).
    pub fn sync_state<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>> {
        get_in(self, Space::Sync, name)
    }

    /// Sets (or with `None` removes) what sync keeps under `name`, durably.
    pub fn set_sync_state<T: Serialize>(&self, name: &str, value: Option<&T>) -> Result<()> {
        let key = Space::Sync.key(name);
        match value {
            Some(value) => self.tree.insert(key, encode(value))?,
            None => self.tree.remove(key)?,
        };
        self.db.flush()?;
        Ok(())
    }

    /// Schema 2's journal entries from the one after `after` (site, seq), at most `limit`,
    /// each with its key: what the migration to schema 3 reads, a part at a time.
    pub fn legacy_journal_part<M: DeserializeOwned>(
        &self,
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, EntryHeader, M)>> {
        let prefix = Space::LegacyJournal.prefix();
        let start = match after {
            Some(key) => {
                let mut k = key.to_vec();
                k.push(0);
                k
            }
            None => prefix.to_vec(),
        };
        let mut out = Vec::new();
        for kv in self.tree.range(start..) {
            let (k, v) = kv?;
            if !k.starts_with(prefix) || out.len() >= limit {
                break;
            }
            let (header, mutation): (EntryHeader, M) = decode(&k, &v)?;
            out.push((k.to_vec(), header, mutation));
        }
        Ok(out)
    }

    /// Whether any schema-2 journal entry is left.
    pub fn has_legacy_journal(&self) -> bool {
        self.tree
            .scan_prefix(Space::LegacyJournal.prefix())
            .next()
            .is_some()
    }

    /// Every key and value outside the journal: what `rebuild` must reproduce.
    pub fn projection_dump(&self) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let mut out = Vec::new();
        for kv in self.tree.iter() {
            let (k, v) = kv?;
            if ![Space::Journal, Space::Origin, Space::Sync]
                .iter()
                .any(|s| k.starts_with(s.prefix()))
            {
                out.push((k.to_vec(), v.to_vec()));
            }
        }
        Ok(out)
    }

    /// Removes every projection, index and counter of the projections, keeping the journal
    /// with its origin index and length, the mint counters, the schema version, the site and
    /// this site's own seq. The caller replays the journal next.
    ///
    /// The database is marked first, on its own, then the keys go in parts of `CLEAR_PART`: a
    /// database opened with the mark still there holds partial projections, and the replay
    /// is done again before it answers anything. No write holds the whole book: sled 0.34.7
    /// can deadlock in its segment accountant (`bump_tip` waiting on a file truncation that
    /// its IO threads, blocked on the accountant, never run: sled issue #1412), and one batch
    /// freeing every segment of the projections at once is the surest way onto that path.
    pub fn clear_projections(&self) -> Result<()> {
        let kept_meta = [
            "schema",
            "site",
            "site_code",
            "seq",
            "journal_len",
            "rebuilding",
            "rebase_keep",
            "unapplied",
        ]
        .map(|k| Space::Meta.key(k));
        let keep = |k: &[u8]| {
            [
                Space::Journal,
                Space::Origin,
                Space::Mint,
                Space::LegacyJournal,
                Space::Sync,
            ]
            .iter()
            .any(|s| k.starts_with(s.prefix()))
                || kept_meta.iter().any(|m| m.as_slice() == k)
        };
        self.tree
            .insert(Space::Meta.key("rebuilding"), encode(&true))?;
        let mut batch = sled::Batch::default();
        let mut in_batch = 0;
        for key in self.tree.iter().keys() {
            let key = key?;
            if !keep(&key) {
                batch.remove(key);
                in_batch += 1;
            }
            if in_batch == CLEAR_PART {
                self.apply(std::mem::take(&mut batch))?;
                in_batch = 0;
            }
        }
        self.apply(batch)?;
        Ok(())
    }

    /// Applies one write atomically (a `Txn::commit`, a part of `clear_projections`) and
    /// counts it in `writes`.
    fn apply(&self, batch: sled::Batch) -> Result<()> {
        self.tree.apply_batch(batch)?;
        WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }
}

impl Txn<'_> {
    /// Writes a contract with its entries in the due-date and last-payment indexes taken from
    /// `indexed`; `None` takes it out of them (the caller decides which contracts are there).
    pub fn put_contract(&mut self, contract: &Contract, indexed: Option<Standing>) -> Result<()> {
        let old: Option<IndexRecord> = get_in(self, Space::ContractIndex, &contract.no)?;
        let indexed = IndexRecord {
            first_unpaid_due: indexed.as_ref().and_then(|s| s.first_unpaid_due),
            last_payment: indexed.as_ref().and_then(|s| s.last_payment),
        };
        if let Some(old) = &old {
            if let Some(day) = old.first_unpaid_due {
                self.delete(Space::DueIndex.dated_key(day, &contract.no));
            }
            if let Some(day) = old.last_payment {
                self.delete(Space::LastPaymentIndex.dated_key(day, &contract.no));
            }
        }
        if let Some(day) = indexed.first_unpaid_due {
            self.put_raw(Space::DueIndex.dated_key(day, &contract.no), Vec::new());
        }
        if let Some(day) = indexed.last_payment {
            self.put_raw(
                Space::LastPaymentIndex.dated_key(day, &contract.no),
                Vec::new(),
            );
        }
        self.put_in(Space::ContractIndex, &contract.no, &indexed);
        self.put_in(Space::Contract, &contract.no, contract);
        Ok(())
    }

    pub fn put_customer(&mut self, customer: &Customer) {
        self.put_in(Space::Customer, &customer.id, customer);
    }

    pub fn put_ticket(&mut self, ticket: &Ticket) {
        self.put_in(Space::Ticket, &ticket.contract_no, ticket);
    }

    pub fn put_user(&mut self, user: &User) {
        self.put_in(Space::User, &user.name, user);
    }

    pub fn put_record<T: Serialize>(&mut self, kind: RecordKind, id: &str, value: &T) {
        self.put_in(kind.space(), id, value);
    }

    pub fn delete_record(&mut self, kind: RecordKind, id: &str) {
        self.delete(kind.space().key(id));
    }

    pub fn set_overdue_through(&mut self, day: Option<NaiveDate>) {
        match day {
            Some(day) => self.put_in(Space::Meta, "overdue_through", &Day(day)),
            None => self.delete(Space::Meta.key("overdue_through")),
        }
    }

    pub fn set_accrual_run(&mut self, run: Option<&AccrualRun>) {
        match run {
            Some(run) => self.put_in(Space::Meta, "accrual_run", run),
            None => self.delete(Space::Meta.key("accrual_run")),
        }
    }

    /// Caches a contract's penalty accrued through the accrual date with its line of the
    /// overdue list, or without one when it is not on the list. `fresh`: the contract has
    /// neither yet (nothing to remove).
    pub fn put_accrual<T: Serialize>(
        &mut self,
        contract_no: &str,
        customer_id: &str,
        accrued: Money,
        line: Option<&OverdueLine<T>>,
        fresh: bool,
    ) -> Result<()> {
        let by_customer = overdue_by_customer_key(customer_id, contract_no);
        if !fresh {
            // The revisit key of the line it had, if any.
            if let Some(LineHead {
                revisit: Some(day), ..
            }) = get_in(self, Space::Overdue, contract_no)?
            {
                self.delete(Space::Revisit.dated_key(day, contract_no));
            }
        }
        match line {
            Some(line) => {
                debug_assert_eq!(line.accrued, accrued);
                self.put_overdue_line(contract_no, line);
                self.put_raw(by_customer, Vec::new());
                if let Some(day) = line.revisit {
                    self.put_raw(Space::Revisit.dated_key(day, contract_no), Vec::new());
                }
                if !fresh {
                    self.delete(Space::Accrual.key(contract_no));
                }
            }
            None => {
                if !accrued.is_zero() {
                    self.put_in(Space::Accrual, contract_no, &accrued);
                } else if !fresh {
                    self.delete(Space::Accrual.key(contract_no));
                }
                if !fresh {
                    self.delete(Space::Overdue.key(contract_no));
                    self.delete(by_customer);
                }
            }
        }
        Ok(())
    }

    /// Rewrites the line of a contract that stays on the overdue list, as of the same day.
    pub fn put_overdue_line<T: Serialize>(&mut self, contract_no: &str, line: &OverdueLine<T>) {
        self.put_in(Space::Overdue, contract_no, line);
    }

    /// The contracts of a customer with a line on the overdue list, this transaction's own
    /// writes included, in contract-number order.
    pub fn overdue_contracts_of(&self, customer_id: &str) -> Result<Vec<String>> {
        let mut prefix = Space::OverdueByCustomer.key(customer_id);
        prefix.push(0);
        self.keys_with_prefix(&prefix).map(|keys| {
            keys.into_iter()
                .map(|k| String::from_utf8_lossy(&k[prefix.len()..]).into_owned())
                .collect()
        })
    }

    pub fn set_payment_contract(&mut self, payment_id: &str, contract_no: &str) {
        self.put_in(Space::PaymentRef, payment_id, contract_no);
    }

    /// Keeps what a confirmed payment booked to the budget after its contract in `pa/`
    /// (`None`: nothing booked; see `Reader::payment_booking`).
    pub fn set_payment_booking<T: Serialize>(
        &mut self,
        payment_id: &str,
        contract_no: &str,
        booking: Option<&T>,
    ) {
        let mut value = encode(contract_no);
        if booking.is_some() {
            value.extend(encode(&booking));
        }
        self.put_raw(Space::PaymentRef.key(payment_id), value);
    }

    pub fn set_pending(&mut self, payment_id: &str, pending: bool) {
        let key = Space::Pending.key(payment_id);
        if pending {
            self.put_raw(key, Vec::new())
        } else {
            self.delete(key)
        }
    }

    pub fn set_open_application(&mut self, contract_no: &str, document: &str, id: Option<&str>) {
        let key = format!("{contract_no}/{document}");
        match id {
            Some(id) => self.put_in(Space::OpenApplication, &key, &id.to_string()),
            None => self.delete(Space::OpenApplication.key(&key)),
        }
    }

    pub fn set_open_order(&mut self, contract_no: &str, id: Option<&str>) {
        match id {
            Some(id) => self.put_in(Space::OpenOrder, contract_no, &id.to_string()),
            None => self.delete(Space::OpenOrder.key(contract_no)),
        }
    }

    /// Adds or removes an application index key (`stage/tow/approved/A12`, …).
    pub fn set_application_index(&mut self, key: &str, present: bool) {
        let key = Space::ApplicationIndex.key(key);
        if present {
            self.put_raw(key, Vec::new())
        } else {
            self.delete(key)
        }
    }

    pub fn set_rules(&mut self, rules: &crate::domain::approval::RuleSet) {
        self.put_in(Space::Meta, "rules", rules);
    }

    pub fn set_settings(&mut self, settings: &PenaltySettings) {
        self.put_in(Space::Meta, "settings", settings);
    }

    pub fn set_accrued_through(&mut self, day: NaiveDate) {
        self.put_in(Space::Meta, "accrued_through", &Day(day));
    }

    /// The next number of a named counter (1, 2, …): ids that replay identically.
    pub fn next_counter(&mut self, name: &str) -> Result<u64> {
        let next = self.counter(name)? + 1;
        self.put_in(Space::Meta, &format!("counter/{name}"), &next);
        Ok(next)
    }

    /// The origin the next entry written at this site gets: (this site, its next gap-free seq).
    pub fn next_origin(&self) -> Result<(u32, u64)> {
        let seq = get_in::<_, u64>(self, Space::Meta, "seq")?.unwrap_or(0) + 1;
        Ok((self.store().site()?, seq))
    }

    /// The next number of the ids of kind `name` minted at this site (1, 2, …). Not a
    /// projection: `rebuild` keeps it, since the ids are carried in the journal.
    pub fn mint(&mut self, name: &str) -> Result<u64> {
        let next = get_in::<_, u64>(self, Space::Mint, name)?.unwrap_or(0) + 1;
        self.put_in(Space::Mint, name, &next);
        Ok(next)
    }

    /// Sets the last number minted of kind `name`: a migration that counts what an older
    /// version minted while applying.
    pub fn set_minted(&mut self, name: &str, last: u64) {
        self.put_in(Space::Mint, name, &last);
    }

    /// Appends an entry to the journal, after the last one this database applied, under its
    /// origin `(header.site, header.seq)`; an entry of this site moves the site's seq on. An
    /// origin already in the journal is refused (an entry is applied once). Returns the
    /// entry's local order.
    pub fn append_journal<M: Serialize>(
        &mut self,
        header: &EntryHeader,
        mutation: &M,
    ) -> Result<u64> {
        if self.origin_order(header.site, header.seq)?.is_some() {
            return Err(StoreError::Journal(format!(
                "entry {}-{} is already applied here",
                header.site, header.seq
            )));
        }
        let order = get_in::<_, u64>(self, Space::Meta, "journal_len")?.unwrap_or(0) + 1;
        let value = entry_bytes(header, mutation);
        self.put_raw(Space::Journal.key_bytes(&order.to_be_bytes()), value);
        self.set_origin(header.site, header.seq, Some(order))?;
        self.put_in(Space::Meta, "journal_len", &order);
        if header.site == self.store().site()? {
            let own = get_in::<_, u64>(self, Space::Meta, "seq")?.unwrap_or(0);
            self.put_in(Space::Meta, "seq", &own.max(header.seq));
        }
        Ok(order)
    }

    /// Clears the mark `clear_projections` set, in this write: the replay is done.
    pub fn clear_rebuild_mark(&mut self) {
        self.delete(Space::Meta.key("rebuilding"));
    }

    /// Sets (or with `None` removes) a value kept under `name` among the meta keys (a
    /// migration's progress).
    pub fn set_meta<T: Serialize>(&mut self, name: &str, value: Option<&T>) {
        let name = format!("x/{name}");
        match value {
            Some(value) => self.put_in(Space::Meta, &name, value),
            None => self.delete(Space::Meta.key(&name)),
        }
    }

    /// A value kept with `set_meta`, as this transaction sees it.
    pub fn meta<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>> {
        get_in(self, Space::Meta, &format!("x/{name}"))
    }

    /// Removes a counter of the projections (`next_counter`).
    pub fn remove_counter(&mut self, name: &str) {
        self.delete(Space::Meta.key(&format!("counter/{name}")));
    }

    /// Records (or with `None` forgets) the local order of the entry of origin (`site`, `seq`).
    pub fn set_origin(&mut self, site: u32, seq: u64, order: Option<u64>) -> Result<()> {
        let key = origin_chunk_key(site, seq);
        if !self.origins.contains_key(&key) {
            let chunk: OriginChunk = match self.get_raw(&key)? {
                Some(bytes) => decode(&key, &bytes)?,
                None => OriginChunk::default(),
            };
            self.origins.insert(key.clone(), chunk);
        }
        if let Some(chunk) = self.origins.get_mut(&key) {
            chunk.set(seq, order);
        }
        Ok(())
    }

    /// Removes one schema-2 journal entry (the migration, once it has rewritten it).
    pub fn remove_legacy_entry(&mut self, key: &[u8]) {
        if key.starts_with(Space::LegacyJournal.prefix()) {
            self.delete(key.to_vec());
        }
    }

    fn put_in<T: Serialize + ?Sized>(&mut self, space: Space, id: &str, value: &T) {
        self.put_raw(space.key(id), encode(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// The chunked origin index answers as a map from (site, seq) to local order would,
        /// whatever the seqs set and forgotten, and its highest seq is the map's.
        #[test]
        fn the_origin_index_answers_as_a_map(
            ops in proptest::collection::vec((1u32..4, 1u64..400, proptest::option::of(1u64..10_000)), 1..120)
        ) {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::open(&dir.path().join("db")).unwrap();
            let mut model = std::collections::BTreeMap::new();
            for (site, seq, order) in ops {
                let mut txn = store.begin();
                txn.set_origin(site, seq, order).unwrap();
                txn.commit().unwrap();
                match order {
                    Some(o) => model.insert((site, seq), o),
                    None => model.remove(&(site, seq)),
                };
            }
            for site in 1u32..4 {
                let highest = model.keys().filter(|(s, _)| *s == site).map(|(_, q)| *q).max();
                prop_assert_eq!(store.applied_through(site).unwrap(), highest.unwrap_or(0));
                for seq in 1u64..400 {
                    prop_assert_eq!(store.origin_order(site, seq).unwrap(), model.get(&(site, seq)).copied());
                }
            }
        }

        /// The ranges of `record_ranges`, read one after another, give every record of the
        /// kind once, in key order, and nothing of another kind — whatever the ids.
        #[test]
        fn record_ranges_hold_every_record_once_in_order(
            ids in proptest::collection::btree_set("[A-Z0-9/-]{0,14}|[\\PC]{0,4}", 0..60),
            parts in 1usize..6,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::open(&dir.path().join("db")).unwrap();
            for id in &ids {
                store.tree.insert(Space::Overdue.key(id), id.as_bytes()).unwrap();
                store.tree.insert(Space::Contract.key(id), b"other".as_slice()).unwrap();
            }
            let ranges = store.record_ranges(RecordKind::Overdue, parts).unwrap();
            prop_assert!(ranges.len() <= parts.max(1));
            let read: Vec<String> = ranges
                .iter()
                .flat_map(|range| store.raw_records_in(range))
                .map(|kv| String::from_utf8(kv.unwrap().1.to_vec()).unwrap())
                .collect();
            let expected: Vec<String> = ids.iter().cloned().collect();
            prop_assert_eq!(read, expected);
        }
    }

    #[test]
    fn cut_points_fall_evenly_between_contract_numbers() {
        let cuts = cut_points(b"ov/HT-2026-000000", b"ov/HT-2026-099998", 2);
        assert_eq!(cuts.len(), 1);
        let cut = &cuts[0];
        assert!(cut.as_slice() > b"ov/HT-2026-040000".as_slice(), "{cut:?}");
        assert!(cut.as_slice() < b"ov/HT-2026-060000".as_slice(), "{cut:?}");
        assert!(
            cut_points(b"a", b"a", 4)
                .iter()
                .all(|c| c.as_slice() >= b"a".as_slice())
        );
        assert!(cut_points(b"a", b"b", 1).is_empty());
    }
}
