//! A checkpoint's tree nodes written as a table file of their own and
//! handed to RocksDB whole (its "ingestion"), instead of through the
//! write-ahead log and the memtable.
//!
//! A checkpoint's nodes are keyed by version first (`tree_keys.rs`), so
//! they sort after every node already stored: one sorted run that RocksDB
//! would otherwise insert key by key into the memtable's skip list, log,
//! and later read back out of the memtable into a table file all the same
//! (its flush). Written here straight into a table file, in key order, the
//! file lands in the family's bottom level, past every other file, and no
//! compaction rewrites it until pruning deletes its nodes. In the store
//! bench that skipped the memtable inserts, the log and the flush of about
//! two nodes per payment (BENCHMARKS.md, "The tree's nodes ingested").
//!
//! Crash safety: RocksDB makes an ingested file durable (synced, and
//! named in its manifest) before the ingestion returns, and the checkpoint's
//! batch (values, the end of the redo records, `tree_through`) is written
//! only after it. A node killed between the two opens at the checkpoint
//! before and writes this one again (`tree_writer.rs`): the same nodes
//! under the same keys, with identical bytes, which RocksDB then holds
//! twice until a compaction keeps the newer copy. A node killed while the
//! file is being written leaves the file behind, unnamed in the manifest:
//! the store removes such files when it opens ([`remove_leftovers`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rocksdb::{DB, IngestExternalFileOptions, Options, SstFileWriter};
use yui_ledger::commitment::{NodePlace, TreeNode};

use super::{StoreError, cf_in};

/// What a file being written is named, in the store's directory: RocksDB
/// takes no file named so for its own (its names start with a number or
/// with one of its own words), so it never deletes one as obsolete.
const PREFIX: &str = "yui-tree-nodes-";

fn file_for(dir: &Path, upto: u64) -> PathBuf {
    dir.join(format!("{PREFIX}{upto}.sst"))
}

