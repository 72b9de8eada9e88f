//! The state tree written to disk every few heights, not every height.
//!
//! Each block's tree version replaces every node on the paths of the keys
//! it wrote: the root and the nodes near it in every block, about seven
//! nodes (3 KB) a payment in all, most of what a commit wrote and most of
//! what RocksDB then flushed and compacted (docs/bench/journal/3-2026-12-05-afternoon-to-late.md,
//! "The state tree written every 16 heights"). Most of those nodes are replaced again a
//! block or two later.
//!
//! So a node keeps the newest versions of its tree in memory, in a window,
//! and writes only what is still part of the tree at every `interval`-th
//! height (a checkpoint):
//!
//! - A commit between checkpoints keeps its new tree nodes and values in
//!   the window. Every commit writes, in the block's own synced batch, its
//!   state writes as a redo record (`tree_redo`), kept until the
//!   checkpoint after next. Everything else it wrote before (the state,
//!   the block, receipts, indexes) it still writes.
//! - A checkpoint writes the nodes of the window and of its own version
//!   that no version up to it replaced, and each key's newest value
//!   (`tree_values.rs`), and records under its height, for pruning
//!   (`history.rs`), the written nodes and values the window replaced. It
//!   deletes the redo records of the window before, and moves
//!   `tree_previous` to the last checkpoint and `tree_through` to its own
//!   height. It does so in a batch of its own, on a thread of its own,
//!   once the checkpoint's block is on disk (`tree_writer.rs`): the window
//!   is frozen, read from memory until that batch lands, and a new window
//!   takes the next versions meanwhile.
//! - A read looks in the window before RocksDB, for versions above
//!   `tree_through` only. A checkpoint keeps the last window's nodes that
//!   it did not write for one more window, so every height stays provable
//!   for at least `interval` heights after it commits (a wallet proves
//!   against the block of its payment).
//! - Opening a store runs the redo records above `tree_previous` again,
//!   into the last window's place and the window, checking each root
//!   against its block's header: a node killed between checkpoints loses
//!   no version, and proves what it proved before.
//!
//! Provable heights: those above the checkpoint before the last and the
//! checkpoints (whose root is stored), within the kept history. A height whose block changes
//! the validator set is always a checkpoint: light clients prove the new
//! set against it. An archive node (`state_history
//! = 0`) writes every height, so it proves every height.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use jmt::{KeyHash, OwnedValue, Version};
use rocksdb::WriteBatch;
use yui_ledger::commitment::{self, NodePlace, TreeChange, TreeNode};
use yui_ledger::state::keys;

use super::tree_values::{KeyValues, Values};
use super::tree_versions::VersionNodes;
use super::{Store, StoreError, cf, hkey, meta};

// Node keys hashed fast: nothing iterates the window in an order that
// matters.
use crate::Fast;

/// Most nodes a window holds (about 1 KB each in memory; the last
/// window's unwritten nodes are kept beside it, at most as many): a commit
/// that would pass it is a checkpoint, whatever its height.
pub const WINDOW_NODES_MAX: usize = 100_000;

/// The default heights between checkpoints (`[storage] tree_interval`).
pub const TREE_INTERVAL: u64 = 16;

/// The tree versions above the last checkpoint, and those of the window
/// before it that the checkpoint did not write.
#[derive(Default)]
struct Window {
    /// The nodes of the versions above `base`, each marked once a later
    /// version replaced it: the others are what a checkpoint writes.
    /// Shared with the top slots (`top_nodes.rs`): one copy of each.
    nodes: VersionNodes,
    /// The tree's values of the versions in memory (`tree_values.rs`).
    values: Values,
    /// Nodes those versions replaced (some in the window, some written).
    stale: Vec<NodePlace>,
    /// The window's versions are those above it: `through`, or the
    /// checkpoint being written.
    base: u64,
    /// The newest version whose tree is entirely on disk.
    through: u64,
    /// The last window's nodes that its checkpoint did not write: with
    /// them, versions above the checkpoint before (`previous_through`) are
    /// readable, so a height stays provable for at least `interval`
    /// heights after it commits.
    previous: VersionNodes,
    /// The window of the checkpoint being written (`tree_writer.rs`):
    /// versions above `through`, up to `base`.
    writing: Option<Arc<Frozen>>,
}

