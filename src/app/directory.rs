//! Every contract of the book as a search finds it — "go to contract": by number, customer
//! name or its pinyin, phone or serial, whatever the contract's state. The overdue list holds
//! only overdue contracts; a contract whose arrears are paid must still be reachable to waive
//! its penalty or settle it.
//!
//! The process keeps one directory, made on first use (one read of the customers and the
//! contracts) and patched after changes as the shared overdue list is (`shared.rs`): the
//! contracts a change touches are read again; a change that may touch any (a customer
//! re-put, an import) drops it, and the next search reads it whole. A search is then one
//! pass over the customers' keys and one over the contracts, and the scope is cut here, in
//! the app layer: a viewer never gets a contract they may not see.

use super::permissions::in_scope_of;
use super::{App, Ctx, Result};
use crate::search;
use crate::store::Reader;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

/// One contract found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContractHit {
    pub contract_no: String,
    pub customer: String,
    pub phone: String,
    pub branch: String,
    pub collector: String,
    pub serial: String,
    /// draft, active, settled, repossessed.
    pub state: &'static str,
}

/// Most hits a search returns: enough for a screen, never the whole book.
pub const MOST_HITS: usize = 200;

struct Customer {
    name: String,
    phone: String,
    branch: String,
    collector: String,
    /// Name, phone and the name's pinyin (full and initials), lower case (`search::key`).
    key: String,
}

struct Entry {
    contract_no: String,
    /// The contract number and serial, lower case, as a search matches them.
    key: String,
    /// Index into `Book::customers`; `u32::MAX` when the customer record is missing.
    customer: u32,
    serial: String,
    state: &'static str,
}

impl Entry {
    /// The entry as a hit, with its customer's particulars.
    fn hit(&self, customer: Option<&Customer>) -> ContractHit {
        ContractHit {
            contract_no: self.contract_no.clone(),
            customer: customer.map_or(String::new(), |c| c.name.clone()),
            phone: customer.map_or(String::new(), |c| c.phone.clone()),
            branch: customer.map_or(String::new(), |c| c.branch.clone()),
            collector: customer.map_or(String::new(), |c| c.collector.clone()),
            serial: self.serial.clone(),
            state: self.state,
        }
    }
}

struct Book {
    customers: Vec<Customer>,
    customer_index: HashMap<String, u32>,
    /// In contract-number order.
    entries: Vec<Entry>,
}

#[derive(Default)]
struct State {
    book: Option<Arc<Book>>,
    /// Contracts changed since `book` was read; `None`: anything may have.
    changed: Option<BTreeSet<String>>,
}

/// The process's directory of contracts (kept by `App`).
#[derive(Default)]
pub(crate) struct Directory {
    state: Mutex<State>,
}

impl Directory {
    /// Notes a committed change: the contracts it may have changed, `None` for any.
    pub(crate) fn note(&self, contracts: Option<&[String]>) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.changed = match (state.changed.take(), contracts) {
            (Some(mut set), Some(more)) => {
                set.extend(more.iter().cloned());
                // Past as many as the overdue list patches, read it whole next time.
                (set.len() <= super::shared::PATCH_LIMIT).then_some(set)
            }
            _ => None,
        };
    }
}

impl App {
    /// Every contract in `viewer`'s scope, in contract-number order (no search: a screen's
    /// list of candidates, such as the contracts waiting for their machine).
    pub(crate) fn contracts_in_scope(
        &self,
        viewer: &crate::domain::User,
    ) -> Result<Vec<ContractHit>> {
        let book = self.directory_book()?;
        let mut out = Vec::new();
        for e in &book.entries {
            let customer = book.customers.get(e.customer as usize);
            let (branch, collector) =
                customer.map_or(("", ""), |c| (c.branch.as_str(), c.collector.as_str()));
            if !in_scope_of(viewer, branch, collector) {
                continue;
            }
            out.push(e.hit(customer));
        }
        Ok(out)
    }

    /// Contracts in the viewer's scope matching `query` (a contract number, a customer's
    /// name or its pinyin, a phone number or a serial; case and spaces ignored), an exact
    /// contract number first, then in contract-number order; at most `MOST_HITS`.
    pub fn find_contracts(&self, ctx: &Ctx, query: &str) -> Result<Vec<ContractHit>> {
        let user = self.viewer(ctx)?;
        let query = search::normalize_query(query);
        if query.is_empty() {
            return Ok(Vec::new());
        }
        let book = self.directory_book()?;
        let customer_matches: Vec<bool> = book
            .customers
            .iter()
            .map(|c| search::matches(&c.key, &query))
            .collect();
        let mut hits = Vec::new();
        for e in &book.entries {
            let customer = book.customers.get(e.customer as usize);
            let (branch, collector) =
                customer.map_or(("", ""), |c| (c.branch.as_str(), c.collector.as_str()));
            let found = customer_matches
                .get(e.customer as usize)
                .copied()
                .unwrap_or(false)
                || e.key.contains(&query);
            if !found || !in_scope_of(&user, branch, collector) {
                continue;
            }
            let hit = e.hit(customer);
            if e.key.split(search::SEP).next() == Some(query.as_str()) {
                hits.insert(0, hit);
            } else {
                hits.push(hit);
            }
            if hits.len() > MOST_HITS {
                break;
            }
        }
        hits.truncate(MOST_HITS);
        Ok(hits)
    }

