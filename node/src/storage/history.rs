//! The state tree's history: which past heights a node can still prove
//! against, and the deletion of what only older heights needed.
//!
//! Each block's tree version replaces some tree nodes (jmt's stale node
//! index) and, for every key it writes, the key's previous value. A node
//! that keeps the state of its last K heights (`[storage] state_history`)
//! records, at each write of the tree (every height, or every
//! `tree_interval` heights: `tree_window.rs`, `tree_values.rs`), the
//! written nodes and values that the versions since the last write
//! replaced, under the writing height h, and at every commit of height h
//! deletes in the same batch what was recorded at or below h + 1 − K, the
//! oldest height it keeps, and at or below the tree's checkpoint before
//! the last (`tree_previous`), the tree a restart builds the window on:
//! with a short history, or a checkpoint still being written, that one
//! comes later. Nothing a kept height reads is deleted: an entry replaced
//! at height r is read only by versions below r, and it is recorded at a
//! height at or above r. Nor is anything a restart reads: a record above
//! `tree_previous` names entries still part of its tree.
//!
//! A height's replaced entries are one record, `(height BE, LIST)` →
//! [`Replaced`]. Kept as a key each, they were a fifth of the keys a
//! commit wrote, and as many deletions a thousand heights later
//! (docs/bench/journal/2-2026-12-05-night-to-midday.md, "Nodes that do not vote, and one record of what a
//! height replaced").
//! Stores written before keep their older records, one per entry
//! (`(height BE, NODE | VALUE, stored key)` → ()), and pruning reads both.
//!
//! A key's earlier value is known without a seek when a recent write
//! rewrote it ([`Versions`]), and is none when the key is new to the tree
//! (the tree update reports which written keys it held,
//! `commitment::TreeChange::existed`): each payment's invoice costs no
//! seek. A deletion stores a marker (`None`) that hides the value it
//! replaced; the marker is recorded with that value at its own height, so
//! both go together and a key written again is new to the tree.
//!
//! With K = 0 (an archive node) nothing is recorded or deleted. Entries
//! replaced before history was bounded are not recorded and stay, as do
//! markers of deletions committed before markers were recorded.

use borsh::{BorshDeserialize, BorshSerialize};
use rocksdb::{ReadOptions, WriteBatch};

use super::{Store, StoreError, cf, hkey, meta};

/// A replaced tree node: the rest of the key is the node's stored key.
const NODE: u8 = 0;
/// A replaced value: the rest of the key is its `jmt_values` key.
const VALUE: u8 = 1;
/// Everything one height replaced, in one record ([`Replaced`]).
const LIST: u8 = 2;

/// Most keys [`Versions`] remembers; when full it starts again empty.
const VERSIONS_MAX: usize = 1 << 16;

/// The version of the newest stored value of keys that writes of the tree
/// rewrote: when such a key is written again, the value it replaces is
/// known without seeking `jmt_values` (a seek cost about 2.8 µs, much of it
/// in the memtable's skip list). A key enters when a write replaces a
/// stored value of it, so the keys written once (each payment's invoice) do
/// not crowd out the accounts and holdings written block after block. Only
/// writes of the tree store values (`tree_values.rs`), and each updates the
/// versions of the keys it finds here, so what is here is each key's
/// newest stored version (docs/bench/journal/2-2026-12-05-night-to-midday.md, "Nodes that do not
/// vote, and one record of what a height replaced").
#[derive(Default)]
pub(super) struct Versions(pub(super) std::sync::Mutex<std::collections::HashMap<[u8; 32], u64>>);

impl Versions {
    pub(super) fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<[u8; 32], u64>> {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= VERSIONS_MAX {
            map.clear();
        }
        map
    }
}

/// What one height replaced: the stored keys of its tree nodes
/// (`tree_nodes`) and of its values (`jmt_values`).
#[derive(Debug, Default, BorshSerialize, BorshDeserialize)]
struct Replaced {
    nodes: Vec<Vec<u8>>,
    values: Vec<Vec<u8>>,
}

/// Most replaced entries one commit deletes. In a steady state a commit
/// deletes one height's worth; after `state_history` is lowered, the
/// backlog goes a bounded slice per block.
const PRUNE_PER_COMMIT_MAX: usize = 100_000;

