//! How tree nodes are keyed in RocksDB: the version first, big-endian, then
//! the node's nibble path (its borsh bytes), so a block's new nodes sort
//! after every older node and the oldest versions, which pruning deletes,
//! sort first.
//!
//! Keyed by jmt's borsh encoding (`jmt_nodes`, the version little-endian),
//! each block's nodes landed all over the key space: every flush overlapped
//! every table of the family, and RocksDB rewrote the whole tree's history
//! again and again as it compacted (BENCHMARKS.md, the soak). In version
//! order a flush lands past the existing tables and compaction mostly moves
//! files instead of rewriting them.
//!
//! A store written with the old keys is converted when it is opened
//! (`migrate`), once.

use std::sync::Arc;

use rocksdb::{IteratorMode, WriteBatch};
use yui_ledger::commitment::NodePlace;

use super::{Store, StoreError, cf, history, meta};

/// The family tree nodes were kept in before they were keyed by version.
pub const LEGACY_NODES: &str = "jmt_nodes";

/// Nodes converted per write while migrating.
const MIGRATE_BATCH: usize = 50_000;

/// A node's key in `tree_nodes`: version (u64 BE), then its nibble path.
pub fn node_db_key(k: &NodePlace) -> Vec<u8> {
    k.db_key()
}

/// The node place a `tree_nodes` key stands for.
#[cfg(test)]
pub fn node_key_of(db_key: &[u8]) -> Result<NodePlace, StoreError> {
    NodePlace::from_db_key(db_key).map_err(|what| StoreError::Corrupt {
        cf: cf::TREE_NODES,
        what,
    })
}

/// A node place from jmt's borsh bytes of its key (the old keys).
fn legacy_place(bytes: &[u8], cf: &'static str) -> Result<NodePlace, StoreError> {
    NodePlace::from_jmt_bytes(bytes).map_err(|e| StoreError::Corrupt {
        cf,
        what: format!("old node key: {e}"),
    })
}

impl Store {
    /// Converts a store keyed the old way: every node of `jmt_nodes` is
    /// written to `tree_nodes` under its new key, the pruning records that
    /// name nodes are rewritten, then the old family is dropped. A crash
    /// part way leaves the old family in place and the next open starts
    /// again (writing a node twice is harmless; the records are converted
    /// in one batch that also marks them done).
    pub(super) fn migrate_tree_keys(&mut self) -> Result<(), StoreError> {
        if self.db.cf_handle(LEGACY_NODES).is_none() {
            return Ok(());
        }
        let moved = self.convert_legacy()?;
        // Opening: nothing else holds the database yet.
        Arc::get_mut(&mut self.db)
            .ok_or_else(|| StoreError::Invalid("the store is shared while it opens".into()))?
            .drop_cf(LEGACY_NODES)?;
        tracing::info!(nodes = moved, "state tree nodes re-keyed by version");
        Ok(())
    }

    /// [`Self::migrate_tree_keys`] but the drop; returns the nodes moved.
    fn convert_legacy(&self) -> Result<u64, StoreError> {
        let legacy = self.cf(LEGACY_NODES)?;
        let nodes = self.cf(cf::TREE_NODES)?;
        let mut b = WriteBatch::default();
        let mut moved = 0u64;
        for item in self.db.iterator_cf(legacy, IteratorMode::Start) {
            let (k, v) = item?;
            let key = legacy_place(&k, cf::TREE_NODES)?;
            b.put_cf(nodes, node_db_key(&key), v);
            moved += 1;
            if b.len() >= MIGRATE_BATCH {
                self.db.write(std::mem::take(&mut b))?;
            }
        }
        let md = self.cf(cf::METADATA)?;
        if self
            .get(cf::METADATA, meta::TREE_KEYS_BY_VERSION)?
            .is_none()
        {
            let stale = self.cf(cf::JMT_STALE)?;
            for item in self.db.iterator_cf(stale, IteratorMode::Start) {
                let (k, _) = item?;
                if let Some(rest) = history::node_record_rest(&k) {
                    let key = legacy_place(rest, cf::JMT_STALE)?;
                    b.delete_cf(stale, &k);
                    b.put_cf(stale, history::with_rest(&k, &node_db_key(&key)), []);
                }
            }
        }
        b.put_cf(md, meta::TREE_KEYS_BY_VERSION, []);
        self.write_sync(b)?;
        Ok(moved)
    }
}