/// A window closed by its checkpoint: the versions above the last one up
/// to it, as its writer stores them and readers read them meanwhile.
pub(super) struct Frozen {
    /// The checkpoint: the window's last version.
    pub upto: u64,
    /// The newest version on disk before it.
    pub through: u64,
    /// The checkpoint before that (redo records above it are kept).
    pub previous_through: u64,
    /// The window's nodes: those no version up to `upto` replaced are
    /// what it writes.
    pub nodes: VersionNodes,
    /// Each key's values in the window, oldest first.
    pub values: HashMap<KeyHash, KeyValues, Fast>,
    /// Nodes the window's versions replaced (some in it, some written).
    pub stale: Vec<NodePlace>,
}

impl Frozen {
    /// About the bytes of its checkpoint's batch: each live node's key and
    /// bytes, each key's newest value, RocksDB's framing of each, and the
    /// few records the checkpoint adds.
    pub fn bytes_estimate(&self) -> usize {
        let nodes: usize = self
            .nodes
            .live()
            .map(|(k, n)| 20 + k.path.len().div_ceil(2) + n.stored_len() + 8)
            .sum();
        let values: usize = self
            .values
            .values()
            .filter_map(KeyValues::newest_len)
            .map(|n| 40 + 9 + n + 8)
            .sum();
        nodes + values + 4096
    }
}

#[derive(Default)]
pub struct TreeWindow {
    window: RwLock<Window>,
    /// The checkpoint before the last: no node of a version at or below it
    /// is in memory.
    previous_through: AtomicU64,
}

impl TreeWindow {
    /// The newest version whose tree is entirely on disk.
    pub fn through(&self) -> u64 {
        self.window.read().map_or(0, |w| w.through)
    }

    /// Versions above this are readable whole from memory and disk.
    pub fn previous_through(&self) -> u64 {
        self.previous_through.load(Ordering::Acquire)
    }

    /// The node at `k` if a version in memory made it.
    pub fn get(&self, k: &NodePlace) -> Option<Arc<TreeNode>> {
        if k.version <= self.previous_through() {
            return None;
        }
        let w = self.window.read().ok()?;
        let v = k.version;
        let n = match &w.writing {
            _ if v > w.base => w.nodes.get(k),
            Some(f) if v > w.through => f.nodes.get(k),
            _ => w.previous.get(k),
        };
        n.cloned()
    }

    /// The newest value of `kh` at or below `max` that a version in
    /// memory wrote, with its version. A poisoned lock is an error: the
    /// disk alone may hold an older value.
    pub fn value(
        &self,
        kh: &KeyHash,
        max: Version,
    ) -> Result<Option<(Version, Option<OwnedValue>)>, StoreError> {
        if max <= self.previous_through() {
            return Ok(None);
        }
        let w = self
            .window
            .read()
            .map_err(|_| StoreError::Invalid("the tree window's lock is poisoned".into()))?;
        Ok(w.values.get(kh, max, w.writing.as_ref().map(|f| &f.values)))
    }

    fn len(&self) -> usize {
        self.window.read().map_or(0, |w| w.nodes.len())
    }

    /// Nodes in memory: the window's, the one being written and the last
    /// window's.
    fn held(&self) -> usize {
        self.window.read().map_or(0, |w| {
            let writing = w.writing.as_ref().map_or(0, |f| f.nodes.len());
            w.nodes.len() + w.previous.len() + writing
        })
    }

    /// A version's nodes and values, and the nodes it replaced (those in
    /// the window are marked so).
    fn add(&self, change: &TreeChange) {
        let stale = &change.stale;
        if let Ok(mut w) = self.window.write() {
            w.nodes.add(&change.nodes);
            w.values.add(change);
            for k in stale {
                w.nodes.replace(k);
            }
            w.stale.extend_from_slice(stale);
        }
    }

    /// Nodes and values of a version at or below `through`, rebuilt at
    /// start-up ([`Values::previous_written`] after the last of them).
    fn add_previous(&self, change: &TreeChange) {
        if let Ok(mut w) = self.window.write() {
            w.previous.add(&change.nodes);
            w.values.add_previous(change);
        }
    }