/// The least `state_history` other than 0: a snapshot export reads the
/// validator set one height below the head, and a proof asked for just
/// below the head must not race its pruning.
pub const STATE_HISTORY_MIN: u64 = 16;

fn stale_key(height: u64, kind: u8, key: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(9 + key.len());
    k.extend_from_slice(&hkey(height));
    k.push(kind);
    k.extend_from_slice(key);
    k
}

/// The node key a record of a replaced node names (None for a value's).
pub(super) fn node_record_rest(record: &[u8]) -> Option<&[u8]> {
    (record.get(8) == Some(&NODE)).then(|| &record[9..])
}

/// `record` naming `rest` instead (same height and kind).
pub(super) fn with_rest(record: &[u8], rest: &[u8]) -> Vec<u8> {
    let mut k = record[..9.min(record.len())].to_vec();
    k.extend_from_slice(rest);
    k
}

/// Adds to `b` the record of what the write of the tree at height `h`
/// replaced: the stored keys of tree nodes (`nodes`) and values
/// (`values`), if any.
pub(super) fn put_replaced(
    db: &rocksdb::DB,
    b: &mut WriteBatch,
    h: u64,
    nodes: Vec<Vec<u8>>,
    values: Vec<Vec<u8>>,
) -> Result<(), StoreError> {
    if !nodes.is_empty() || !values.is_empty() {
        b.put_cf(
            super::cf_in(db, cf::JMT_STALE)?,
            stale_key(h, LIST, &[]),
            borsh::to_vec(&Replaced { nodes, values }).unwrap_or_default(),
        );
    }
    Ok(())
}

impl Store {
    /// Keeps the state of the last `heights` heights provable and deletes
    /// older tree history as blocks commit; 0 keeps every height.
    pub fn with_state_history(mut self, heights: u64) -> Self {
        self.state_history = heights;
        self
    }

    /// Heights of state kept (0: all).
    pub fn state_history(&self) -> u64 {
        self.state_history
    }

    /// The lowest height whose state this store can prove when its head is
    /// `head` (the base height limits it further on a snapshot-started node).
    pub fn oldest_provable(&self, head: u64) -> u64 {
        match self.state_history {
            0 => 0,
            k => (head + 1).saturating_sub(k),
        }
    }

    /// Adds to `b`, the batch committing height `h`, the record of what
    /// height `h` replaces (`nodes` and `values`: the stored keys of the
    /// written tree nodes and values it replaced, and of the deletion
    /// markers it stored, from `put_tree`) and the deletion of what falls
    /// out of the kept history.
    pub(super) fn record_and_prune(
        &self,
        b: &mut WriteBatch,
        h: u64,
        nodes: Vec<Vec<u8>>,
        values: Vec<Vec<u8>>,
    ) -> Result<(), StoreError> {
        if self.state_history == 0 {
            return Ok(());
        }
        put_replaced(&self.db, b, h, nodes, values)?;
        // The window's base on disk is never later than the one in memory,
        // which moves once a checkpoint's batch has landed.
        let base = self.window.previous_through();
        self.prune(b, self.oldest_provable(h).min(base))
    }