#[cfg(test)]
mod tests {
    use rocksdb::{DB, Options};

    use super::super::history::tests::Run;
    use super::*;

    /// Every (key, value) of a family, in order.
    fn all(store: &Store, name: &'static str) -> Vec<(Vec<u8>, Vec<u8>)> {
        let cf = store.cf(name).expect("cf");
        store
            .db
            .iterator_cf(cf, IteratorMode::Start)
            .map(|i| i.map(|(k, v)| (k.to_vec(), v.to_vec())).expect("read"))
            .collect()
    }

    #[test]
    fn nodes_sort_by_version_and_keys_round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut run = Run::new(dir.path(), 0);
        run.commit_to(40);
        let nodes = all(&run.store, cf::TREE_NODES);
        let versions: Vec<u64> = nodes
            .iter()
            .map(|(k, _)| node_key_of(k).expect("key").version)
            .collect();
        assert!(versions.windows(2).all(|w| w[0] <= w[1]), "{versions:?}");
        assert_eq!(versions.last(), Some(&40));
        for (k, _) in &nodes {
            assert_eq!(&node_db_key(&node_key_of(k).expect("key")), k);
        }
        assert!(node_key_of(&[1, 2, 3]).is_err(), "a short key decodes");
    }

    #[test]
    fn a_store_keyed_the_old_way_is_converted_when_opened() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut run = Run::new(dir.path(), 16);
        run.commit_to(60);
        // A store of before kept a pruning record per replaced entry.
        history::tests::one_record_per_entry(&run.store);
        let (nodes, stale) = (
            all(&run.store, cf::TREE_NODES),
            all(&run.store, cf::JMT_STALE),
        );
        assert!(
            stale
                .iter()
                .any(|(k, _)| history::node_record_rest(k).is_some())
        );
        // Rewrite it as a store of before: nodes under jmt's borsh keys in
        // the old family, the pruning records naming those keys.
        let old = |k: &[u8]| node_key_of(k).expect("key").to_jmt_bytes();
        run.store.wait_tree_written().expect("written");
        Arc::get_mut(&mut run.store.db)
            .expect("the only holder")
            .create_cf(LEGACY_NODES, &Options::default())
            .expect("create");
        let mut b = WriteBatch::default();
        let (legacy, new) = (
            run.store.cf(LEGACY_NODES).expect("cf"),
            run.store.cf(cf::TREE_NODES).expect("cf"),
        );
        for (k, v) in &nodes {
            b.put_cf(legacy, old(k), v);
            b.delete_cf(new, k);
        }
        let stale_cf = run.store.cf(cf::JMT_STALE).expect("cf");
        for (k, _) in &stale {
            if let Some(rest) = history::node_record_rest(k) {
                b.delete_cf(stale_cf, k);
                b.put_cf(stale_cf, history::with_rest(k, &old(rest)), []);
            }
        }
        run.store.write_sync(b).expect("write");
        assert!(all(&run.store, cf::TREE_NODES).is_empty());

        run.reopen(dir.path(), 16);
        let families = DB::list_cf(&Options::default(), dir.path()).expect("list");
        assert!(!families.iter().any(|n| n == LEGACY_NODES), "{families:?}");
        assert_eq!(all(&run.store, cf::TREE_NODES), nodes);
        assert_eq!(all(&run.store, cf::JMT_STALE), stale);
        for h in 45..=60 {
            assert_eq!(run.proves(h), Ok(()), "height {h} after conversion");
        }
        // Pruning goes on over the converted records.
        run.commit_to(100);
        for h in 85..=100 {
            assert_eq!(run.proves(h), Ok(()), "height {h}");
        }
        assert!(run.proves(70).is_err(), "height 70 was not pruned");
        assert!(run.count(cf::TREE_NODES) < nodes.len() * 2);
        // Heights 61 to 100 recorded what they replaced the new way, one
        // record a height, and pruning read those too.
        assert!(
            all(&run.store, cf::JMT_STALE)
                .iter()
                .all(|(k, _)| u64::from_be_bytes(k[..8].try_into().expect("height")) > 85),
            "a record of a pruned height is left"
        );
    }
}
