//! The transaction index and each account's history, written behind the
//! chain with the state tree's checkpoints.
//!
//! A payment adds a key to `tx_index` (its hash) and a record to
//! `account_index` for each account it concerns at its height. Both are
//! keyed at random, so written in each block's batch every key was an
//! insert far from the last one in a memtable skip list of tens of
//! thousands of mostly cold nodes: under load that search was most of
//! the commit's memtable work (docs/bench/journal/6-2026-12-07-night-to-late-evening.md,
//! "The state and the indexes written behind the chain").
//!
//! Neither is consensus state, and both can be derived again from what
//! the commit's batch does hold, the block and its receipts. So:
//!
//! - A committed height's entries wait in memory ([`IndexWindow`]), and
//!   every checkpoint of the tree (`tree_writer.rs`) writes those up to
//!   its height in its own synced batch, each family's keys in one sorted
//!   run (sixteen heights' hashes are about sixteen times closer together
//!   in the skip list), with `index_through`.
//! - Reads look in memory first (the heights not yet written, then those
//!   being written), then on disk. A height leaves memory only once its
//!   batch is on disk, so every committed entry is always in one place or
//!   the other, or both for a moment (a history read drops the repeats).
//! - A node killed before a checkpoint's batch lands has every block and
//!   receipt above `index_through` on disk: opening indexes them again.
//! - An archive (a tree written at every height) writes each height's
//!   entries in its block's batch, as before, with any indexed again on
//!   opening.

use std::sync::{Arc, Mutex, MutexGuard};

use rocksdb::WriteBatch;
use yui_ledger::{Address, Event, Hash, Receipt, SignedTransaction};

use super::{BEGIN_EVENTS_INDEX, StoreError, account_index::record_key, cf, cf_in, hkey, meta};

/// One committed height's entries.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct HeightIndex {
    height: u64,
    /// (transaction hash, index), by hash.
    txs: Vec<(Hash, u32)>,
    /// (account, its indexes at this height ascending, the block-start
    /// events' last), by account.
    accounts: Vec<(Address, Vec<u32>)>,
}

impl HeightIndex {
    /// The entries of height `height`, from its transactions, their
    /// receipts and its block-start events.
    pub fn new(
        height: u64,
        txs: &[SignedTransaction],
        receipts: &[Receipt],
        begin_events: &[Event],
    ) -> Self {
        let located = receipts.iter().map(|r| (r.tx_hash, r.index)).collect();
        let mut concerned: Vec<(Address, u32)> = Vec::with_capacity(txs.len() * 2);
        for (tx, r) in txs.iter().zip(receipts) {
            concerned.extend(
                r.accounts_concerned(&tx.tx)
                    .into_iter()
                    .map(|a| (a, r.index)),
            );
        }
        concerned.extend(
            begin_events
                .iter()
                .flat_map(|e| e.accounts())
                .map(|a| (a, BEGIN_EVENTS_INDEX)),
        );
        Self::with_entries(height, located, concerned)
    }

    /// Height `height`'s entries from where its transactions are and
    /// which accounts each concerns: (account, index) pairs in any order,
    /// repeats allowed.
    pub fn with_entries(
        height: u64,
        mut txs: Vec<(Hash, u32)>,
        mut concerned: Vec<(Address, u32)>,
    ) -> Self {
        txs.sort_unstable();
        concerned.sort_unstable();
        concerned.dedup();
        let accounts = concerned
            .chunk_by(|x, y| x.0 == y.0)
            .map(|one| (one[0].0, one.iter().map(|(_, i)| *i).collect()))
            .collect();
        Self {
            height,
            txs,
            accounts,
        }
    }

    fn tx(&self, hash: &Hash) -> Option<(u64, u32)> {
        let at = self.txs.binary_search_by(|(h, _)| h.cmp(hash)).ok()?;
        Some((self.height, self.txs[at].1))
    }

    fn indexes(&self, a: &Address) -> Option<&[u32]> {
        let at = self.accounts.binary_search_by(|(x, _)| x.cmp(a)).ok()?;
        Some(&self.accounts[at].1)
    }
}

/// Heights' entries closed at a checkpoint, for its writer.
pub(super) struct Frozen {
    pub upto: u64,
    heights: Vec<Arc<HeightIndex>>,
}

#[derive(Default)]
struct Held {
    /// Committed heights not yet handed to a writer, ascending.
    open: Vec<Arc<HeightIndex>>,
    /// The heights a checkpoint's batch is writing.
    writing: Option<Arc<Frozen>>,
}

/// The entries of the committed heights whose indexes are not yet on disk.
#[derive(Default)]
pub(super) struct IndexWindow {
    held: Mutex<Held>,
}

impl IndexWindow {
    fn lock(&self) -> MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes in a height whose block's batch is on disk.
    pub fn add(&self, h: HeightIndex) {
        self.lock().open.push(Arc::new(h));
    }