    /// Deletes (in `b`) every entry replaced at or below `oldest`, from
    /// where the last commit stopped.
    fn prune(&self, b: &mut WriteBatch, oldest: u64) -> Result<(), StoreError> {
        let md = self.cf(cf::METADATA)?;
        let from = self
            .get_height(cf::METADATA, meta::PRUNED_THROUGH, "pruned_through")?
            .unwrap_or(0);
        if from >= oldest {
            return Ok(());
        }
        let (stale_cf, nodes, values) = (
            self.cf(cf::JMT_STALE)?,
            self.cf(cf::TREE_NODES)?,
            self.cf(cf::JMT_VALUES)?,
        );
        let mut opts = ReadOptions::default();
        // Starting past what earlier commits deleted, the scan never walks
        // over their tombstones.
        opts.set_iterate_lower_bound(hkey(from + 1).to_vec());
        opts.set_iterate_upper_bound(hkey(oldest + 1).to_vec());
        let mut it = self.db.raw_iterator_cf_opt(stale_cf, opts);
        it.seek_to_first();
        let mut done = oldest;
        let mut count = 0;
        while let (Some(k), Some(v)) = (it.key(), it.value()) {
            let (Some(height), Some(kind)) = (k.get(..8), k.get(8)) else {
                return Err(StoreError::Corrupt {
                    cf: cf::JMT_STALE,
                    what: "short key".into(),
                });
            };
            let height = u64::from_be_bytes(height.try_into().unwrap_or_default());
            if count >= PRUNE_PER_COMMIT_MAX {
                done = height - 1;
                break;
            }
            match *kind {
                NODE => b.delete_cf(nodes, &k[9..]),
                VALUE => b.delete_cf(values, &k[9..]),
                LIST => {
                    let list: Replaced = super::decode(cf::JMT_STALE, v)?;
                    for n in &list.nodes {
                        b.delete_cf(nodes, n);
                    }
                    for n in &list.values {
                        b.delete_cf(values, n);
                    }
                    count += list.nodes.len() + list.values.len();
                }
                _ => {
                    return Err(StoreError::Corrupt {
                        cf: cf::JMT_STALE,
                        what: format!("unknown kind {kind}"),
                    });
                }
            }
            b.delete_cf(stale_cf, k);
            count += 1;
            it.next();
        }
        it.status()?;
        b.put_cf(md, meta::PRUNED_THROUGH, hkey(done));
        Ok(())
    }
}

#[cfg(test)]
pub(super) mod tests {
    use std::collections::BTreeMap;

    use yui_consensus::CommitCertificate;
    use yui_ledger::exec::BlockOutcome;
    use yui_ledger::{
        Address, Block, BlockHeader, Hash, Receipt, SignedTransaction, WriteSet, commitment,
    };

    use super::*;

    const KEYS: u64 = 40;

    fn block(height: u64) -> Block {
        Block {
            header: BlockHeader {
                chain_id: "t".into(),
                height,
                time_ms: 1_000 + height,
                prev_hash: [0; 32],
                tx_root: [0; 32],
                receipts_root: [0; 32],
                state_root: [0; 32],
                proposer: Address([0; 32]),
                validators_hash: [0; 32],
            },
            txs: vec![],
        }
    }

    fn key(i: u64) -> Vec<u8> {
        format!("k{i}").into_bytes()
    }

    /// Height `h`'s writes: a few keys rewritten (a cheap deterministic
    /// spread), and one deleted every seventh height.
    pub(in crate::storage) fn writes(h: u64) -> WriteSet {
        let mut w = WriteSet::new();
        for j in 0..5 {
            let i = (h * 7 + j * 13) % KEYS;
            w.insert(key(i), Some(format!("{h}/{i}").into_bytes()));
        }
        if h.is_multiple_of(7) {
            w.insert(key(h % KEYS), None);
        }
        w
    }

    /// A store with `history`, and the model: each height's root and values.
    pub(in crate::storage) struct Run {
        pub store: Store,
        roots: Vec<Hash>,
        values: Vec<BTreeMap<Vec<u8>, Vec<u8>>>,
        /// Tree nodes each height replaced.
        stale: Vec<usize>,
        /// Each height's writes ([`writes`] unless a test sets others).
        pub writes: fn(u64) -> WriteSet,
        /// Heights between writes of the tree (from the next reopening).
        pub interval: u64,
        /// The remainder of the heights written (`Store::with_tree_writes`).
        pub offset: u64,
        /// Each height's transactions (none unless a test sets others),
        /// each committed with a receipt of success.
        pub txs: fn(u64) -> Vec<SignedTransaction>,
    }

    impl Run {
        pub fn new(path: &std::path::Path, history: u64) -> Self {
            Self::windowed(path, history, 1)
        }

        /// A run whose store writes its tree every `interval` heights.
        pub fn windowed(path: &std::path::Path, history: u64, interval: u64) -> Self {
            Self::windowed_at(path, history, interval, 0)
        }

