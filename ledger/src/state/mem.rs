//! The in-memory state of tests, simulation and the auditor's replay.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use super::{Rows, StateError, StateRead, WriteSet};

/// In-memory state, for tests, simulation and the auditor's replay.
///
/// Each record's value lives in a slot; a hash index finds a key's slot and
/// an ordered map of keys to slots serves scans. A replay reads far more
/// than it scans, and most of its writes replace a record that exists (a
/// balance, a nonce): those touch only the index and the slot. The ordered
/// map, whose keys share long prefixes (`acct/<address>/…`) and cost a
/// string of comparisons per search, changes only when a key comes or goes.
/// The index is only looked up, never iterated, so nothing depends on its
/// order (or on its hasher's seed).
#[derive(Debug, Clone, Default)]
pub struct MemState {
    index: HashMap<Vec<u8>, usize, foldhash::fast::RandomState>,
    order: BTreeMap<Vec<u8>, usize>,
    slots: Vec<Vec<u8>>,
    /// Slots of removed records, for reuse.
    free: Vec<usize>,
}

impl PartialEq for MemState {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for MemState {}

impl MemState {
    pub fn apply(&mut self, writes: &WriteSet) {
        for (k, v) in writes {
            match v {
                Some(v) => match self.index.get(k.as_slice()) {
                    // Reuses the slot's allocation where it is large enough.
                    Some(&slot) => self.slots[slot].clone_from(v),
                    None => self.add(k.clone(), v.clone()),
                },
                None => self.remove(k),
            }
        }
    }

    pub fn insert(&mut self, key: Vec<u8>, value: Vec<u8>) {
        match self.index.get(key.as_slice()) {
            Some(&slot) => self.slots[slot] = value,
            None => self.add(key, value),
        }
    }

    /// A record under a key that has none.
    fn add(&mut self, key: Vec<u8>, value: Vec<u8>) {
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot] = value;
                slot
            }
            None => {
                self.slots.push(value);
                self.slots.len() - 1
            }
        };
        self.index.insert(key.clone(), slot);
        self.order.insert(key, slot);
    }

    pub fn remove(&mut self, key: &[u8]) {
        if let Some(slot) = self.index.remove(key) {
            self.order.remove(key);
            self.slots[slot] = Vec::new();
            self.free.push(slot);
        }
    }

    /// The record under `key`, borrowed.
    pub fn record(&self, key: &[u8]) -> Option<&Vec<u8>> {
        self.index.get(key).map(|&slot| &self.slots[slot])
    }

    /// Every record, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&Vec<u8>, &Vec<u8>)> {
        self.order.iter().map(|(k, &slot)| (k, &self.slots[slot]))
    }

    /// The records from `start` on, in key order.
    pub fn iter_from(&self, start: &[u8]) -> impl Iterator<Item = (&Vec<u8>, &Vec<u8>)> {
        use std::ops::Bound;
        self.order
            .range::<[u8], _>((Bound::Included(start), Bound::Unbounded))
            .map(|(k, &slot)| (k, &self.slots[slot]))
    }

    /// Every key, in order.
    pub fn keys(&self) -> impl Iterator<Item = &Vec<u8>> {
        self.order.keys()
    }

    /// Every value, in the order of the keys.
    pub fn values(&self) -> impl Iterator<Item = &Vec<u8>> {
        self.iter().map(|(_, v)| v)
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

impl StateRead for MemState {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        Ok(self.record(key).cloned())
    }

    fn get_ref(&self, key: &[u8]) -> Result<Option<Cow<'_, [u8]>>, StateError> {
        Ok(self.record(key).map(|v| Cow::Borrowed(v.as_slice())))
    }

    fn scan(&self, prefix: &[u8], from: &[u8], limit: usize) -> Result<Rows, StateError> {
        let start = if from > prefix { from } else { prefix };
        Ok(self
            .iter_from(start)
            .take_while(|(k, _)| k.starts_with(prefix))
            .take(limit)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }
}