    /// Closes the heights up to `upto` for a checkpoint's writer (after
    /// the last one's batch has landed).
    pub fn freeze(&self, upto: u64) -> Arc<Frozen> {
        let mut held = self.lock();
        let later = held.open.partition_point(|h| h.height <= upto);
        let rest = held.open.split_off(later);
        let heights = std::mem::replace(&mut held.open, rest);
        let f = Arc::new(Frozen { upto, heights });
        held.writing = Some(f.clone());
        f
    }

    /// The open heights and `h`, for a batch that writes them itself (an
    /// archive's commit of `h`).
    pub fn with_open(&self, h: HeightIndex) -> Frozen {
        let mut heights = self.lock().open.clone();
        let upto = h.height;
        heights.push(Arc::new(h));
        Frozen { upto, heights }
    }

    /// After a batch with the entries up to `upto` is on disk.
    pub fn written(&self, upto: u64) {
        let mut held = self.lock();
        if held.writing.as_ref().is_some_and(|f| f.upto <= upto) {
            held.writing = None;
        }
        held.open.retain(|h| h.height > upto);
    }

    /// Forgets everything (the store was rewritten at once).
    pub fn clear(&self) {
        *self.lock() = Held::default();
    }

    /// Where a transaction is, if a height in memory holds it.
    pub fn tx(&self, hash: &Hash) -> Option<(u64, u32)> {
        let held = self.lock();
        let writing = held.writing.iter().flat_map(|f| &f.heights);
        held.open.iter().chain(writing).find_map(|h| h.tx(hash))
    }

    /// The account's entries held in memory strictly before `before`,
    /// newest first.
    pub fn history(&self, a: &Address, before: (u64, u32)) -> Vec<(u64, u32)> {
        let held = self.lock();
        let writing = held.writing.iter().flat_map(|f| &f.heights);
        let mut out: Vec<(u64, u32)> = held
            .open
            .iter()
            .chain(writing)
            .filter_map(|h| h.indexes(a).map(|ix| (h.height, ix)))
            .flat_map(|(height, ix)| ix.iter().map(move |i| (height, *i)))
            .filter(|e| *e < before)
            .collect();
        out.sort_unstable_by(|x, y| y.cmp(x));
        out
    }

    /// Heights held in memory (the metrics' gauge and tests).
    pub fn heights(&self) -> usize {
        let held = self.lock();
        held.open.len() + held.writing.as_ref().map_or(0, |f| f.heights.len())
    }
}

impl Frozen {
    /// Adds to `b` the entries of these heights, each family's keys in
    /// one sorted run, and `index_through`.
    pub fn put(&self, db: &rocksdb::DB, b: &mut WriteBatch) -> Result<(), StoreError> {
        let mut txs: Vec<(&Hash, u64, u32)> = self
            .heights
            .iter()
            .flat_map(|h| h.txs.iter().map(|(hash, i)| (hash, h.height, *i)))
            .collect();
        txs.sort_unstable();
        let txi = cf_in(db, cf::TX_INDEX)?;
        for (hash, h, i) in txs {
            b.put_cf(txi, hash, borsh::to_vec(&(h, i)).unwrap_or_default());
        }
        let mut accounts: Vec<(&Address, u64, &Vec<u32>)> = self
            .heights
            .iter()
            .flat_map(|h| h.accounts.iter().map(|(a, ix)| (a, h.height, ix)))
            .collect();
        accounts.sort_unstable_by_key(|(a, h, _)| (*a, *h));
        let ai = cf_in(db, cf::ACCOUNT_INDEX)?;
        for (a, h, ix) in accounts {
            b.put_cf(ai, record_key(a, h), borsh::to_vec(ix).unwrap_or_default());
        }
        b.put_cf(
            cf_in(db, cf::METADATA)?,
            meta::INDEX_THROUGH,
            hkey(self.upto),
        );
        Ok(())
    }
}

impl super::Store {
    /// On opening: the heights above `index_through`, indexed again from
    /// their blocks and receipts (a node stopped before the checkpoint
    /// that would have written them).
    pub(super) fn open_index_window(&self) -> Result<(), StoreError> {
        let last = self.last_height()?.unwrap_or(0);
        let through = self
            .get_height(cf::METADATA, meta::INDEX_THROUGH, "index_through")?
            .unwrap_or(last);
        for h in through + 1..=last {
            let block = self.block(h)?.ok_or_else(|| StoreError::Corrupt {
                cf: cf::BLOCKS,
                what: format!("no block at height {h}, above the indexes on disk"),
            })?;
            let receipts = self.receipts(h, block.txs.len())?;
            let begin = self.begin_events(h)?;
            self.index
                .add(HeightIndex::new(h, &block.txs, &receipts, &begin));
        }
        Ok(())
    }

    /// Heights whose indexes are held in memory (the metrics' gauge).
    pub fn index_window_heights(&self) -> usize {
        self.index.heights()
    }
}

