//! A checkpoint of the state tree written beside the chain.
//!
//! A checkpoint (`tree_window.rs`) stores the nodes and values its window
//! left in the tree: at full load, sixteen heights of them, several
//! megabytes. Written in the checkpoint's own block batch, that write held
//! up the block's commit on every node at once, every sixteen heights: the
//! chain stopped for half a second to a second while the next proposal
//! waited (docs/bench/journal/4-2026-12-06.md, "The tree's checkpoint written beside the
//! chain").
//!
//! So the block's batch at a checkpoint holds only what any other height's
//! does (its redo record among it), and the window, closed (frozen) once
//! that batch is on disk, goes to a thread of its own, which writes it in
//! one synced batch of its own while the chain goes on:
//!
//! - Readers find the frozen versions in memory until the write is on
//!   disk, and only then does the window let go of them; a new window
//!   takes the versions after the checkpoint meanwhile.
//! - The batch holds what the commit's batch held before: the nodes and
//!   values, the record of what they replaced (under the checkpoint's
//!   height), the deletion of the redo records no longer needed, and
//!   `tree_previous` and `tree_through`; and the transaction and account
//!   indexes of the heights up to the checkpoint, with `index_through`
//!   (`index_window.rs`). The block's batch notes the
//!   checkpoint due (`tree_due`): a node killed before the writer's batch
//!   lands opens at the checkpoint before, with every redo record since
//!   (their deletion was in the lost batch), and writes the lost
//!   checkpoint when it rebuilds that height.
//! - One write at a time: the next checkpoint waits for the last one, and
//!   so do closing the store and copying it. Pruning never passes
//!   `tree_previous` (`history.rs`), so it never reaches the height of a
//!   write still running, nor the tree a restart builds on.
//! - A failed write stays failed for every waiter, and every commit checks
//!   for one: the node stops at its next block, as on a failed commit,
//!   and opens at the checkpoint before.
//!
//! - Each node writes at its own heights (`storage.tree_offset`): the
//!   writer's burst, on validators checkpointing at one height, held that
//!   height's votes up (six nodes on two cores: about 850 ms against
//!   200 for the others at 5,000 payments/s offered,
//!   docs/bench/journal/8-2026-12-08.md).
//!
//! An archive node writes every height's tree in the block's batch, as
//! before: it has no window to write.

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rocksdb::{DB, WriteBatch};
use yui_ledger::commitment::NodePlace;

use super::history::Versions;
use super::index_window::{self, IndexWindow};
use super::tree_keys::node_db_key;
use super::tree_window::{Frozen, TreeWindow, redo_key};
use super::{StoreError, cf, cf_in, hkey, meta, write_sync};

/// What writing a checkpoint needs of the store, shared with its thread.
#[derive(Clone)]
pub(super) struct TreeDisk {
    pub db: Arc<DB>,
    pub versions: Arc<Versions>,
    pub window: Arc<TreeWindow>,
    pub index: Arc<IndexWindow>,
    pub state_history: u64,
    /// The first checkpoint since the store opened with versions above
    /// its last one: a build that stored the tree's values at every height
    /// left values above it on disk, which this checkpoint replaces
    /// (`tree_values.rs`).
    pub reopened: bool,
}

/// The stored keys of the written nodes and values a checkpoint's window
/// replaced (and of the deletion markers it stored), for the history.
pub(super) type Replaced = (Vec<Vec<u8>>, Vec<Vec<u8>>);

impl TreeDisk {
    pub(super) fn cf(&self, name: &'static str) -> Result<&rocksdb::ColumnFamily, StoreError> {
        cf_in(&self.db, name)
    }

    /// Adds to `b` the window frozen at its checkpoint `f.upto`: the nodes
    /// and values still part of the tree, the end of the redo records no
    /// longer needed (all of them without a window, `windowed` false), and
    /// where the tree is on disk up to.
    pub(super) fn put_frozen(
        &self,
        b: &mut WriteBatch,
        f: &Frozen,
        windowed: bool,
    ) -> Result<Replaced, StoreError> {
        // In key order: RocksDB's memtable inserts a key next to the last
        // one cheaply, and one anywhere else from the top of its skip list.
        // The window lists its live nodes in that order already. Each key
        // and node is encoded into the same two buffers.
        let nodes = self.cf(cf::TREE_NODES)?;
        let (mut key, mut node) = (Vec::with_capacity(64), Vec::with_capacity(1024));
        for (k, n) in f.nodes.live() {
            key.clear();
            k.write_db_key(&mut key);
            node.clear();
            n.write_to(&mut node);
            b.put_cf(nodes, &key, &node);
        }
        let values = self.put_values(b, f.upto, f.through, &f.values)?;
        // The window before leaves memory once this is on disk; without a
        // window, every record left (from a store that had one) goes.
        let upto = if windowed { f.through } else { f.upto };
        let redo = self.cf(cf::TREE_REDO)?;
        for v in f.previous_through + 1..=upto {
            b.delete_cf(redo, redo_key(v));
        }
        let md = self.cf(cf::METADATA)?;
        b.put_cf(md, meta::TREE_PREVIOUS, hkey(upto));
        b.put_cf(md, meta::TREE_THROUGH, hkey(f.upto));
        // A node is replaced once. Sorted, so that pruning deletes them in
        // key order too.
        let mut replaced: Vec<Vec<u8>> = f
            .stale
            .iter()
            .filter(|k: &&NodePlace| k.version <= f.through)
            .map(node_db_key)
            .collect();
        replaced.sort_unstable();
        Ok((replaced, values))
    }