        /// [`Self::windowed`], writing at the heights that leave `offset`.
        pub fn windowed_at(
            path: &std::path::Path,
            history: u64,
            interval: u64,
            offset: u64,
        ) -> Self {
            let store = Store::open(path)
                .expect("open")
                .with_state_history(history)
                .with_tree_writes(interval, offset);
            let mut w = WriteSet::new();
            for i in 0..KEYS {
                w.insert(key(i), Some(b"genesis".to_vec()));
            }
            let (root, tree) = commitment::update(&store, &w, 0).expect("tree");
            store.init_genesis("{}", &w, &tree).expect("genesis");
            let values = vec![
                w.into_iter()
                    .map(|(k, v)| (k, v.unwrap_or_default()))
                    .collect(),
            ];
            Self {
                store,
                roots: vec![root],
                values,
                stale: vec![0],
                writes,
                interval,
                offset,
                txs: |_| vec![],
            }
        }

        /// Closes the store and opens the one at `path` again (a restart).
        pub fn reopen(&mut self, path: &std::path::Path, history: u64) {
            let spare = tempfile::tempdir().expect("tempdir");
            let closed = Store::open(spare.path()).expect("open");
            drop(std::mem::replace(&mut self.store, closed));
            self.store = Store::open(path)
                .expect("open")
                .with_state_history(history)
                .with_tree_writes(self.interval, self.offset);
        }

        pub fn commit_to(&mut self, last: u64) {
            self.commit_to_forgetting(last, false);
        }

        /// [`Self::commit_to`], forgetting before each commit, if
        /// `forget`, the known versions and which keys existed (so the
        /// earlier value of every key written is sought).
        pub fn commit_to_forgetting(&mut self, last: u64, forget: bool) {
            self.commit_each(last, forget);
            // What follows reads the disk as the last checkpoint left it.
            self.store.wait_tree_written().expect("checkpoint written");
        }

        /// Commits up to `last`, leaving the last checkpoint, if any, to
        /// its writer.
        pub fn commit_each(&mut self, last: u64, forget: bool) {
            let mut h = self.roots.len() as u64;
            while h <= last {
                let w = (self.writes)(h);
                let (root, mut tree) = commitment::update(&self.store, &w, h).expect("tree");
                if forget {
                    *self.store.versions.0.lock().expect("versions") = Default::default();
                    // Every written key as if it may have existed (the
                    // filter of state keys then misses the new ones:
                    // these runs read the tree, not the state).
                    tree.existed = w.keys().map(|k| commitment::key_hash(k)).collect();
                    tree.existed.sort_unstable();
                }
                let mut now = self.values.last().cloned().unwrap_or_default();
                for (k, v) in &w {
                    match v {
                        Some(v) => now.insert(k.clone(), v.clone()),
                        None => now.remove(k),
                    };
                }
                let mut b = block(h);
                b.header.state_root = root;
                b.txs = (self.txs)(h);
                let receipts = (b.txs.iter().zip(0..))
                    .map(|(tx, index)| Receipt {
                        tx_hash: tx.hash(),
                        signer: tx.tx.signer,
                        height: h,
                        index,
                        error: None,
                        events: vec![],
                    })
                    .collect();
                let cert = CommitCertificate {
                    height: h,
                    round: 0,
                    block_hash: b.hash(),
                    signatures: vec![],
                };
                let outcome = BlockOutcome {
                    writes: w,
                    receipts,
                    begin_events: vec![],
                };
                self.store
                    .commit_block(&b, &cert, &outcome, &tree)
                    .expect("commit");
                self.roots.push(root);
                self.values.push(now);
                self.stale.push(tree.stale.len());
                h += 1;
            }
        }

        pub fn root(&self, height: u64) -> Hash {
            self.roots[height as usize]
        }

        /// Every key at `height` proves its model value against that
        /// height's root.
        pub fn proves(&self, height: u64) -> Result<(), String> {
            let at = &self.values[height as usize];
            for i in 0..=KEYS {
                let k = key(i);
                let (v, proof) = commitment::prove(&self.store, &k, height)?;
                if v.as_ref() != at.get(&k) {
                    return Err(format!("height {height} key {i}: {v:?}"));
                }
                commitment::verify(&self.roots[height as usize], &k, v.as_deref(), &proof)?;
            }
            Ok(())
        }

        pub fn count(&self, name: &'static str) -> usize {
            all(self, name).len()
        }
    }