#[cfg(test)]
mod tests {
    use super::super::history::tests::Run;
    use super::super::tree_writer::Gate;
    use super::*;
    use yui_ledger::tx::{Expiry, Operation, Transaction};

    const SHOP: Address = Address([7; 32]);

    /// Height `h`'s transactions: three residents pay the shop.
    fn payments(h: u64) -> Vec<SignedTransaction> {
        (0..3u8)
            .map(|p| SignedTransaction {
                tx: Transaction {
                    chain_id: "t".into(),
                    signer: Address([p; 32]),
                    nonce: h,
                    expiry: Expiry::Height(1_000_000),
                    op: Operation::Pay {
                        merchant: SHOP,
                        invoice_id: format!("{h}-{p}"),
                        amount: 1,
                        assets: vec![],
                    },
                },
                signature: [0; 64],
            })
            .collect()
    }

    /// Every transaction of heights 1 to `last` is found where it was
    /// committed, and the shop's and a payer's histories hold every
    /// entry, newest first, also in pages.
    fn all_indexed(run: &Run, last: u64) {
        let s = &run.store;
        for h in 1..=last {
            for (tx, i) in payments(h).iter().zip(0..) {
                let at = s.tx_location(&tx.hash()).expect("read");
                assert_eq!(at, Some((h, i)), "height {h}'s transaction {i}");
            }
        }
        let shop: Vec<(u64, u32)> = (1..=last)
            .rev()
            .flat_map(|h| (0..3).rev().map(move |i| (h, i)))
            .collect();
        assert_eq!(s.history(&SHOP, None, usize::MAX).expect("read"), shop);
        let payer: Vec<(u64, u32)> = (1..=last).rev().map(|h| (h, 1)).collect();
        let mut pages = Vec::new();
        let mut before = None;
        while let Some(&last) = s
            .history(&Address([1; 32]), before, 4)
            .expect("read")
            .last()
        {
            pages.extend(s.history(&Address([1; 32]), before, 4).expect("read"));
            before = Some(last);
        }
        assert_eq!(pages, payer, "the payer's history in pages of four");
    }

    fn index_through(run: &Run) -> Option<u64> {
        run.store
            .get_height(cf::METADATA, meta::INDEX_THROUGH, "index_through")
            .expect("read")
    }

    #[test]
    fn indexes_wait_in_memory_for_a_checkpoint_and_a_kill_before_it_loses_none() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut run = Run::windowed(dir.path(), 40, 8);
        run.txs = payments;
        run.commit_to(13);
        // Heights 1 to 8 were written with the checkpoint of 8; 9 to 13
        // wait in memory, and are read from there.
        assert_eq!(run.count(cf::TX_INDEX), 8 * 3);
        assert_eq!(run.store.index_window_heights(), 5);
        assert_eq!(index_through(&run), Some(8));
        all_indexed(&run, 13);

        // The checkpoint of 16 is lost with the node (killed before its
        // batch landed): opening indexes 9 to 18 again from the blocks.
        let (tx, rx) = std::sync::mpsc::channel();
        *run.store.writer.gate.lock().expect("gate") = Some(rx);
        run.commit_each(18, false);
        assert_eq!(
            run.store.index_window_heights(),
            10,
            "9 to 16 being written"
        );
        all_indexed(&run, 18);
        tx.send(Gate::Vanish).expect("send");
        run.reopen(dir.path(), 40);
        assert_eq!(index_through(&run), Some(8));
        assert_eq!(run.store.index_window_heights(), 10);
        all_indexed(&run, 18);

        run.commit_to(24);
        assert_eq!(run.count(cf::TX_INDEX), 24 * 3);
        assert_eq!(run.store.index_window_heights(), 0);
        assert_eq!(index_through(&run), Some(24));
        all_indexed(&run, 24);

        // Opened as an archive, a store writes the heights it held in
        // memory with its next block, and every height's after.
        run.commit_each(27, false);
        run.interval = 1;
        run.reopen(dir.path(), 40);
        assert_eq!(run.store.index_window_heights(), 3, "25 to 27");
        run.commit_to(30);
        assert_eq!(run.store.index_window_heights(), 0);
        assert_eq!(run.count(cf::TX_INDEX), 30 * 3);
        assert_eq!(index_through(&run), Some(30));
        all_indexed(&run, 30);
    }

    /// A store that stopped before indexes waited in memory has none on
    /// opening: its indexes are on disk up to its last height.
    #[test]
    fn a_store_without_index_through_is_indexed_to_its_last_height() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut run = Run::new(dir.path(), 40);
        run.txs = payments;
        run.commit_to(5);
        let md = run.store.cf(cf::METADATA).expect("cf");
        run.store
            .db
            .delete_cf(md, meta::INDEX_THROUGH)
            .expect("delete");
        run.reopen(dir.path(), 40);
        assert_eq!(run.store.index_window_heights(), 0);
        all_indexed(&run, 5);
    }
}
