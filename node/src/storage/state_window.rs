//! The state records of the latest heights, written behind the chain with
//! the state tree's checkpoints.
//!
//! A payment rewrites its payer's and payee's holdings and the payer's
//! account, and adds an invoice: written in each block's batch, each was
//! an insert into the `state` family's memtable, a skip list of tens of
//! thousands of mostly cold nodes, and a shop's holding paid a hundred
//! times in sixteen heights was written sixteen times (BENCHMARKS.md,
//! "State records written behind the chain").
//!
//! Each height's writes are already in its block's batch once, as its
//! redo record (`tree_window.rs`), which a store with a window keeps until
//! the tree's checkpoint after next. So:
//!
//! - A committed height's writes wait in memory ([`StateWindow`]), each
//!   key's newest value once, and every checkpoint of the tree
//!   (`tree_writer.rs`) writes those up to its height in its own synced
//!   batch, in key order, with `state_through`.
//! - Reads look in memory first (the heights not yet written, then those
//!   being written), then in the `state` family (behind the state cache,
//!   `state_cache.rs`, which holds the committed state). A height's writes
//!   leave memory only once their batch is on disk.
//! - A node killed before a checkpoint's batch lands opens with the redo
//!   records of every height above `state_through` and takes their writes
//!   in again, in height order.
//! - An archive (a tree written at every height, no redo records) writes
//!   each height's state in its block's batch, as before, with any writes
//!   held since the store opened.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use rocksdb::WriteBatch;

use super::{StoreError, cf, cf_in, hkey, meta};

/// A record's value, or its deletion.
type Value = Option<Vec<u8>>;

/// Each key's newest write. Its order depends on a seed chosen at random,
/// so it is never iterated as it stands: written or scanned, its entries
/// are sorted first.
type Writes = HashMap<Vec<u8>, Value, foldhash::fast::RandomState>;

/// Writes closed at a checkpoint, for its writer.
pub(super) struct Frozen {
    pub upto: u64,
    writes: Writes,
}

#[derive(Default)]
struct Held {
    /// The writes of committed heights not yet handed to a writer.
    open: Writes,
    /// The writes a checkpoint's batch is writing.
    writing: Option<Arc<Frozen>>,
}

/// The newest writes of the committed heights whose state records are not
/// yet on disk.
#[derive(Default)]
pub(super) struct StateWindow {
    held: RwLock<Held>,
}

