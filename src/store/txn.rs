//! A write transaction: reads see committed state with this transaction's own writes on top;
//! `commit` applies every write as one atomic sled batch.

use super::{Reader, RecordKind, Result, Store};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::any::Any;
use std::collections::BTreeMap;

/// A record a write keeps decoded (`Txn::record_mut`) and encodes once, at commit.
trait Decoded: Any {
    fn encode(&self) -> Vec<u8>;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Serialize + Any> Decoded for T {
    fn encode(&self) -> Vec<u8> {
        super::encode(self)
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

pub struct Txn<'s> {
    store: &'s Store,
    writes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    /// Chunks of the origin index changed in this write, decoded once and encoded at
    /// commit: a part of an import journals thousands of entries, 64 to a chunk, and
    /// decoding and encoding the chunk for each cost a quarter of the journaling.
    pub(super) origins: BTreeMap<Vec<u8>, super::OriginChunk>,
    /// Records changed many times in this write, kept decoded (`record_mut`): the budget's
    /// (month, branch) aggregate takes every payment an import part confirms.
    decoded: BTreeMap<Vec<u8>, Box<dyn Decoded>>,
}

impl<'s> Txn<'s> {
    pub(super) fn new(store: &'s Store) -> Txn<'s> {
        Txn {
            store,
            writes: BTreeMap::new(),
            origins: BTreeMap::new(),
            decoded: BTreeMap::new(),
        }
    }

    /// The record `id` of `kind` (its default when there is none), to change in place: decoded
    /// on first use in this write and encoded once at commit, however often it changes. A
    /// `put_record` or `delete_record` of the same record replaces it.
    pub fn record_mut<T>(&mut self, kind: RecordKind, id: &str) -> Result<&mut T>
    where
        T: Serialize + DeserializeOwned + Default + Any,
    {
        let key = kind.space().key(id);
        if !self.decoded.contains_key(&key) {
            let value: T = match self.get_raw(&key)? {
                Some(bytes) => super::decode(&key, &bytes)?,
                None => T::default(),
            };
            self.writes.remove(&key);
            self.decoded.insert(key.clone(), Box::new(value));
        }
        let slot = self.decoded.get_mut(&key).expect("decoded above");
        match slot.as_any_mut().downcast_mut::<T>() {
            Some(value) => Ok(value),
            None => Err(super::StoreError::Decode {
                key: String::from_utf8_lossy(&key).into_owned(),
                reason: "kept decoded as another type in this write".into(),
            }),
        }
    }

    pub fn store(&self) -> &'s Store {
        self.store
    }

    pub(super) fn put_raw(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.decoded.remove(&key);
        self.writes.insert(key, Some(value));
    }

    pub(super) fn delete(&mut self, key: Vec<u8>) {
        self.decoded.remove(&key);
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
        for (key, _) in self.decoded.range(prefix.to_vec()..) {
            if !key.starts_with(prefix) {
                break;
            }
            keys.insert(key.clone());
        }
        Ok(keys.into_iter().collect())
    }

    pub fn is_empty(&self) -> bool {
        self.writes.is_empty() && self.origins.is_empty() && self.decoded.is_empty()
    }

    /// Applies every write atomically. Dropping a `Txn` without committing changes nothing.
    pub fn commit(mut self) -> Result<()> {
        for (key, chunk) in std::mem::take(&mut self.origins) {
            let value = (!chunk.0.is_empty()).then(|| super::encode(&chunk));
            self.writes.insert(key, value);
        }
        for (key, value) in std::mem::take(&mut self.decoded) {
            self.writes.insert(key, Some(value.encode()));
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
        if let Some(value) = self.decoded.get(key) {
            return Ok(Some(value.encode()));
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

#[cfg(test)]
mod tests {
    use super::super::{Reader, RecordKind, Store};
    use std::collections::BTreeMap;

    type Tally = BTreeMap<String, i64>;

    /// A record kept decoded reads the same as one written, is written once at commit, and
    /// gives way to a plain write of the same record; a write dropped changes nothing.
    #[test]
    fn a_record_kept_decoded_reads_and_commits_like_a_written_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let kind = RecordKind::BudgetActual;
        let mut txn = store.begin();
        let mut before = Tally::new();
        before.insert("王".into(), 5);
        txn.put_record(kind, "2026-03/合肥", &before);
        for n in 1..=3 {
            *txn.record_mut::<Tally>(kind, "2026-03/合肥")
                .unwrap()
                .entry("王".into())
                .or_default() += n;
            *txn.record_mut::<Tally>(kind, "2026-03/巢湖")
                .unwrap()
                .entry("李".into())
                .or_default() += 10 * n;
        }
        // Seen by reads in the write, and by a scan of its prefix.
        let read: Tally = txn.record(kind, "2026-03/合肥").unwrap().unwrap();
        assert_eq!(read["王"], 11);
        let keys = txn.keys_with_prefix(&kind.space().key("2026-03/")).unwrap();
        assert_eq!(keys.len(), 2);
        // Asking for it as another type is an error, not a panic.
        assert!(txn.record_mut::<Vec<u8>>(kind, "2026-03/巢湖").is_err());
        txn.commit().unwrap();
        let hefei: Tally = store.record(kind, "2026-03/合肥").unwrap().unwrap();
        let chaohu: Tally = store.record(kind, "2026-03/巢湖").unwrap().unwrap();
        assert_eq!((hefei["王"], chaohu["李"]), (11, 60));

        // A plain write after it wins; one before it is read back first.
        let mut txn = store.begin();
        *txn.record_mut::<Tally>(kind, "2026-03/合肥")
            .unwrap()
            .entry("王".into())
            .or_default() += 100;
        txn.put_record(kind, "2026-03/合肥", &Tally::new());
        txn.delete_record(kind, "2026-03/巢湖");
        txn.commit().unwrap();
        let hefei: Tally = store.record(kind, "2026-03/合肥").unwrap().unwrap();
        assert!(hefei.is_empty());
        assert!(
            store
                .record::<Tally>(kind, "2026-03/巢湖")
                .unwrap()
                .is_none()
        );

        // Dropped without a commit: nothing.
        let mut txn = store.begin();
        txn.record_mut::<Tally>(kind, "2026-04/合肥")
            .unwrap()
            .insert("x".into(), 1);
        drop(txn);
        assert!(
            store
                .record::<Tally>(kind, "2026-04/合肥")
                .unwrap()
                .is_none()
        );
    }
}
