//! RocksDB storage. One column family per kind of record; a committed block,
//! its certificate, state changes, receipts and the state tree's redo
//! record go to disk in one synced `WriteBatch`, so a node killed at any
//! instant restarts at its last committed block with nothing half-written.
//! The tree's nodes and values, and the transaction and account indexes,
//! follow every few heights, in a synced batch of their own
//! (`tree_window.rs`, `tree_writer.rs`, `index_window.rs`).
//!
//! Failure contract: a read or write error from RocksDB is returned as
//! [`StoreError`]; the node stops rather than continue on a store it cannot
//! trust. Nothing here panics on what is read back: undecodable records are
//! reported as corruption.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use borsh::{BorshDeserialize, BorshSerialize};
use rocksdb::{
    ColumnFamilyDescriptor, DB, Direction, IteratorMode, Options, WriteBatch, WriteOptions,
};
use yui_consensus::CommitCertificate;
use yui_ledger::Block;
use yui_ledger::commitment::{TreeChange, value_key};
use yui_ledger::exec::BlockOutcome;

/// Column families.
pub mod cf {
    /// height (u64 BE) → block (borsh)
    pub const BLOCKS: &str = "blocks";
    /// height (u64 BE) → commit certificate (borsh)
    pub const CERTIFICATES: &str = "certificates";
    /// block hash → height (u64 BE)
    pub const BLOCK_INDEX: &str = "block_index";
    /// tx hash → (height, index) (borsh)
    pub const TX_INDEX: &str = "tx_index";
    /// height BE → the block's receipts (`receipts.rs`; older stores:
    /// (height BE, index BE) → receipt); (height BE, u32::MAX BE) → the
    /// block-start events
    pub const RECEIPTS: &str = "receipts";
    /// (address, height BE) → the indexes at that height (borsh `Vec<u32>`):
    /// each account's history (`account_index.rs`; older stores also hold
    /// (address, height BE, index BE) → (), one key per entry)
    pub const ACCOUNT_INDEX: &str = "account_index";
    /// state key → value: the latest state
    pub const STATE: &str = "state";
    /// tree node key (version BE, nibble path; `tree_keys.rs`) → node (borsh)
    pub const TREE_NODES: &str = "tree_nodes";
    /// (key hash, version BE) → value (borsh Option)
    pub const JMT_VALUES: &str = "jmt_values";
    /// named records: last height, genesis, consensus state, evidence
    pub const METADATA: &str = "metadata";
    /// (height BE, block hash) → block (borsh): blocks proposed or validated
    /// at heights not yet committed, so a restarted validator can still
    /// commit the block it is locked on
    pub const PENDING_BLOCKS: &str = "pending_blocks";
    /// (height BE, kind, key) → () : a tree node or value that height
    /// replaced, deleted once no kept height reads it (`history.rs`)
    pub const JMT_STALE: &str = "jmt_stale";
    /// height (u64 BE) → its state writes (borsh), kept until the write
    /// of the state tree after next (`tree_window.rs`)
    pub const TREE_REDO: &str = "tree_redo";

    pub const ALL: [&str; 13] = [
        BLOCKS,
        CERTIFICATES,
        BLOCK_INDEX,
        TX_INDEX,
        RECEIPTS,
        ACCOUNT_INDEX,
        STATE,
        TREE_NODES,
        JMT_VALUES,
        METADATA,
        PENDING_BLOCKS,
        JMT_STALE,
        TREE_REDO,
    ];
}

