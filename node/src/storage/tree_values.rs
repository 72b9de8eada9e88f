//! The state tree's values (`jmt_values`), written with its nodes: at
//! every write of the tree (`tree_window.rs`), not at every height.
//!
//! Between two writes the values of each version stay in memory with the
//! window's nodes, and the block's redo record keeps them durable (a
//! restart builds them again, as it builds the nodes). A write of the tree
//! at height `c` stores, for each key the window wrote, only its newest
//! value: a value that a later version of the same window replaced is
//! never written, like a replaced node. Between writes, `jmt_values` held
//! the same bytes as the redo record; a town's busy keys (a shop's
//! holding, a regular payer's account) are rewritten block after block,
//! and only the last of each window now reaches RocksDB (docs/bench/journal/4-2026-12-06.md,
//! "One history record and one receipts record per block, the tree's values every few heights").
//!
//! The values a write replaced on disk are recorded under its height for
//! pruning (`history.rs`): a value stored at version `p` and replaced at
//! `v` is read only by versions below `v`, so deleting it once `c ≥ v`
//! leaves the kept history is later than needed, never earlier. A
//! deletion's marker is recorded with the value it hides, at the same
//! write, so both go together. The values the write did not store stay in
//! memory one more window, with the nodes it did not store: every height
//! stays provable for at least `interval` heights after it commits.
//!
//! A read of a key at version `m` takes the newest value at or below `m`
//! of those in memory and of `jmt_values`.

use std::collections::HashMap;

use jmt::{KeyHash, OwnedValue, Version};
use rocksdb::WriteBatch;
use yui_ledger::commitment::{TreeChange, value_key};

use super::tree_writer::TreeDisk;
use super::{StoreError, cf};
use crate::Fast;

/// A deletion's stored value in `jmt_values` (borsh's `None`).
pub(super) const MARKER: &[u8] = &[0];

/// One key's values in a window, oldest first.
#[derive(Debug, Default, Clone)]
pub(super) struct KeyValues {
    /// Whether the key had a value before the window's first write of it
    /// (`TreeChange::existed`): if not, there is none on disk to replace.
    existed: bool,
    versions: Vec<(Version, Option<OwnedValue>)>,
}

impl KeyValues {
    /// The bytes of the newest value (0 for none or a deletion).
    pub(super) fn newest_len(&self) -> Option<usize> {
        self.versions
            .last()
            .map(|(_, v)| v.as_ref().map_or(0, Vec::len))
    }
}

/// The values of the versions in memory.
#[derive(Default)]
pub(super) struct Values {
    /// Versions above the last write of the tree.
    window: HashMap<KeyHash, KeyValues, Fast>,
    /// Versions of the window before it that its write did not store.
    previous: HashMap<KeyHash, Vec<(Version, Option<OwnedValue>)>, Fast>,
}

/// The newest of `versions` (oldest first) at or below `max`.
fn newest_at(
    versions: &[(Version, Option<OwnedValue>)],
    max: Version,
) -> Option<&(Version, Option<OwnedValue>)> {
    versions.iter().rev().find(|(v, _)| *v <= max)
}

impl Values {
    /// A version's values (between writes of the tree).
    pub(super) fn add(&mut self, change: &TreeChange) {
        let version = change.version;
        for (kh, value) in &change.values {
            self.window
                .entry(*kh)
                .or_insert_with(|| KeyValues {
                    existed: change.may_have_existed(kh),
                    versions: Vec::new(),
                })
                .versions
                .push((version, value.clone()));
        }
    }

    /// The window's values, for its checkpoint's writer; the next window
    /// starts empty.
    pub(super) fn take_window(&mut self) -> HashMap<KeyHash, KeyValues, Fast> {
        let n = self.window.len();
        std::mem::replace(
            &mut self.window,
            HashMap::with_capacity_and_hasher(n, Fast::default()),
        )
    }

    /// A checkpoint stored each key's newest value of `written` (its
    /// window): the values it did not store become the previous window's.
    pub(super) fn written(&mut self, written: HashMap<KeyHash, KeyValues, Fast>) {
        self.previous = written
            .into_iter()
            .filter_map(|(kh, mut w)| {
                w.versions.pop();
                (!w.versions.is_empty()).then_some((kh, w.versions))
            })
            .collect();
    }

    /// Rebuilt at start-up: the versions of the last window (up to its
    /// write, which stored each key's newest).
    pub(super) fn add_previous(&mut self, change: &TreeChange) {
        for (kh, value) in &change.values {
            self.previous
                .entry(*kh)
                .or_default()
                .push((change.version, value.clone()));
        }
    }