    /// Entries the pruning records name.
    fn recorded(store: &Store) -> usize {
        let cf = store.cf(cf::JMT_STALE).expect("cf");
        store
            .db
            .iterator_cf(cf, rocksdb::IteratorMode::Start)
            .map(|i| {
                let (k, v) = i.expect("read");
                match k[8] {
                    LIST => {
                        let l: Replaced = borsh::from_slice(&v).expect("list");
                        l.nodes.len() + l.values.len()
                    }
                    _ => 1,
                }
            })
            .sum()
    }

    /// Rewrites every height's record as the stores of before kept it: one
    /// record per replaced entry.
    pub(in crate::storage) fn one_record_per_entry(store: &Store) {
        let cf = store.cf(cf::JMT_STALE).expect("cf");
        let mut b = WriteBatch::default();
        for i in store.db.iterator_cf(cf, rocksdb::IteratorMode::Start) {
            let (k, v) = i.expect("read");
            if k[8] != LIST {
                continue;
            }
            let h = u64::from_be_bytes(k[..8].try_into().expect("height"));
            let l: Replaced = borsh::from_slice(&v).expect("list");
            for n in &l.nodes {
                b.put_cf(cf, stale_key(h, NODE, n), []);
            }
            for n in &l.values {
                b.put_cf(cf, stale_key(h, VALUE, n), []);
            }
            b.delete_cf(cf, k);
        }
        store.write_sync(b).expect("write");
    }

    #[test]
    fn kept_heights_prove_and_older_tree_history_is_deleted() {
        let [a, b] = [(); 2].map(|_| tempfile::tempdir().expect("tempdir"));
        let mut archive = Run::new(a.path(), 0);
        let mut pruned = Run::new(b.path(), 20);
        archive.commit_to(300);
        pruned.commit_to(120);
        // A restart in the middle: pruning goes on where it stopped.
        pruned.reopen(b.path(), 20);
        pruned.commit_to(300);
        assert_eq!(pruned.roots, archive.roots, "pruning changed a root");

        assert_eq!(pruned.store.oldest_provable(300), 281);
        for h in 281..=300 {
            assert_eq!(pruned.proves(h), Ok(()), "kept height {h}");
        }
        for h in [0, 150, 281, 300] {
            assert_eq!(archive.proves(h), Ok(()), "archive height {h}");
        }
        assert!(
            (0..=280).all(|h| pruned.proves(h).is_err()),
            "a height below the kept history still proves every key"
        );

        // The pruned store holds about twenty heights of tree, the archive all.
        let (nodes_p, nodes_a) = (pruned.count(cf::TREE_NODES), archive.count(cf::TREE_NODES));
        let (values_p, values_a) = (pruned.count(cf::JMT_VALUES), archive.count(cf::JMT_VALUES));
        assert!(nodes_p * 5 < nodes_a, "nodes: {nodes_p} kept of {nodes_a}");
        assert!(
            values_p * 5 < values_a,
            "values: {values_p} kept of {values_a}"
        );
        // Each key's value history within the window at most: one value per
        // write in the kept heights plus the one each key had before them.
        let written: usize = (282..=300).map(|h| writes(h).len()).sum();
        assert!(
            values_p <= written + KEYS as usize,
            "{values_p} values kept"
        );
        // Only what the kept heights after the oldest replaced is recorded,
        // one record a height: their nodes, at most one value per key
        // written, and each deletion's marker.
        assert_eq!(
            pruned.count(cf::JMT_STALE),
            19,
            "one record per kept height"
        );
        let recorded = recorded(&pruned.store);
        let (nodes, most) = (282..=300).fold((0, 0), |(n, m), h| {
            let (s, w) = (pruned.stale[h as usize], writes(h));
            (
                n + s,
                m + s + w.len() + w.values().filter(|v| v.is_none()).count(),
            )
        });
        assert!(
            (nodes..=most).contains(&recorded),
            "{recorded} recorded, expected {nodes}..={most}"
        );
        assert_eq!(
            archive.count(cf::JMT_STALE),
            0,
            "an archive records nothing"
        );
    }

