//! The store's own tests: memtable budgets and pending blocks.

use super::*;
use yui_ledger::exec::{BlockExecutor, Ctx};
use yui_ledger::town::Town;
use yui_ledger::{Address, BlockHeader, Hash, MemState};

fn block(height: u64, prev_hash: Hash, tag: u8) -> Block {
    Block {
        header: BlockHeader {
            chain_id: "t".into(),
            height,
            time_ms: 1_000 + height,
            prev_hash,
            tx_root: [tag; 32],
            receipts_root: [0; 32],
            state_root: [0; 32],
            proposer: Address([0; 32]),
            validators_hash: [0; 32],
        },
        txs: vec![],
    }
}

#[test]
fn the_families_memtables_fit_under_the_total_with_room_for_a_flush() {
    let sum: usize = cf::ALL.iter().map(|n| memtable_bytes(n)).sum();
    let tree = memtable_bytes(cf::TREE_NODES);
    // Every family full and the tree's last memtable still flushing:
    // below the total, so the total's flush-the-oldest does not cycle
    // through the quiet families.
    assert!(
        sum + tree / 2 <= MEMTABLES_BYTES,
        "memtables {sum} + half the tree's {tree} exceed the total {MEMTABLES_BYTES}"
    );
    assert!(
        cf::ALL
            .iter()
            .all(|n| *n == cf::TREE_NODES || memtable_bytes(n) < tree),
        "the state tree's nodes are most of what a block writes"
    );
}

#[test]
fn a_commit_removes_the_blocks_kept_for_its_height_and_no_later_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("open");
    let key = |n: &str| Town::test_key(n).address();
    let g = Town::new().genesis(key, &[("city", key("city"))], "t", 1_000);
    let writes = g.state_writes(&MemState::default());
    let (_, tree) = yui_ledger::commitment::update(&store, &writes, 0).expect("tree");
    store
        .init_genesis(&g.to_json(), &writes, &tree)
        .expect("genesis");
    let mut prev = g.hash();
    for h in 1..=20u64 {
        // Two proposals for this height and one for the next are kept.
        let (a, b, next) = (block(h, prev, 1), block(h, prev, 2), block(h + 1, prev, 3));
        for p in [&a, &b, &next] {
            store.save_pending_block(p).expect("save");
        }
        let ctx = Ctx {
            chain_id: "t".into(),
            height: h,
            time_ms: 1_000 + h,
        };
        let outcome = BlockExecutor::begin(&store, ctx).expect("begin").finish();
        let (_, tree) = yui_ledger::commitment::update(&store, &outcome.writes, h).expect("tree");
        let cert = CommitCertificate {
            height: h,
            round: 0,
            block_hash: a.hash(),
            signatures: vec![],
        };
        store
            .commit_block(&a, &cert, &outcome, &tree)
            .expect("commit");
        for gone in [&a, &b] {
            assert_eq!(store.pending_block(h, &gone.hash()).expect("read"), None);
        }
        assert_eq!(
            store.pending_block(h + 1, &next.hash()).expect("read"),
            Some(next.clone()),
            "a commit removed a block kept for the next height"
        );
        prev = a.hash();
    }
}