    /// After [`Self::add_previous`] of the last window's versions: each
    /// key's newest is on disk.
    pub(super) fn previous_written(&mut self) {
        self.previous.retain(|_, v| {
            v.pop();
            !v.is_empty()
        });
    }

    /// The newest value of `kh` in memory at or below `max`: of the
    /// window, of the one being written (`writing`), of the previous one.
    pub(super) fn get(
        &self,
        kh: &KeyHash,
        max: Version,
        writing: Option<&HashMap<KeyHash, KeyValues, Fast>>,
    ) -> Option<(Version, Option<OwnedValue>)> {
        if let Some(found) = [Some(&self.window), writing]
            .into_iter()
            .flatten()
            .find_map(|m| m.get(kh).and_then(|w| newest_at(&w.versions, max)))
        {
            return Some(found.clone());
        }
        self.previous
            .get(kh)
            .and_then(|v| newest_at(v, max))
            .cloned()
    }
}

impl TreeDisk {
    /// Adds to `b` the values a write of the tree at `h` stores: the
    /// newest of each key its window (`window`) wrote. Returns the stored
    /// keys of the values they replace on disk (at or below `through`), and
    /// of the deletion markers stored, for the history's record.
    pub(super) fn put_values(
        &self,
        b: &mut WriteBatch,
        h: u64,
        through: u64,
        window: &HashMap<KeyHash, KeyValues, Fast>,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        // Each key's newest value, and whether it existed before the
        // window; sorted, so the record is the same on every run.
        let mut newest: Vec<(KeyHash, bool, Version, &Option<OwnedValue>)> = window
            .iter()
            .filter_map(|(kh, w)| w.versions.last().map(|(v, x)| (*kh, w.existed, *v, x)))
            .collect();
        newest.sort_unstable_by_key(|n| n.0);

        let values = self.cf(cf::JMT_VALUES)?;
        for (kh, _, v, x) in &newest {
            b.put_cf(
                values,
                value_key(kh, *v),
                borsh::to_vec(x).unwrap_or_default(),
            );
        }
        if self.state_history == 0 || h == 0 {
            return Ok(Vec::new());
        }
        let mut replaced = Vec::new();
        let mut known = self.versions.lock();
        let mut it = self.db.raw_iterator_cf(values);
        // The newest value on disk is at or below the last checkpoint,
        // except on the first checkpoint since opening: a store written by
        // a build that stored the values at every height holds them above
        // it too, and each key's newest such value is replaced now (that
        // build recorded the ones before it). Then every key is sought, up
        // to this height, and a key's own newest, stored again now with
        // the same bytes, is not taken.
        let upto = if self.reopened { h } else { through };
        for (kh, existed, v, x) in &newest {
            // The key's newest value on disk, before this write: known for
            // a key an earlier write replaced, none for a key new to the
            // tree, else sought. A deletion marker found is not taken: it
            // is recorded with the value it hid, at its own write.
            let own = value_key(kh, *v);
            let before = match known.get(&kh.0) {
                Some(p) => Some(value_key(kh, *p).to_vec()),
                None if !existed && !self.reopened => None,
                None => {
                    it.seek_for_prev(value_key(kh, upto));
                    if !it.valid() {
                        it.status()?;
                    }
                    match (it.key(), it.value()) {
                        (Some(k), Some(stored))
                            if k.starts_with(&kh.0) && stored != MARKER && k != own =>
                        {
                            Some(k.to_vec())
                        }
                        _ => None,
                    }
                }
            };
            let had = before.is_some();
            if let Some(k) = before {
                replaced.push(k);
            }
            if x.is_none() {
                // A deletion's marker hides the value it replaced from the
                // heights after it; both go together, once no kept height
                // reads either, so no marker outlives its key's history
                // and a key written again is new to the tree.
                replaced.push(own.to_vec());
                known.remove(&kh.0);
            } else if had {
                known.insert(kh.0, *v);
            }
        }
        Ok(replaced)
    }
}

#[cfg(test)]
mod tests {
    use super::super::history::tests::{Run, all, k40_entries, with_k40, writes};
    use super::*;