impl StateWindow {
    fn read(&self) -> RwLockReadGuard<'_, Held> {
        self.held.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Held> {
        self.held.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes in a committed height's writes (those of later heights come
    /// later).
    pub fn add(&self, writes: &yui_ledger::WriteSet) {
        let mut held = self.write();
        held.open.reserve(writes.len());
        for (k, v) in writes {
            held.open.insert(k.clone(), v.clone());
        }
    }

    /// Closes the writes up to `upto`, every height held, for a
    /// checkpoint's writer (after the last one's batch has landed).
    pub fn freeze(&self, upto: u64) -> Arc<Frozen> {
        let mut held = self.write();
        let writes = std::mem::take(&mut held.open);
        let f = Arc::new(Frozen { upto, writes });
        held.writing = Some(f.clone());
        f
    }

    /// Adds to `b` the writes held, then `writes`, and `state_through`
    /// (an archive's commit of `upto`: any writes held are from before
    /// it stopped keeping a window).
    pub fn put_archived(
        &self,
        db: &rocksdb::DB,
        b: &mut WriteBatch,
        upto: u64,
        writes: &yui_ledger::WriteSet,
    ) -> Result<(), StoreError> {
        // Of two puts of a key in one batch, the later one is kept.
        put_sorted(db, b, self.read().open.iter().collect())?;
        let state = cf_in(db, cf::STATE)?;
        for (k, v) in writes {
            match v {
                Some(v) => b.put_cf(state, k, v),
                None => b.delete_cf(state, k),
            }
        }
        b.put_cf(cf_in(db, cf::METADATA)?, meta::STATE_THROUGH, hkey(upto));
        Ok(())
    }

    /// After a batch with the writes up to `upto` is on disk: `open` too
    /// if that batch wrote them (an archive's).
    pub fn written(&self, upto: u64, open: bool) {
        let mut held = self.write();
        if held.writing.as_ref().is_some_and(|f| f.upto <= upto) {
            held.writing = None;
        }
        if open {
            held.open = Writes::default();
        }
    }

    /// Forgets everything (the family was rewritten at once).
    pub fn clear(&self) {
        *self.write() = Held::default();
    }

    /// The newest value held for `key` (`Some(None)`: deleted), or `None`
    /// if no height in memory wrote it.
    pub fn get(&self, key: &[u8]) -> Option<Value> {
        let held = self.read();
        if let Some(v) = held.open.get(key) {
            return Some(v.clone());
        }
        held.writing.as_ref()?.writes.get(key).cloned()
    }

    /// The writes held under `prefix` at or after `start`, in key order.
    pub fn scan(&self, prefix: &[u8], start: &[u8]) -> BTreeMap<Vec<u8>, Value> {
        let held = self.read();
        let mut out = BTreeMap::new();
        let layers = held.writing.iter().map(|f| &f.writes);
        // The older layer first, so the newer one's writes replace it.
        for layer in layers.chain(std::iter::once(&held.open)) {
            for (k, v) in layer {
                if k.as_slice() >= start && k.starts_with(prefix) {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        out
    }

    /// Keys held (the metrics' gauge and tests).
    pub fn len(&self) -> usize {
        let held = self.read();
        held.open.len() + held.writing.as_ref().map_or(0, |f| f.writes.len())
    }
}

impl Frozen {
    /// Adds to `b` the writes, in key order, and `state_through`.
    pub fn put(&self, db: &rocksdb::DB, b: &mut WriteBatch) -> Result<(), StoreError> {
        put_sorted(db, b, self.writes.iter().collect())?;
        b.put_cf(
            cf_in(db, cf::METADATA)?,
            meta::STATE_THROUGH,
            hkey(self.upto),
        );
        Ok(())
    }
}

/// Adds `writes` to `b` in key order: RocksDB's memtable inserts a key
/// next to the last one cheaply.
fn put_sorted(
    db: &rocksdb::DB,
    b: &mut WriteBatch,
    mut writes: Vec<(&Vec<u8>, &Value)>,
) -> Result<(), StoreError> {
    writes.sort_unstable_by(|x, y| x.0.cmp(y.0));
    let state = cf_in(db, cf::STATE)?;
    for (k, v) in writes {
        match v {
            Some(v) => b.put_cf(state, k, v),
            None => b.delete_cf(state, k),
        }
    }
    Ok(())
}

impl super::Store {
    /// On opening: the writes of the heights above `state_through`, taken
    /// in again from their redo records (a node stopped before the
    /// checkpoint that would have written them).
    pub(super) fn open_state_window(&self) -> Result<(), StoreError> {
        let last = self.last_height()?.unwrap_or(0);
        let through = self
            .get_height(cf::METADATA, meta::STATE_THROUGH, "state_through")?
            .unwrap_or(last);
        for v in through + 1..=last {
            let writes = self.redo(v)?;
            // The filter of state keys is filled from the family, which
            // does not hold these yet.
            for (k, v) in &writes {
                if v.is_some() {
                    self.state_keys.add(&yui_ledger::commitment::key_hash(k));
                }
            }
            self.state.add(&writes);
        }
        Ok(())
    }

    /// State keys whose newest writes are held in memory (the metrics'
    /// gauge).
    pub fn state_window_keys(&self) -> usize {
        self.state.len()
    }
}

/// `disk`'s records, in key order, with `held` over them: a held value
/// replaces a record or adds one, a held deletion removes one.
pub(super) fn merged<'a>(
    disk: impl Iterator<Item = Result<super::Record, StoreError>> + 'a,
    held: BTreeMap<Vec<u8>, Value>,
) -> impl Iterator<Item = Result<super::Record, StoreError>> + 'a {
    let mut disk = disk.peekable();
    let mut held = held.into_iter().peekable();
    std::iter::from_fn(move || {
        loop {
            let next_held = held.peek().map(|(k, _)| k.as_slice());
            let take_disk = match (disk.peek(), next_held) {
                (None, None) => return None,
                (Some(Err(_)), _) => return disk.next(),
                (Some(Ok((dk, _))), Some(hk)) => match (**dk).cmp(hk) {
                    std::cmp::Ordering::Less => true,
                    std::cmp::Ordering::Equal => {
                        // The held write replaces the record on disk.
                        disk.next();
                        false
                    }
                    std::cmp::Ordering::Greater => false,
                },
                (Some(Ok(_)), None) => true,
                (None, Some(_)) => false,
            };
            if take_disk {
                return disk.next();
            }
            if let Some((k, Some(v))) = held.next() {
                return Some(Ok((k.into_boxed_slice(), v.into_boxed_slice())));
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::history::tests::{Run, all};
    use super::super::tree_writer::Gate;
    use super::*;
    use yui_ledger::StateRead;

    /// The state as every read sees it at `last`: each key read (the
    /// cache emptied first, so memory and disk answer), a scan of all
    /// keys, and every record the snapshots take.
    fn reads_the_model(run: &Run, last: u64) {
        let (s, model) = (&run.store, run.state_at(last));
        s.state_cache.clear();
        for i in 0..=45 {
            let k = format!("k{i}").into_bytes();
            let read = StateRead::get(s, &k);
            assert_eq!(read, Ok(model.get(&k).cloned()), "k{i} at {last}");
        }
        let scanned = s.scan(b"k", b"", usize::MAX).expect("scan");
        let want: Vec<(Vec<u8>, Vec<u8>)> =
            model.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        assert_eq!(scanned, want, "the scan at {last}");
        // Pages of three, each from after the last one's end.
        let mut pages = Vec::new();
        let mut from = Vec::new();
        loop {
            let page = s.scan(b"k", &from, 3).expect("scan");
            let Some((k, _)) = page.last() else { break };
            from = k.clone();
            from.push(0);
            pages.extend(page);
        }
        assert_eq!(pages, want, "the scan in pages at {last}");
        let records: Vec<(Vec<u8>, Vec<u8>)> = (s.state_records().expect("records"))
            .map(|r| r.map(|(k, v)| (k.to_vec(), v.to_vec())).expect("record"))
            .collect();
        assert_eq!(records, want, "the records at {last}");
    }

    /// The `state` family on disk holds the model at `h` exactly.
    fn on_disk(run: &Run, h: u64) {
        let disk: Vec<(Vec<u8>, Vec<u8>)> = all(run, cf::STATE)
            .into_iter()
            .map(|(k, v)| (k.to_vec(), v.to_vec()))
            .collect();
        let model: Vec<(Vec<u8>, Vec<u8>)> = (run.state_at(h).iter())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        assert_eq!(disk, model, "the family holds height {h}'s state");
    }

    fn state_through(run: &Run) -> Option<u64> {
        run.store
            .get_height(cf::METADATA, meta::STATE_THROUGH, "state_through")
            .expect("read")
    }

    #[test]
    fn state_waits_in_memory_for_a_checkpoint_and_a_kill_before_it_loses_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut run = Run::windowed(dir.path(), 40, 8);
        run.commit_to(13);
        // Heights up to 8 were written with the checkpoint of 8; 9 to 13
        // wait in memory, and are read from there.
        on_disk(&run, 8);
        assert_eq!(state_through(&run), Some(8));
        assert!(run.store.state_window_keys() > 0);
        reads_the_model(&run, 13);

        // The checkpoint of 16 is lost with the node, killed before its
        // batch landed: opening takes 9 to 18 in again from the redo
        // records.
        let (tx, rx) = std::sync::mpsc::channel();
        *run.store.writer.gate.lock().expect("gate") = Some(rx);
        run.commit_each(18, false);
        reads_the_model(&run, 18);
        tx.send(Gate::Vanish).expect("send");
        run.reopen(dir.path(), 40);
        assert_eq!(state_through(&run), Some(8));
        on_disk(&run, 8);
        reads_the_model(&run, 18);

        run.commit_to(24);
        on_disk(&run, 24);
        assert_eq!(run.store.state_window_keys(), 0);
        assert_eq!(state_through(&run), Some(24));
        reads_the_model(&run, 24);
        // Every kept height still proves its state (the tree is the same
        // whichever way the records go).
        for h in 0..=24 {
            if run.store.tree_kept(h).expect("kept") {
                assert_eq!(run.proves(h), Ok(()), "height {h}");
            }
        }

        // Opened as an archive, a store writes the writes it held with its
        // next block, and every height's after.
        run.commit_each(27, false);
        run.interval = 1;
        run.reopen(dir.path(), 40);
        assert!(run.store.state_window_keys() > 0, "25 to 27 held");
        reads_the_model(&run, 27);
        run.commit_to(30);
        assert_eq!(run.store.state_window_keys(), 0);
        on_disk(&run, 30);
        assert_eq!(state_through(&run), Some(30));
        reads_the_model(&run, 30);
    }

    #[test]
    fn held_writes_go_over_the_records_on_disk_in_key_order() {
        let rec = |k: &str, v: &str| -> super::super::Record {
            (k.as_bytes().into(), v.as_bytes().into())
        };
        let disk = vec![rec("a", "1"), rec("c", "3"), rec("e", "5")];
        let held: BTreeMap<Vec<u8>, Value> = [
            ("b", Some("2")),
            ("c", Some("33")),
            ("e", None),
            ("f", Some("6")),
            ("g", None),
        ]
        .into_iter()
        .map(|(k, v)| (k.as_bytes().to_vec(), v.map(|v| v.as_bytes().to_vec())))
        .collect();
        let out: Vec<super::super::Record> = merged(disk.into_iter().map(Ok), held)
            .map(|r| r.expect("record"))
            .collect();
        assert_eq!(
            out,
            vec![rec("a", "1"), rec("b", "2"), rec("c", "33"), rec("f", "6")]
        );
    }
}