    /// Closes the window at its checkpoint `upto` (its last version, added
    /// already): its versions go to the writer, readers still find them
    /// here, and a new window starts above `upto`. An error if a window
    /// is being written still (the caller waits for it first).
    pub(super) fn freeze(&self, upto: u64) -> Result<Arc<Frozen>, StoreError> {
        let mut w = self
            .window
            .write()
            .map_err(|_| StoreError::Invalid("the tree window's lock is poisoned".into()))?;
        if w.writing.is_some() {
            return Err(StoreError::Invalid(
                "a checkpoint of the tree is still being written".into(),
            ));
        }
        let frozen = Arc::new(Frozen {
            upto,
            through: w.through,
            previous_through: self.previous_through(),
            nodes: std::mem::take(&mut w.nodes),
            values: w.values.take_window(),
            stale: std::mem::take(&mut w.stale),
        });
        w.base = upto;
        w.writing = Some(frozen.clone());
        Ok(frozen)
    }

    /// The window frozen at `upto` is on disk: the nodes and values its
    /// checkpoint did not write (the ones a version up to it replaced)
    /// become the previous window's; the rest are read from disk.
    pub(super) fn written(&self, upto: u64) {
        if let Ok(mut w) = self.window.write()
            && let Some(f) = w.writing.take_if(|f| f.upto == upto)
        {
            let through = f.through;
            let (nodes, values) = match Arc::try_unwrap(f) {
                Ok(f) => (f.nodes, f.values),
                Err(f) => (f.nodes.clone(), f.values.clone()),
            };
            w.previous = nodes.into_replaced();
            w.values.written(values);
            w.through = upto;
            self.previous_through.store(through, Ordering::Release);
        }
    }

    /// Nothing in memory: the tree is on disk up to `through`, and the
    /// versions above `previous` are to be rebuilt (opening a store), or
    /// none (`previous == through`: genesis, a snapshot).
    fn reset(&self, previous: u64, through: u64) {
        if let Ok(mut w) = self.window.write() {
            *w = Window {
                base: through,
                through,
                ..Window::default()
            };
            self.previous_through.store(previous, Ordering::Release);
        }
    }
}

/// What a commit's tree part wrote ([`Store::put_tree`]).
#[derive(Default)]
pub(super) struct Written {
    /// Whether the height is a checkpoint.
    pub checkpoint: bool,
    /// The stored keys of the written nodes replaced since the last one.
    pub nodes: Vec<Vec<u8>>,
    /// The stored keys of the written values replaced since the last one,
    /// and of the deletion markers written.
    pub values: Vec<Vec<u8>>,
}

/// A redo record's key: the height.
pub(super) fn redo_key(h: u64) -> [u8; 8] {
    hkey(h)
}

/// The stored key of the root of version `v` (an empty nibble path).
pub fn root_db_key(v: u64) -> Vec<u8> {
    let mut k = hkey(v).to_vec();
    // borsh's empty nibble path: 0 nibbles (u64), no bytes (u32 length).
    k.extend_from_slice(&[0; 12]);
    k
}

impl Store {
    /// Writes the state tree every `interval` heights (at least 1; an
    /// archive node, keeping every height, writes every height), at the
    /// heights that leave `offset` over a multiple of it. Nodes sharing a
    /// machine, or the validators of one chain, with different offsets
    /// write at different heights: a checkpoint is a burst of work
    /// (docs/operators.md, `storage.tree_offset`).
    pub fn with_tree_writes(mut self, interval: u64, offset: u64) -> Self {
        self.tree_interval = if self.state_history == 0 {
            1
        } else {
            interval.max(1)
        };
        self.tree_offset = offset % self.tree_interval;
        self
    }

    /// Heights between writes of the state tree.
    pub fn tree_interval(&self) -> u64 {
        self.tree_interval
    }

    /// Tree nodes held in memory between writes (the metrics' gauge).
    pub fn tree_window_nodes(&self) -> usize {
        self.window.held()
    }

    /// Whether the tree of `height` can be read: above the checkpoint
    /// before the last (in memory, or on disk), or a checkpoint's (its
    /// root is stored). The kept
    /// history bounds it further ([`Store::oldest_provable`]).
    pub fn tree_kept(&self, height: u64) -> Result<bool, StoreError> {
        if height > self.window.previous_through() {
            return Ok(height <= self.last_height()?.unwrap_or(0));
        }
        Ok(self.get(cf::TREE_NODES, &root_db_key(height))?.is_some())
    }