/// Removes files a node killed mid-write left in the store's directory.
pub(super) fn remove_leftovers(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().starts_with(PREFIX) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Writes `nodes` (in stored-key order) into one table file with the
/// family's own table options (`options`), and ingests it into
/// `tree_nodes`. `Ok(false)` if there was nothing to write, or if the
/// nodes were not in strictly ascending key order: nothing was ingested
/// then, and the caller writes them in its batch instead.
pub(super) fn ingest<'a>(
    db: &DB,
    options: &Options,
    upto: u64,
    nodes: impl Iterator<Item = (NodePlace, &'a Arc<TreeNode>)>,
) -> Result<bool, StoreError> {
    let path = file_for(db.path(), upto);
    let written = write_file(options, &path, nodes);
    let outcome = match written {
        Ok(true) => {
            let mut o = IngestExternalFileOptions::default();
            // Linked into RocksDB's directory, not copied.
            o.set_move_files(true);
            db.ingest_external_file_cf_opts(
                cf_in(db, super::cf::TREE_NODES)?,
                &o,
                vec![path.as_path()],
            )
            .map(|()| true)
            .map_err(StoreError::from)
        }
        other => other,
    };
    // Moved files are unlinked by RocksDB; anything else goes here.
    let _ = std::fs::remove_file(&path);
    outcome
}

/// The table file itself: `Ok(false)` if empty or out of order.
fn write_file<'a>(
    options: &Options,
    path: &Path,
    nodes: impl Iterator<Item = (NodePlace, &'a Arc<TreeNode>)>,
) -> Result<bool, StoreError> {
    let mut w = SstFileWriter::create(options);
    w.open(path)?;
    let (mut key, mut last, mut bytes) = (Vec::new(), Vec::new(), Vec::with_capacity(1024));
    let mut any = false;
    for (k, n) in nodes {
        key.clear();
        k.write_db_key(&mut key);
        if any && key <= last {
            return Ok(false);
        }
        bytes.clear();
        n.write_to(&mut bytes);
        w.put(&key, &bytes)?;
        std::mem::swap(&mut key, &mut last);
        any = true;
    }
    if !any {
        return Ok(false);
    }
    w.finish()?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::super::Store;
    use super::super::history::tests::Run;
    use super::super::tree_writer::Gate;
    use super::*;

    fn int(store: &Store, property: &str) -> u64 {
        let cf = store.cf(super::super::cf::TREE_NODES).expect("cf");
        store
            .db
            .property_int_value_cf(cf, property)
            .expect("property")
            .expect("a value")
    }

    #[test]
    fn a_checkpoints_nodes_land_in_a_table_file_and_never_in_the_memtable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut run = Run::windowed(dir.path(), 40, 8);
        let genesis = int(&run.store, "rocksdb.num-entries-active-mem-table");
        run.commit_to(24);
        run.store.wait_tree_written().expect("written");
        assert_eq!(run.store.window.through(), 24);
        assert_eq!(
            int(&run.store, "rocksdb.num-entries-active-mem-table"),
            genesis,
            "three checkpoints, and no node through the memtable"
        );
        assert!(int(&run.store, "rocksdb.num-live-versions") >= 1);
        let files: u64 = (0..7)
            .map(|l| int(&run.store, &format!("rocksdb.num-files-at-level{l}")))
            .sum();
        assert!(files >= 3, "a file per checkpoint, {files} files");
        // Each checkpoint, and every height since the one before the last
        // (the replaced nodes of that window are kept in memory).
        for h in [0, 8].into_iter().chain(16..=24) {
            assert_eq!(run.proves(h), Ok(()), "height {h}");
        }
        assert!(
            std::fs::read_dir(dir.path())
                .expect("dir")
                .flatten()
                .all(|e| !e.file_name().to_string_lossy().starts_with(PREFIX)),
            "each file moved into RocksDB's own"
        );
    }

    /// Killed after the file is ingested and before the checkpoint's
    /// batch: the node opens at the checkpoint before, writes this one
    /// again (the same nodes under the same keys), and every root matches
    /// a store that kept every height.
    #[test]
    fn a_kill_between_the_file_and_the_batch_writes_the_same_nodes_again() {
        let [a, b] = [(); 2].map(|_| tempfile::tempdir().expect("tempdir"));
        let mut every = Run::new(a.path(), 60);
        every.commit_to(40);
        let mut run = Run::windowed(b.path(), 60, 8);
        run.commit_to(15);
        let (tx, rx) = std::sync::mpsc::channel();
        *run.store.writer.gate.lock().expect("gate") = Some(rx);
        run.commit_each(20, false);
        tx.send(Gate::IngestOnly).expect("send");
        run.store.wait_tree_written().expect("the file only");
        assert_eq!(run.store.window.through(), 8, "the batch never landed");
        // A file left half-written by a kill goes when the store opens.
        let stray = file_for(b.path(), 16);
        std::fs::write(&stray, b"torn").expect("write");
        run.reopen(b.path(), 60);
        assert!(!stray.exists(), "the torn file is removed");
        assert_eq!(run.store.window.through(), 16, "written again on opening");
        run.commit_to(40);
        for h in 0..=40 {
            assert_eq!(run.root(h), every.root(h), "root of height {h}");
        }
        for h in [16, 24].into_iter().chain(32..=40) {
            assert_eq!(run.proves(h), Ok(()), "height {h}");
        }
    }

    #[test]
    fn nodes_out_of_key_order_are_not_ingested() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("open");
        let node = Arc::new(TreeNode::Null);
        let place = |v| NodePlace::new(v, yui_ledger::commitment::Nibbles::ROOT);
        let nodes = [(place(9), &node), (place(8), &node)];
        let ingested = ingest(&store.db, &store.nodes_options, 9, nodes.into_iter());
        assert!(matches!(ingested, Ok(false)), "{ingested:?}");
        assert!(!file_for(dir.path(), 9).exists());
        assert_eq!(
            ingest(&store.db, &store.nodes_options, 9, std::iter::empty()).ok(),
            Some(false)
        );
        let one = [(place(9), &node)];
        assert_eq!(
            ingest(&store.db, &store.nodes_options, 9, one.into_iter()).ok(),
            Some(true)
        );
        use yui_ledger::commitment::NodeRead;
        assert_eq!(
            store.node(&place(9)).expect("read").as_deref(),
            Some(&TreeNode::Null)
        );
    }
}