/// A file whose filter is larger than a block cache shard still answers
/// absent keys from the cache: the filter is read in partitions, each kept
/// like a data block. With one whole-file filter, RocksDB read and
/// checksummed it from the file on every such read (the devnet's fall at
/// 3.4 million invoices).
#[test]
fn absent_keys_are_answered_from_the_cache_when_a_files_filter_outgrows_a_shard() {
    use rocksdb::perf::{PerfContext, PerfMetric, PerfStatsLevel, set_perf_stats};
    let dir = tempfile::tempdir().expect("tempdir");
    // 4 MiB: RocksDB splits it into 8 shards of 512 KiB.
    let store = Store::open_with_cache(dir.path(), 4 << 20).expect("open");
    let state = store.cf(cf::STATE).expect("family");
    // 600,000 keys in one file: a whole-file filter of about 730 KiB.
    let key = |i: u64| format!("invoice-{i:09}").into_bytes();
    for chunk in 0..60u64 {
        let mut batch = WriteBatch::default();
        for i in chunk * 10_000..(chunk + 1) * 10_000 {
            batch.put_cf(state, key(2 * i), [1u8; 8]);
        }
        store.db.write(batch).expect("write");
    }
    store.db.flush_cf(state).expect("flush");
    // Rewritten into one file, as the family's compactions do.
    let mut whole = rocksdb::CompactOptions::default();
    whole.set_bottommost_level_compaction(rocksdb::BottommostLevelCompaction::Force);
    store
        .db
        .compact_range_cf_opt(state, None::<&[u8]>, None::<&[u8]>, &whole);
    let files: Vec<u64> = (store.db.live_files().expect("files").into_iter())
        .filter(|f| f.column_family_name == cf::STATE)
        .map(|f| f.num_entries)
        .collect();
    assert_eq!(files, [600_000], "the keys are in one file");

    // Absent keys across the file's range: odd numbers between the even.
    let absent: Vec<Vec<u8>> = (0..200u64).map(|j| key(2 * (j * 2_999) + 1)).collect();
    set_perf_stats(PerfStatsLevel::EnableCount);
    let mut ctx = PerfContext::default();
    let mut read_bytes = || {
        ctx.reset();
        for k in &absent {
            assert_eq!(store.db.get_cf(state, k).expect("get"), None);
        }
        ctx.metric(PerfMetric::BlockReadByte)
    };
    let first = read_bytes();
    let again = read_bytes();
    assert!(
        again < 64 << 10,
        "the second pass read {again} bytes from the file (the first {first})"
    );
}

/// A state key the family never held is answered absent without a RocksDB
/// read, and every key it holds is read as stored: after commits that add
/// new keys (invoices) and rewrite, delete and write again older ones, and
/// after a restart, whose scan fills the filter again.
#[test]
fn state_keys_never_written_cost_no_rocksdb_read_and_every_held_key_is_read() {
    use rocksdb::perf::{PerfContext, PerfMetric, PerfStatsLevel, set_perf_stats};
    use yui_ledger::StateRead;
    fn invoice(h: u64, j: u64) -> Vec<u8> {
        format!("invoice-{h}-{j}").into_bytes()
    }
    fn with_invoices(h: u64) -> yui_ledger::WriteSet {
        let mut w = history::tests::writes(h);
        for j in 0..20 {
            w.insert(invoice(h, j), Some(vec![1]));
        }
        w
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut run = history::tests::Run::windowed(dir.path(), 0, 4);
    run.writes = with_invoices;
    run.commit_to(30);
    set_perf_stats(PerfStatsLevel::EnableCount);
    let mut ctx = PerfContext::default();
    let check = |store: &Store, ctx: &mut PerfContext| {
        store.state_cache.clear();
        // Held keys (and the older keys, some deleted): read as RocksDB has them.
        let held: Vec<Vec<u8>> = (1..=30u64)
            .flat_map(|h| (0..20).map(move |j| invoice(h, j)))
            .chain((0..45).map(|i| format!("k{i}").into_bytes()))
            .collect();
        for k in &held {
            let stored = store.get(cf::STATE, k).expect("get");
            assert_eq!(StateRead::get(store, k), Ok(stored), "{k:?}");
        }
        store.state_cache.clear();
        ctx.reset();
        let mut rocksdb_reads = 0;
        for h in 31..=1030u64 {
            assert_eq!(StateRead::get(store, &invoice(h, 0)), Ok(None));
            rocksdb_reads += ctx.metric(PerfMetric::GetFromMemtableCount);
            ctx.reset();
        }
        rocksdb_reads
    };
    // Before the scan of an opening store ends every read goes to RocksDB;
    // this store was created empty, so its scan ended at once.
    run.store.state_keys.wait_scanned();
    let fresh = check(&run.store, &mut ctx);
    run.reopen(dir.path(), 0);
    run.store.state_keys.wait_scanned();
    let reopened = check(&run.store, &mut ctx);
    // About one in a hundred says "maybe" and is read.
    assert!(fresh < 50, "{fresh} of 1,000 absent keys read RocksDB");
    assert!(
        reopened < 50,
        "{reopened} of 1,000 absent keys read RocksDB after a restart"
    );
}