/// Keys in the metadata column family.
pub mod meta {
    pub const LAST_HEIGHT: &[u8] = b"last_height";
    pub const GENESIS_JSON: &[u8] = b"genesis_json";
    pub const CONSENSUS_STATE: &[u8] = b"consensus_state";
    pub const EVIDENCE_PREFIX: &[u8] = b"evidence/";
    /// The lowest block held (u64 BE): a node started from a snapshot of
    /// height N holds no block below N. Absent: every block from 1.
    pub const BASE_HEIGHT: &[u8] = b"base_height";
    /// The `V` record of the state before the base block (borsh validator
    /// infos): the set that certified it, which the store does not hold.
    pub const BASE_VALIDATORS: &[u8] = b"base_validators";
    /// The height (u64 BE) at or below which every replaced tree entry has
    /// been deleted.
    pub const PRUNED_THROUGH: &[u8] = b"pruned_through";
    /// Present once a store keyed the old way has had its pruning records
    /// converted to version-ordered node keys (`tree_keys.rs`).
    pub const TREE_KEYS_BY_VERSION: &[u8] = b"tree_keys_by_version";
    /// The newest height (u64 BE) whose state tree is entirely in
    /// `tree_nodes` (`tree_window.rs`). Absent: the last height.
    pub const TREE_THROUGH: &[u8] = b"tree_through";
    /// The write of the state tree before `tree_through` (u64 BE): redo
    /// records are kept from above it. Absent: `tree_through`.
    pub const TREE_PREVIOUS: &[u8] = b"tree_previous";
    /// The last checkpoint of the tree a commit called for (written beside
    /// the chain; above `tree_through` until its batch lands).
    pub const TREE_DUE: &[u8] = b"tree_due";
    /// The newest height (u64 BE) up to which the transaction index and
    /// account history are on disk (`index_window.rs`). Absent: the last
    /// height.
    pub const INDEX_THROUGH: &[u8] = b"index_through";
}

/// Index used for a block's start events in `receipts` and `account_index`.
pub const BEGIN_EVENTS_INDEX: u32 = u32::MAX;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage error: {0}")]
    Db(#[from] rocksdb::Error),
    #[error("corrupt record in {cf}: {what}")]
    Corrupt { cf: &'static str, what: String },
    #[error("{0}")]
    Invalid(String),
}

/// A state record: key and value.
pub type Record = (Box<[u8]>, Box<[u8]>);

/// A verified snapshot, ready to become this store's head in one batch.
pub struct Imported<'a> {
    pub genesis_json: &'a str,
    pub block: &'a Block,
    pub certificate: &'a CommitCertificate,
    /// Every state record at the block's height (all `Some`).
    pub records: &'a yui_ledger::WriteSet,
    /// The state tree rebuilt at the block's height.
    pub tree: &'a TreeChange,
    /// The `V` record that certified the block.
    pub validators_record: &'a [u8],
}

/// Block-start events of one block, stored beside its receipts.
#[derive(Debug, Clone, BorshSerialize, BorshDeserialize)]
pub struct BeginEvents {
    pub events: Vec<yui_ledger::Event>,
}

pub struct Store {
    db: Arc<DB>,
    /// Heights of state tree kept provable; 0: all (`history.rs`).
    state_history: u64,
    versions: Arc<history::Versions>,
    /// The tree's upper internal nodes, newest version of each.
    top: top_nodes::TopNodes,
    /// Heights between writes of the state tree (`tree_window.rs`).
    tree_interval: u64,
    /// The heights of checkpoints: those at this remainder of `tree_interval`.
    tree_offset: u64,
    /// The tree's versions above its last write.
    window: Arc<tree_window::TreeWindow>,
    /// The tree's checkpoint being written beside the chain.
    writer: tree_writer::Writer,
    /// Opened with versions above the last checkpoint, none written since.
    reopened: std::sync::atomic::AtomicBool,
    /// The newest values of recently used state keys.
    state_cache: state_cache::StateCache,
    /// Which keys the `state` family may hold.
    state_keys: Arc<state_keys::StateKeys>,
    /// The size of the last commit's batch, to size the next one's.
    batch_bytes: std::sync::atomic::AtomicUsize,
    /// The transaction index and account history of the heights whose
    /// indexes are not yet on disk.
    index: Arc<index_window::IndexWindow>,
}

mod account_index;
use options::cf_options;
#[cfg(test)]
use options::memtable_bytes;
pub use options::{BLOCK_CACHE_BYTES, MEMTABLES_BYTES, WAL_BYTES};
mod history;
mod index_window;
use index_window::HeightIndex;
mod options;
mod reader;
mod receipts;
mod records;
mod state_cache;
mod state_keys;
mod top_nodes;
mod tree_keys;
mod tree_values;
mod tree_versions;
mod tree_window;
mod tree_writer;
pub use history::STATE_HISTORY_MIN;
use tree_keys::node_db_key;
pub use tree_window::TREE_INTERVAL;

fn hkey(height: u64) -> [u8; 8] {
    height.to_be_bytes()
}

fn rkey(height: u64, index: u32) -> [u8; 12] {
    let mut k = [0u8; 12];
    k[..8].copy_from_slice(&height.to_be_bytes());
    k[8..].copy_from_slice(&index.to_be_bytes());
    k
}