    /// Every entry of a column family (across key hashes: `jmt_values`
    /// seeks within one by default).
    pub(in crate::storage) fn all(r: &Run, name: &'static str) -> Vec<crate::storage::Record> {
        let cf = r.store.cf(name).expect("cf");
        let mut opts = ReadOptions::default();
        opts.set_total_order_seek(true);
        r.store
            .db
            .iterator_cf_opt(cf, opts, rocksdb::IteratorMode::Start)
            .map(|i| i.expect("read"))
            .collect()
    }

    /// The known versions and the keys new to the tree spare seeks, and
    /// change nothing the store keeps.
    #[test]
    fn the_known_versions_record_what_seeking_finds() {
        let [a, b] = [(); 2].map(|_| tempfile::tempdir().expect("tempdir"));
        let mut known = Run::new(a.path(), 30);
        let mut sought = Run::new(b.path(), 30);
        known.commit_to(90);
        // A restart forgets them: the next commits seek again.
        known.reopen(a.path(), 30);
        known.commit_to(140);
        sought.commit_to_forgetting(140, true);
        for name in [cf::JMT_STALE, cf::JMT_VALUES, cf::TREE_NODES] {
            assert_eq!(all(&known, name), all(&sought, name), "{name}");
        }
        assert!(recorded(&known.store) > 0);
        assert!(!known.store.versions.0.lock().expect("versions").is_empty());
    }

    /// [`writes`], and `k40` (outside their keys) created at 3, deleted
    /// at 10, written again at 14 and deleted again at 50.
    pub(in crate::storage) fn with_k40(h: u64) -> WriteSet {
        let mut w = writes(h);
        match h {
            3 | 14 => w.insert(key(KEYS), Some(format!("{h}").into_bytes())),
            10 | 50 => w.insert(key(KEYS), None),
            _ => None,
        };
        w
    }

    /// The entries of [`with_k40`]'s key in `jmt_values`.
    pub(in crate::storage) fn k40_entries(r: &Run) -> usize {
        let kh = commitment::key_hash(&key(KEYS));
        let cf = r.store.cf(cf::JMT_VALUES).expect("cf");
        r.store
            .db
            .prefix_iterator_cf(cf, kh.0)
            .map(|i| i.expect("read").0)
            .take_while(|k| k.starts_with(&kh.0))
            .count()
    }

    /// A key deleted is gone from `jmt_values` once no kept height reads
    /// it; one written again later is new to the tree, and what its earlier
    /// life left is deleted all the same.
    #[test]
    fn a_deleted_key_leaves_nothing_once_its_heights_are_pruned() {
        let [a, b] = [(); 2].map(|_| tempfile::tempdir().expect("tempdir"));
        let entries = k40_entries;
        let mut known = Run::new(a.path(), 8);
        let mut sought = Run::new(b.path(), 8);
        known.writes = with_k40;
        sought.writes = with_k40;
        known.commit_to(12);
        assert_eq!(entries(&known), 2, "the value of 3 and the marker of 10");
        known.commit_to(16);
        assert_eq!(entries(&known), 3, "and the value of 14");
        for h in 9..=16 {
            assert_eq!(known.proves(h), Ok(()), "height {h}");
        }
        known.commit_to(20);
        assert_eq!(entries(&known), 1, "a deleted value outlived its heights");
        known.commit_to(70);
        assert_eq!(entries(&known), 0, "a deleted key's history outlived it");
        for h in 63..=70 {
            assert_eq!(known.proves(h), Ok(()), "height {h}");
        }
        // Seeking every key's earlier value stores exactly the same.
        sought.commit_to_forgetting(70, true);
        assert_eq!(sought.roots, known.roots);
        for name in [cf::JMT_STALE, cf::JMT_VALUES, cf::TREE_NODES] {
            assert_eq!(all(&known, name), all(&sought, name), "{name}");
        }
    }

    #[test]
    fn a_shorter_history_deletes_the_backlog_at_the_next_commit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut run = Run::new(dir.path(), 200);
        run.commit_to(150);
        for h in 0..=150 {
            assert_eq!(run.proves(h), Ok(()), "height {h}");
        }
        run.reopen(dir.path(), 16);
        run.commit_to(151);
        assert_eq!(run.store.oldest_provable(151), 136);
        for h in 136..=151 {
            assert_eq!(run.proves(h), Ok(()), "height {h}");
        }
        assert!(run.proves(100).is_err(), "height 100 was not pruned");
    }
}