    /// Writes the window frozen at `f.upto` in a synced batch of its own,
    /// with the indexes of the heights in `index`, if any, then lets the
    /// windows read them from disk.
    pub(super) fn write(
        self,
        f: Arc<Frozen>,
        index: Option<Arc<index_window::Frozen>>,
    ) -> Result<(), StoreError> {
        // Allocated at its size: RocksDB's batch would otherwise double
        // its buffer a dozen times, copying it and faulting in fresh pages
        // each time.
        let mut b = WriteBatch::with_capacity_bytes(f.bytes_estimate());
        let (nodes, values) = self.put_frozen(&mut b, &f, true)?;
        if self.state_history != 0 {
            super::history::put_replaced(&self.db, &mut b, f.upto, nodes, values)?;
        }
        if let Some(index) = &index {
            index.put(&self.db, &mut b)?;
        }
        write_sync(&self.db, b)?;
        if let Some(index) = index {
            self.index.written(index.upto);
        }
        let upto = f.upto;
        // The window takes its maps back whole when it holds the only copy.
        drop(f);
        self.window.written(upto);
        Ok(())
    }
}

/// A checkpoint's writing thread.
type Job = JoinHandle<Result<(), StoreError>>;

/// The writer's state: a failed write stays failed for every later waiter.
#[derive(Default)]
enum State {
    #[default]
    Idle,
    Writing(u64, Job),
    Failed(String),
}

/// The checkpoint being written, if any, and its thread.
#[derive(Default)]
pub(super) struct Writer {
    state: Mutex<State>,
    /// Tests hold the next write until told what to do ([`Gate`]).
    #[cfg(test)]
    pub(super) gate: Mutex<Option<std::sync::mpsc::Receiver<Gate>>>,
}

/// What a test tells a held write to do.
#[cfg(test)]
#[derive(Clone, Copy)]
pub(super) enum Gate {
    /// Write it.
    Write,
    /// Stop as a killed node would, writing nothing.
    Vanish,
    /// Fail as a disk would.
    Fail,
}

impl Writer {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The height of the checkpoint being written.
    #[cfg(test)]
    pub(super) fn pending(&self) -> Option<u64> {
        match &*self.lock() {
            State::Writing(h, _) => Some(*h),
            _ => None,
        }
    }

    /// Waits for the checkpoint being written, if any: an error if it, or
    /// an earlier one, failed. Waiters wait in turn, and each sees the
    /// write's outcome.
    pub(super) fn wait(&self) -> Result<(), StoreError> {
        let mut state = self.lock();
        let why = match std::mem::take(&mut *state) {
            State::Idle => return Ok(()),
            State::Failed(why) => why,
            State::Writing(h, thread) => match thread.join() {
                Ok(Ok(())) => return Ok(()),
                Ok(Err(e)) => format!("the tree's checkpoint at height {h} was not written: {e}"),
                Err(_) => format!("the writer of the tree's checkpoint at height {h} stopped"),
            },
        };
        *state = State::Failed(why.clone());
        Err(StoreError::Invalid(why))
    }

    /// The outcome of a write that has finished, without waiting for one
    /// still running.
    pub(super) fn check(&self) -> Result<(), StoreError> {
        let done = match &*self.lock() {
            State::Writing(_, thread) => thread.is_finished(),
            State::Failed(_) => true,
            State::Idle => false,
        };
        if done { self.wait() } else { Ok(()) }
    }