    #[test]
    fn a_window_stores_each_keys_newest_value_and_every_kept_height_proves() {
        let [a, b] = [(); 2].map(|_| tempfile::tempdir().expect("tempdir"));
        let mut every = Run::new(a.path(), 64);
        let mut windowed = Run::windowed(b.path(), 64, 8);
        every.commit_to(203);
        windowed.commit_to(203);
        let (w, e) = (windowed.count(cf::JMT_VALUES), every.count(cf::JMT_VALUES));
        // `writes` rewrites each key about once in eight heights: a third
        // fewer values reach RocksDB.
        assert!(w * 3 < e * 2, "{w} values stored against {e}");
        // A restart between writes builds the window's values again.
        windowed.reopen(b.path(), 64);
        for h in 0..=203 {
            assert_eq!(windowed.root(h), every.root(h), "root of height {h}");
            if windowed.store.tree_kept(h).expect("read") && h + 64 > 203 {
                assert_eq!(windowed.proves(h), Ok(()), "height {h}");
            }
        }
        assert_eq!(windowed.proves(197), Ok(()), "a height between writes");
    }

    /// A key written, deleted and written again within windows leaves only
    /// what its last values need, and nothing once they are pruned.
    #[test]
    fn a_deleted_key_leaves_nothing_in_a_store_that_writes_every_few_heights() {
        let entries = k40_entries;
        let dir = tempfile::tempdir().expect("tempdir");
        let mut run = Run::windowed(dir.path(), 16, 8);
        run.writes = with_k40;
        run.commit_to(16);
        // 3's value, written at 8; 10's marker, replaced by 14 within the
        // window, never written.
        assert_eq!(entries(&run), 2, "the values of 3 and 14");
        for h in 9..=16 {
            assert_eq!(run.proves(h), Ok(()), "height {h}");
        }
        run.commit_to(120);
        assert_eq!(entries(&run), 0, "a deleted key's history outlived it");
        for h in 113..=120 {
            assert_eq!(run.proves(h), Ok(()), "height {h}");
        }
    }

    /// A store written by a build that stored the tree's values at every
    /// height holds, above its last checkpoint, each key's newest value
    /// too: the first checkpoint after opening finds the ones it replaces
    /// and records them, so they are pruned like any other, and does not
    /// record the ones it stores again.
    #[test]
    fn values_an_older_build_stored_between_checkpoints_are_pruned_in_turn() {
        let [a, b] = [(); 2].map(|_| tempfile::tempdir().expect("tempdir"));
        let mut plain = Run::windowed(a.path(), 16, 8);
        let mut older = Run::windowed(b.path(), 16, 8);
        plain.commit_to(21);
        older.commit_to(21);
        // What that build stored above the checkpoint at 16 and had not
        // replaced yet: each key's newest value of heights 17..=21 (a key
        // deleted last has its marker recorded with the value it hid).
        let mut newest = std::collections::BTreeMap::new();
        for h in 17..=21 {
            for (k, v) in writes(h) {
                newest.insert(k, (h, v));
            }
        }
        let values = older.store.cf(cf::JMT_VALUES).expect("cf");
        for (k, (h, v)) in newest.iter().filter(|(_, (_, v))| v.is_some()) {
            let kh = yui_ledger::commitment::key_hash(k);
            let bytes = borsh::to_vec(v).expect("borsh");
            older
                .store
                .db
                .put_cf(values, value_key(&kh, *h), bytes)
                .expect("put");
        }
        plain.reopen(a.path(), 16);
        older.reopen(b.path(), 16);
        // The checkpoint at 24 stores again the values not rewritten since:
        // they stay while a kept height reads them.
        older.commit_to(39);
        for h in 24..=39 {
            assert_eq!(older.proves(h), Ok(()), "height {h}");
        }
        // A checkpoint at a time, each on disk before the next commit: the
        // pruning at a commit never passes a checkpoint still being written
        // (`history.rs`), so otherwise the two stores would prune as far as
        // their writers' speeds let them, not as far as the heights say.
        for h in (40..=200).step_by(8) {
            plain.commit_to(h);
            older.commit_to(h);
        }
        let keys = |r: &Run| -> std::collections::BTreeSet<Box<[u8]>> {
            all(r, cf::JMT_VALUES).into_iter().map(|(k, _)| k).collect()
        };
        let (o, p) = (keys(&older), keys(&plain));
        let outlived: Vec<u64> = o
            .difference(&p)
            .map(|k| u64::from_be_bytes(k[32..40].try_into().expect("version")))
            .filter(|v| *v > 16)
            .collect();
        assert_eq!(
            outlived,
            Vec::<u64>::new(),
            "values above the checkpoint outlived their heights"
        );
    }
}