    /// The directory as the book is now: the one kept, patched with the contracts changed
    /// since, or read whole.
    fn directory_book(&self) -> Result<Arc<Book>> {
        let dir = &self.overdue_cache.directory;
        let (kept, changed) = {
            let mut state = dir.state.lock().unwrap_or_else(PoisonError::into_inner);
            let changed = state.changed.replace(BTreeSet::new());
            (state.book.clone(), changed)
        };
        let book = match (kept, changed) {
            (Some(kept), Some(changed)) if changed.is_empty() => Ok(kept),
            (Some(kept), Some(changed)) => self.patched_directory(&kept, changed).map(Arc::new),
            _ => self.read_directory().map(Arc::new),
        };
        let mut state = dir.state.lock().unwrap_or_else(PoisonError::into_inner);
        match &book {
            Ok(book) => state.book = Some(book.clone()),
            // The notes taken are lost with the failed read: read whole next time.
            Err(_) => state.changed = None,
        }
        book
    }

    fn read_directory(&self) -> Result<Book> {
        let store = self.store();
        let mut customers = Vec::new();
        let mut customer_index = HashMap::new();
        for record in store.customer_records() {
            let record = record?;
            let c = record.customer()?;
            customer_index.insert(c.id.to_string(), customers.len() as u32);
            customers.push(customer(c.name, c.phone, c.branch, c.collector));
        }
        let mut entries = Vec::new();
        for record in store.contract_records() {
            let record = record?;
            let c = record.contract()?;
            entries.push(Entry {
                key: entry_key(c.no, c.serial),
                contract_no: c.no.to_string(),
                customer: customer_index
                    .get(c.customer_id)
                    .copied()
                    .unwrap_or(u32::MAX),
                serial: c.serial.to_string(),
                state: c.state.name(),
            });
        }
        Ok(Book {
            customers,
            customer_index,
            entries,
        })
    }

    /// `kept` with the `changed` contracts (and their customers) read again.
    fn patched_directory(&self, kept: &Book, changed: BTreeSet<String>) -> Result<Book> {
        let store = self.store();
        let mut customers: Vec<Customer> = kept
            .customers
            .iter()
            .map(|c| Customer {
                name: c.name.clone(),
                phone: c.phone.clone(),
                branch: c.branch.clone(),
                collector: c.collector.clone(),
                key: c.key.clone(),
            })
            .collect();
        let mut customer_index = kept.customer_index.clone();
        let mut fresh = Vec::new();
        for no in &changed {
            let Some(contract) = store.contract(no)? else {
                continue;
            };
            let index = match store.customer(&contract.customer_id)? {
                Some(c) => {
                    let read = customer(&c.name, &c.phone, &c.branch, &c.collector);
                    match customer_index.get(&c.id) {
                        Some(&i) => {
                            customers[i as usize] = read;
                            i
                        }
                        None => {
                            let i = customers.len() as u32;
                            customer_index.insert(c.id.clone(), i);
                            customers.push(read);
                            i
                        }
                    }
                }
                None => u32::MAX,
            };
            fresh.push(Entry {
                key: entry_key(&contract.no, &contract.serial),
                contract_no: contract.no.clone(),
                customer: index,
                serial: contract.serial.clone(),
                state: contract.state.name(),
            });
        }
        let mut entries: Vec<Entry> = kept
            .entries
            .iter()
            .filter(|e| !changed.contains(&e.contract_no))
            .map(|e| Entry {
                key: e.key.clone(),
                contract_no: e.contract_no.clone(),
                customer: e.customer,
                serial: e.serial.clone(),
                state: e.state,
            })
            .chain(fresh)
            .collect();
        entries.sort_by(|a, b| a.contract_no.cmp(&b.contract_no));
        Ok(Book {
            customers,
            customer_index,
            entries,
        })
    }
}

fn customer(name: &str, phone: &str, branch: &str, collector: &str) -> Customer {
    Customer {
        name: name.to_string(),
        phone: phone.to_string(),
        branch: branch.to_string(),
        collector: collector.to_string(),
        key: search::key(name, "", phone, ""),
    }
}

fn entry_key(contract_no: &str, serial: &str) -> String {
    format!(
        "{}{}{}",
        contract_no.to_lowercase(),
        search::SEP,
        serial.to_lowercase()
    )
}