    /// Starts writing the window frozen at `f.upto`, and the indexes in
    /// `index` (after the last write, waited for).
    pub(super) fn start(
        &self,
        disk: TreeDisk,
        f: Arc<Frozen>,
        index: Arc<index_window::Frozen>,
    ) -> Result<(), StoreError> {
        self.wait()?;
        let upto = f.upto;
        #[cfg(test)]
        let gate = self.gate.lock().unwrap_or_else(|p| p.into_inner()).take();
        let thread = std::thread::Builder::new()
            .name("yui-tree-writer".into())
            .spawn(move || {
                #[cfg(test)]
                if let Some(gate) = gate {
                    match gate.recv().unwrap_or(Gate::Vanish) {
                        Gate::Write => {}
                        Gate::Vanish => return Ok(()),
                        Gate::Fail => return Err(StoreError::Invalid("a disk error".into())),
                    }
                }
                disk.write(f, Some(index))
            })
            .map_err(|e| StoreError::Invalid(format!("cannot start the tree's writer: {e}")))?;
        *self.lock() = State::Writing(upto, thread);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::Store;
    use super::super::history::tests::Run;
    use super::Gate;

    /// Holds `store`'s next checkpoint write until the sender says.
    fn hold(store: &Store) -> std::sync::mpsc::Sender<Gate> {
        let (tx, rx) = std::sync::mpsc::channel();
        *store.writer.gate.lock().expect("gate") = Some(rx);
        tx
    }

    #[test]
    fn a_checkpoint_being_written_is_read_from_memory_and_a_kill_before_it_lands_loses_nothing() {
        let [a, b] = [(); 2].map(|_| tempfile::tempdir().expect("tempdir"));
        let mut every = Run::new(a.path(), 40);
        every.commit_to(40);
        let mut run = Run::windowed(b.path(), 40, 8);
        run.commit_to(7);
        let write = hold(&run.store);
        // The checkpoint at 8 goes to its writer; the chain goes on.
        run.commit_each(12, false);
        assert_eq!(run.store.writer.pending(), Some(8));
        assert_eq!(run.store.window.through(), 0, "not on disk yet");
        for h in 0..=12 {
            assert!(run.store.tree_kept(h).expect("read"), "height {h}");
            assert_eq!(run.proves(h), Ok(()), "height {h}, from memory");
        }
        write.send(Gate::Write).expect("send");
        run.store.wait_tree_written().expect("written");
        assert_eq!(run.store.window.through(), 8);
        for h in 0..=12 {
            assert_eq!(run.proves(h), Ok(()), "height {h}, once written");
        }

        // The checkpoint at 16 is never written: the node is killed first.
        let lost = hold(&run.store);
        run.commit_each(20, false);
        lost.send(Gate::Vanish).expect("send");
        run.reopen(b.path(), 40);
        assert_eq!(run.store.window.through(), 16, "written when it opened");
        for h in 8..=20 {
            assert_eq!(run.proves(h), Ok(()), "height {h} after the restart");
        }
        run.commit_to(40);
        for h in 0..=40 {
            assert_eq!(run.root(h), every.root(h), "root of height {h}");
        }
        assert_eq!(run.store.window.through(), 40);
        // The lost checkpoint's root is stored, as every checkpoint's.
        for h in [8, 16, 24, 32, 40] {
            assert!(run.store.tree_kept(h).expect("read"), "height {h}");
            assert_eq!(run.proves(h), Ok(()), "height {h}");
        }
    }

    /// With a history barely longer than the interval, the pruning would
    /// reach what the checkpoint before the last replaced while a
    /// checkpoint is still being written: the tree a restart builds the
    /// window on. It waits for that tree to be the older one.
    #[test]
    fn a_short_history_never_prunes_the_tree_a_restart_builds_on() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut run = Run::windowed(dir.path(), 20, 16);
        run.commit_to(31);
        let lost = hold(&run.store);
        run.commit_each(36, false);
        lost.send(Gate::Vanish).expect("send");
        run.reopen(dir.path(), 20);
        assert_eq!(run.store.window.through(), 32, "written when it opened");
        for h in 17..=36 {
            assert_eq!(run.proves(h), Ok(()), "height {h} after the restart");
        }
        run.commit_to(100);
        for h in 81..=100 {
            assert_eq!(run.proves(h), Ok(()), "height {h}");
        }
    }

    /// A checkpoint's batch is allocated at about its size: no smaller (it
    /// would grow, copying itself), and not far larger.
    #[test]
    fn a_checkpoints_batch_is_allocated_at_about_its_size() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut run = Run::windowed(dir.path(), 40, 8);
        run.commit_to(12);
        let frozen = run.store.window.freeze(12).expect("freeze");
        let estimate = frozen.bytes_estimate();
        let mut b = rocksdb::WriteBatch::default();
        run.store
            .checkpoint_disk()
            .put_frozen(&mut b, &frozen, true)
            .expect("put");
        let size = b.size_in_bytes();
        assert!(size <= estimate, "{size} bytes, {estimate} estimated");
        assert!(
            estimate < size * 2 + 4096,
            "{size} bytes, {estimate} estimated"
        );
    }

    /// A checkpoint whose write fails stops the node at its next commit,
    /// and stays failed for every later waiter.
    #[test]
    fn a_failed_checkpoint_is_every_waiters_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut run = Run::windowed(dir.path(), 40, 8);
        run.commit_to(7);
        let write = hold(&run.store);
        run.commit_each(8, false);
        assert!(run.store.writer.check().is_ok(), "still being written");
        write.send(Gate::Fail).expect("send");
        let e = run.store.wait_tree_written().expect_err("the write failed");
        assert!(e.to_string().contains("height 8"), "{e}");
        assert!(run.store.wait_tree_written().is_err(), "again");
        assert!(run.store.writer.check().is_err(), "at the next commit");
    }
}