    /// Adds to `b`, committing height `h`, the tree's part, and returns
    /// whether `h` is a checkpoint. A store with a window adds the redo
    /// record: its checkpoint is written beside the chain once this batch
    /// is on disk ([`Self::tree_committed`], `tree_writer.rs`). An archive
    /// adds its version's nodes and values, with the window a store that
    /// had one left, and the stored keys of the written nodes and values
    /// they replaced (and of deletion markers written), for the history's
    /// record.
    pub(super) fn put_tree(
        &self,
        b: &mut WriteBatch,
        h: u64,
        writes: &yui_ledger::WriteSet,
        change: &TreeChange,
    ) -> Result<Written, StoreError> {
        // A height that changes the validator set is written too: a light
        // client proves the set that signs block h + 1 against height h's
        // root (docs/encoding.md, "Commit certificates").
        let checkpoint = h % self.tree_interval == self.tree_offset
            || writes.contains_key(&keys::validators())
            || self.window.len() + change.nodes.len() > WINDOW_NODES_MAX;
        if self.tree_interval > 1 {
            // Every height's redo record, kept until the write after next,
            // so that start-up rebuilds the last window too.
            let redo = self.cf(cf::TREE_REDO)?;
            b.put_cf(redo, redo_key(h), borsh::to_vec(writes).unwrap_or_default());
            if checkpoint {
                // A node killed before the checkpoint's own batch lands
                // writes it when it opens again.
                b.put_cf(self.cf(cf::METADATA)?, meta::TREE_DUE, hkey(h));
            }
            return Ok(Written {
                checkpoint,
                ..Written::default()
            });
        }
        // If this batch fails, the node stops: the window ahead of the disk
        // is never read.
        self.take_in(change);
        let frozen = self.window.freeze(h)?;
        let (nodes, values) = self.checkpoint_disk().put_frozen(b, &frozen, false)?;
        Ok(Written {
            checkpoint: true,
            nodes,
            values,
        })
    }

    /// A version's nodes and values into the window and the top slots.
    fn take_in(&self, change: &TreeChange) {
        self.top.record(&change.nodes);
        self.window.add(change);
    }

    /// After height `h`'s batch is on disk: a store with a window takes in
    /// its version (one copy of each node, shared with the top slots) and
    /// at a checkpoint closes the window and starts writing it. An archive
    /// wrote it already, and holds nothing.
    pub(super) fn tree_committed(
        &self,
        h: u64,
        checkpoint: bool,
        change: &TreeChange,
    ) -> Result<(), StoreError> {
        if self.tree_interval == 1 {
            self.window.reset(h, h);
            return Ok(());
        }
        self.take_in(change);
        if checkpoint {
            self.writer.wait()?;
            let frozen = self.window.freeze(h)?;
            let index = self.index.freeze(h);
            self.writer.start(self.checkpoint_disk(), frozen, index)?;
        }
        Ok(())
    }

    /// Where the tree is on disk up to, set on a store written at once
    /// (genesis, a snapshot): `h`.
    pub(super) fn put_tree_through(&self, b: &mut WriteBatch, h: u64) -> Result<(), StoreError> {
        let md = self.cf(cf::METADATA)?;
        b.put_cf(md, meta::TREE_THROUGH, hkey(h));
        b.put_cf(md, meta::TREE_PREVIOUS, hkey(h));
        Ok(())
    }

    /// After [`Self::put_tree_through`]'s batch is on disk.
    pub(super) fn tree_written_through(&self, h: u64) {
        self.window.reset(h, h);
    }