fn decode<T: BorshDeserialize>(cf: &'static str, b: &[u8]) -> Result<T, StoreError> {
    borsh::from_slice(b).map_err(|e| StoreError::Corrupt {
        cf,
        what: e.to_string(),
    })
}

/// Heights below a committed one whose kept proposed blocks its commit
/// also removes (a proposal saved just as its height was committed).
const PENDING_LOOKBACK: u64 = 8;

/// The column family `name` of `db`.
fn cf_in<'a>(db: &'a DB, name: &'static str) -> Result<&'a rocksdb::ColumnFamily, StoreError> {
    db.cf_handle(name)
        .ok_or_else(|| StoreError::Invalid(format!("column family {name} missing")))
}

/// Writes `batch` to `db` and syncs the write-ahead log.
fn write_sync(db: &DB, batch: WriteBatch) -> Result<(), StoreError> {
    let mut wo = WriteOptions::default();
    wo.set_sync(true);
    db.write_opt(batch, &wo)?;
    Ok(())
}

impl Store {
    /// Opens (or creates) the store at `path` with the default block cache.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with_cache(path, BLOCK_CACHE_BYTES)
    }

    /// [`Self::open`] with a block cache of `cache_bytes`.
    pub fn open_with_cache(path: &Path, cache_bytes: usize) -> Result<Self, StoreError> {
        let mut opts = Options::default();
        opts.create_if_missing(true);
        opts.create_missing_column_families(true);
        // At most 256 table files open at once: a node also holds sockets
        // for its peers and its wallets' connections, under what is often a
        // limit of 1,024 descriptors a process. Past 256 files RocksDB
        // closes the least used and opens it again when read (its index and
        // filter read again too).
        opts.set_max_open_files(256);
        // Flushes and compactions on both cores' background threads.
        opts.increase_parallelism(2);
        opts.set_max_background_jobs(2);
        opts.set_db_write_buffer_size(MEMTABLES_BYTES);
        opts.set_max_total_wal_size(WAL_BYTES);
        let cache = rocksdb::Cache::new_lru_cache(cache_bytes);
        // A store written before tree nodes were keyed by version still has
        // their old family: it is opened too, and converted.
        let legacy = DB::list_cf(&opts, path)
            .unwrap_or_default()
            .iter()
            .any(|n| n == tree_keys::LEGACY_NODES);
        let cfs = cf::ALL
            .iter()
            .chain(legacy.then_some(&tree_keys::LEGACY_NODES))
            .map(|n| ColumnFamilyDescriptor::new(*n, cf_options(n, &cache)));
        let db = Arc::new(DB::open_cf_descriptors(&opts, path, cfs)?);
        let state_keys = state_keys::StateKeys::open(&db)?;
        let mut store = Self {
            db,
            state_history: 0,
            versions: Default::default(),
            top: Default::default(),
            tree_interval: 1,
            tree_offset: 0,
            window: Default::default(),
            writer: Default::default(),
            reopened: Default::default(),
            state_cache: Default::default(),
            state_keys,
            batch_bytes: Default::default(),
            index: Default::default(),
        };
        store.migrate_tree_keys()?;
        store.open_tree_window()?;
        store.open_index_window()?;
        Ok(store)
    }

    /// A consistent copy of the store in `to` (which must not exist), made
    /// by RocksDB's checkpoint: memtables flushed, table files hard-linked
    /// where the file system allows. Another node may open it as its own
    /// store (`yui-devnet year` gives each node the same chain this way).
    pub fn checkpoint(&self, to: &Path) -> Result<(), StoreError> {
        self.writer.wait()?;
        rocksdb::checkpoint::Checkpoint::new(&*self.db)?.create_checkpoint(to)?;
        Ok(())
    }

    /// Bytes the state cache holds (the metrics' gauge).
    pub fn state_cache_bytes(&self) -> u64 {
        self.state_cache.weight()
    }

    /// Bytes RocksDB holds: SST files and memtables of every column family
    /// (RocksDB's own estimates; 0 for a property it cannot give).
    pub fn size_bytes(&self) -> u64 {
        cf::ALL
            .iter()
            .filter_map(|n| self.db.cf_handle(n))
            .map(|h| {
                [
                    "rocksdb.total-sst-files-size",
                    "rocksdb.size-all-mem-tables",
                ]
                .iter()
                .map(|p| {
                    self.db
                        .property_int_value_cf(h, *p)
                        .ok()
                        .flatten()
                        .unwrap_or(0)
                })
                .sum::<u64>()
            })
            .sum()
    }

    /// RocksDB's flush and compaction statistics of each column family
    /// (its `rocksdb.cfstats-no-file-histogram` text), for benchmarks.
    pub fn family_stats(&self) -> Vec<(&'static str, String)> {
        cf::ALL
            .iter()
            .filter_map(|n| {
                let h = self.db.cf_handle(n)?;
                let text = self
                    .db
                    .property_value_cf(h, "rocksdb.cfstats-no-file-histogram")
                    .ok()
                    .flatten()?;
                Some((*n, text))
            })
            .collect()
    }

    fn cf(&self, name: &'static str) -> Result<&rocksdb::ColumnFamily, StoreError> {
        cf_in(&self.db, name)
    }

    /// What writing a tree's checkpoint needs of the store (taken once per
    /// checkpoint).
    fn checkpoint_disk(&self) -> tree_writer::TreeDisk {
        tree_writer::TreeDisk {
            db: self.db.clone(),
            versions: self.versions.clone(),
            window: self.window.clone(),
            index: self.index.clone(),
            state_history: self.state_history,
            reopened: self.reopened.swap(false, Ordering::Relaxed),
        }
    }

    /// Waits until the tree's checkpoint being written, if any, is on disk.
    pub fn wait_tree_written(&self) -> Result<(), StoreError> {
        self.writer.wait()
    }

    fn get(&self, name: &'static str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.db.get_cf(self.cf(name)?, key)?)
    }

    /// A height record (u64 big-endian) under `key`; `what` names it if
    /// it is not eight bytes.
    fn get_height(
        &self,
        name: &'static str,
        key: &[u8],
        what: &str,
    ) -> Result<Option<u64>, StoreError> {
        self.get(name, key)?
            .map(|b| {
                b.as_slice()
                    .try_into()
                    .map(u64::from_be_bytes)
                    .map_err(|_| StoreError::Corrupt {
                        cf: name,
                        what: what.into(),
                    })
            })
            .transpose()
    }

    fn put_sync(&self, name: &'static str, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        let mut b = WriteBatch::default();
        b.put_cf(self.cf(name)?, key, value);
        self.write_sync(b)
    }

    fn write_sync(&self, batch: WriteBatch) -> Result<(), StoreError> {
        write_sync(&self.db, batch)
    }

    /// Height of the last committed block; `None` before genesis is written.
    pub fn last_height(&self) -> Result<Option<u64>, StoreError> {
        self.get_height(cf::METADATA, meta::LAST_HEIGHT, "last_height")
    }

    /// The lowest block this store holds, when it started from a snapshot;
    /// 0 when it holds the chain from genesis.
    pub fn base_height(&self) -> Result<u64, StoreError> {
        Ok(self
            .get_height(cf::METADATA, meta::BASE_HEIGHT, "base_height")?
            .unwrap_or(0))
    }

    /// The `V` record that certified the base block (see [`meta::BASE_VALIDATORS`]).
    pub fn base_validators(&self) -> Result<Option<Vec<u8>>, StoreError> {
        self.get(cf::METADATA, meta::BASE_VALIDATORS)
    }

    /// Every record of the latest state, in key order.
    pub fn state_records(
        &self,
    ) -> Result<impl Iterator<Item = Result<Record, StoreError>> + '_, StoreError> {
        Ok(self
            .db
            .iterator_cf(self.cf(cf::STATE)?, IteratorMode::Start)
            .map(|r| r.map_err(StoreError::from)))
    }

    /// Makes a verified snapshot the head, in one synced batch: the state
    /// records, the tree at the block's height, the block, its certificate,
    /// the genesis, `last_height` and the base height. Refused on a store
    /// that holds any block. What a store holding only genesis had (its
    /// state, tree and consensus state) is removed in the same batch.
    pub fn import_snapshot(&self, s: &Imported<'_>) -> Result<(), StoreError> {
        if let Some(h) = self.last_height()?.filter(|h| *h > 0) {
            return Err(StoreError::Invalid(format!(
                "the store already holds blocks up to height {h}"
            )));
        }
        self.writer.wait()?;
        let h = s.block.header.height;
        let mut b = WriteBatch::default();
        for name in [
            cf::STATE,
            cf::TREE_NODES,
            cf::JMT_VALUES,
            cf::JMT_STALE,
            cf::PENDING_BLOCKS,
            cf::TREE_REDO,
        ] {
            let handle = self.cf(name)?;
            for item in self.db.iterator_cf(handle, IteratorMode::Start) {
                let (k, _) = item?;
                b.delete_cf(handle, k);
            }
        }
        let md = self.cf(cf::METADATA)?;
        b.delete_cf(md, meta::CONSENSUS_STATE);
        b.delete_cf(md, meta::PRUNED_THROUGH);
        self.put_state(&mut b, s.records, s.tree, true)?;
        self.put_tree_through(&mut b, h)?;
        b.put_cf(self.cf(cf::BLOCKS)?, hkey(h), s.block.to_bytes());
        b.put_cf(
            self.cf(cf::CERTIFICATES)?,
            hkey(h),
            borsh::to_vec(s.certificate).unwrap_or_default(),
        );
        b.put_cf(self.cf(cf::BLOCK_INDEX)?, s.block.hash(), hkey(h));
        b.put_cf(md, meta::GENESIS_JSON, s.genesis_json.as_bytes());
        b.put_cf(md, meta::BASE_HEIGHT, hkey(h));
        b.put_cf(md, meta::BASE_VALIDATORS, s.validators_record);
        b.put_cf(md, meta::LAST_HEIGHT, hkey(h));
        b.put_cf(md, meta::INDEX_THROUGH, hkey(h));
        self.write_sync(b)?;
        self.state_cache.clear();
        self.index.clear();
        self.tree_written_through(h);
        Ok(())
    }

    pub fn genesis_json(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .get(cf::METADATA, meta::GENESIS_JSON)?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    }

    /// Writes the genesis state as version 0, atomically.
    pub fn init_genesis(
        &self,
        json: &str,
        writes: &yui_ledger::WriteSet,
        tree: &TreeChange,
    ) -> Result<(), StoreError> {
        self.writer.wait()?;
        let mut b = WriteBatch::default();
        self.put_state(&mut b, writes, tree, true)?;
        self.put_tree_through(&mut b, 0)?;
        b.put_cf(self.cf(cf::METADATA)?, meta::GENESIS_JSON, json.as_bytes());
        b.put_cf(self.cf(cf::METADATA)?, meta::LAST_HEIGHT, hkey(0));
        b.put_cf(self.cf(cf::METADATA)?, meta::INDEX_THROUGH, hkey(0));
        self.write_sync(b)?;
        self.state_cache.clear();
        self.index.clear();
        self.tree_written_through(0);
        Ok(())
    }

    /// Adds the state writes to `b`, and the tree's nodes and values if
    /// `whole` (a commit leaves those to `put_tree`).
    fn put_state(
        &self,
        b: &mut WriteBatch,
        writes: &yui_ledger::WriteSet,
        tree: &TreeChange,
        whole: bool,
    ) -> Result<(), StoreError> {
        let state = self.cf(cf::STATE)?;
        for (k, v) in writes {
            match v {
                Some(v) => b.put_cf(state, k, v),
                None => b.delete_cf(state, k),
            }
        }
        // The filter of state keys takes the new keys before the batch is
        // written: a read meanwhile may find a key in the filter and not
        // yet in RocksDB, never the other way round. A commit's tree
        // change holds every written key's hash (its root depends on
        // them), so they are not hashed again.
        if whole {
            for (k, v) in writes {
                if v.is_some() {
                    self.state_keys.add(&yui_ledger::commitment::key_hash(k));
                }
            }
        } else {
            for (kh, v) in &tree.values {
                if v.is_some() && !tree.may_have_existed(kh) {
                    self.state_keys.add(kh);
                }
            }
        }
        if !whole {
            return Ok(());
        }
        let nodes = self.cf(cf::TREE_NODES)?;
        for (k, n) in &tree.nodes {
            b.put_cf(nodes, node_db_key(k), n.to_bytes());
        }
        let values = self.cf(cf::JMT_VALUES)?;
        for (kh, v) in &tree.values {
            b.put_cf(
                values,
                value_key(kh, tree.version),
                borsh::to_vec(v).unwrap_or_default(),
            );
        }
        Ok(())
    }

    /// Commits a block with everything it changed, in one synced batch;
    /// returns the size of the stored block.
    pub fn commit_block(
        &self,
        block: &Block,
        cert: &CommitCertificate,
        outcome: &BlockOutcome,
        tree: &TreeChange,
    ) -> Result<usize, StoreError> {
        let h = block.header.height;
        // A checkpoint whose write failed stops the node here, before
        // another block commits on top of it.
        self.writer.check()?;
        let expected = self.last_height()?.map_or(0, |l| l + 1);
        if h != expected {
            return Err(StoreError::Invalid(format!(
                "commit of height {h}, expected {expected}"
            )));
        }
        // A block's batch holds a megabyte or two at full load: allocated
        // at about the last one's size, it is not copied as it grows.
        let last = self.batch_bytes.load(Ordering::Relaxed);
        let mut b = WriteBatch::with_capacity_bytes(last + last / 4);
        self.put_state(&mut b, &outcome.writes, tree, false)?;
        let written = self.put_tree(&mut b, h, &outcome.writes, tree)?;
        let checkpoint = written.checkpoint;
        self.record_and_prune(&mut b, h, written.nodes, written.values)?;
        let bytes = block.to_bytes();
        let size = bytes.len();
        b.put_cf(self.cf(cf::BLOCKS)?, hkey(h), bytes);
        b.put_cf(
            self.cf(cf::CERTIFICATES)?,
            hkey(h),
            borsh::to_vec(cert).unwrap_or_default(),
        );
        b.put_cf(self.cf(cf::BLOCK_INDEX)?, block.hash(), hkey(h));
        let rc = self.cf(cf::RECEIPTS)?;
        if !outcome.begin_events.is_empty() {
            let be = BeginEvents {
                events: outcome.begin_events.clone(),
            };
            b.put_cf(
                rc,
                rkey(h, BEGIN_EVENTS_INDEX),
                borsh::to_vec(&be).unwrap_or_default(),
            );
        }
        let indexed = HeightIndex::new(h, &block.txs, &outcome.receipts, &outcome.begin_events);
        // An archive writes the indexes in the block's batch; a store with
        // a window, with the tree's checkpoints (`index_window.rs`).
        let indexed = if self.tree_interval == 1 {
            self.index.with_open(indexed).put(&self.db, &mut b)?;
            None
        } else {
            Some(indexed)
        };
        if !outcome.receipts.is_empty() {
            b.put_cf(rc, hkey(h), receipts::record(&outcome.receipts));
        }
        b.put_cf(self.cf(cf::METADATA)?, meta::LAST_HEIGHT, hkey(h));
        // The blocks kept for this height (and any stragglers of the last
        // few) go, each by its key. Not a range delete: every block would
        // add a range tombstone to the memtable, and reads there fragment all
        // of them (a store of tens of thousands of blocks slowed to a crawl).
        // Starting at a recent height, the scan never walks over the point
        // tombstones of earlier commits.
        let pending = self.cf(cf::PENDING_BLOCKS)?;
        let from = hkey(h.saturating_sub(PENDING_LOOKBACK));
        for item in self
            .db
            .iterator_cf(pending, IteratorMode::From(&from, Direction::Forward))
        {
            let (k, _) = item?;
            if k.get(..8).is_none_or(|p| p > &hkey(h)[..]) {
                break;
            }
            b.delete_cf(pending, k);
        }
        self.batch_bytes.store(b.size_in_bytes(), Ordering::Relaxed);
        self.write_sync(b)?;
        // Before the state: whoever reads the new nonces finds the
        // transactions that used them.
        match indexed {
            Some(indexed) => self.index.add(indexed),
            None => self.index.written(h),
        }
        self.state_cache.committed(&outcome.writes);
        self.tree_committed(h, checkpoint, tree)?;
        Ok(size)
    }
}

impl Drop for Store {
    /// A checkpoint being written is finished first: the store closes
    /// with it on disk, or as it was before it.
    fn drop(&mut self) {
        self.state_keys.close();
        if let Err(e) = self.writer.wait() {
            tracing::error!(error = %e, "the tree's last checkpoint was not written");
        }
    }
}

#[cfg(test)]
mod tests;
