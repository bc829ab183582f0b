//! A write transaction: reads see committed state with this transaction's own writes on top;
//! `commit` applies every write as one atomic sled batch.

use super::{Reader, Result, Store};
use std::collections::BTreeMap;

pub struct Txn<'s> {
    store: &'s Store,
    writes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    /// Chunks of the origin index changed in this write, decoded once and encoded at
    /// commit: a part of an import journals thousands of entries, 64 to a chunk, and
    /// decoding and encoding the chunk for each cost a quarter of the journaling.
    pub(super) origins: BTreeMap<Vec<u8>, super::OriginChunk>,
}

impl<'s> Txn<'s> {
    pub(super) fn new(store: &'s Store) -> Txn<'s> {
        Txn {
            store,
            writes: BTreeMap::new(),
            origins: BTreeMap::new(),
        }
    }

    pub fn store(&self) -> &'s Store {
        self.store
    }

    pub(super) fn put_raw(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.writes.insert(key, Some(value));
    }

    pub(super) fn delete(&mut self, key: Vec<u8>) {
        self.writes.insert(key, None);
    }

    /// Keys starting with `prefix`, committed or written here, without those deleted here.
    pub(super) fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>> {
        let mut keys = std::collections::BTreeSet::new();
        for key in self.store.tree.scan_prefix(prefix).keys() {
            keys.insert(key?.to_vec());
        }
        for (key, value) in self.writes.range(prefix.to_vec()..) {
            if !key.starts_with(prefix) {
                break;
            }
            match value {
                Some(_) => keys.insert(key.clone()),
                None => keys.remove(key),
            };
        }
        for (key, chunk) in self.origins.range(prefix.to_vec()..) {
            if !key.starts_with(prefix) {
                break;
            }
            match chunk.0.is_empty() {
                false => keys.insert(key.clone()),
                true => keys.remove(key),
            };
        }
        Ok(keys.into_iter().collect())
    }

    pub fn is_empty(&self) -> bool {
        self.writes.is_empty() && self.origins.is_empty()
    }

    /// Applies every write atomically. Dropping a `Txn` without committing changes nothing.
    pub fn commit(mut self) -> Result<()> {
        for (key, chunk) in std::mem::take(&mut self.origins) {
            let value = (!chunk.0.is_empty()).then(|| super::encode(&chunk));
            self.writes.insert(key, value);
        }
        let mut batch = sled::Batch::default();
        for (key, value) in self.writes {
            match value {
                Some(value) => batch.insert(key, value),
                None => batch.remove(key),
            }
        }
        self.store.apply(batch)
    }
}

impl Reader for Txn<'_> {
    fn get_raw(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        if let Some(chunk) = self.origins.get(key) {
            return Ok((!chunk.0.is_empty()).then(|| super::encode(chunk)));
        }
        match self.writes.get(key) {
            Some(value) => Ok(value.clone()),
            None => self.store.get_raw(key),
        }
    }

    fn origin_order(&self, site: u32, seq: u64) -> Result<Option<u64>> {
        match self.origins.get(&super::origin_chunk_key(site, seq)) {
            Some(chunk) => Ok(chunk.get(seq)),
            None => super::origin_order_of(self, site, seq),
        }
    }
}