    /// On opening: the versions above the write before the last, built
    /// again from their redo records (those up to the last write into the
    /// last window's place, the rest into the window). A store from before
    /// the window has no `tree_through`: its tree is on disk up to its last
    /// height.
    pub(super) fn open_tree_window(&self) -> Result<(), StoreError> {
        let last = self.last_height()?.unwrap_or(0);
        let through = self
            .get_height(cf::METADATA, meta::TREE_THROUGH, "tree_through")?
            .unwrap_or(last);
        let previous = self
            .get_height(cf::METADATA, meta::TREE_PREVIOUS, "tree_previous")?
            .unwrap_or(through);
        let due = self
            .get_height(cf::METADATA, meta::TREE_DUE, "tree_due")?
            .filter(|d| (through + 1..=last).contains(d));
        self.window.reset(previous, through);
        self.reopened.store(last > through, Ordering::Relaxed);
        for v in previous + 1..=last {
            let corrupt = |what: String| StoreError::Corrupt {
                cf: cf::TREE_REDO,
                what,
            };
            let bytes = self
                .get(cf::TREE_REDO, &redo_key(v))?
                .ok_or_else(|| corrupt(format!("no redo record for height {v}")))?;
            let writes: yui_ledger::WriteSet =
                borsh::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
            let (root, change) = commitment::update(self, &writes, v).map_err(corrupt)?;
            if let Some(block) = self.block(v)?
                && block.header.state_root != root
            {
                return Err(corrupt(format!(
                    "height {v}'s tree, built again, does not have its block's state root"
                )));
            }
            if v > through {
                self.take_in(&change);
                if due == Some(v) {
                    // The checkpoint the node was writing when it stopped.
                    let frozen = self.window.freeze(v)?;
                    self.checkpoint_disk().write(frozen, None)?;
                }
                continue;
            }
            self.top.record(&change.nodes);
            self.window.add_previous(&change);
            if v == through
                && let Ok(mut w) = self.window.window.write()
            {
                w.values.previous_written();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::history::tests::{Run, all, writes};
    use super::*;

    /// [`writes`], and a new validator set at height 275.
    fn with_new_set(h: u64) -> yui_ledger::WriteSet {
        let mut w = writes(h);
        if h == 275 {
            w.insert(keys::validators(), Some(b"a new set".to_vec()));
        }
        w
    }

    #[test]
    fn the_tree_written_every_few_heights_has_every_root_and_proves_what_it_keeps() {
        let [a, b] = [(); 2].map(|_| tempfile::tempdir().expect("tempdir"));
        let mut every = Run::new(a.path(), 40);
        let mut windowed = Run::windowed(b.path(), 40, 8);
        every.writes = with_new_set;
        windowed.writes = with_new_set;
        every.commit_to(300);
        windowed.commit_to(53);
        // A restart between writes (a kill: the window was only in memory)
        // builds heights 49..=53 again from their redo records.
        windowed.reopen(b.path(), 40);
        assert_eq!(windowed.store.window.through(), 48);
        assert!(windowed.store.tree_window_nodes() > 0);
        windowed.commit_to(300);
        for h in 0..=300 {
            assert_eq!(windowed.root(h), every.root(h), "root of height {h}");
        }

        let s = &windowed.store;
        assert_eq!(s.oldest_provable(300), 261);
        for h in 261..=300 {
            let kept = h > 288 || h % 8 == 0 || h == 275;
            assert_eq!(s.tree_kept(h).expect("read"), kept, "height {h}");
            if kept {
                assert_eq!(windowed.proves(h), Ok(()), "kept height {h}");
            }
            assert_eq!(every.proves(h), Ok(()), "height {h}, written every height");
        }
        // Proving a height not written is an error, not a panic (jmt
        // unwraps a missing node; `commitment::prove` catches it).
        assert!(windowed.proves(281).is_err(), "height 281 was not written");
        // Below the kept history (which the API refuses first): what a
        // window replaced goes at its checkpoint's turn, so 256's tree and
        // values, replaced by the window of 264, are still there, and 248's
        // are gone.
        assert!(windowed.proves(248).is_err(), "below the kept history");
        assert_eq!(windowed.count(cf::TREE_REDO), 12, "heights 289..=300");

        // A fraction of the nodes is written, and the history still prunes.
        let (w, e) = (windowed.count(cf::TREE_NODES), every.count(cf::TREE_NODES));
        assert!(w * 3 < e * 2, "{w} nodes written against {e}");
        let at_300 = w;
        windowed.commit_to(600);
        let at_600 = windowed.count(cf::TREE_NODES);
        assert!(
            at_600 < at_300 * 3 / 2,
            "{at_600} nodes at 600, {at_300} at 300"
        );

        // A restart keeps the last heights provable: the last window too is
        // built again.
        windowed.commit_to(605);
        windowed.reopen(b.path(), 40);
        for h in 593..=605 {
            assert!(windowed.store.tree_kept(h).expect("read"), "height {h}");
            assert_eq!(windowed.proves(h), Ok(()), "height {h} after a restart");
        }
    }

    #[test]
    fn a_tree_written_at_an_offset_has_every_root_and_proves_what_it_keeps() {
        let [a, b] = [(); 2].map(|_| tempfile::tempdir().expect("tempdir"));
        let mut every = Run::new(a.path(), 40);
        let mut offset = Run::windowed_at(b.path(), 40, 8, 3);
        every.commit_to(100);
        offset.commit_to(45);
        // Written at 3, 11, …, 43: a restart builds 44 and 45 again.
        offset.reopen(b.path(), 40);
        assert_eq!(offset.store.window.through(), 43);
        offset.commit_to(100);
        for h in 0..=100 {
            assert_eq!(offset.root(h), every.root(h), "root of height {h}");
        }
        // The last write was at 99, the one before at 91.
        assert_eq!(offset.store.window.through(), 99);
        assert_eq!(offset.store.oldest_provable(100), 61);
        for h in 61..=100 {
            let kept = h > 91 || h % 8 == 3;
            assert_eq!(offset.store.tree_kept(h).expect("read"), kept, "height {h}");
            if kept {
                assert_eq!(offset.proves(h), Ok(()), "kept height {h}");
            }
        }
        assert!(offset.proves(90).is_err(), "height 90 was not written");
        // The same store opened with no offset goes on writing at the
        // multiples of 8, from its next one.
        offset.offset = 0;
        offset.reopen(b.path(), 40);
        offset.commit_to(120);
        assert_eq!(offset.store.window.through(), 120);
        for h in [99, 104, 112, 115, 120] {
            assert_eq!(offset.proves(h), Ok(()), "height {h}");
        }
        assert!(!offset.store.tree_kept(107).expect("read"));
    }

    #[test]
    fn a_missing_redo_record_stops_the_opening_with_its_height() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut run = Run::windowed(dir.path(), 40, 8);
        run.commit_to(21);
        let redo = run.store.cf(cf::TREE_REDO).expect("cf");
        run.store.db.delete_cf(redo, redo_key(19)).expect("delete");
        drop(run);
        let e = Store::open(dir.path())
            .err()
            .expect("opened without height 19's tree");
        assert!(
            matches!(&e, StoreError::Corrupt { cf, what }
                if *cf == cf::TREE_REDO && what.contains("height 19")),
            "{e}"
        );
    }

    #[test]
    fn a_store_that_stops_windowing_keeps_no_redo_record() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut run = Run::windowed(dir.path(), 40, 8);
        run.commit_to(21);
        run.interval = 1;
        run.reopen(dir.path(), 40);
        run.commit_to(23);
        assert_eq!(run.count(cf::TREE_REDO), 0);
        for h in [8, 16, 22, 23] {
            assert_eq!(run.proves(h), Ok(()), "height {h}");
        }
        assert!(!run.store.tree_kept(21).expect("read"));
    }

    #[test]
    fn an_archive_writes_every_height() {
        let dir = tempfile::tempdir().expect("tempdir");
        let run = Run::windowed(dir.path(), 0, 8);
        assert_eq!(run.store.tree_interval(), 1);
        let mut run = run;
        run.commit_to(20);
        assert!((0..=20).all(|h| run.store.tree_kept(h).expect("read")));
        assert_eq!(run.store.tree_window_nodes(), 0, "nothing held in memory");
        assert_eq!(run.count(cf::TREE_REDO), 0);
        assert!(all(&run, cf::TREE_NODES).len() > 20);
    }

    #[test]
    fn the_root_key_is_the_stored_key_of_a_root() {
        let dir = tempfile::tempdir().expect("tempdir");
        let run = Run::new(dir.path(), 40);
        assert!(
            all(&run, cf::TREE_NODES)
                .iter()
                .any(|(k, _)| k.as_ref() == root_db_key(0).as_slice())
        );
    }
}
